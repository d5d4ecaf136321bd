"""Rule 9: a verdict is public only when a second editor, not its proposer, approves it. Until
then the claim is unreviewed on every public surface: pages, feeds, the API, JSON-LD, the
timeline rule, search, the sitemap and the stored counts."""

import json
import re

import pytest
from django.urls import reverse

from stories.models import Claim, SiteVersion, Source, TimelineEntry, Verdict
from stories.services.claims import approve_verdict, propose_verdict
from stories.services.timeline import publish_entry

from .factories import AppearanceFactory, ClaimFactory, EntryFactory, StoryFactory

pytestmark = pytest.mark.django_db

WORDING = "Japan sends four liaison officers to Wiesbaden."


@pytest.fixture
def desk(editor):
    """A claim made in a published story and resting a published entry, with a verdict proposed
    by one editor and not yet approved."""
    story = StoryFactory(title="Officers leave for Germany")
    claim = ClaimFactory(text=WORDING, verdict=Verdict.UNREVIEWED, explanation="")
    AppearanceFactory(claim=claim, story=story, quote="four liaison officers")
    entry = EntryFactory(title="Liaison officers depart", claims=[claim])
    TimelineEntry.objects.filter(pk=entry.pk).update(is_published=True)  # published before; rule 2 hides it
    review = propose_verdict(claim, Verdict.ACCURATE, "The ministry's release names four.", by=editor)
    return {"story": story, "claim": claim, "entry": entry, "review": review}


def surfaces(client, desk):
    """What each public surface says of the claim and its entry: {surface: shows it}."""
    claim, story, entry = desk["claim"], desk["story"], desk["entry"]
    claim.refresh_from_db()

    def api(path):
        return json.dumps(client.get(path).json())

    sitemap = client.get("/sitemap-claims.xml")
    return {
        "claim page": client.get(reverse("stories:claim-detail", args=[claim.slug])).status_code == 200,
        "claim list": WORDING in client.get(reverse("stories:claim-list")).text,
        "story page": WORDING in client.get(reverse("stories:story-detail", args=[story.slug])).text,
        "timeline page": entry.title in client.get(reverse("stories:timeline")).text,
        "timeline feed": entry.title in client.get(reverse("stories:feed-timeline")).text,
        "search": claim.get_absolute_url() in client.get(reverse("stories:search"), {"q": "liaison"}).text,
        "sitemap": sitemap.status_code == 200 and claim.slug in sitemap.text,
        "API claims": WORDING in api("/api/v1/claims/"),
        "API story": WORDING in api(f"/api/v1/stories/{story.slug}/"),
        "API timeline": entry.title in api("/api/v1/timeline/"),
        "API TimelineJS": entry.title in api("/api/v1/timeline.json"),
        "API verdict filter": story.slug in api("/api/v1/stories/?verdict=accurate"),
        "timeline rule": TimelineEntry.objects.public().filter(pk=entry.pk).exists(),
        "stored counts": Source.objects.get(pk=story.source_id).track_record == {"accurate": 1},
    }


def test_a_proposal_alone_shows_on_no_public_surface_until_a_second_editor_approves(
    client, desk, other_editor
):
    shown = surfaces(client, desk)
    assert not any(shown.values()), {name for name, seen in shown.items() if seen}

    approve_verdict(desk["review"], by=other_editor)
    shown = surfaces(client, desk)
    assert all(shown.values()), {name for name, seen in shown.items() if not seen}


def jsonld(client, claim):
    page = client.get(reverse("stories:claim-detail", args=[claim.slug])).text
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))


def test_a_proposed_change_leaves_the_public_verdict_its_json_ld_and_the_api_as_they_were(
    client, editor, other_editor
):
    claim = ClaimFactory(text=WORDING, verdict=Verdict.UNREVIEWED, explanation="")
    AppearanceFactory(claim=claim, story=StoryFactory())
    approve_verdict(
        propose_verdict(claim, Verdict.ACCURATE, "Four, per the ministry.", by=editor), by=other_editor
    )
    claim.refresh_from_db()
    entry = EntryFactory(title="Liaison officers depart", claims=[claim])
    publish_entry(entry, by=other_editor)

    review = propose_verdict(claim, Verdict.INACCURATE, "Five went, not four.", by=editor)
    rating = jsonld(client, claim)["reviewRating"]
    assert (rating["ratingValue"], rating["alternateName"]) == (5, "Accurate")
    page = client.get(reverse("stories:claim-detail", args=[claim.slug])).text
    assert "Four, per the ministry." in page and "Five went" not in page
    api = client.get(f"/api/v1/claims/{claim.slug}/").json()
    assert (api["verdict"], api["explanation"]) == ("accurate", "Four, per the ministry.")
    assert entry.title in client.get(reverse("stories:timeline")).text

    approve_verdict(review, by=other_editor)
    rating = jsonld(client, claim)["reviewRating"]
    assert (rating["ratingValue"], rating["alternateName"]) == (1, "Inaccurate")
    assert client.get(f"/api/v1/claims/{claim.slug}/").json()["verdict"] == "inaccurate"
    assert entry.title not in client.get(reverse("stories:timeline")).text  # rule 2, on the public verdict


def test_a_proposal_does_not_move_the_site_version_and_an_approval_does(editor, other_editor):
    claim = ClaimFactory(verdict=Verdict.UNREVIEWED, explanation="")
    before = SiteVersion.current()
    review = propose_verdict(claim, Verdict.ACCURATE, "Four, per the ministry.", by=editor)
    assert SiteVersion.current() == before
    approve_verdict(review, by=other_editor)
    public = SiteVersion.current()
    assert public != before
    # A proposal to withdraw it is still nothing for readers; its approval is.
    review = propose_verdict(claim, Verdict.UNREVIEWED, "", by=other_editor)
    assert SiteVersion.current() == public
    approve_verdict(review, by=editor)
    assert SiteVersion.current() != public
    assert Claim.objects.get(pk=claim.pk).verdict == Verdict.UNREVIEWED


def test_the_verdict_setting_defaults_to_two_editors(settings):
    assert settings.NEWSROOM_VERDICT_REVIEWS == 2
