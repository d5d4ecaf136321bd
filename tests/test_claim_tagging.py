import pytest

from stories.errors import EditorialError
from stories.models import Claim, ClaimAppearance, Verdict
from stories.services.claims import tag_claim

from .admin_personas import member
from .factories import AppearanceFactory, ClaimFactory, StoryFactory

BODY = "Tokyo said on Friday that “four officers” will join\nthe NATO command in Wiesbaden."


@pytest.fixture
def story(db):
    return StoryFactory(title="Japan sends officers", body=BODY, summary="A short summary by the desk.")


def test_a_quote_from_the_body_tags_a_new_claim(story, editor):
    appearance = tag_claim(story, "Friday that", text="Japan sends four officers.", by=editor)
    assert appearance.story == story
    assert appearance.claim.text == "Japan sends four officers."
    assert appearance.claim.verdict == Verdict.UNREVIEWED
    assert appearance.claim.history.get().history_user == editor


def test_the_quote_check_ignores_spacing_quote_marks_and_case(story, editor):
    quote = '  "FOUR officers"   will join the NATO   command '
    appearance = tag_claim(story, quote, claim=ClaimFactory(), by=editor)
    assert appearance.quote == quote.strip()


def test_a_quote_from_the_summary_or_an_existing_quote_is_accepted(db, editor):
    fixture_story = StoryFactory(body="", summary="The desk's summary names Wiesbaden.")
    AppearanceFactory(story=fixture_story, quote="an earlier quote about the command")
    tag_claim(fixture_story, "summary names wiesbaden", claim=ClaimFactory(), by=editor)
    tag_claim(fixture_story, "earlier quote", claim=ClaimFactory(), by=editor)
    assert fixture_story.claim_appearances.count() == 3


def test_a_quote_not_in_the_story_is_refused_and_nothing_is_written(story, editor):
    with pytest.raises(
        EditorialError, match="does not occur in the text, summary or quotes of “Japan sends officers”"
    ):
        tag_claim(story, "five hundred troops", text="Japan sends troops.", by=editor)
    assert not Claim.objects.exists()
    assert not ClaimAppearance.objects.exists()


def test_an_empty_quote_is_refused(story, editor):
    with pytest.raises(EditorialError, match="the quote is empty"):
        tag_claim(story, "   ", claim=ClaimFactory(), by=editor)


def test_tagging_needs_exactly_one_of_an_existing_claim_or_a_new_text(story, editor):
    with pytest.raises(EditorialError, match="not both and not neither"):
        tag_claim(story, "four officers", by=editor)
    with pytest.raises(EditorialError, match="not both and not neither"):
        tag_claim(story, "four officers", claim=ClaimFactory(), text="Another claim.", by=editor)


def test_the_same_claim_cannot_be_tagged_twice_in_a_story(story, editor):
    claim = ClaimFactory()
    tag_claim(story, "four officers", claim=claim, by=editor)
    with pytest.raises(EditorialError, match="already tagged"):
        tag_claim(story, "NATO command", claim=claim, by=editor)


def test_a_quote_from_a_seed_article_is_found_despite_its_line_breaks(db, editor, seeds):
    text = (seeds / "000_6288fca6057b5962.txt").read_text(encoding="utf-8")
    story = StoryFactory(body=text)
    quote = "send four personnel from the Self-Defense Forces to the NATO structure"
    assert quote in " ".join(text.split())
    tag_claim(
        story, quote.replace(" ", "\n  ", 3), text="Japan sends four SDF personnel to NSATU.", by=editor
    )
    assert story.claim_appearances.count() == 1


# Through the admin: the "Tag a claim" page of a story.


def tag_url(story):
    return f"/admin/stories/story/{story.pk}/tag-claim/"


def test_the_story_page_links_to_the_tagging_page(client, story):
    client.force_login(member("Editors", "ed"))
    response = client.get(f"/admin/stories/story/{story.pk}/change/")
    assert tag_url(story).encode() in response.content
    page = client.get(tag_url(story))
    assert page.status_code == 200
    assert b"admin/js/autocomplete.js" in page.content


def test_tagging_a_new_claim_in_the_admin_creates_it_and_says_so(client, story):
    client.force_login(member("Editors", "ed"))
    response = client.post(
        tag_url(story), {"quote": "Tokyo said on Friday", "text": "Japan sends four officers."}, follow=True
    )
    assert response.redirect_chain[-1] == (f"/admin/stories/story/{story.pk}/change/", 302)
    assert "Tagged the claim “Japan sends four officers.” in “Japan sends officers”." in [
        str(m) for m in response.context["messages"]
    ]
    assert story.claim_appearances.get().claim.text == "Japan sends four officers."


def test_tagging_an_existing_claim_in_the_admin_links_it(client, story):
    claim = ClaimFactory(text="Officers go to Wiesbaden.")
    client.force_login(member("Editors", "ed"))
    response = client.post(tag_url(story), {"quote": "the NATO command in Wiesbaden", "claim": claim.pk})
    assert response.status_code == 302
    assert story.claim_appearances.get().claim == claim


def test_a_quote_not_in_the_story_is_refused_on_the_admin_page(client, story):
    client.force_login(member("Editors", "ed"))
    response = client.post(tag_url(story), {"quote": "two thousand troops", "text": "Japan sends troops."})
    assert response.status_code == 200
    assert "does not occur in the text, summary or quotes" in response.content.decode()
    assert not ClaimAppearance.objects.exists() and not Claim.objects.exists()


def test_the_claim_autocomplete_answers_an_editor(client, story):
    ClaimFactory(text="Officers go to Wiesbaden.")
    client.force_login(member("Editors", "ed"))
    response = client.get(
        "/admin/autocomplete/",
        {"term": "wiesbaden", "app_label": "stories", "model_name": "claimappearance", "field_name": "claim"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Officers go to Wiesbaden."]


def test_the_claim_page_cannot_add_an_appearance_that_skips_the_quote_check(client, story):
    claim = ClaimFactory(explanation="Checked.")
    client.force_login(member("Editors", "ed"))
    form = {
        "text": claim.text,
        "slug": claim.slug,
        "proposed_verdict": claim.verdict,
        "proposed_explanation": claim.explanation,
        "reviews-TOTAL_FORMS": 0,
        "reviews-INITIAL_FORMS": 0,
        "appearances-TOTAL_FORMS": 1,
        "appearances-INITIAL_FORMS": 0,
        "appearances-0-story": story.pk,
        "appearances-0-quote": "words the story never used",
        "evidence-TOTAL_FORMS": 0,
        "evidence-INITIAL_FORMS": 0,
        "notes-TOTAL_FORMS": 0,
        "notes-INITIAL_FORMS": 0,
    }
    response = client.post(f"/admin/stories/claim/{claim.pk}/change/", form)
    assert response.status_code == 302
    assert not ClaimAppearance.objects.exists()
