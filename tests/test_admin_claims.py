"""Rule 9 and the claim page: a verdict is proposed by one editor and made public by another (or a
chief editor's recorded override); history, notes, corroboration."""

import pytest

from stories.admin.claims import ClaimForm
from stories.errors import EditorialError
from stories.models import Claim, ClaimReview, EditorialNote, Verdict
from stories.services.claims import approve_verdict, override_verdict, propose_verdict, review_state

from .admin_personas import member
from .factories import AppearanceFactory, ClaimFactory, SourceFactory, StoryFactory, approved_verdict


def claim_form(claim, **changes):
    """The claim's change form as a browser posts it back unchanged, from the page as it is now."""
    shown = (claim.pk and claim.reviews.pending().first()) or claim
    data = {
        "text": claim.text,
        "slug": claim.slug,
        "proposed_verdict": shown.verdict,
        "proposed_explanation": shown.explanation,
        "verdict_seen": ClaimForm(instance=claim).fields["verdict_seen"].initial,
        "reviews-TOTAL_FORMS": 0,
        "reviews-INITIAL_FORMS": 0,
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


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_a_proposed_verdict_waits_and_the_claim_stays_unreviewed(claim, editor):
    review = propose_verdict(claim, Verdict.ACCURATE, "The ministry's release says so.", by=editor)
    assert (review.state, review.proposed_by, review.approved_by) == (ClaimReview.State.PENDING, editor, None)
    claim.refresh_from_db()
    assert (claim.verdict, claim.explanation, claim.reviewed_by) == (Verdict.UNREVIEWED, "", None)
    assert list(ClaimReview.objects.pending()) == [review]


def test_a_second_editor_approves_and_history_names_both(claim, editor, other_editor):
    review = propose_verdict(claim, Verdict.ACCURATE, "The ministry's release says so.", by=editor)
    approve_verdict(review, by=other_editor)
    claim.refresh_from_db()
    assert (claim.verdict, claim.explanation) == (Verdict.ACCURATE, "The ministry's release says so.")
    assert claim.reviewed_by == other_editor and claim.reviewed_at is not None
    review.refresh_from_db()
    assert (review.state, review.proposed_by, review.approved_by) == (
        ClaimReview.State.APPROVED,
        editor,
        other_editor,
    )
    assert review.approved_at >= review.proposed_at
    latest = claim.history.latest()
    assert latest.history_user == other_editor
    assert latest.history_change_reason == (
        "Verdict: Unreviewed → Accurate, proposed by editor, approved by other-editor"
    )


def test_the_proposer_cannot_approve_their_own_verdict(claim, editor):
    review = propose_verdict(claim, Verdict.ACCURATE, "The ministry's release says so.", by=editor)
    with pytest.raises(EditorialError, match="You proposed this verdict"):
        approve_verdict(review, by=editor)
    claim.refresh_from_db()
    assert claim.verdict == Verdict.UNREVIEWED
    assert ClaimReview.objects.get(pk=review.pk).state == ClaimReview.State.PENDING


def test_a_new_proposal_replaces_the_waiting_one_which_can_no_longer_be_approved(claim, editor, other_editor):
    first = propose_verdict(claim, Verdict.ACCURATE, "The ministry's release says so.", by=editor)
    second = propose_verdict(claim, Verdict.MOSTLY_ACCURATE, "Four, not five.", by=other_editor)
    assert ClaimReview.objects.get(pk=first.pk).state == ClaimReview.State.SUPERSEDED
    with pytest.raises(EditorialError, match="no longer waiting"):
        approve_verdict(first, by=other_editor)
    approve_verdict(second, by=editor)
    claim.refresh_from_db()
    assert claim.verdict == Verdict.MOSTLY_ACCURATE


def test_proposing_the_public_verdict_again_withdraws_the_waiting_proposal(editor, other_editor):
    claim = approved_verdict(ClaimFactory(verdict=Verdict.UNREVIEWED), Verdict.ACCURATE, "Checked.")
    propose_verdict(claim, Verdict.INACCURATE, "Contradicted.", by=editor)
    assert propose_verdict(claim, Verdict.ACCURATE, "Checked.", by=other_editor) is None
    assert not claim.reviews.pending().exists()


def test_a_chief_editor_may_override_with_a_recorded_reason(claim, editor):
    chief = member("Chief editors", "chief")
    propose_verdict(claim, Verdict.MOSTLY_ACCURATE, "Four, per the ministry.", by=editor)
    review = override_verdict(
        claim, Verdict.ACCURATE, "Four, confirmed by NATO.", "NATO confirmed it at the briefing.", by=chief
    )
    claim.refresh_from_db()
    assert (claim.verdict, claim.reviewed_by) == (Verdict.ACCURATE, chief)
    assert (review.state, review.approved_by, review.override_reason) == (
        ClaimReview.State.OVERRIDDEN,
        chief,
        "NATO confirmed it at the briefing.",
    )
    assert not claim.reviews.pending().exists()
    assert "overriding: NATO confirmed it" in claim.history.latest().history_change_reason


def test_an_override_needs_the_permission_and_a_reason(claim, editor):
    with pytest.raises(EditorialError, match="Only a chief editor"):
        override_verdict(claim, Verdict.ACCURATE, "Checked.", "In a hurry.", by=member("Editors", "ed2"))
    with pytest.raises(EditorialError, match="the reason is empty"):
        override_verdict(claim, Verdict.ACCURATE, "Checked.", "  ", by=member("Chief editors", "chief"))
    claim.refresh_from_db()
    assert claim.verdict == Verdict.UNREVIEWED and not claim.reviews.exists()


def test_a_one_person_desk_publishes_a_proposal_at_once(claim, editor, settings):
    settings.NEWSROOM_VERDICT_REVIEWS = 1
    review = propose_verdict(claim, Verdict.ACCURATE, "The ministry's release says so.", by=editor)
    claim.refresh_from_db()
    assert (claim.verdict, claim.reviewed_by) == (Verdict.ACCURATE, editor)
    assert (review.state, review.proposed_by, review.approved_by) == (
        ClaimReview.State.APPROVED,
        editor,
        editor,
    )
    assert "one-person desk" in claim.history.latest().history_change_reason


def test_a_verdict_needs_an_explanation_for_readers(claim, editor):
    with pytest.raises(EditorialError, match="Explain to readers why the claim is inaccurate"):
        propose_verdict(claim, Verdict.INACCURATE, "  ", by=editor)
    claim.refresh_from_db()
    assert claim.verdict == Verdict.UNREVIEWED and not claim.reviews.exists()


def test_an_unknown_verdict_is_refused(claim, editor):
    with pytest.raises(EditorialError, match="“maybe” is not a verdict"):
        propose_verdict(claim, "maybe", "", by=editor)


def test_proposing_in_the_admin_then_approving_as_another_editor(client, ed, claim):
    url = f"/admin/stories/claim/{claim.pk}/change/"
    response = client.post(
        url,
        claim_form(
            claim, proposed_verdict=Verdict.MOSTLY_ACCURATE, proposed_explanation="Four, per the ministry."
        ),
        follow=True,
    )
    assert any("was changed successfully" in m for m in messages_of(response))
    claim.refresh_from_db()
    assert claim.verdict == Verdict.UNREVIEWED
    review = claim.reviews.pending().get()
    assert (review.verdict, review.explanation, review.proposed_by) == (
        Verdict.MOSTLY_ACCURATE,
        "Four, per the ministry.",
        ed,
    )
    page = client.get(url).content.decode()
    assert "awaiting a second editor" in page and "You proposed it" in page
    assert "Approve this verdict" not in page
    # The proposer's own approval, posted anyway, is refused.
    approve = f"/admin/stories/claim/{claim.pk}/review/approve/"
    response = client.post(approve, {"review": review.pk}, follow=True)
    assert any("You proposed this verdict" in m for m in messages_of(response))
    assert Claim.objects.get(pk=claim.pk).verdict == Verdict.UNREVIEWED

    client.force_login(member("Editors", "second"))
    assert "Approve this verdict" in client.get(url).content.decode()
    response = client.post(approve, {"review": review.pk}, follow=True)
    assert any("is now mostly accurate for readers" in m for m in messages_of(response))
    claim.refresh_from_db()
    assert (claim.verdict, claim.explanation) == (Verdict.MOSTLY_ACCURATE, "Four, per the ministry.")
    history = client.get(f"/admin/stories/claim/{claim.pk}/history/").content.decode()
    assert "proposed by ed, approved by second" in history
    reviews = client.get(url).context["inline_admin_formsets"][0]
    assert reviews.formset.prefix == "reviews"
    assert [(r.verdict, r.proposed_by, r.approved_by) for r in reviews.formset.queryset] == [
        (Verdict.MOSTLY_ACCURATE, ed, claim.reviewed_by)
    ]


def test_a_chief_editor_overrides_from_the_claim_page(client, ed, claim):
    review = propose_verdict(claim, Verdict.ACCURATE, "The ministry's release.", by=ed)
    url = f"/admin/stories/claim/{claim.pk}/review/override/"
    assert "Publish now (override)" not in client.get(f"/admin/stories/claim/{claim.pk}/change/").text
    client.post(url, {"review": review.pk, "reason": "Urgent."})
    assert Claim.objects.get(pk=claim.pk).verdict == Verdict.UNREVIEWED
    client.force_login(member("Chief editors", "chief"))
    page = client.get(f"/admin/stories/claim/{claim.pk}/change/")
    assert "Publish now (override)" in page.text
    response = client.post(
        url,
        {"review": review.pk, "reason": "Confirmed live.", "seen": page.context["review_state"]},
        follow=True,
    )
    assert any("is now accurate for readers" in m for m in messages_of(response))
    assert claim.reviews.get(state=ClaimReview.State.OVERRIDDEN).override_reason == "Confirmed live."


def test_the_admin_refuses_a_verdict_without_explanation_on_the_form(client, ed, claim):
    response = client.post(
        f"/admin/stories/claim/{claim.pk}/change/", claim_form(claim, proposed_verdict=Verdict.ACCURATE)
    )
    assert response.status_code == 200
    assert "Explain to readers why the claim is accurate" in response.content.decode()
    assert not claim.reviews.exists()


def test_a_form_loaded_before_another_editors_verdict_cannot_put_back_what_it_showed(client, ed, claim):
    url = f"/admin/stories/claim/{claim.pk}/change/"
    loaded = claim_form(claim)  # the page as the editor opened it: unreviewed, no explanation
    approved_verdict(claim, Verdict.ACCURATE, "The ministry's release.")
    # Changing only the wording on the old page keeps the verdict approved meanwhile.
    client.post(url, {**loaded, "text": "Japan sends four SDF officers."})
    claim.refresh_from_db()
    assert (claim.text, claim.verdict) == ("Japan sends four SDF officers.", Verdict.ACCURATE)
    assert not claim.reviews.pending().exists()
    # Proposing from the old page is refused, naming why; nothing of the form is saved.
    response = client.post(
        url, {**loaded, "proposed_explanation": "Not yet confirmed.", "text": "Another wording."}
    )
    assert "Another editor changed this claim" in response.content.decode()
    claim.refresh_from_db()
    assert (claim.text, claim.verdict) == ("Japan sends four SDF officers.", Verdict.ACCURATE)
    assert not claim.reviews.pending().exists()


def test_a_stale_page_cannot_propose_even_when_the_service_is_reached(claim, editor, other_editor):
    # The form's check and the service's are separate: the service refuses under the row lock.
    seen = review_state(claim.pk)
    propose_verdict(claim, Verdict.ACCURATE, "Checked.", by=other_editor)
    with pytest.raises(EditorialError, match="Another editor changed the verdict"):
        propose_verdict(claim, Verdict.INACCURATE, "Contradicted.", by=editor, seen=seen)


def test_editing_the_text_alone_keeps_the_reviewer(client, ed, editor):
    claim = ClaimFactory(verdict=Verdict.ACCURATE, explanation="Checked.", reviewed_by=editor)
    client.post(f"/admin/stories/claim/{claim.pk}/change/", claim_form(claim, text="A clearer sentence."))
    claim.refresh_from_db()
    assert (claim.text, claim.reviewed_by) == ("A clearer sentence.", editor)
    assert not claim.reviews.exists()


def test_a_claim_added_in_the_admin_with_a_verdict_waits_for_a_second_editor(client, ed):
    response = client.post(
        "/admin/stories/claim/add/",
        {
            **claim_form(ClaimFactory.build(text="Four officers go.")),
            "verdict_seen": "",
            "proposed_verdict": Verdict.ACCURATE,
            "proposed_explanation": "The ministry's release.",
        },
    )
    assert response.status_code == 302
    claim = Claim.objects.get(text="Four officers go.")
    assert claim.verdict == Verdict.UNREVIEWED
    assert claim.reviews.pending().get().verdict == Verdict.ACCURATE


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
