import secrets
import time

from django.db import IntegrityError, connection, models, transaction
from django.db.models import F


def _now():
    return int(time.time())


def _token():
    return secrets.token_hex(8)


class SiteVersion(models.Model):
    """One row that changes whenever public content may have changed.

    Public pages use it for ETag / Last-Modified and as part of their cache keys, so a save
    anywhere invalidates every cached page at once, in every app server, with one query to check.
    """

    counter = models.PositiveBigIntegerField(default=0)
    # Random on every move, so a counter that goes back (a restore, a flush) never repeats a version.
    token = models.CharField(max_length=16, default=_token)
    changed = models.BigIntegerField(default=_now, help_text="When it last moved, in Unix seconds.")

    class Meta:
        verbose_name = "site version"

    def __str__(self):
        return f"version {self.counter}"

    @classmethod
    def current(cls):
        """The version as a short string. Read on every public request, so with one plain
        statement (the ORM's query building costs more than the query itself here)."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT counter, token FROM {cls._meta.db_table} WHERE id = 1")
            row = cursor.fetchone()
        return f"{row[0]}-{row[1]}" if row else "0"

    @classmethod
    def bump(cls):
        moved = {"counter": F("counter") + 1, "token": _token(), "changed": _now()}
        if cls.objects.filter(pk=1).update(**moved):
            return
        try:
            with transaction.atomic():
                cls.objects.create(pk=1, counter=1)
        except IntegrityError:  # created meanwhile by another writer
            cls.objects.filter(pk=1).update(**moved)
