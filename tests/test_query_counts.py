"""Public pages run a fixed number of queries whatever the number of rows.

Every public page starts with one query for the site version (ETag and cache key)."""

import pytest
from django.urls import reverse

from stories.models import Story, TimelineEntry

from .factories import (
    AppearanceFactory,
    ClaimFactory,
    EntryFactory,
    NoteFactory,
    SourceFactory,
    StoryFactory,
)

pytestmark = pytest.mark.django_db


def build(n):
    sources = [SourceFactory() for _ in range(3)]
    main = StoryFactory(source=sources[0])
    for i in range(n):
        claims = [ClaimFactory(), ClaimFactory()]
        for claim in claims:
            story = StoryFactory(source=sources[i % 3])
            AppearanceFactory(claim=claim, story=story)
            AppearanceFactory(claim=claim, story=main if i else StoryFactory())
            copy = StoryFactory(status=Story.Status.NEW, merged_into=main)
            AppearanceFactory(claim=claim, story=copy)
            NoteFactory(story=main, visibility="public")
            claim.evidence.create(url=f"https://example.org/e/{claim.pk}", publisher="Ministry")
        EntryFactory(claims=claims)
    TimelineEntry.objects.update(is_published=True)
    return main, sources[0]


@pytest.mark.parametrize("n", [2, 12])
def test_timeline_page_query_count_does_not_grow(client, django_assert_num_queries, n):
    build(n)
    # 1. site version; 2. the page of public entries, each row carrying the count of them all;
    # 3. their (entry, claim) pairs with the claims and their stored counts; 4. the first few
    # stories of each claim, with their sources' names.
    with django_assert_num_queries(4):
        response = client.get(reverse("stories:timeline"))
    assert response.text.count('class="verdict') == 2 * n


@pytest.mark.parametrize("n", [2, 12])
def test_story_page_query_count_does_not_grow(client, django_assert_num_queries, n):
    main, _ = build(n)
    # 1. site version; 2. the story; 3. its copies; 4. claim appearances; 5. public notes.
    with django_assert_num_queries(5):
        response = client.get(main.get_absolute_url())
    assert response.status_code == 200
    # every claim reaches the main story directly or through a copy merged into it
    assert response.text.count("<blockquote>") == 2 * n


@pytest.mark.parametrize("n", [2, 12])
def test_claim_page_query_count_does_not_grow(client, django_assert_num_queries, n):
    build(n)
    claim = TimelineEntry.objects.first().claims.first()
    # 1. version; 2. the claim (its counts are stored); 3. evidence; 4. public notes;
    # 5. count of its appearances; 6. their first page.
    with django_assert_num_queries(6):
        assert client.get(claim.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("name", "queries"),
    [
        # version, sources for the filter, their stored story counts summed, page of stories
        ("stories:story-list", 4),
        # version, count, page of claims (counts stored), their tags
        ("stories:claim-list", 4),
        # version, count, page of sources (their story counts are stored)
        ("stories:source-list", 3),
        # version, the public entries (feed)
        ("stories:feed-timeline", 2),
        # version, the public stories with sources (feed)
        ("stories:feed-stories", 2),
    ],
)
@pytest.mark.parametrize("n", [2, 12])
def test_list_pages_query_count_does_not_grow(client, django_assert_num_queries, n, name, queries):
    build(n)
    with django_assert_num_queries(queries):
        assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("n", [2, 12])
def test_source_page_query_count_does_not_grow(client, django_assert_num_queries, n):
    _, source = build(n)
    # version, source (its track record and story count are stored), page of stories
    with django_assert_num_queries(3):
        assert client.get(source.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("n", [2, 12])
def test_search_page_query_count_does_not_grow(client, django_assert_num_queries, n):
    build(n)
    # version, matching stories, matching claims
    with django_assert_num_queries(3):
        assert client.get(reverse("stories:search"), {"q": "claim number"}).status_code == 200
