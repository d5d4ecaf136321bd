"""The reader's pages: lists with filters and pagination, sources' track record, the verdict scale."""

import datetime

import pytest
from django.urls import reverse

from stories.models import Story, Verdict
from stories.services.merge import merge

from .factories import AppearanceFactory, ClaimFactory, SourceFactory, StoryFactory

pytestmark = pytest.mark.django_db


def at(day):
    return datetime.datetime.fromisoformat(day).replace(tzinfo=datetime.UTC)


def test_story_list_shows_only_public_stories(client):
    StoryFactory(title="Published one")
    StoryFactory(title="Draft one", status=Story.Status.NEW)
    page = client.get(reverse("stories:story-list")).text
    assert "Published one" in page and "Draft one" not in page


def test_story_list_filters_by_source_and_date_range(client):
    wire = SourceFactory(slug="wire")
    StoryFactory(title="Wire April", source=wire, published_at=at("2025-04-08"))
    StoryFactory(title="Wire May", source=wire, published_at=at("2026-05-29"))
    StoryFactory(title="Other May", published_at=at("2026-05-29"))
    page = client.get(reverse("stories:story-list"), {"source": "wire", "published_after": "2026-01-01"}).text
    assert "Wire May" in page
    assert "Wire April" not in page and "Other May" not in page
    page = client.get(reverse("stories:story-list"), {"published_before": "2025-12-31"}).text
    assert "Wire April" in page and "Wire May" not in page


def test_story_list_explains_a_bad_filter_instead_of_failing(client):
    StoryFactory(title="Still listed")
    response = client.get(reverse("stories:story-list"), {"published_after": "2026-02-31"})
    assert response.status_code == 200
    assert "were not understood" in response.text and "Still listed" in response.text


def test_story_list_is_paginated(client):
    for i in range(25):
        StoryFactory(title=f"Story {i:02d}", published_at=at("2026-01-01") + datetime.timedelta(days=i))
    first = client.get(reverse("stories:story-list")).text
    second = client.get(reverse("stories:story-list"), {"page": 2}).text
    assert "Story 24" in first and "Story 04" not in first
    assert "Story 04" in second and "Page 2 of 2" in second
    assert client.get(reverse("stories:story-list"), {"page": "999"}).status_code == 200


def test_story_page_shows_source_claims_quotes_and_link_to_original(client):
    story = StoryFactory(title="Dispatch announced", byline="A. Writer", url="https://outlet.example/a")
    AppearanceFactory(story=story, claim=ClaimFactory(text="Four officers go."), quote="four officers")
    AppearanceFactory(story=story, claim=ClaimFactory(text="Not checked yet.", verdict=Verdict.UNREVIEWED))
    page = client.get(story.get_absolute_url()).text
    assert story.source.name in page and "A. Writer" in page
    assert 'href="https://outlet.example/a"' in page
    assert "Four officers go." in page and "four officers" in page
    assert "Not checked yet." not in page


def test_claim_list_filters_by_verdict_and_tag(client):
    accurate = AppearanceFactory(claim=ClaimFactory(text="True thing.")).claim
    AppearanceFactory(claim=ClaimFactory(text="Wrong thing.", verdict=Verdict.INACCURATE))
    accurate.tags.create(name="Dispatch")
    by_verdict = client.get(reverse("stories:claim-list"), {"verdict": "inaccurate"}).text
    assert "Wrong thing." in by_verdict and "True thing." not in by_verdict
    by_tag = client.get(reverse("stories:claim-list"), {"tag": "dispatch"}).text
    assert "True thing." in by_tag and "Wrong thing." not in by_tag
    unknown = client.get(reverse("stories:claim-list"), {"verdict": "nonsense"})
    assert unknown.status_code == 200 and "True thing." in unknown.text


def test_source_track_record_counts_the_verdicts_of_its_claims(client):
    blog = SourceFactory(name="A blog")
    story = StoryFactory(source=blog)
    for verdict in [Verdict.ACCURATE, Verdict.MISLEADING, Verdict.MISLEADING, Verdict.UNREVIEWED]:
        AppearanceFactory(story=story, claim=ClaimFactory(verdict=verdict))
    page = client.get(blog.get_absolute_url()).text
    assert "Verdicts on the 3 checked claims" in page
    assert '<span class="verdict verdict-misleading">Misleading</span> 2' in page
    assert '<span class="verdict verdict-accurate">Accurate</span> 1' in page


def test_source_list_counts_only_public_stories(client):
    source = SourceFactory(name="Counted outlet")
    canonical = StoryFactory(source=source)
    merge(StoryFactory(source=source), canonical, by=None, reason="")
    StoryFactory(source=source, status=Story.Status.NEW)
    page = client.get(reverse("stories:source-list")).text
    assert "Counted outlet</a></td><td>Other</td>\n    <td>Unrated</td><td>1</td>" in page


def test_how_we_verify_lists_the_verdict_scale(client):
    page = client.get(reverse("stories:how-we-verify")).text
    for label in ["Accurate", "Mostly accurate", "Unproven", "Misleading", "Inaccurate"]:
        assert label in page


def test_timeline_links_each_claim_to_its_stories_and_evidence(client):
    from stories.models import TimelineEntry

    from .factories import EntryFactory

    story = StoryFactory()
    claim = AppearanceFactory(story=story).claim
    claim.evidence.create(url="https://gov.example/record", publisher="Ministry")
    EntryFactory(claims=[claim])
    TimelineEntry.objects.update(is_published=True)
    page = client.get("/").text
    assert f'href="{story.get_absolute_url()}"' in page
    assert f'href="{claim.get_absolute_url()}#evidence">1 evidence link' in page
    assert "1 independent source" in page
    assert reverse("stories:how-we-verify") in page


def test_timeline_names_three_stories_of_a_claim_and_counts_the_others(client):
    from stories.models import TimelineEntry

    from .factories import EntryFactory

    claim = ClaimFactory()
    stories = [StoryFactory(published_at=at(f"2026-05-{day:02d}")) for day in range(1, 8)]
    for story in stories:
        AppearanceFactory(claim=claim, story=story)
    copy = StoryFactory(published_at=at("2026-04-30"), status=Story.Status.NEW)
    AppearanceFactory(claim=claim, story=copy)
    merge(copy, stories[0], by=None, reason="")  # the copy counts as its story, not as a fourth
    EntryFactory(claims=[claim])
    TimelineEntry.objects.update(is_published=True)
    page = client.get("/").text
    named = [story for story in stories if f'href="{story.get_absolute_url()}"' in page]
    assert named == stories[:3]
    assert f'<a href="{claim.get_absolute_url()}#appearances">and 4 more</a>' in page


def test_the_timeline_comes_twenty_entries_to_a_page(client):
    from stories.models import TimelineEntry

    from .factories import EntryFactory

    claim = AppearanceFactory().claim
    for day in range(1, 26):
        EntryFactory(date=f"2025-03-{day:02d}", title=f"Milestone of day {day}", claims=[claim])
    EntryFactory(date="2025-03-26", title="Unpublished milestone", claims=[claim])
    TimelineEntry.objects.exclude(title="Unpublished milestone").update(is_published=True)

    def page(number=None):
        response = client.get("/", {} if number is None else {"page": number})
        assert response.status_code == 200
        return response.text.partition('<main id="main">')[2]  # the head names the address asked

    first, second = page(), page(2)
    assert first.count("<h2>") == 20 and "Milestone of day 1<" in first and "Page 1 of 2" in first
    assert second.count("<h2>") == 5 and "Milestone of day 25<" in second and "Page 2 of 2" in second
    assert "Unpublished milestone" not in first + second
    assert page(3) == page(99) == page(0) == second  # past the end (or before the start): the last
    assert page("x") == first


def test_addresses_made_once_for_a_page_are_those_reverse_gives():
    from django.urls import NoReverseMatch

    from stories.selectors import slug_address

    for name, slug in [("stories:story-detail", "a-Story_2"), ("stories:claim-detail", "claim-7")]:
        assert slug_address(name)(slug) == reverse(name, args=[slug])
    # a slug that reverse() would quote, or refuse, goes through reverse() itself
    claim_address = slug_address("stories:claim-detail")
    assert claim_address("dépêche") == reverse("stories:claim-detail", args=["dépêche"])
    with pytest.raises(NoReverseMatch):
        slug_address("stories:story-detail")("no/slug")


def test_a_claims_appearances_come_twenty_to_a_page(client):
    claim = ClaimFactory()
    for day in range(1, 26):
        AppearanceFactory(
            claim=claim,
            story=StoryFactory(title=f"Story of day {day}", published_at=at(f"2026-05-{day:02d}")),
        )
    first = client.get(claim.get_absolute_url()).text
    second = client.get(claim.get_absolute_url(), {"page": 2}).text
    assert "Appears in 25 stories from 25 independent outlets." in first
    assert first.count("<blockquote>") == 20 and second.count("<blockquote>") == 5
    assert "Story of day 1<" in first and "Story of day 21<" in second
