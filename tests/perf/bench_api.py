"""The story list through DRF against a plain JsonResponse of the same page of rows.

One run, side by side: 20 published stories (each with a merged copy, two checked claims reached
directly and through the copy, a public correction) and `GET /api/v1/stories/` answered by
(a) the API (DRF: authentication, permissions, django-filter, pagination, serializers, ETag) and
(b) a plain Django view that runs the same four queries and builds the same JSON by hand. Both go
through the whole middleware stack in this process (django.test.Client); anonymous throttling is
switched off for both, since a single client would otherwise be throttled. The two bodies are
checked to be equal before anything is timed. Prints req/s of each and the ratio DRF ÷ plain.
The API's kept answers (a cache under the site version) are switched off here: this measures
what DRF costs when a page is built; bench_http.py measures the API as served.

Goal: DRF ÷ plain >= 0.7.
"""

import json
import time

import pytest
from django.db.models import Count, Window
from django.http import JsonResponse
from django.test import Client, override_settings
from django.urls import include, path

from stories.models import EditorialNote, Story
from stories.selectors import attach_story_details

from ..factories import AppearanceFactory, ClaimFactory, NoteFactory, SourceFactory, StoryFactory

ROWS = 20
REQUESTS = 300
ROUNDS = 5


def iso(value):
    return value.isoformat().replace("+00:00", "Z") if value else None


def plain_story_list(request):
    base = request.build_absolute_uri("/")[:-1]
    stories = Story.objects.public().select_related("source").defer("body")
    rows = list(stories.annotate(total_rows=Window(Count("pk")))[:ROWS])
    attach_story_details(rows)
    results = []
    for story in rows:
        source = story.source
        results.append(
            {
                "id": story.pk,
                "slug": story.slug,
                "title": story.title,
                "page_url": base + story.get_absolute_url(),
                "canonical_url": story.url or None,
                "source": {
                    "slug": source.slug,
                    "name": source.name,
                    "reliability": source.reliability,
                    "page_url": base + source.get_absolute_url(),
                },
                "published_at": iso(story.published_at),
                "updated_at": iso(story.updated_at),
                "byline": story.byline,
                "language": story.language,
                "summary": story.summary,
                "also_published_at": [copy.url for copy in story.copy_list if copy.url],
                "claims": [
                    {
                        "id": claim.pk,
                        "slug": claim.slug,
                        "text": claim.text,
                        "verdict": claim.verdict,
                        "rating": {"value": claim.rating.value, "label": claim.rating.label},
                        "page_url": base + claim.get_absolute_url(),
                        "quote": claim.quote,
                    }
                    for claim in story.claim_list
                ],
                "corrections": [
                    {
                        "text": note.body,
                        "created_at": iso(note.created_at),
                        "updated_at": iso(note.updated_at),
                    }
                    for note in story.correction_list
                ],
            }
        )
    count = rows[0].total_rows if rows else 0
    return JsonResponse({"count": count, "next": None, "previous": None, "results": results})


urlpatterns = [
    path("plain/stories/", plain_story_list),
    path("api/", include("stories.api.urls")),
    path("", include("stories.urls")),
]


def build():
    sources = [SourceFactory() for _ in range(4)]
    for i in range(ROWS):
        story = StoryFactory(source=sources[i % 4], summary="A short summary of the article. " * 3)
        copy = StoryFactory(source=sources[(i + 1) % 4], status=Story.Status.NEW, merged_into=story)
        for claim in (ClaimFactory(), ClaimFactory()):
            AppearanceFactory(claim=claim, story=story, quote="the words the story used")
            AppearanceFactory(claim=claim, story=copy, quote="the words the copy used")
        NoteFactory(story=story, visibility=EditorialNote.Visibility.PUBLIC)


def rate(client, url):
    start = time.perf_counter()
    for _ in range(REQUESTS):
        response = client.get(url)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200
    return REQUESTS / elapsed


@pytest.mark.django_db
def test_drf_story_list_throughput_against_a_plain_json_response(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None}}
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    build()
    client = Client()
    with override_settings(ROOT_URLCONF=__name__):
        drf_body = json.loads(client.get("/api/v1/stories/").content)
        plain_body = json.loads(client.get("/plain/stories/").content)
        assert drf_body["count"] == ROWS and drf_body["results"] == plain_body["results"]
        for url in ("/api/v1/stories/", "/plain/stories/"):
            rate(client, url)  # warm up
        drf, plain = [], []
        for _ in range(ROUNDS):  # interleaved, so both see the same machine
            drf.append(rate(client, "/api/v1/stories/"))
            plain.append(rate(client, "/plain/stories/"))
    drf_rps, plain_rps = sorted(drf)[ROUNDS // 2], sorted(plain)[ROUNDS // 2]
    print(
        f"\nstory list, {ROWS} rows, median of {ROUNDS} rounds of {REQUESTS} requests:\n"
        f"  DRF /api/v1/stories/        {drf_rps:8.0f} req/s\n"
        f"  plain JsonResponse          {plain_rps:8.0f} req/s\n"
        f"  DRF ÷ plain                 {drf_rps / plain_rps:8.2f}   (goal >= 0.7)"
    )
