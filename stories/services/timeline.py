"""Publishing timeline entries: an entry goes public only on accurate or mostly accurate claims."""

from django.db import transaction
from django.utils import timezone

from stories.errors import EditorialError
from stories.models import TimelineEntry

from .transactions import retry_once_on_conflict


@retry_once_on_conflict
def publish_entry(entry, by):
    """Publish `entry`, or refuse naming every claim that is not accurate or mostly accurate yet."""
    with transaction.atomic():
        entry = TimelineEntry.objects.select_for_update().get(pk=entry.pk)
        if not TimelineEntry.objects.filter(pk=entry.pk).publishable().exists():
            if not entry.claims.exists():
                raise EditorialError(
                    f"“{entry.title}” rests on no claim yet: add the claims that support it, then publish."
                )
            blocking = "; ".join(
                f"“{claim.text}” ({claim.get_verdict_display().lower()})" for claim in entry.blocking_claims()
            )
            raise EditorialError(
                f"“{entry.title}” cannot be published until every claim it rests on is accurate or "
                f"mostly accurate. Not yet: {blocking}."
            )
        if entry.is_published:
            return entry
        entry.is_published = True
        entry.published_at = timezone.now()
        entry.published_by = by
        entry._history_user = by
        entry.save(update_fields=["is_published", "published_at", "published_by", "updated_at"])
        return entry


@retry_once_on_conflict
def unpublish_entry(entry, by):
    """Take `entry` off the public timeline (its history keeps who did it and when)."""
    with transaction.atomic():
        entry = TimelineEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.is_published:
            entry.is_published = False
            entry.published_at = None
            entry.published_by = None
            entry._history_user = by
            entry.save(update_fields=["is_published", "published_at", "published_by", "updated_at"])
        return entry
