"""What readers read about a claim's backing, a story's date and a correction's date."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from stories.models import Evidence, Story, TimelineEntry

from .factories import AppearanceFactory, ClaimFactory, EntryFactory, NoteFactory, SourceFactory, StoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def official(db):
    """A claim no outlet makes, backed by the ministry's own release, on a published entry."""
    claim = ClaimFactory(text="The ministry named four officers.")
    claim.evidence.create(url="https://mod.example/release", publisher="Ministry", kind=Evidence.Kind.PRIMARY)
    EntryFactory(title="Officers named", claims=[claim])
    TimelineEntry.objects.update(is_published=True)
    return claim


def test_a_claim_backed_only_by_the_official_record_says_so_everywhere(client, official):
    official.refresh_from_db()
    assert (official.independent_sources, official.primary_evidence_count) == (0, 1)
    pages = {
        "timeline": client.get(reverse("stories:timeline")).text,
        "claim list": client.get(reverse("stories:claim-list")).text,
        "claim page": client.get(official.get_absolute_url()).text,
    }
    for name, page in pages.items():
        assert "official record" in page, name
        assert "0 independent sources" not in page, name
    assert "Appears in no published story: it rests on the official record." in pages["claim page"]


def test_a_claim_with_only_secondary_evidence_and_no_outlet_still_counts_its_sources(client):
    claim = ClaimFactory(text="Officers left on Monday.")
    claim.evidence.create(url="https://news.example/a", publisher="News", kind=Evidence.Kind.SECONDARY)
    page = client.get(reverse("stories:claim-list")).text
    assert "0 independent sources" in page and "official record" not in page


def test_a_claim_made_by_outlets_counts_them_even_with_the_record_behind_it(client, official):
    AppearanceFactory(claim=official, story=StoryFactory())
    page = client.get(reverse("stories:claim-list")).text
    assert "1 independent source" in page and "official record" not in page


def test_a_claim_page_says_in_how_many_stories_from_how_many_outlets_it_appears(client):
    claim, wire = ClaimFactory(), SourceFactory(name="Wire")
    AppearanceFactory(claim=claim, story=StoryFactory(source=wire))
    AppearanceFactory(claim=claim, story=StoryFactory(source=wire))
    assert "Appears in 2 stories from 1 independent outlet." in client.get(claim.get_absolute_url()).text


def test_an_undated_story_shows_when_the_desk_found_it(client):
    story = StoryFactory(title="Speculation", published_at=None)
    found = timezone.make_aware(datetime.datetime(2026, 5, 30, 9, 0))
    Story.objects.filter(pk=story.pk).update(created_at=found)
    claim = AppearanceFactory(story=story).claim
    for url in (reverse("stories:story-list"), story.get_absolute_url(), claim.get_absolute_url()):
        page = client.get(url).text
        assert "undated, found by the desk on <time" in page and "30 May 2026</time>" in page, url


def test_public_corrections_show_their_date(client):
    story, claim = StoryFactory(), ClaimFactory()
    written = timezone.make_aware(datetime.datetime(2026, 6, 2, 12, 0))
    for target in ({"story": story}, {"claim": claim}):
        note = NoteFactory(visibility="public", body="The date was 29 May, not 28.", **target)
        type(note).objects.filter(pk=note.pk).update(created_at=written)
    for url in (story.get_absolute_url(), claim.get_absolute_url()):
        page = client.get(url).text
        assert "Correction or clarification, <time" in page and "2 June 2026</time>" in page, url
        assert "The date was 29 May, not 28." in page
