"""Rule 6: fields a service owns are written only by that service, never by a stale full save.

An editor's form, an ingest or any code loads a row, and saves it whole some time later; meanwhile
another editor merged the story, published the entry or gave the claim its verdict. That save
must keep what the service wrote, and the row's history must show it too.
"""

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stories.errors import EditorialError
from stories.models import Claim, Source, Story, TimelineEntry, Verdict
from stories.models.owned import ServiceOwnedFields
from stories.services.claims import VERDICT_FIELDS, approve_verdict, propose_verdict, review_state
from stories.services.merge import merge, unmerge
from stories.services.timeline import publish_entry, unpublish_entry

from .admin_forms import save_through_admin
from .factories import ClaimFactory, EntryFactory, SourceFactory, StoryFactory, UserFactory, approved_verdict

pytestmark = pytest.mark.django_db

# Counts stored on their rows by stories.services.counters.
COUNTS = {"independent_sources", "story_count", "evidence_count", "track_record"}


@pytest.fixture
def admin_user(db):
    return UserFactory(username="chief", is_superuser=True)


def test_every_owned_field_is_a_stored_field_of_its_model():
    owning = [m for m in apps.get_app_config("stories").get_models() if issubclass(m, ServiceOwnedFields)]
    assert {Story, TimelineEntry, Claim, Source} <= set(owning)
    for model in owning:
        for field in model.owned_fields():
            assert field.concrete and not field.primary_key, (model, field)


def test_the_owned_fields_are_the_ones_rule_6_names():
    assert "merged_into" in Story.SERVICE_OWNED_FIELDS
    assert {"is_published", "published_at", "published_by"} <= set(TimelineEntry.SERVICE_OWNED_FIELDS)
    assert {"verdict", "explanation", "reviewed_by", "reviewed_at"} <= set(Claim.SERVICE_OWNED_FIELDS)


def test_every_stored_count_is_owned_by_the_counting_service():
    for model in (Claim, Source):
        counts = {f.name for f in model._meta.concrete_fields if f.name in COUNTS}
        assert counts and counts <= set(model.SERVICE_OWNED_FIELDS), model


def test_a_stale_save_keeps_the_counts_stored_since(monkeypatch):
    # The counting service itself recounts after each commit: left out, to see what the save writes.
    monkeypatch.setattr("stories.services.counters.recount", lambda *args, **kwargs: None)
    claim, source = ClaimFactory(), SourceFactory()
    stale_claim, stale_source = Claim.objects.get(pk=claim.pk), Source.objects.get(pk=source.pk)
    Claim.objects.filter(pk=claim.pk).update(independent_sources=3, story_count=4, evidence_count=5)
    Source.objects.filter(pk=source.pk).update(story_count=6, track_record={"accurate": 2})
    stale_claim.text = "Reworded."
    stale_claim.save()
    stale_source.name = "Renamed outlet"
    stale_source.save()
    stored = Claim.objects.get(pk=claim.pk)
    assert (stored.text, stored.independent_sources, stored.story_count, stored.evidence_count) == (
        "Reworded.",
        3,
        4,
        5,
    )
    stored = Source.objects.get(pk=source.pk)
    assert (stored.name, stored.story_count, stored.track_record) == ("Renamed outlet", 6, {"accurate": 2})


# Stories: merged_into belongs to the merge service.


def test_a_stale_save_of_a_story_keeps_the_merge_made_since(editor):
    duplicate, canonical = StoryFactory(), StoryFactory()
    stale = Story.objects.get(pk=duplicate.pk)
    merge(duplicate, canonical, by=editor, reason="wire copy")

    stale.title = "A corrected title"
    stale.save()

    stored = Story.objects.get(pk=duplicate.pk)
    assert (stored.title, stored.merged_into_id) == ("A corrected title", canonical.pk)
    assert stale.merged_into_id == canonical.pk  # the instance was refreshed
    latest = stored.history.latest()
    assert (latest.title, latest.merged_into_id) == ("A corrected title", canonical.pk)


def test_a_stale_save_of_a_story_does_not_bring_back_an_undone_merge(editor):
    duplicate, canonical = StoryFactory(), StoryFactory()
    record = merge(duplicate, canonical, by=editor, reason="")
    stale = Story.objects.get(pk=duplicate.pk)
    unmerge(record, by=editor)

    stale.summary = "Summarised by the desk."
    stale.save()

    stored = Story.objects.get(pk=duplicate.pk)
    assert stored.merged_into_id is None and stored.summary == "Summarised by the desk."
    assert stored.history.latest().merged_into_id is None


def test_the_admins_change_form_saving_a_stale_story_keeps_the_merge(editor, admin_user):
    duplicate, canonical = StoryFactory(), StoryFactory()
    stale = Story.objects.get(pk=duplicate.pk)  # the editor opens the change form
    merge(duplicate, canonical, by=editor, reason="")  # another editor merges it

    save_through_admin(stale, admin_user, title="Edited in the form", status=Story.Status.IN_REVIEW)

    stored = Story.objects.get(pk=duplicate.pk)
    assert (stored.title, stored.status) == ("Edited in the form", Story.Status.IN_REVIEW)
    assert stored.merged_into_id == canonical.pk
    assert not Story.objects.filter(merged_into__merged_into__isnull=False).exists()


def test_a_stale_save_cannot_make_a_chain():
    # a -> b is merged, then b -> c (which repoints a to c); a stale b saved afterwards
    # would have written b back as canonical, and a stale a would have pointed a at b again.
    a, b, c = StoryFactory(), StoryFactory(), StoryFactory()
    stale_a, stale_b = Story.objects.get(pk=a.pk), Story.objects.get(pk=b.pk)
    merge(a, b, by=None, reason="")
    merge(b, c, by=None, reason="")
    stale_a.save()
    stale_b.save()
    assert dict(Story.objects.values_list("pk", "merged_into_id")) == {a.pk: c.pk, b.pk: c.pk, c.pk: None}


def test_the_merge_service_still_writes_merged_into():
    duplicate, canonical = StoryFactory(), StoryFactory()
    merge(duplicate, canonical, by=None, reason="")
    assert Story.objects.get(pk=duplicate.pk).merged_into_id == canonical.pk


def test_a_new_story_is_stored_with_every_field_it_is_given():
    canonical = StoryFactory()
    copy = StoryFactory(merged_into=canonical)
    assert Story.objects.get(pk=copy.pk).merged_into_id == canonical.pk


# Timeline entries: the published state belongs to the publish service.


def test_a_stale_save_of_an_entry_keeps_its_publication(editor):
    entry = EntryFactory(claims=[ClaimFactory(verdict=Verdict.ACCURATE)])
    stale = TimelineEntry.objects.get(pk=entry.pk)
    publish_entry(entry, by=editor)

    stale.title = "Renamed milestone"
    stale.save()

    stored = TimelineEntry.objects.get(pk=entry.pk)
    assert (stored.title, stored.is_published, stored.published_by) == ("Renamed milestone", True, editor)
    assert stored.published_at is not None
    assert stored.history.latest().is_published is True


def test_a_stale_save_of_an_entry_does_not_republish_it(editor):
    entry = EntryFactory(claims=[ClaimFactory(verdict=Verdict.ACCURATE)])
    publish_entry(entry, by=editor)
    stale = TimelineEntry.objects.get(pk=entry.pk)
    unpublish_entry(entry, by=editor)

    stale.text = "Two sentences for readers."
    stale.save()

    stored = TimelineEntry.objects.get(pk=entry.pk)
    assert (stored.is_published, stored.published_at, stored.published_by) == (False, None, None)


def test_the_admins_change_form_saving_a_stale_entry_keeps_its_publication(editor, admin_user):
    entry = EntryFactory(claims=[ClaimFactory(verdict=Verdict.ACCURATE)])
    stale = TimelineEntry.objects.get(pk=entry.pk)
    publish_entry(entry, by=editor)
    save_through_admin(stale, admin_user, title="Renamed in the form")
    stored = TimelineEntry.objects.get(pk=entry.pk)
    assert (stored.title, stored.is_published) == (entry.title, True)
    # Published meanwhile, so the new title waits for a chief editor (rule 8).
    assert stored.revisions.pending().get().title == "Renamed in the form"


# Claims: the verdict, its explanation and its reviewer belong to the verdict service.


def test_a_stale_save_of_a_claim_keeps_the_verdict_and_reviewer(editor, other_editor):
    claim = ClaimFactory(verdict=Verdict.UNREVIEWED)
    stale = Claim.objects.get(pk=claim.pk)
    approved_verdict(
        claim, Verdict.INACCURATE, "The record says otherwise.", by=editor, approver=other_editor
    )

    stale.text = "A clearer wording of the claim."
    stale.explanation = "A stale explanation."
    stale.save()

    stored = Claim.objects.get(pk=claim.pk)
    assert stored.text == "A clearer wording of the claim."
    assert (stored.verdict, stored.explanation, stored.reviewed_by) == (
        Verdict.INACCURATE,
        "The record says otherwise.",
        other_editor,
    )
    assert stored.reviewed_at == claim.reviewed_at
    latest = stored.history.latest()
    assert (latest.verdict, latest.reviewed_by_id) == (Verdict.INACCURATE, other_editor.pk)


def test_a_stale_save_of_a_claim_does_not_restore_a_withdrawn_verdict(editor, other_editor):
    claim = ClaimFactory(verdict=Verdict.UNREVIEWED)
    approved_verdict(claim, Verdict.ACCURATE, "The ministry's release.", by=editor, approver=other_editor)
    stale = Claim.objects.get(pk=claim.pk)
    approved_verdict(claim, Verdict.UNREVIEWED, "", by=editor, approver=other_editor)
    stale.save()
    stored = Claim.objects.get(pk=claim.pk)
    assert (stored.verdict, stored.reviewed_by, stored.reviewed_at) == (Verdict.UNREVIEWED, None, None)


def test_the_admins_change_form_saving_a_claim_without_touching_the_verdict_keeps_it(
    editor, other_editor, admin_user
):
    claim = ClaimFactory(verdict=Verdict.UNREVIEWED, explanation="")
    stale = Claim.objects.get(pk=claim.pk)
    approved_verdict(claim, Verdict.MISLEADING, "Worded to suggest troops.", by=editor, approver=other_editor)
    # The form shows the verdict of a page loaded before; the editor changes only the wording.
    save_through_admin(stale, admin_user, text="Reworded.")
    stored = Claim.objects.get(pk=claim.pk)
    assert stored.text == "Reworded."
    assert (stored.verdict, stored.reviewed_by) == (Verdict.MISLEADING, other_editor)
    assert not stored.reviews.pending().exists()


def test_a_proposal_from_a_form_loaded_before_another_verdict_change_is_refused(editor, other_editor):
    claim = ClaimFactory(verdict=Verdict.UNREVIEWED)
    seen = review_state(claim.pk)
    approved_verdict(claim, Verdict.ACCURATE, "The ministry's release.", by=editor, approver=other_editor)
    with pytest.raises(EditorialError, match="Another editor changed the verdict"):
        propose_verdict(claim, Verdict.INACCURATE, "Stale.", by=editor, seen=seen)
    assert Claim.objects.get(pk=claim.pk).verdict == Verdict.ACCURATE
    assert not claim.reviews.pending().exists()


def test_publishing_a_verdict_writes_only_the_verdict_fields(editor, other_editor):
    claim = ClaimFactory(verdict=Verdict.UNREVIEWED)
    review = propose_verdict(claim, Verdict.ACCURATE, "The ministry's release.", by=editor)
    with CaptureQueriesContext(connection) as queries:
        approve_verdict(review, by=other_editor)
    sets = [q["sql"].split(" SET ", 1)[1] for q in queries if q["sql"].startswith('UPDATE "stories_claim" ')]
    (written,) = [clause.split(" WHERE ", 1)[0] for clause in sets if '"verdict" =' in clause]
    for name in set(Claim.SERVICE_OWNED_FIELDS) - set(VERDICT_FIELDS):
        assert f'"{Claim._meta.get_field(name).column}" =' not in written, name
    for name in VERDICT_FIELDS:
        assert f'"{Claim._meta.get_field(name).column}" =' in written, name
    assert '"text" =' not in written
