"""Merging copies of a story into its canonical story, and undoing it.

Nothing is deleted: the duplicate keeps its row and text and only gains `merged_into`. Its
claim appearances and notes are served on the canonical story, its URL is listed there as
"also published at", and its page redirects there. Chains are kept flat: a story is either
canonical or points straight at a canonical story, never at another copy.
"""

from django.db import transaction
from django.utils import timezone

from stories.errors import EditorialError
from stories.models import DuplicateCandidate, MergeRecord, Story


def _lock_pair(duplicate_id, target_id):
    """Lock the duplicate, its copies, the target and the target's canonical story: one
    statement, in primary-key order, so two merges can never lock in opposite orders.

    What to lock is read before locking, and another merge may commit while this one waits:
    the target may be merged meanwhile, or a story merged into the duplicate (a statement
    locking "the copies of the duplicate" would not see that one on PostgreSQL, since it
    matched no row when the statement began). So both are read again once the locks are held
    (no merge into or of a locked story can commit any more), and the locks taken again if
    either moved.
    """
    for _attempt in range(5):
        hop = Story.objects.filter(pk=target_id).values_list("merged_into_id", flat=True).first()
        copies = _copies_of(duplicate_id)
        ids = {duplicate_id, target_id, *copies} | ({hop} if hop else set())
        locked = {s.pk: s for s in Story.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
        if duplicate_id not in locked or target_id not in locked:
            raise EditorialError("One of the two stories no longer exists.")
        if locked[target_id].merged_into_id == hop and _copies_of(duplicate_id) == copies:
            return locked
    raise EditorialError("The stories kept changing while merging; please try again.")


def _copies_of(story_id):
    return set(Story.objects.filter(merged_into_id=story_id).values_list("pk", flat=True))


def merge(duplicate, canonical, by, reason, score=None):
    """Merge `duplicate` into `canonical` (or into the story `canonical` was itself merged into)."""
    if duplicate.pk == canonical.pk:
        raise EditorialError(f"“{duplicate}” cannot be merged into itself.")
    with transaction.atomic():
        locked = _lock_pair(duplicate.pk, canonical.pk)
        dup = locked[duplicate.pk]
        target = locked[canonical.pk]
        if target.merged_into_id:  # flatten: merge into the canonical story of the target
            target = locked[target.merged_into_id]
        if dup.merged_into_id:
            raise EditorialError(
                f"“{dup}” is already merged into “{dup.merged_into}”. Undo that merge first."
            )
        if target.pk == dup.pk:
            raise EditorialError(
                f"“{canonical}” is a copy of “{dup}”: merging “{dup}” into it would make a cycle. "
                f"Merge “{canonical}” into “{dup}” instead, or undo the earlier merge."
            )
        if dup.status == Story.Status.PUBLISHED and target.status != Story.Status.PUBLISHED:
            raise EditorialError(
                f"“{dup}” is published but “{target}” is not: merging would take it off the site. "
                f"Publish “{target}” first, or merge “{target}” into “{dup}”."
            )

        repointed = [s for s in locked.values() if s.merged_into_id == dup.pk]
        for copy in repointed:
            copy.merged_into = target
            copy._history_user = by
            copy.save(update_fields=["merged_into", "updated_at"])
        dup.merged_into = target
        dup._history_user = by
        dup.save(update_fields=["merged_into", "updated_at"])

        candidate = (
            DuplicateCandidate.objects.for_pair(dup, target).select_for_update().first()
            or DuplicateCandidate.objects.for_pair(dup, canonical).select_for_update().first()
        )
        if candidate is not None and candidate.state == DuplicateCandidate.State.PENDING:
            candidate.state = DuplicateCandidate.State.MERGED
            candidate.decided_by = by
            candidate.decided_at = timezone.now()
            candidate.save(update_fields=["state", "decided_by", "decided_at"])
            if score is None:
                score = candidate.score

        record = MergeRecord(
            duplicate=dup, canonical=target, merged_by=by, reason=reason, score=score, candidate=candidate
        )
        record._history_user = by
        record.save()
        record.repointed.set(repointed)
        return record


def unmerge(record, by):
    """Undo `record`, restoring exactly the state before it. Refused if a later merge depends on it."""
    with transaction.atomic():
        record = MergeRecord.objects.select_for_update().get(pk=record.pk)
        if record.undone_at is not None:
            raise EditorialError(f"This merge was already undone on {record.undone_at:%d %b %Y %H:%M} UTC.")
        repointed = list(record.repointed.all())
        ids = [record.duplicate_id, record.canonical_id, *(s.pk for s in repointed)]
        locked = {s.pk: s for s in Story.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
        dup = locked[record.duplicate_id]

        for story in [dup, *(locked[s.pk] for s in repointed)]:
            if story.merged_into_id != record.canonical_id:
                later = MergeRecord.objects.active().filter(repointed=story).exclude(pk=record.pk).first()
                which = f" (merge #{later.pk}: {later})" if later else ""
                raise EditorialError(
                    f"“{story}” has been merged again since{which}. Undo the later merge first."
                )

        dup.merged_into = None
        dup._history_user = by
        dup.save(update_fields=["merged_into", "updated_at"])
        for copy in repointed:
            copy = locked[copy.pk]
            copy.merged_into = dup
            copy._history_user = by
            copy.save(update_fields=["merged_into", "updated_at"])

        candidate = record.candidate
        if candidate is not None and candidate.state == DuplicateCandidate.State.MERGED:
            candidate.state = DuplicateCandidate.State.PENDING
            candidate.decided_by = None
            candidate.decided_at = None
            candidate.save(update_fields=["state", "decided_by", "decided_at"])

        record.undone_at = timezone.now()
        record.undone_by = by
        record._history_user = by
        record.save(update_fields=["undone_at", "undone_by"])
        return record
