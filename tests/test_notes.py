import pytest
from django.db import IntegrityError, transaction

from stories.models import EditorialNote

from .factories import ClaimFactory, NoteFactory, StoryFactory

pytestmark = pytest.mark.django_db


def test_note_must_belong_to_a_story_or_a_claim():
    with pytest.raises(IntegrityError), transaction.atomic():
        NoteFactory()


def test_note_cannot_belong_to_both_a_story_and_a_claim():
    with pytest.raises(IntegrityError), transaction.atomic():
        NoteFactory(story=StoryFactory(), claim=ClaimFactory())


def test_note_on_exactly_one_target_is_saved():
    NoteFactory(story=StoryFactory())
    NoteFactory(claim=ClaimFactory())
    assert EditorialNote.objects.count() == 2


def test_notes_are_internal_unless_said_otherwise():
    note = NoteFactory(story=StoryFactory())
    assert note.visibility == EditorialNote.Visibility.INTERNAL
