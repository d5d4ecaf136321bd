"""Stories in IPTC ninjs 2.1 (`?format=ninjs` on the story list and detail): valid against IPTC's
own schema, read through the same public read model as the JSON answers (rules 1-3), in a fixed
number of queries.

The schema is IPTC's ninjs-schema_2.1.json, kept beside the project in
../shared/reference/ (NINJS_SCHEMA names another copy); the validating tests are skipped, saying
so, when it is absent."""

import datetime as dt
import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from stories.api.ninjs import NINJS_MEDIA_TYPE
from stories.models import EditorialNote, Story, Verdict

from .factories import AppearanceFactory, ClaimFactory, NoteFactory, SourceFactory, StoryFactory

pytestmark = pytest.mark.django_db

SCHEMA_PATH = Path(
    os.environ.get("NINJS_SCHEMA")
    or django_settings.BASE_DIR.parent / "shared/reference/ninjs-schema_2.1.json"
)


@pytest.fixture
def ninjs_validator():
    if not SCHEMA_PATH.is_file():
        pytest.skip(f"IPTC's ninjs 2.1 schema is not at {SCHEMA_PATH}: ninjs answers not validated")
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text())
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    # The formats ninjs uses, checked here whether or not jsonschema's optional checkers are there.
    formats = jsonschema.FormatChecker()

    @formats.checks("date-time")
    def date_time(value):  # RFC 3339: a date, "T", a time and its offset
        parsed = dt.datetime.fromisoformat(value) if isinstance(value, str) and "T" in value else None
        return parsed is not None and parsed.tzinfo is not None

    @formats.checks("uri")
    def uri(value):
        return isinstance(value, str) and bool(urlsplit(value).scheme) and " " not in value

    return validator_class(schema, format_checker=formats)


def assert_valid(validator, item):
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(item)]
    assert not errors, errors


def ninjs(client, path, **params):
    response = client.get(path, {"format": "ninjs", **params})
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == NINJS_MEDIA_TYPE
    return response.json()


@pytest.fixture
def checked_story():
    """A published story with a byline, a merged copy, a checked and an unreviewed claim, a public
    and an internal note (on it and on its copy)."""
    outlet = SourceFactory(name="Kyodo Example", homepage="https://kyodo.example/")
    story = StoryFactory(
        source=outlet,
        title="Japan to send officers to NSATU",
        url="https://kyodo.example/2026/05/29/officers",
        byline="A. Reporter",
        summary="The ministry says two officers go to Wiesbaden.",
        published_at=dt.datetime(2026, 5, 29, 9, tzinfo=dt.UTC),
        language="en",
    )
    copy = StoryFactory(status=Story.Status.NEW, url="https://copy.example/officers", merged_into=story)
    checked = ClaimFactory(text="Japan sends two officers.", verdict=Verdict.ACCURATE)
    AppearanceFactory(claim=checked, story=story, quote="two officers")
    AppearanceFactory(
        claim=ClaimFactory(text="A secret unreviewed claim.", verdict=Verdict.UNREVIEWED), story=story
    )
    NoteFactory(story=story, visibility=EditorialNote.Visibility.PUBLIC, body="Corrected the date.")
    NoteFactory(
        story=story, visibility=EditorialNote.Visibility.INTERNAL, body="Internal: call the ministry."
    )
    NoteFactory(story=copy, visibility=EditorialNote.Visibility.INTERNAL, body="Internal: copy note.")
    return story


def test_story_list_and_detail_in_ninjs_are_valid_against_iptcs_schema(
    client, ninjs_validator, checked_story
):
    call_command("loaddata", "deployment", verbosity=0)  # the demo stories too
    page = ninjs(client, "/api/v1/stories/", page_size=100)
    assert page["count"] == len(page["results"]) == Story.objects.public().count()
    for item in page["results"]:
        assert_valid(ninjs_validator, item)
        assert_valid(ninjs_validator, ninjs(client, f"/api/v1/stories/{item['slugline']}/"))


def test_the_ninjs_validation_can_fail(ninjs_validator):
    # The validator in use refuses what ninjs refuses: no uri, an unknown property, a bad type,
    # a date without its offset, a relative address.
    assert list(ninjs_validator.iter_errors({"type": "text"}))
    assert list(
        ninjs_validator.iter_errors({"uri": "https://x.example/1", "versioncreated": "2026-05-29T09:00"})
    )
    assert list(ninjs_validator.iter_errors({"uri": "/stories/x/"}))
    assert list(ninjs_validator.iter_errors({"uri": "https://x.example/1", "headline": "not ninjs"}))
    assert list(ninjs_validator.iter_errors({"uri": "https://x.example/1", "type": "article"}))


def test_a_story_in_ninjs_carries_its_fields(client, checked_story):
    story = checked_story
    item = ninjs(client, f"/api/v1/stories/{story.slug}/")
    assert item["uri"] == f"http://testserver{story.get_absolute_url()}"
    assert item["type"] == "text"
    assert item["versioncreated"] == story.updated_at.isoformat()
    assert item["firstcreated"] == "2026-05-29T09:00:00+00:00"
    assert item["headlines"] == [{"value": "Japan to send officers to NSATU", "contenttype": "text/plain"}]
    assert item["descriptions"][0]["value"] == story.summary
    assert item["descriptions"][1] == {
        "value": "Corrected the date.",
        "contenttype": "text/plain",
        "role": "correction",
    }
    assert item["language"] == "en"
    assert item["by"] == "A. Reporter"
    assert item["infosources"][0] == {
        "name": "Kyodo Example",
        "role": "originator",
        "literal": story.source.slug,
        "uri": "https://kyodo.example/",
    }
    assert {"role": "url", "value": "https://kyodo.example/2026/05/29/officers"} in item["altids"]
    assert {"role": "also-published-at", "value": "https://copy.example/officers"} in item["altids"]
    indicators = {i["href"]: i for i in item["trustindicators"]}
    assert "http://testserver/how-we-verify/" in indicators
    claim_page = "http://testserver/claims/japan-sends-two-officers/"
    assert indicators[claim_page]["title"] == "Accurate: Japan sends two officers."
    body = item["bodies"][0]
    assert body["contenttype"] == "text/html"
    assert "The ministry says two officers go to Wiesbaden." in body["value"]
    assert f'<a href="{claim_page}">Japan sends two officers.</a>' in body["value"]


def test_ninjs_shows_no_internal_note_and_no_unreviewed_claim_rule_3(client, checked_story):
    for text in (
        json.dumps(ninjs(client, f"/api/v1/stories/{checked_story.slug}/")),
        json.dumps(ninjs(client, "/api/v1/stories/")),
    ):
        assert "Corrected the date." in text  # the public note is there...
        assert "Internal" not in text  # ...the internal ones are not
        assert "secret unreviewed claim" not in text


def test_ninjs_lists_only_published_canonical_stories_rule_1(client, checked_story):
    StoryFactory(title="Waiting for an editor", status=Story.Status.IN_REVIEW)
    StoryFactory(title="Rejected story", status=Story.Status.REJECTED)
    listed = [item["headlines"][0]["value"] for item in ninjs(client, "/api/v1/stories/")["results"]]
    assert listed == ["Japan to send officers to NSATU"]


def test_ninjs_detail_of_a_merged_copy_redirects_in_ninjs_and_unpublished_is_404_rule_1(
    client, checked_story
):
    copy = checked_story.copies.get()
    response = client.get(f"/api/v1/stories/{copy.slug}/", {"format": "ninjs"})
    assert response.status_code == 301
    assert response["Location"] == f"/api/v1/stories/{checked_story.slug}/?format=ninjs"
    waiting = StoryFactory(status=Story.Status.IN_REVIEW)
    assert client.get(f"/api/v1/stories/{waiting.slug}/", {"format": "ninjs"}).status_code == 404


def test_json_and_ninjs_answers_are_kept_apart(client, checked_story):
    assert "headlines" not in client.get("/api/v1/stories/").json()["results"][0]
    assert "headlines" in ninjs(client, "/api/v1/stories/")["results"][0]
    assert "headlines" not in client.get("/api/v1/stories/").json()["results"][0]


def test_only_reads_offer_ninjs(client):
    assert (
        client.post("/api/v1/stories/?format=ninjs", {}, content_type="application/json").status_code == 404
    )
    assert client.get("/api/v1/claims/", {"format": "ninjs"}).status_code == 404


@pytest.mark.parametrize("n", [2, 15])
def test_ninjs_list_query_count_does_not_grow(client, django_assert_num_queries, n):
    from .test_api_query_counts import build

    build(n)
    # ?page_size= is not kept, so no site version is read; as for JSON: 1. the count; 2. the page
    # of stories with their sources; 3. their copies; 4. their checked claims; 5. their corrections.
    with django_assert_num_queries(5):
        page = client.get("/api/v1/stories/", {"format": "ninjs", "page_size": 100}).json()
    assert page["count"] == len(page["results"]) == n


def test_the_openapi_schema_describes_ninjs_answers(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    for path in ("/api/v1/stories/", "/api/v1/stories/{slug}/"):
        operation = schema["paths"][path]["get"]
        content = operation["responses"]["200"]["content"]
        assert set(content) == {"application/json", NINJS_MEDIA_TYPE}
        ninjs_schema = content[NINJS_MEDIA_TYPE]["schema"]
        item = ninjs_schema["properties"]["results"]["items"] if path.endswith("stories/") else ninjs_schema
        assert "trustindicators" in item["properties"]
        formats = [p for p in operation["parameters"] if p["name"] == "format"]
        assert formats[0]["schema"]["enum"] == ["json", "ninjs"]
    post = schema["paths"]["/api/v1/stories/"]["post"]
    assert NINJS_MEDIA_TYPE not in post["responses"]["201"]["content"]
