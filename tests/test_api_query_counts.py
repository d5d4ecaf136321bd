"""Every API list runs a fixed number of queries (at most five for its rows) whatever the number
of rows, and so does a story's detail. Answers are kept in the cache under the site version: the
first request for an address reads the version and then the rows; the next ones the version only."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from stories.models import EditorialNote, Story, Tag, TimelineEntry

from .factories import (
    AppearanceFactory,
    ClaimFactory,
    EntryFactory,
    NoteFactory,
    SourceFactory,
    StoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def build(n):
    """n rows of everything: each story with a merged copy, claims reached directly and through
    the copy, public and internal notes, tags, evidence, timeline entries."""
    sources = [SourceFactory() for _ in range(3)]
    tags = [Tag.objects.create(name=f"tag {i}") for i in range(2)]
    for i in range(n):
        story = StoryFactory(source=sources[i % 3])
        copy = StoryFactory(source=sources[(i + 1) % 3], status=Story.Status.NEW, merged_into=story)
        claims = [ClaimFactory(), ClaimFactory()]
        for claim in claims:
            claim.tags.set(tags)
            claim.evidence.create(url=f"https://example.org/e/{claim.pk}", publisher="Ministry")
            AppearanceFactory(claim=claim, story=story)
            AppearanceFactory(claim=claim, story=copy)
        NoteFactory(story=story, visibility=EditorialNote.Visibility.PUBLIC)
        NoteFactory(story=copy, visibility=EditorialNote.Visibility.INTERNAL)
        EntryFactory(claims=claims)
    TimelineEntry.objects.update(is_published=True)
    return story


@pytest.mark.parametrize(
    ("url", "queries", "rows"),
    [
        # ?page_size= is not kept, so no site version is read; for the rows:
        # 1. the count; 2. the page of stories with their sources; 3. their copies;
        # 4. their checked claims (own and copies'); 5. their public corrections.
        ("/api/v1/stories/", 5, lambda n: n),
        # 1. the count; 2. the page of claims (counts stored); 3. tags; 4. evidence.
        ("/api/v1/claims/", 4, lambda n: 2 * n),
        # 1. the count; 2. the page of public entries with their timeline; 3. their claims.
        ("/api/v1/timeline/", 3, lambda n: n),
        # 1. the count; 2. the page of sources (story counts stored).
        ("/api/v1/sources/", 2, lambda n: 3),
    ],
)
@pytest.mark.parametrize("n", [2, 15])
def test_api_list_query_count_does_not_grow(client, django_assert_num_queries, url, queries, rows, n):
    build(n)
    with django_assert_num_queries(queries):
        body = client.get(url, {"page_size": 100}).json()
    assert body["count"] == len(body["results"]) == rows(n)


@pytest.mark.parametrize("n", [2, 15])
def test_api_search_query_count_does_not_grow(client, django_assert_num_queries, n):
    build(n)
    # 1. the page's ids, best match first, each with the number of every match; 2. those stories
    # with their sources; 3. their copies; 4. their checked claims; 5. their public corrections.
    with django_assert_num_queries(5):
        body = client.get("/api/v1/stories/", {"q": "story number", "page_size": 100}).json()
    assert body["count"] == len(body["results"]) == n
    assert all(row["claims"] and row["corrections"] for row in body["results"])


@pytest.mark.parametrize("n", [2, 15])
def test_timelinejs_export_query_count_does_not_grow(client, django_assert_num_queries, n):
    build(n)
    # 0. the site version; 1. the public entries' claims, with the entries and their timeline.
    with django_assert_num_queries(1 + 1):
        assert len(client.get("/api/v1/timeline.json").json()["events"]) == n


@pytest.mark.parametrize("n", [2, 15])
def test_story_detail_query_count_does_not_grow(client, django_assert_num_queries, n):
    story = build(n)
    # 0. the site version; 1. the story with its source; 2. its copies; 3. its claims;
    # 4. its corrections.
    with django_assert_num_queries(1 + 4):
        assert len(client.get(f"/api/v1/stories/{story.slug}/").json()["claims"]) == 2


@pytest.mark.parametrize("n", [2, 15])
def test_a_token_adds_one_query_to_a_list(client, django_assert_num_queries, n):
    build(n)
    user = UserFactory(username="reader")
    user.user_permissions.add(Permission.objects.get(codename="add_story"))
    headers = {"Authorization": f"Token {Token.objects.create(user=user).key}"}
    # 1. the token with its user; then the site version and the five queries of the story list.
    with django_assert_num_queries(1 + 1 + 5):
        assert client.get("/api/v1/stories/", headers=headers).status_code == 200


@pytest.mark.parametrize(
    "url", ["/api/v1/stories/", "/api/v1/claims/?verdict=accurate", "/api/v1/timeline.json"]
)
def test_a_kept_answer_costs_one_query_until_the_next_save(client, django_assert_num_queries, url):
    story = build(3)
    first = client.get(url).json()
    with django_assert_num_queries(1):  # the site version
        assert client.get(url).json() == first
    story.save()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert len(queries) > 1  # read again


def test_a_save_is_seen_at_once_by_the_next_request(client):
    story = build(2)
    client.get("/api/v1/stories/")
    story.title = "A corrected title"
    story.save()
    titles = [row["title"] for row in client.get("/api/v1/stories/").json()["results"]]
    assert "A corrected title" in titles


def test_an_unknown_query_parameter_is_answered_but_not_kept(client, django_assert_num_queries):
    build(2)
    client.get("/api/v1/stories/", {"utm_source": "x"})
    with django_assert_num_queries(5):  # the rows again, and no site version: nothing is kept
        client.get("/api/v1/stories/", {"utm_source": "x"})
