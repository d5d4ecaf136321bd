"""The read-only API: resources and their fields, filters, pagination, rules 1-3 with inconsistent
data, the TimelineJS export, conditional GET, throttling, CORS and the docs."""

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token

from stories.models import EditorialNote, Story, Tag, TimelineEntry, Verdict
from stories.services.merge import merge

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

STORIES, CLAIMS, SOURCES, TIMELINE = (
    reverse(f"api:{n}-list") for n in ("story", "claim", "source", "timeline-entry")
)
TIMELINEJS = reverse("api:timelinejs")
README = Path(__file__).resolve().parents[1] / "README.md"


def when(day):
    return dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC)


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def slugs(body):
    return [row["slug"] for row in body["results"]]


@pytest.fixture
def desk():
    """A small curated desk: two sources, three published stories (one with a merged copy), claims
    of every kind, a public timeline entry and the deliberately inconsistent rows of rules 1-3."""
    wire = SourceFactory(name="Wire", slug="wire", kind="wire", reliability="high")
    blog = SourceFactory(name="Blog", slug="blog", kind="blog", reliability="low")
    announced = StoryFactory(
        source=wire,
        title="Japan to send officers",
        slug="announced",
        published_at=when("2026-05-29"),
        summary="Four officers.",
        url="https://wire.example/announced",
    )
    interest = StoryFactory(
        source=blog, title="Japan wants to join", slug="interest", published_at=when("2025-04-08")
    )
    undated = StoryFactory(source=blog, title="Speculation", slug="undated", published_at=None)
    copy = StoryFactory(
        source=blog, title="Japan to send officers (copy)", slug="copy", url="https://blog.example/copy"
    )
    merge(copy, announced, by=None, reason="syndicated")
    draft = StoryFactory(source=wire, title="Unpublished draft", slug="draft", status=Story.Status.NEW)

    four = ClaimFactory(text="Four officers go to NSATU.", slug="four", verdict=Verdict.ACCURATE)
    troops = ClaimFactory(text="Japan deploys troops.", slug="troops", verdict=Verdict.MISLEADING)
    unreviewed = ClaimFactory(text="Officers arrive in June.", slug="unreviewed", verdict=Verdict.UNREVIEWED)
    four.tags.add(Tag.objects.create(name="Deployment"))
    four.evidence.create(url="https://mod.example/release", publisher="Ministry of Defense", kind="primary")
    AppearanceFactory(claim=four, story=announced, quote="four officers")
    AppearanceFactory(claim=four, story=interest, quote="officers")
    AppearanceFactory(claim=four, story=copy, quote="four SDF officers")  # counts once with its canonical
    AppearanceFactory(
        claim=troops, story=copy, quote="deploys troops"
    )  # reaches `announced` through the copy
    AppearanceFactory(claim=unreviewed, story=announced, quote="in June")
    AppearanceFactory(claim=four, story=draft, quote="words only the draft uses")

    NoteFactory(story=announced, visibility=EditorialNote.Visibility.PUBLIC, body="Corrected the headline.")
    NoteFactory(story=copy, visibility=EditorialNote.Visibility.PUBLIC, body="The copy's correction.")
    NoteFactory(story=announced, visibility=EditorialNote.Visibility.INTERNAL, body="SECRET-STORY-NOTE")
    NoteFactory(claim=four, visibility=EditorialNote.Visibility.INTERNAL, body="SECRET-CLAIM-NOTE")
    NoteFactory(claim=four, visibility=EditorialNote.Visibility.PUBLIC, body="Clarified the count.")

    public = EntryFactory(date="2026-05-29", title="Dispatch announced", slug="dispatch", claims=[four])
    month = EntryFactory(
        date="2024-12-01", precision="month", title="NSATU operational", slug="operational", claims=[four]
    )
    weak = EntryFactory(
        date="2025-06-01", title="Resting on an unreviewed claim", slug="weak", claims=[four, unreviewed]
    )
    EntryFactory(date="2025-07-01", title="Never published", slug="unpublished", claims=[four])
    TimelineEntry.objects.filter(pk__in=[public.pk, month.pk, weak.pk]).update(is_published=True)
    return {
        "announced": announced,
        "interest": interest,
        "undated": undated,
        "copy": copy,
        "four": four,
        "troops": troops,
        "wire": wire,
    }


def test_story_list_shows_published_canonical_stories_newest_first_with_undated_ones_last(client, desk):
    assert slugs(get(client, STORIES)) == ["announced", "interest", "undated"]


def test_story_carries_source_dates_urls_copies_claims_and_public_corrections(client, desk):
    story = get(client, reverse("api:story-detail", args=["announced"]))
    assert story["page_url"] == "http://testserver/stories/announced/"
    assert story["canonical_url"] == "https://wire.example/announced"
    assert story["published_at"] == "2026-05-29T00:00:00Z"
    assert story["source"] == {
        "slug": "wire",
        "name": "Wire",
        "reliability": "high",
        "page_url": "http://testserver/sources/wire/",
    }
    assert story["also_published_at"] == ["https://blog.example/copy"]
    claims = {claim["slug"]: claim for claim in story["claims"]}
    assert set(claims) == {"four", "troops"}  # its own and its copy's, checked ones only
    assert claims["four"]["rating"] == {"value": 5, "label": "Accurate"}
    assert claims["troops"]["rating"] == {"value": 2, "label": "Misleading"}
    assert claims["troops"]["quote"] == "deploys troops"
    assert claims["four"]["page_url"] == "http://testserver/claims/four/"
    assert [c["text"] for c in story["corrections"]] == ["Corrected the headline.", "The copy's correction."]


def test_claim_carries_verdict_rating_evidence_appearances_and_independent_sources(client, desk):
    (claim,) = [c for c in get(client, CLAIMS)["results"] if c["slug"] == "four"]
    assert claim["verdict"] == "accurate" and claim["rating"] == {"value": 5, "label": "Accurate"}
    assert claim["tags"] == [{"slug": "deployment", "name": "Deployment"}]
    assert claim["evidence"] == [
        {
            "url": "https://mod.example/release",
            "publisher": "Ministry of Defense",
            "title": "",
            "kind": "primary",
        }
    ]
    # the copy counts for the story it was merged into: wire (announced) and blog (interest)
    assert claim["independent_sources"] == 2 and claim["story_count"] == 2
    assert "appearances" not in claim  # a list names none: the detail names the first ones
    assert claim["appearances_url"] == "http://testserver/api/v1/claims/four/appearances/"
    detail = get(client, f"{CLAIMS}four/")
    every = get(client, claim["appearances_url"].removeprefix("http://testserver"))
    assert every["count"] == 3 and len(detail["appearances"]) == 3
    stories = sorted(a["story"]["slug"] for a in every["results"])
    assert stories == ["announced", "announced", "interest"]
    (via_copy,) = [a for a in every["results"] if a["quote"] == "four SDF officers"]
    assert via_copy["original_url"] == "https://blog.example/copy"
    assert via_copy["story"]["page_url"] == "http://testserver/stories/announced/"


def test_claim_detail_adds_public_corrections(client, desk):
    claim = get(client, reverse("api:claim-detail", args=["four"]))
    assert [c["text"] for c in claim["corrections"]] == ["Clarified the count."]


def test_timeline_entry_carries_date_precision_and_claims(client, desk):
    body = get(client, TIMELINE)
    assert slugs(body) == ["operational", "dispatch"]
    month, day = body["results"]
    assert (month["date"], month["precision"], month["display_date"]) == (
        "2024-12-01",
        "month",
        "December 2024",
    )
    assert (day["date"], day["precision"], day["display_date"]) == ("2026-05-29", "day", "29 May 2026")
    assert [(c["slug"], c["independent_sources"]) for c in day["claims"]] == [("four", 2)]
    assert day["page_url"] == "http://testserver/#dispatch"


def test_sources_carry_reliability_and_their_published_story_count(client, desk):
    body = get(client, SOURCES)
    counts = {row["slug"]: (row["reliability"], row["story_count"]) for row in body["results"]}
    assert counts == {"blog": ("low", 2), "wire": ("high", 1)}


# Rules 1-3 ------------------------------------------------------------------------------------


def everything(client):
    """Every response a client can get from the read API for the desk."""
    bodies = [client.get(url).content.decode() for url in (STORIES, CLAIMS, SOURCES, TIMELINE, TIMELINEJS)]
    for name, slug in [
        ("story", "announced"),
        ("story", "interest"),
        ("claim", "four"),
        ("claim", "troops"),
        ("source", "wire"),
        ("timeline-entry", "dispatch"),
    ]:
        bodies.append(client.get(reverse(f"api:{name}-detail", args=[slug])).content.decode())
    return "\n".join(bodies)


def test_rule_1_unpublished_stories_and_merged_copies_appear_in_no_response(client, desk):
    text = everything(client)
    assert "Unpublished draft" not in text and "/stories/draft/" not in text
    assert "words only the draft uses" not in text  # the claim is public, not its draft appearance
    assert "Japan to send officers (copy)" not in text and "/stories/copy/" not in text
    assert client.get(reverse("api:story-detail", args=["draft"])).status_code == 404


def test_rule_1_a_merged_copy_redirects_permanently_to_its_canonical_story(client, desk):
    response = client.get(reverse("api:story-detail", args=["copy"]))
    assert response.status_code == 301
    assert response["Location"] == reverse("api:story-detail", args=["announced"])


def test_rule_2_entries_unpublished_or_resting_on_an_unreviewed_claim_appear_in_no_response(client, desk):
    text = everything(client)
    assert "Resting on an unreviewed claim" not in text and "Never published" not in text
    assert "Officers arrive in June." not in text  # the unreviewed claim itself
    for slug in ("weak", "unpublished"):
        assert client.get(reverse("api:timeline-entry-detail", args=[slug])).status_code == 404


def test_rule_3_internal_notes_appear_in_no_response(client, desk):
    text = everything(client)
    assert "Corrected the headline." in text  # public corrections do appear
    assert "SECRET-STORY-NOTE" not in text and "SECRET-CLAIM-NOTE" not in text


# Filters ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"source": "blog"}, ["interest", "undated"]),
        ({"source": "nobody"}, []),
        ({"published_after": "2025-04-08"}, ["announced", "interest"]),
        ({"published_after": "2025-04-09"}, ["announced"]),
        ({"published_before": "2025-04-08"}, ["interest"]),
        ({"published_after": "2025-01-01", "published_before": "2025-12-31"}, ["interest"]),
        ({"q": "speculation"}, ["undated"]),
        ({"has_claims": "true"}, ["announced", "interest"]),
        ({"has_claims": "false"}, ["undated"]),
        ({"verdict": "misleading"}, ["announced"]),  # through the copy merged into it
        ({"verdict": "accurate"}, ["announced", "interest"]),
        ({"verdict": "inaccurate"}, []),
        ({"ordering": "title"}, ["announced", "interest", "undated"]),
        ({"ordering": "-title"}, ["undated", "interest", "announced"]),
        ({"ordering": "published_at"}, ["interest", "announced", "undated"]),
    ],
)
def test_story_filters(client, desk, params, expected):
    assert slugs(get(client, STORIES, **params)) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"verdict": "accurate"}, ["four"]),
        ({"verdict": "misleading"}, ["troops"]),
        ({"tag": "deployment"}, ["four"]),
        ({"tag": "nothing"}, []),
        ({"source": "wire"}, ["four"]),
        ({"source": "blog"}, ["four", "troops"]),  # troops only through the blog's copy
        ({"ordering": "-text"}, ["troops", "four"]),
        ({"ordering": "-independent_sources"}, ["four", "troops"]),
    ],
)
def test_claim_filters(client, desk, params, expected):
    assert slugs(get(client, CLAIMS, **params)) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"date_after": "2025-01-01"}, ["dispatch"]),
        ({"date_before": "2025-01-01"}, ["operational"]),
        ({"date_after": "2024-12-01", "date_before": "2026-05-29"}, ["operational", "dispatch"]),
        ({"timeline": "deployment"}, ["operational", "dispatch"]),
        ({"timeline": "other"}, []),
    ],
)
def test_timeline_filters(client, desk, params, expected):
    assert slugs(get(client, TIMELINE, **params)) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "wire"}, ["wire"]),
        ({"reliability": "low"}, ["blog"]),
        ({"ordering": "-story_count"}, ["blog", "wire"]),
    ],
)
def test_source_filters(client, desk, params, expected):
    assert slugs(get(client, SOURCES, **params)) == expected


@pytest.mark.parametrize(
    ("url", "param", "value"),
    [
        (STORIES, "source", "not a slug!"),
        (STORIES, "published_after", "yesterday"),
        (STORIES, "published_before", "2025-02-30"),
        (STORIES, "has_claims", "maybe"),
        (STORIES, "verdict", "unreviewed"),
        (STORIES, "verdict", "true"),
        (STORIES, "q", "x" * 201),
        (STORIES, "ordering", "body"),
        (CLAIMS, "verdict", "fake"),
        (CLAIMS, "tag", "<script>"),
        (CLAIMS, "source", "a b"),
        (CLAIMS, "ordering", "explanation"),
        (TIMELINE, "date_after", "2025-13-01"),
        (TIMELINE, "date_before", "soon"),
        (TIMELINE, "timeline", "no/slug"),
        (TIMELINEJS, "date_after", "never"),
        (SOURCES, "kind", "tabloid"),
        (SOURCES, "reliability", "5"),
        (SOURCES, "ordering", "homepage"),
    ],
)
def test_an_invalid_filter_value_answers_400_naming_the_parameter(client, desk, url, param, value):
    response = client.get(url, {param: value})
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [param] and body[param][0]


# Pagination -------------------------------------------------------------------------------------


def test_pagination_defaults_to_20_rows_with_count_next_and_link_header(client):
    StoryFactory.create_batch(45)
    response = client.get(STORIES)
    body = response.json()
    assert (body["count"], len(body["results"]), body["previous"]) == (45, 20, None)
    assert body["next"] == "http://testserver/api/v1/stories/?page=2"
    assert '<http://testserver/api/v1/stories/?page=2>; rel="next"' in response["Link"]
    assert '<http://testserver/api/v1/stories/?page=3>; rel="last"' in response["Link"]
    last = get(client, STORIES, page=3)
    assert (len(last["results"]), last["next"]) == (5, None)
    assert last["previous"] == "http://testserver/api/v1/stories/?page=2"


def test_pages_cover_every_row_once(client):
    StoryFactory.create_batch(7, published_at=when("2025-01-01"))  # equal dates: the id breaks ties
    seen = [slug for page in (1, 2, 3) for slug in slugs(get(client, STORIES, page=page, page_size=3))]
    assert sorted(seen) == sorted(Story.objects.values_list("slug", flat=True))


def test_page_size_may_go_up_to_100(client):
    StoryFactory.create_batch(101)
    body = get(client, STORIES, page_size=100)
    assert (body["count"], len(body["results"])) == (101, 100)


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("page_size", "101"),
        ("page_size", "0"),
        ("page_size", "ten"),
        ("page", "0"),
        ("page", "-1"),
        ("page", "last"),
        ("page", "100001"),
    ],
)
def test_a_page_or_page_size_out_of_bounds_answers_400_naming_it(client, param, value):
    response = client.get(STORIES, {param: value})
    assert response.status_code == 400
    assert "from 1 to" in response.json()[param][0]


def test_a_page_past_the_last_answers_404_naming_the_last_page(client):
    StoryFactory.create_batch(3)
    response = client.get(STORIES, {"page": 2, "page_size": 2})
    assert response.status_code == 200
    response = client.get(STORIES, {"page": 3, "page_size": 2})
    assert response.status_code == 404
    assert response.json()["detail"] == "Page 3 does not exist: the last page is 2."


def test_an_empty_list_is_one_empty_page(client):
    assert get(client, STORIES) == {"count": 0, "next": None, "previous": None, "results": []}


def test_a_search_is_paginated_with_the_count_of_every_match(client):
    for i in range(7):
        StoryFactory(title=f"Officers reach Wiesbaden {i}", published_at=when("2025-01-01"))
    StoryFactory(title="Officers reach Wiesbaden, a draft", status=Story.Status.NEW)
    StoryFactory(title="Nothing to find here")
    every = get(client, STORIES, q="Wiesbaden", page_size=100)
    assert every["count"] == len(every["results"]) == 7
    first = client.get(STORIES, {"q": "Wiesbaden", "page_size": 3})
    body = first.json()
    assert (body["count"], len(body["results"]), body["previous"]) == (7, 3, None)
    assert body["next"] == "http://testserver/api/v1/stories/?page=2&page_size=3&q=Wiesbaden"
    assert '<http://testserver/api/v1/stories/?page=3&page_size=3&q=Wiesbaden>; rel="last"' in first["Link"]
    pages = [get(client, STORIES, q="Wiesbaden", page_size=3, page=n) for n in (1, 2, 3)]
    assert [body["count"] for body in pages] == [7, 7, 7]
    assert [slug for body in pages for slug in slugs(body)] == slugs(every)  # in the same order
    response = client.get(STORIES, {"q": "Wiesbaden", "page_size": 3, "page": 4})
    assert response.status_code == 404
    assert response.json()["detail"] == "Page 4 does not exist: the last page is 3."
    by_title = get(client, STORIES, q="Wiesbaden", ordering="-title", page_size=3)
    assert by_title["count"] == 7 and slugs(by_title) == sorted(slugs(every), reverse=True)[:3]
    wire = Story.objects.get(title="Officers reach Wiesbaden 3").source
    assert get(client, STORIES, q="Wiesbaden", source=wire.slug)["count"] == 1


def test_a_search_matching_nothing_is_one_empty_page(client):
    StoryFactory(title="Officers reach Wiesbaden")
    for q in ("Brussels", "a"):  # no match; no word long enough to search for
        assert get(client, STORIES, q=q) == {"count": 0, "next": None, "previous": None, "results": []}
    response = client.get(STORIES, {"q": "Brussels", "page": 2})
    assert response.status_code == 404
    assert response.json()["detail"] == "Page 2 does not exist: the last page is 1."


# TimelineJS ----------------------------------------------------------------------------------


def test_timelinejs_export_has_the_public_entries_at_their_precision(client, desk):
    document = get(client, TIMELINEJS)
    assert document["title"]["text"]["headline"] == "The deployment"
    assert [e["unique_id"] for e in document["events"]] == ["operational", "dispatch"]
    month, day = document["events"]
    assert month["start_date"] == {"year": 2024, "month": 12, "display_date": "December 2024"}
    assert day["start_date"] == {"year": 2026, "month": 5, "day": 29, "display_date": "29 May 2026"}
    assert day["text"]["headline"] == "Dispatch announced"
    assert day["group"] == "The deployment"
    assert (
        '<a href="http://testserver/claims/four/">Four officers go to NSATU.</a> (Accurate)'
        in day["text"]["text"]
    )


def test_timelinejs_export_has_year_precision_and_escapes_text(client):
    claim = ClaimFactory()
    AppearanceFactory(claim=claim)
    entry = EntryFactory(
        date="2024-07-11", precision="year", title="<b>NSATU</b>", text="Set up & staffed", claims=[claim]
    )
    TimelineEntry.objects.filter(pk=entry.pk).update(is_published=True)
    (event,) = get(client, TIMELINEJS)["events"]
    assert event["start_date"] == {"year": 2024, "display_date": "2024"}
    assert event["text"]["headline"] == "&lt;b&gt;NSATU&lt;/b&gt;"
    assert event["text"]["text"].startswith("<p>Set up &amp; staffed</p>")


def test_timelinejs_export_escapes_text_as_django_does(client):
    from django.utils.html import escape, format_html

    claim = ClaimFactory(text='Officers "arrive" at NSATU\'s <HQ> & stay.')
    AppearanceFactory(claim=claim)
    entry = EntryFactory(title='"Q" & <A>', text="It's set & 'done'", claims=[claim])
    TimelineEntry.objects.filter(pk=entry.pk).update(is_published=True)
    (event,) = get(client, TIMELINEJS)["events"]
    assert event["text"]["headline"] == escape(entry.title)
    url = f"http://testserver{claim.get_absolute_url()}"
    assert event["text"]["text"] == format_html(
        '<p>{}</p><ul><li><a href="{}">{}</a> ({})</li></ul>', entry.text, url, claim.text, "Accurate"
    )


def test_timelinejs_export_takes_the_date_filters(client, desk):
    document = get(client, TIMELINEJS, date_after="2025-01-01")
    assert [e["unique_id"] for e in document["events"]] == ["dispatch"]


# Conditional GET, throttling, CORS, docs --------------------------------------------------------


@pytest.mark.parametrize(
    "url", [STORIES, CLAIMS, SOURCES, TIMELINE, TIMELINEJS, "/api/v1/stories/announced/"]
)
def test_a_repeat_get_with_the_etag_answers_304_until_the_content_changes(client, desk, url):
    first = client.get(url)
    etag = first["ETag"]
    repeat = client.get(url, headers={"If-None-Match": etag})
    assert repeat.status_code == 304 and repeat.content == b""
    desk["announced"].title = "Japan to send four officers"
    desk["announced"].save()
    desk["four"].text = "Four officers go to NSATU in Wiesbaden."
    desk["four"].save()
    desk["wire"].name = "The Wire"
    desk["wire"].save()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_anonymous_clients_are_throttled_with_retry_after(client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/minute"}}
    assert [client.get(SOURCES).status_code for _ in range(4)] == [200, 200, 200, 429]
    throttled = client.get(SOURCES)
    assert "throttled" in throttled.json()["detail"] and int(throttled["Retry-After"]) > 0


def test_cross_origin_requests_are_not_allowed_by_default(client):
    response = client.get(STORIES, headers={"Origin": "https://partner.example"})
    assert "Access-Control-Allow-Origin" not in response


def test_a_listed_origin_may_read_the_api_from_a_browser(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://partner.example"]
    response = client.get(STORIES, headers={"Origin": "https://partner.example"})
    assert response["Access-Control-Allow-Origin"] == "https://partner.example"
    assert "Access-Control-Allow-Origin" not in client.get("/", headers={"Origin": "https://partner.example"})


def test_schema_is_openapi_3_and_lists_every_resource(client):
    schema = json.loads(client.get(reverse("api:schema"), {"format": "json"}).content)
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/stories/",
        "/api/v1/stories/{slug}/",
        "/api/v1/claims/",
        "/api/v1/sources/",
        "/api/v1/timeline/",
        "/api/v1/timeline.json",
    ):
        assert path in schema["paths"]
    names = {p["name"] for p in schema["paths"]["/api/v1/stories/"]["get"]["parameters"]}
    assert {
        "source",
        "published_after",
        "published_before",
        "q",
        "has_claims",
        "verdict",
        "ordering",
        "page",
        "page_size",
    } <= names


def test_docs_page_loads_swagger_ui_from_this_sites_static_files_only(client):
    page = client.get(reverse("api:docs")).content.decode()
    assert "swagger-ui" in page
    assert "cdn" not in page.lower() and "unpkg" not in page.lower()
    for asset in ("swagger-ui-dist/swagger-ui.css", "swagger-ui-dist/swagger-ui-bundle.js"):
        assert f"/static/drf_spectacular_sidecar/{asset}" in page
        assert finders.find(f"drf_spectacular_sidecar/{asset}")
    script = client.get(reverse("api:docs"), {"script": ""})
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_an_address_under_api_that_is_no_endpoint_answers_json_404(client):
    response = client.get("/api/v2/nothing/here")
    assert response.status_code == 404
    assert response.json() == {"detail": "No API endpoint at this address: see /api/docs/."}


def test_the_readmes_three_curl_lines_work_on_the_demo_data(client):
    call_command("loaddata", "deployment", verbosity=0)
    section = README.read_text().split("## API\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0].replace("\\\n", " ")
    lines = [line for line in block.splitlines() if line.startswith("curl")]
    assert len(lines) == 3
    urls = [re.search(r"'?(http://127\.0\.0\.1:8000[^' ]*)'?", line).group(1) for line in lines]
    timeline = get(client, urls[0].removeprefix("http://127.0.0.1:8000"))
    assert len(timeline["events"]) == TimelineEntry.objects.public().count() > 0
    stories = get(client, urls[1].removeprefix("http://127.0.0.1:8000"))
    assert stories["count"] > 0
    user = UserFactory(username="wire-bot")
    user.user_permissions.add(Permission.objects.get(codename="add_story"))
    token = Token.objects.create(user=user).key
    assert '-H "Authorization: Token $TOKEN"' in lines[2]
    item = re.search(r"-d '(\{.*\})'", lines[2]).group(1)
    response = client.post(
        urls[2].removeprefix("http://127.0.0.1:8000"),
        item,
        content_type="application/json",
        headers={"Authorization": f"Token {token}"},
    )
    assert response.status_code == 201 and response.json()["outcome"] == "new"
