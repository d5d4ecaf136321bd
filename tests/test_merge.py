"""Rule 6: merging and unmerging lose no data and leave no chain or cycle."""

import pytest

from stories.errors import EditorialError
from stories.models import DuplicateCandidate, EditorialNote, MergeRecord, Story
from stories.services.merge import merge, unmerge

from .factories import AppearanceFactory, CandidateFactory, NoteFactory, StoryFactory

pytestmark = pytest.mark.django_db


def snapshot():
    """Every story's merge state, for comparing before and after a round trip."""
    return dict(Story.objects.values_list("pk", "merged_into_id"))


def test_merge_marks_the_duplicate_and_deletes_nothing(editor):
    canonical, duplicate = StoryFactory(), StoryFactory()
    AppearanceFactory(story=duplicate)
    NoteFactory(story=duplicate)

    record = merge(duplicate, canonical, by=editor, reason="wire copy", score=0.95)

    duplicate.refresh_from_db()
    assert duplicate.merged_into == canonical
    assert Story.objects.count() == 2
    assert duplicate.claim_appearances.count() == 1
    assert EditorialNote.objects.filter(story=duplicate).count() == 1
    assert (record.duplicate, record.canonical, record.merged_by) == (duplicate, canonical, editor)
    assert (record.reason, record.score) == ("wire copy", 0.95)
    assert list(canonical.copies.all()) == [duplicate]


def test_merged_story_leaves_public_stories():
    canonical, duplicate = StoryFactory(), StoryFactory()
    merge(duplicate, canonical, by=None, reason="")
    assert list(Story.objects.public()) == [canonical]


def test_merge_refuses_a_self_merge(editor):
    story = StoryFactory()
    with pytest.raises(EditorialError, match="cannot be merged into itself"):
        merge(story, story, by=editor, reason="")
    assert MergeRecord.objects.count() == 0


def test_merge_refuses_a_cycle(editor):
    a, b = StoryFactory(), StoryFactory()
    merge(a, b, by=editor, reason="")
    before = snapshot()
    with pytest.raises(EditorialError, match="cycle"):
        merge(b, a, by=editor, reason="")
    assert snapshot() == before
    assert MergeRecord.objects.count() == 1


def test_merge_refuses_a_story_already_merged(editor):
    a, b, c = StoryFactory(), StoryFactory(), StoryFactory()
    merge(a, b, by=editor, reason="")
    with pytest.raises(EditorialError, match="already merged"):
        merge(a, c, by=editor, reason="")
    a.refresh_from_db()
    assert a.merged_into == b


def test_merge_into_a_copy_goes_to_its_canonical_story(editor):
    a, b, c = StoryFactory(), StoryFactory(), StoryFactory()
    merge(b, c, by=editor, reason="")
    record = merge(a, b, by=editor, reason="")
    a.refresh_from_db()
    assert a.merged_into == c
    assert record.canonical == c


def test_merge_flattens_the_duplicates_own_copies(editor):
    a, b, c = StoryFactory(), StoryFactory(), StoryFactory()
    merge(a, b, by=editor, reason="")
    record = merge(b, c, by=editor, reason="")
    a.refresh_from_db()
    assert a.merged_into == c, "A→B→C must be stored as A→C"
    assert list(record.repointed.all()) == [a]
    assert not Story.objects.filter(merged_into__merged_into__isnull=False).exists()


def test_unmerge_restores_exactly_the_state_before_the_merge(editor):
    a, b, c = StoryFactory(), StoryFactory(), StoryFactory()
    merge(a, b, by=editor, reason="")
    before = snapshot()
    record = merge(b, c, by=editor, reason="")
    unmerge(record, by=editor)
    assert snapshot() == before
    record.refresh_from_db()
    assert record.undone_at is not None and record.undone_by == editor


def test_merge_unmerge_round_trip_keeps_appearances_and_notes(editor):
    canonical, duplicate = StoryFactory(), StoryFactory()
    appearance = AppearanceFactory(story=duplicate)
    note = NoteFactory(story=duplicate)
    record = merge(duplicate, canonical, by=editor, reason="")
    unmerge(record, by=editor)
    appearance.refresh_from_db()
    note.refresh_from_db()
    duplicate.refresh_from_db()
    assert appearance.story == duplicate and note.story == duplicate
    assert duplicate.merged_into is None
    assert set(Story.objects.public()) == {canonical, duplicate}


def test_unmerge_twice_is_refused(editor):
    a, b = StoryFactory(), StoryFactory()
    record = merge(a, b, by=editor, reason="")
    unmerge(record, by=editor)
    with pytest.raises(EditorialError, match="already undone"):
        unmerge(record, by=editor)


def test_unmerge_is_refused_while_a_later_merge_depends_on_it(editor):
    a, b, c = StoryFactory(), StoryFactory(), StoryFactory()
    first = merge(a, b, by=editor, reason="")
    later = merge(b, c, by=editor, reason="")
    before = snapshot()
    with pytest.raises(EditorialError, match=f"merge #{later.pk}"):
        unmerge(first, by=editor)
    assert snapshot() == before
    unmerge(later, by=editor)
    unmerge(first, by=editor)
    assert all(target is None for target in snapshot().values())


def test_merge_decides_the_pending_candidate_and_unmerge_reopens_it(editor):
    candidate = CandidateFactory(score=0.88)
    record = merge(candidate.story_b, candidate.story_a, by=editor, reason="from the queue")
    candidate.refresh_from_db()
    assert candidate.state == DuplicateCandidate.State.MERGED
    assert candidate.decided_by == editor
    assert record.candidate == candidate and record.score == 0.88
    unmerge(record, by=editor)
    candidate.refresh_from_db()
    assert candidate.state == DuplicateCandidate.State.PENDING
    assert candidate.decided_by is None


def test_merge_and_unmerge_are_recorded_in_history_with_the_editor(editor, other_editor):
    canonical, duplicate = StoryFactory(), StoryFactory()
    record = merge(duplicate, canonical, by=editor, reason="")
    unmerge(record, by=other_editor)
    changes = list(duplicate.history.order_by("history_id").values_list("merged_into_id", "history_user_id"))
    assert changes[-2:] == [(canonical.pk, editor.pk), (None, other_editor.pk)]
    assert record.history.latest().history_user == other_editor


def test_story_cannot_point_at_itself_in_the_database():
    from django.db import IntegrityError, transaction

    story = StoryFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Story.objects.filter(pk=story.pk).update(merged_into=story.pk)


def test_merge_refuses_to_take_a_published_story_off_the_site(editor):
    published, draft = StoryFactory(), StoryFactory(status=Story.Status.NEW)
    with pytest.raises(EditorialError, match="would take it off the site"):
        merge(published, draft, by=editor, reason="")
    assert snapshot() == {published.pk: None, draft.pk: None}
    merge(draft, published, by=editor, reason="the other way round is fine")


def test_merge_through_a_copy_decides_the_pair_the_editor_picked(editor):
    a, b, c = StoryFactory(), StoryFactory(), StoryFactory()
    merge(b, c, by=editor, reason="")
    candidate = CandidateFactory(story_a=a, story_b=b)
    merge(a, b, by=editor, reason="")
    candidate.refresh_from_db()
    assert candidate.state == DuplicateCandidate.State.MERGED
