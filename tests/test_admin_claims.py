"""The claim page: verdict and explanation through the verdict service, history, notes, corroboration."""

import pytest

from stories.errors import EditorialError
from stories.models import Claim, EditorialNote, Verdict
from stories.services.claims import set_verdict

from .admin_personas import member
from .factories import AppearanceFactory, ClaimFactory, SourceFactory, StoryFactory


def claim_form(claim, **changes):
    data = {
        "text": claim.text,
        "slug": claim.slug,
        "verdict": claim.verdict,
        "explanation": claim.explanation,
        "appearances-TOTAL_FORMS": 0,
        "appearances-INITIAL_FORMS": 0,
        "evidence-TOTAL_FORMS": 0,
        "evidence-INITIAL_FORMS": 0,
        "notes-TOTAL_FORMS": 0,
        "notes-INITIAL_FORMS": 0,
    }
    return {**data, **changes}


@pytest.fixture
def ed(client, db):
    user = member("Editors", "ed")
    client.force_login(user)
    return user


@pytest.fixture
def claim(db):
    return ClaimFactory(text="Japan sends four officers.", verdict=Verdict.UNREVIEWED, explanation="")


def test_set_verdict_records_the_reviewer_and_the_change_in_history(claim, editor):
    set_verdict(claim, Verdict.ACCURATE, "The ministry's release says so.", by=editor)
    claim.refresh_from_db()
    assert (claim.verdict, claim.reviewed_by) == (Verdict.ACCURATE, editor)
    assert claim.reviewed_at is not None
    latest = claim.history.latest()
    assert latest.history_user == editor
    assert latest.history_change_reason == "Verdict: Unreviewed → Accurate"


def test_a_verdict_needs_an_explanation_for_readers(claim, editor):
    with pytest.raises(EditorialError, match="Explain to readers why the claim is inaccurate"):
        set_verdict(claim, Verdict.INACCURATE, "  ", by=editor)
    claim.refresh_from_db()
    assert claim.verdict == Verdict.UNREVIEWED and claim.history.count() == 1


def test_an_unknown_verdict_is_refused(claim, editor):
    with pytest.raises(EditorialError, match="“maybe” is not a verdict"):
        set_verdict(claim, "maybe", "", by=editor)


def test_setting_a_verdict_in_the_admin_goes_through_the_verdict_service(client, ed, claim):
    url = f"/admin/stories/claim/{claim.pk}/change/"
    response = client.post(
        url,
        claim_form(claim, verdict=Verdict.MOSTLY_ACCURATE, explanation="Four, per the ministry."),
        follow=True,
    )
    assert response.status_code == 200
    assert any("was changed successfully" in str(m) for m in response.context["messages"])
    claim.refresh_from_db()
    assert (claim.verdict, claim.explanation, claim.reviewed_by) == (
        Verdict.MOSTLY_ACCURATE,
        "Four, per the ministry.",
        ed,
    )
    history = client.get(f"/admin/stories/claim/{claim.pk}/history/").content.decode()
    assert "Verdict: Unreviewed → Mostly accurate" in history and ">ed</a>" in history


def test_the_admin_refuses_a_verdict_without_explanation_on_the_form(client, ed, claim):
    response = client.post(
        f"/admin/stories/claim/{claim.pk}/change/", claim_form(claim, verdict=Verdict.ACCURATE)
    )
    assert response.status_code == 200
    assert "Explain to readers why the claim is accurate" in response.content.decode()
    claim.refresh_from_db()
    assert claim.verdict == Verdict.UNREVIEWED


def test_editing_the_text_alone_keeps_the_reviewer(client, ed, editor):
    claim = ClaimFactory(verdict=Verdict.ACCURATE, explanation="Checked.", reviewed_by=editor)
    client.post(f"/admin/stories/claim/{claim.pk}/change/", claim_form(claim, text="A clearer sentence."))
    claim.refresh_from_db()
    assert (claim.text, claim.reviewed_by) == ("A clearer sentence.", editor)


def test_a_note_written_inline_is_internal_and_signed_by_its_author(client, ed, claim):
    form = claim_form(
        claim,
        **{"notes-TOTAL_FORMS": 1, "notes-0-body": "Ask the ministry.", "notes-0-visibility": "internal"},
    )
    client.post(f"/admin/stories/claim/{claim.pk}/change/", form)
    note = EditorialNote.objects.get()
    assert (note.claim, note.author, note.visibility) == (claim, ed, EditorialNote.Visibility.INTERNAL)
    assert note.created_at is not None


def test_the_note_form_shows_internal_and_public_as_a_choice_with_internal_chosen(client, ed, claim):
    page = client.get(f"/admin/stories/claim/{claim.pk}/change/").content.decode()
    prefix = "notes-__prefix__-visibility"
    radio = f'name="{prefix}" value="{{}}" class="radiolist" id="id_{prefix}_{{}}"'
    internal, public = radio.format("internal", 0) + " checked>", radio.format("public", 1) + ">"
    assert internal in page and public in page


def test_the_claim_page_shows_appearances_evidence_and_independent_sources(client, ed, claim):
    wire = SourceFactory(name="Wire")
    AppearanceFactory(claim=claim, story=StoryFactory(source=wire), quote="four officers")
    AppearanceFactory(claim=claim, story=StoryFactory(source=wire), quote="4 officers")
    AppearanceFactory(claim=claim, story=StoryFactory(), quote="four SDF officers")
    response = client.get(f"/admin/stories/claim/{claim.pk}/change/")
    page = response.content.decode()
    assert response.context["original"].independent_sources == 2
    assert 'class="readonly">2</div>' in page
    assert 'id="appearances-group"' in page and 'id="evidence-group"' in page and 'id="notes-group"' in page
    listing = client.get("/admin/stories/claim/").context["cl"].result_list
    assert [c.independent_sources for c in listing] == [2]


def test_no_claim_is_deleted_from_the_admin(client, ed, claim):
    assert client.post(f"/admin/stories/claim/{claim.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Claim.objects.filter(pk=claim.pk).exists()
