"""Editors' decisions on duplicates: merge a queued pair, merge a selection, dismiss a pair.

Merging itself is stories.services.merge; these functions decide what to merge into what.
A dismissed pair stays dismissed: the detector keeps one row per pair and never reopens it.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from stories.errors import EditorialError
from stories.models import DuplicateCandidate
from stories.services.merge import lock_for_merges, merge
from stories.services.transactions import retry_once_on_conflict


def _locked(candidate):
    return (
        DuplicateCandidate.objects.select_for_update()
        .select_related("story_a", "story_b")
        .get(pk=candidate.pk)
    )


def _refuse_unless_pending(candidate):
    if candidate.state != DuplicateCandidate.State.PENDING:
        raise EditorialError(
            f"The pair “{candidate.story_a}” / “{candidate.story_b}” was already "
            f"{candidate.get_state_display().lower()}; only pending pairs can be decided."
        )


@retry_once_on_conflict
def dismiss_candidate(candidate, *, by):
    """Mark the pair as not duplicates. Dismissing a dismissed pair changes nothing."""
    with transaction.atomic():
        candidate = _locked(candidate)
        if candidate.state == DuplicateCandidate.State.DISMISSED:
            return candidate
        _refuse_unless_pending(candidate)
        candidate.state = DuplicateCandidate.State.DISMISSED
        candidate.decided_by = by
        candidate.decided_at = timezone.now()
        candidate.save(update_fields=["state", "decided_by", "decided_at"])
        return candidate


@retry_once_on_conflict
def merge_candidate(candidate, keep, *, by, reason=""):
    """Merge the other story of the pair into `keep` (one of the two), through the merge service.

    The pair is read here but locked by the merge, after the stories (and checked again there),
    as every merge locks: stories first, in id order, then pairs."""
    with transaction.atomic():
        candidate = DuplicateCandidate.objects.select_related("story_a", "story_b").get(pk=candidate.pk)
        _refuse_unless_pending(candidate)
        if keep.pk not in (candidate.story_a_id, candidate.story_b_id):
            raise EditorialError(f"“{keep}” is not one of the pair “{candidate}”.")
        keep_story = candidate.story_a if keep.pk == candidate.story_a_id else candidate.story_b
        duplicate = candidate.story_b if keep.pk == candidate.story_a_id else candidate.story_a
        if keep_story.merged_into_id:
            raise EditorialError(
                f"“{keep_story}” is itself a copy of “{keep_story.merged_into}”: merge into that story, "
                "or undo its merge first."
            )
        reason = reason.strip() or f"Duplicate queue: similarity {candidate.score:.2f}."
        return merge(duplicate, keep_story, by, reason, score=candidate.score, candidate=candidate)


@retry_once_on_conflict
def merge_stories(canonical, stories, *, by, reason):
    """Merge every story of `stories` (other than `canonical`) into `canonical`, all or none."""
    reason = (reason or "").strip()
    if not reason:
        raise EditorialError("Give a reason for the merge: it is kept with the merge record.")
    duplicates = [story for story in stories if story.pk != canonical.pk]
    if not duplicates:
        raise EditorialError("Select at least two stories: one to keep and one or more copies of it.")
    with transaction.atomic():
        lock_for_merges([duplicate.pk for duplicate in duplicates], canonical.pk)
        return [merge(duplicate, canonical, by, reason) for duplicate in duplicates]


def queue_translation(story, other, score):
    """Queue the pair as translations of one another, unless it has a row already (pending, merged
    or dismissed). Never merged automatically: an editor decides. Returns the new row or None."""
    try:
        with transaction.atomic():
            if DuplicateCandidate.objects.for_pair(story, other).exists():
                return None
            return DuplicateCandidate.objects.create(
                story_a=story, story_b=other, score=score, kind=DuplicateCandidate.Kind.TRANSLATION
            )
    except IntegrityError:  # another run queued the pair at the same moment
        return None
