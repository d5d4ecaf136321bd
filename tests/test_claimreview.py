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


# What Google's fact-check tools read from ClaimReview markup: required (claimReviewed,
# reviewRating with alternateName, url) and recommended (author with name, datePublished,
# itemReviewed as a Claim with author, datePublished, appearance, firstAppearance; the rating's
# ratingValue, bestRating, worstRating, name).
GOOGLE_REQUIRED = ("claimReviewed", "reviewRating", "url")
GOOGLE_RECOMMENDED = ("author", "datePublished", "itemReviewed")
GOOGLE_RATING = ("alternateName", "ratingValue", "bestRating", "worstRating", "name")
GOOGLE_CLAIM = ("author", "datePublished", "appearance", "firstAppearance")


def test_claimreview_carries_every_field_googles_fact_check_tools_read(client):
    import datetime

    from .factories import SourceFactory

    outlet = SourceFactory(name="Kyodo Example", homepage="https://kyodo.example/")
    first = StoryFactory(
        source=outlet,
        published_at=datetime.datetime(2026, 5, 29, 9, tzinfo=datetime.UTC),
        url="https://kyodo.example/2026/05/29/officers",
        language="en",
    )
    later = StoryFactory(published_at=datetime.datetime(2026, 6, 2, tzinfo=datetime.UTC))
    claim = ClaimFactory(
        text="Japan will send two officers to NSATU in Wiesbaden.",
        verdict=Verdict.MOSTLY_ACCURATE,
        explanation="The ministry confirmed two officers; the city is inferred from the command's seat.",
    )
    AppearanceFactory(claim=claim, story=later)
    AppearanceFactory(claim=claim, story=first)

    data = jsonld(client.get(claim.get_absolute_url()))

    for name in GOOGLE_REQUIRED + GOOGLE_RECOMMENDED:
        assert data.get(name), f"ClaimReview lacks {name}"
    assert data["claimReviewed"] == claim.text
    assert data["url"] == f"http://testserver{claim.get_absolute_url()}"
    assert data["inLanguage"] == "en-gb"
    assert data["author"] == {"@type": "Organization", "name": "Newsroom", "url": "http://testserver/"}
    assert data["datePublished"] == claim.reviewed_at.date().isoformat()

    rating = data["reviewRating"]
    for name in GOOGLE_RATING:
        assert rating.get(name), f"reviewRating lacks {name}"
    assert rating["@type"] == "Rating"
    assert (rating["ratingValue"], rating["alternateName"]) == (4, "Mostly accurate")
    assert rating["ratingExplanation"] == claim.explanation

    item = data["itemReviewed"]
    assert item["@type"] == "Claim"
    for name in GOOGLE_CLAIM:
        assert item.get(name), f"itemReviewed lacks {name}"
    # The claim was first made by the outlet of its earliest appearance, on that story's date.
    assert item["author"] == {
        "@type": "Organization",
        "name": "Kyodo Example",
        "url": "https://kyodo.example/",
    }
    assert item["datePublished"] == "2026-05-29"
    assert item["firstAppearance"]["url"] == "https://kyodo.example/2026/05/29/officers"
    assert [a["url"] for a in item["appearance"]] == [first.url, later.url]


def test_an_unexplained_verdict_has_no_empty_rating_explanation(client):
    claim = AppearanceFactory(claim=ClaimFactory(explanation="")).claim
    assert "ratingExplanation" not in jsonld(client.get(claim.get_absolute_url()))["reviewRating"]
