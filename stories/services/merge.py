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

from .transactions import retry_once_on_conflict

# How many times the stories to lock may change under a merge before it gives up.
LOCK_ATTEMPTS = 10


class _Moved(Exception):
    """What a merge must lock changed between reading it and holding the locks."""


def _needed(duplicate_id, target_id, target_hop):
    """The stories a merge of `duplicate_id` into `target_id` writes or relies on: both, the
    duplicate's copies (repointed to the target) and `target_hop`, the story the target is a
    copy of (the real target), if any."""
    ids = {duplicate_id, target_id, *_copies_of(duplicate_id)}
    return ids | {target_hop} if target_hop else ids


def _copies_of(story_id):
    return set(Story.objects.filter(merged_into_id=story_id).values_list("pk", flat=True))


def lock_stories(want):
    """Lock the stories `want()` names, in primary-key order, and return them by id.

    `want()` reads what to lock; another merge may commit while this one waits for the locks and
    change that (merge the target elsewhere, merge a story into the duplicate: a statement locking
    "the copies of the duplicate" would not see the new one). So once the locks are held it is
    read again, as `want(locked)` with the locked rows (no merge into or of a locked story can
    commit any more); if it names a story not locked, the locks are released (rolled back to the
    savepoint they were taken after) and the larger set taken, again in one statement in id
    order: locks are never added out of order. Rows the caller's transaction already holds stay
    held (PostgreSQL releases only the locks taken after the savepoint).
    """
    ids = set()
    for _attempt in range(LOCK_ATTEMPTS):
        ids |= want()
        try:
            with transaction.atomic():  # a savepoint: leaving it by _Moved releases its locks
                rows = Story.objects.select_for_update().filter(pk__in=ids).order_by("pk")
                locked = {story.pk: story for story in rows}
                missing = want(locked) - locked.keys()
                if missing:
                    ids |= missing
                    raise _Moved
            return locked
        except _Moved:
            continue
    raise EditorialError("The stories kept changing while merging; please try again.")


def lock_for_merges(duplicate_ids, target_id):
    """Lock, in one go, what merging each of `duplicate_ids` into `target_id` needs: a
    transaction making several merges takes all its locks in id order before the first."""

    def want(locked=None):
        if locked is None:
            hop = Story.objects.filter(pk=target_id).values_list("merged_into_id", flat=True).first()
        elif target_id not in locked:
            raise EditorialError("The story to keep no longer exists.")
        else:
            hop = locked[target_id].merged_into_id
        return set().union(*(_needed(pk, target_id, hop) for pk in duplicate_ids))

    return lock_stories(want)


def _lock_pair(duplicate_id, target_id):
    """Lock what a merge of `duplicate_id` into `target_id` needs (see lock_stories)."""

    def want(locked=None):
        if locked is None:
            hop = Story.objects.filter(pk=target_id).values_list("merged_into_id", flat=True).first()
            return _needed(duplicate_id, target_id, hop)
        if duplicate_id not in locked or target_id not in locked:
            raise EditorialError("One of the two stories no longer exists.")
        return _needed(duplicate_id, target_id, locked[target_id].merged_into_id)

    return lock_stories(want)


@retry_once_on_conflict
def merge(duplicate, canonical, by, reason, score=None, *, candidate=None):
    """Merge `duplicate` into `canonical` (or into the story `canonical` was itself merged into).

    `candidate`: the queued pair this merge decides, refused unless still pending once locked
    (it is locked after the stories, like the pair a merge finds itself, so no two merges
    ever lock a pair and its stories in opposite orders)."""
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

        if candidate is not None:
            candidate = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
            if candidate.state != DuplicateCandidate.State.PENDING:
                raise EditorialError(
                    f"The pair “{candidate.story_a}” / “{candidate.story_b}” was already "
                    f"{candidate.get_state_display().lower()}; only pending pairs can be decided."
                )
        else:
            candidate = (
                DuplicateCandidate.objects.for_pair(dup, target).select_for_update().first()
                or DuplicateCandidate.objects.for_pair(dup, canonical).select_for_update().first()
            )

        repointed = [s for s in locked.values() if s.merged_into_id == dup.pk]
        for copy in repointed:
            copy.merged_into = target
            copy._history_user = by
            copy.save(update_fields=["merged_into", "updated_at"])
        dup.merged_into = target
        dup._history_user = by
        dup.save(update_fields=["merged_into", "updated_at"])

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


@retry_once_on_conflict
def unmerge(record, by):
    """Undo `record`, restoring exactly the state before it. Refused if a later merge depends on it.

    The record is locked first (two undos of it queue up there), then, in one statement in id
    order, every story it moved: the record says which, and that never changes."""
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
