"""Publishing timeline entries: an entry goes public only on accurate or mostly accurate claims
(DESIGN.md rule 2), and a published entry changes only when a chief editor publishes the change
an editor made to it, kept meanwhile as a pending revision (rule 8)."""

from django.db import transaction
from django.utils import timezone

from stories.errors import EditorialError
from stories.models import ENTRY_CONTENT_FIELDS, SUPPORTING_VERDICTS, EntryRevision, TimelineEntry

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


PUBLISH_PERMISSION = "stories.publish_timelineentry"


def _claim_ids(claims):
    return {getattr(claim, "pk", claim) for claim in claims}


@retry_once_on_conflict
def edit_entry(entry, changes, claims=None, *, by):
    """Save an editor's change to `entry`: `changes` maps field names to new values, `claims` are
    the claims it should rest on (None: as they are). An unpublished entry changes at once. A
    published one keeps what readers see: a change to its date, precision, title, text or claims
    waits as a pending revision, made over the one already waiting (which it replaces), until a
    chief editor publishes it with `publish_revision`; its other fields change at once. Returns
    the revision waiting, or None."""
    with transaction.atomic():
        stored = TimelineEntry.objects.select_for_update().get(pk=entry.pk)
        current = set(stored.claims.values_list("pk", flat=True))
        pending = EntryRevision.objects.filter(entry=stored, state=EntryRevision.State.PENDING)
        stored._history_user = by
        if not stored.is_published:
            pending.update(state=EntryRevision.State.WITHDRAWN)
            for name, value in changes.items():
                setattr(stored, name, value)
            stored.save()
            if claims is not None and _claim_ids(claims) != current:
                stored.claims.set(_claim_ids(claims))
            return None
        other = {name: value for name, value in changes.items() if name not in ENTRY_CONTENT_FIELDS}
        if other:
            for name, value in other.items():
                setattr(stored, name, value)
            stored.save(update_fields=[*other, "updated_at"])
        waiting = pending.first()
        base = waiting or stored
        base_claims = set(waiting.claims.values_list("pk", flat=True)) if waiting else current
        proposed = TimelineEntry(**{name: getattr(base, name) for name in ENTRY_CONTENT_FIELDS})
        for name in ENTRY_CONTENT_FIELDS:
            if name in changes:
                setattr(proposed, name, changes[name])
        proposed.normalise_date()
        content = {name: getattr(proposed, name) for name in ENTRY_CONTENT_FIELDS}
        wanted = base_claims if claims is None else _claim_ids(claims)
        if content == {name: getattr(base, name) for name in ENTRY_CONTENT_FIELDS} and wanted == base_claims:
            return waiting  # nothing new
        pending.update(state=EntryRevision.State.SUPERSEDED)
        if content == {name: getattr(stored, name) for name in ENTRY_CONTENT_FIELDS} and wanted == current:
            return None  # back to what readers see: nothing waits
        revision = EntryRevision.objects.create(entry=stored, proposed_by=by, **content)
        revision.claims.set(wanted)
        return revision


@retry_once_on_conflict
def publish_revision(revision, *, by):
    """Publish the change `revision` holds to its entry (a chief editor: the permission
    stories.publish_timelineentry). Refused for a published entry whose new claims are not all
    accurate or mostly accurate (rule 2), and for a revision no longer waiting."""
    if by is None or not by.has_perm(PUBLISH_PERMISSION):
        raise EditorialError("Only a chief editor may publish a change to a published entry.")
    with transaction.atomic():
        entry = TimelineEntry.objects.select_for_update().get(pk=revision.entry_id)
        revision = EntryRevision.objects.select_for_update().get(pk=revision.pk)
        if revision.state != EntryRevision.State.PENDING:
            raise EditorialError(
                f"The change to “{entry.title}” is no longer waiting: {revision.get_state_display().lower()}."
            )
        claims = list(revision.claims.all())
        if entry.is_published:
            if not claims:
                raise EditorialError(f"The change to “{entry.title}” leaves it resting on no claim.")
            blocking = [claim for claim in claims if claim.verdict not in SUPPORTING_VERDICTS]
            if blocking:
                named = "; ".join(
                    f"“{claim.text}” ({claim.get_verdict_display().lower()})" for claim in blocking
                )
                raise EditorialError(
                    f"The change to “{entry.title}” cannot be published until every claim it rests on is "
                    f"accurate or mostly accurate. Not yet: {named}."
                )
        for name in ENTRY_CONTENT_FIELDS:
            setattr(entry, name, getattr(revision, name))
        entry._history_user = by
        entry._change_reason = f"Published the change proposed by {revision.proposed_by or 'an editor'}"
        entry.save(update_fields=[*ENTRY_CONTENT_FIELDS, "updated_at"])
        entry.claims.set(claims)
        revision.state, revision.published_by, revision.published_at = (
            EntryRevision.State.PUBLISHED,
            by,
            timezone.now(),
        )
        revision.save(update_fields=["state", "published_by", "published_at"])
        return revision
