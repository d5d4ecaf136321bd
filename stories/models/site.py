import secrets
import time

from django.db import IntegrityError, models, transaction
from django.db.models import F


def _now():  # the default of a field since removed, still named by migration 0004
    return int(time.time())


def _token():
    return secrets.token_hex(8)


class SiteVersion(models.Model):
    """One row that moves after each commit that changed what readers see (stories.invalidation).

    Public pages use it for their ETag and to tell a kept page from a stale one, so a public
    change invalidates every cached page at once, in every app server, with one query to check.
    It is moved by one statement in a transaction of its own, never inside a writing transaction.
    """

    counter = models.PositiveBigIntegerField(default=0)
    # Random on every move, so a counter that goes back (a restore, a flush) never repeats a version.
    token = models.CharField(max_length=16, default=_token)

    class Meta:
        verbose_name = "site version"

    def __str__(self):
        return f"version {self.counter}"

    @classmethod
    def current(cls):
        """The version as a short string, read on every public request (one primary-key read)."""
        row = cls.objects.filter(pk=1).values_list("counter", "token").first()
        return f"{row[0]}-{row[1]}" if row else "0"

    @classmethod
    def bump(cls):
        moved = {"counter": F("counter") + 1, "token": _token()}
        if cls.objects.filter(pk=1).update(**moved):
            return
        try:
            with transaction.atomic():
                cls.objects.create(pk=1, counter=1)
        except IntegrityError:  # created meanwhile by another writer
            cls.objects.filter(pk=1).update(**moved)
