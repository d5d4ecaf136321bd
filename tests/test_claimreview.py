"""ClaimReview JSON-LD on claim pages, from the verdict table."""

import json
import re

import pytest

from stories.models import VERDICT_RATINGS, Verdict

from .factories import AppearanceFactory, ClaimFactory, StoryFactory

pytestmark = pytest.mark.django_db


def jsonld(response):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', response.text, re.S)
    assert match, "no JSON-LD on the page"
    return json.loads(match.group(1))


@pytest.mark.parametrize("verdict", [v for v in Verdict if v != Verdict.UNREVIEWED])
def test_claim_page_has_a_claimreview_with_the_verdict_tables_rating(client, verdict):
    claim = AppearanceFactory(claim=ClaimFactory(verdict=verdict)).claim
    data = jsonld(client.get(claim.get_absolute_url()))
    assert data["@context"] == "https://schema.org" and data["@type"] == "ClaimReview"
    rating = VERDICT_RATINGS[verdict]
    assert data["reviewRating"]["ratingValue"] == rating.value
    assert data["reviewRating"]["alternateName"] == rating.label
    assert (data["reviewRating"]["bestRating"], data["reviewRating"]["worstRating"]) == (5, 1)
    assert data["author"]["@type"] == "Organization"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["datePublished"])
    assert data["url"].startswith("http://testserver/claims/")


def test_claim_reviewed_is_under_75_characters(client):
    claim = AppearanceFactory(claim=ClaimFactory(text="Japan " + "sent officers to NATO " * 10)).claim
    data = jsonld(client.get(claim.get_absolute_url()))
    assert len(data["claimReviewed"]) < 75
    assert data["claimReviewed"].startswith("Japan sent officers")


def test_item_reviewed_lists_every_appearance_and_the_first_one(client):
    import datetime

    claim = ClaimFactory()
    later = StoryFactory(published_at=datetime.datetime(2026, 5, 30, tzinfo=datetime.UTC), title="Later")
    earlier = StoryFactory(published_at=datetime.datetime(2025, 4, 8, tzinfo=datetime.UTC), title="Earlier")
    AppearanceFactory(claim=claim, story=later)
    AppearanceFactory(claim=claim, story=earlier)
    item = jsonld(client.get(claim.get_absolute_url()))["itemReviewed"]
    assert item["@type"] == "Claim"
    assert [a["headline"] for a in item["appearance"]] == ["Earlier", "Later"]
    assert item["firstAppearance"]["headline"] == "Earlier"
    assert item["firstAppearance"]["datePublished"] == "2025-04-08"
    assert item["firstAppearance"]["url"] == earlier.url
    assert item["firstAppearance"]["author"]["name"] == earlier.source.name


def test_jsonld_cannot_break_out_of_its_script_element(client):
    claim = AppearanceFactory(claim=ClaimFactory(text="</script><script>alert(1)</script>")).claim
    page = client.get(claim.get_absolute_url()).text
    assert "</script><script>alert(1)" not in page
    assert jsonld(client.get(claim.get_absolute_url()))["claimReviewed"].startswith("</script>")
