"""Bad requests answer 4xx naming the problem, never 500: JSON under /api/, a plain page elsewhere.
A database that cannot be reached answers 503; any other database error stays a 500 whose
traceback is logged."""

import json
import logging
import socket
import sqlite3

import psycopg
import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.exceptions import SuspiciousOperation
from django.db import Error, OperationalError, connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import include, path
from rest_framework.authtoken.models import Token
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from stories.api import filters
from stories.api.exceptions import exception_handler
from stories.models import Claim, Source, Story, Tag, Timeline, TimelineEntry
from stories.text import unique_slug

from .factories import AppearanceFactory, ClaimFactory, EntryFactory, SourceFactory, StoryFactory, UserFactory

pytestmark = pytest.mark.django_db

ON_POSTGRES = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: run with DATABASE_URL pointing at one"
)

API_LISTS = {
    "/api/v1/stories/": filters.StoryFilter,
    "/api/v1/claims/": filters.ClaimFilter,
    "/api/v1/sources/": filters.SourceFilter,
    "/api/v1/timeline/": filters.TimelineEntryFilter,
    "/api/v1/timeline.json": filters.TimelineEntryFilter,
}
API_DETAILS = ["/api/v1/stories/a-story/", "/api/v1/claims/a-claim/", "/api/v1/sources/a-source/"]
API_DETAILS += ["/api/v1/timeline/an-entry/"]
API_OTHERS = ["/api/schema/", "/api/docs/"]
API_ADDRESSES = [*API_LISTS, *API_DETAILS, *API_OTHERS]
SITE_PAGES = [
    "/",
    "/how-we-verify/",
    "/stories/",
    "/stories/a-story/",
    "/claims/",
    "/claims/a-claim/",
    "/sources/",
    "/sources/a-source/",
    "/search/",
    "/feeds/timeline/",
    "/feeds/stories/",
    "/sitemap.xml",
    "/healthz",
    "/admin/login/",
]


@pytest.fixture(autouse=True)
def _no_throttling(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None}}


@pytest.fixture
def desk():
    """One public row of each kind, at the slugs the addresses above use."""
    source = SourceFactory(slug="a-source")
    claim = ClaimFactory(slug="a-claim")
    story = StoryFactory(source=source, slug="a-story")
    AppearanceFactory(claim=claim, story=story)
    EntryFactory(slug="an-entry", claims=[claim])


def token(*permissions):
    user = UserFactory(username=f"api-{'-'.join(permissions) or 'reader'}")
    for codename in permissions:
        user.user_permissions.add(
            Permission.objects.get(codename=codename, content_type__app_label="stories")
        )
    return {"Authorization": f"Token {Token.objects.create(user=user).key}"}


def assert_json(response, status):
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/json", response["Content-Type"]
    return response.json()


# A NUL character in an address or a query parameter -------------------------------------------


@pytest.mark.parametrize("address", [*API_LISTS, *API_DETAILS])
def test_a_nul_character_in_any_api_filter_answers_400_naming_the_parameter(client, desk, address):
    names = list(API_LISTS[address].base_filters) if address in API_LISTS else []
    for name in [*names, "page", "page_size", "format", "anything"]:
        body = assert_json(client.get(address, {name: "a\x00b"}), 400)
        assert list(body) == [name]
        assert "NUL character (%00)" in body[name][0]


@pytest.mark.parametrize("address", API_OTHERS)
def test_a_nul_character_in_a_query_of_the_schema_or_docs_answers_400_in_json(client, address):
    body = assert_json(client.get(address, {"format": "\x00"}), 400)
    assert "NUL character" in body["format"][0]


@pytest.mark.parametrize("address", [a.rstrip("/") + "%00/" for a in API_DETAILS] + ["/api/v1/%00"])
def test_a_nul_character_in_an_api_address_answers_400_in_json(client, address):
    body = assert_json(client.get(address), 400)
    assert "The address contains a NUL character (%00)" in body["detail"]


@pytest.mark.parametrize("address", SITE_PAGES)
def test_a_nul_character_in_a_query_parameter_of_any_site_page_answers_a_400_page(client, desk, address):
    response = client.get(address, {"tag": "\x00"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert "The query parameter “tag”: contains a NUL character (%00)" in text


@pytest.mark.parametrize("address", ["/claims/%00/", "/stories/%00/", "/sources/%00/", "/%00"])
def test_a_nul_character_in_a_site_address_answers_a_400_page(client, address):
    response = client.get(address)
    assert response.status_code == 400
    assert "The address contains a NUL character (%00)" in response.content.decode()


def test_the_400_page_carries_the_security_headers(client):
    response = client.get("/claims/", {"tag": "\x00"})
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_nul_character_in_the_authorization_header_answers_400(client):
    body = assert_json(client.get("/api/v1/stories/", headers={"Authorization": "Token a\x00b"}), 400)
    assert "Authorization header contains a NUL character" in body["detail"]


def test_a_session_cookie_holding_a_nul_character_is_ignored(client):
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    assert client.get("/admin/login/").status_code == 200
    assert client.get("/admin/").status_code == 302  # to the login page: no session


def test_more_query_parameters_than_the_limit_answer_400_naming_the_limit(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    query = "&".join(f"p{n}=1" for n in range(11))
    body = assert_json(client.get(f"/api/v1/stories/?{query}"), 400)
    assert "more than 10 parameters" in body["detail"]
    page = client.get(f"/stories/?{query}")
    assert page.status_code == 400 and "more than 10 parameters" in page.content.decode()


# Filter values the messages must not choke on ----------------------------------------------------

NASTY_VALUES = ["%", "%s", "%(value)s", "100%25", "'", "\\", '"', "<script>", "é" * 300, "1" * 400]


@pytest.mark.parametrize("address", API_LISTS)
def test_any_filter_value_answers_200_or_a_400_naming_the_parameter(client, desk, address):
    names = [*API_LISTS[address].base_filters, "page", "page_size"]
    for name in names:
        for value in NASTY_VALUES:
            response = client.get(address, {name: value})
            if response.status_code != 200:
                body = assert_json(response, 400)
                assert list(body) == [name], (name, value, body)


def test_a_percent_sign_in_has_claims_answers_400_quoting_it(client):
    body = assert_json(client.get("/api/v1/stories/?has_claims=%25"), 400)
    assert body == {"has_claims": ["Give true or false, not '%'."]}


@pytest.mark.parametrize("address", ["/stories/", "/claims/", "/search/", "/sources/"])
def test_any_site_filter_value_answers_200_or_400(client, desk, address):
    for name in ["q", "tag", "verdict", "source", "published_after", "published_before", "page"]:
        for value in NASTY_VALUES:
            assert client.get(address, {name: value}).status_code in (200, 400), (name, value)


# Methods an endpoint does not answer -------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "reader", "ingester"])
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_put_patch_and_delete_answer_405_with_allow_for_everyone(client, desk, method, who):
    headers = {"anonymous": {}, "reader": token(), "ingester": token("add_story")}[who]
    for address in API_ADDRESSES:
        response = getattr(client, method)(address, {}, content_type="application/json", headers=headers)
        body = assert_json(response, 405)
        assert body == {"detail": f'Method "{method.upper()}" not allowed.'}, address
        allowed = [m.strip() for m in response["Allow"].split(",")]
        assert "GET" in allowed and method.upper() not in allowed, address


@pytest.mark.parametrize("who", ["anonymous", "ingester"])
def test_post_answers_405_everywhere_but_the_story_list(client, desk, who):
    headers = {"anonymous": {}, "ingester": token("add_story")}[who]
    for address in [a for a in API_ADDRESSES if a != "/api/v1/stories/"]:
        response = client.post(address, {}, content_type="application/json", headers=headers)
        assert assert_json(response, 405) == {"detail": 'Method "POST" not allowed.'}, address
        assert "POST" not in response["Allow"]


def test_a_post_to_the_story_list_still_needs_a_token(client):
    response = client.post("/api/v1/stories/", {}, content_type="application/json")
    assert assert_json(response, 401)["detail"].startswith("This needs a token")
    response = client.post("/api/v1/stories/", {}, content_type="application/json", headers=token())
    assert "stories.add_story" in assert_json(response, 403)["detail"]


# Bodies too large or too deep --------------------------------------------------------------------


def test_a_body_over_the_upload_limit_answers_413_naming_the_limit(client):
    body = json.dumps({"title": "Big", "source": "Wire", "body": "word " * 600_000})
    response = client.post(
        "/api/v1/stories/", body, content_type="application/json", headers=token("add_story")
    )
    detail = assert_json(response, 413)["detail"]
    assert "larger than the limit of 2,621,440 bytes (2.5 MB)" in detail
    assert not Story.objects.exists()


def test_the_413_names_the_configured_limit(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"title": "Big", "source": "Wire", "body": "word " * 300})
    response = client.post(
        "/api/v1/stories/", body, content_type="application/json", headers=token("add_story")
    )
    assert "limit of 1,000 bytes" in assert_json(response, 413)["detail"]


def test_any_other_request_django_finds_suspicious_answers_400_in_json():
    request = Request(RequestFactory().get("/api/v1/stories/"))
    response = exception_handler(SuspiciousOperation("a path outside the storage"), {"request": request})
    assert (response.status_code, response.data) == (400, {"detail": "The request could not be read."})
    assert isinstance(request.accepted_renderer, JSONRenderer)


@pytest.mark.parametrize("depth", [5000, 100_000])
def test_json_nested_thousands_deep_answers_400(client, depth):
    body = '{"title": ' + "[" * depth + "]" * depth + "}"
    response = client.post(
        "/api/v1/stories/", body, content_type="application/json", headers=token("add_story")
    )
    assert "nested too deeply" in assert_json(response, 400)["detail"]


def test_json_nested_just_under_the_parser_limit_answers_400_naming_the_field(client):
    body = '{"title": ' + "[" * 500 + "]" * 500 + "}"
    response = client.post(
        "/api/v1/stories/", body, content_type="application/json", headers=token("add_story")
    )
    assert "title" in assert_json(response, 400)


def test_malformed_json_answers_400(client):
    response = client.post(
        "/api/v1/stories/", "{", content_type="application/json", headers=token("add_story")
    )
    assert assert_json(response, 400)["detail"].startswith("JSON parse error")


# Slugs of digits only ----------------------------------------------------------------------------


@pytest.mark.parametrize("model", [Claim, Story, Source, Tag, TimelineEntry])
def test_a_slug_made_from_digits_alone_gets_the_models_name_in_front(model):
    name = model._meta.model_name
    assert unique_slug(model, "2026") == f"{name}-2026"
    assert unique_slug(model, "2026 06") == "2026-06"


def test_a_claim_written_as_a_number_gets_a_page_that_answers_200(client):
    claim = ClaimFactory(text="2026")
    assert claim.slug == "claim-2026"
    assert client.get(f"/claims/{claim.slug}/").status_code == 200
    by_id = client.get(f"/claims/{claim.pk}/")
    assert (by_id.status_code, by_id["Location"]) == (301, f"/claims/{claim.slug}/")


def test_a_story_ingested_from_a_source_named_by_a_number_gets_a_source_slug_with_a_word(client):
    item = {"title": "Japan to send officers", "body": "Four officers.", "source": "123"}
    response = client.post(
        "/api/v1/stories/", item, content_type="application/json", headers=token("add_story")
    )
    assert response.status_code == 201, response.content
    assert Source.objects.get(name="123").slug == "source-123"


ADMIN_FORMS = [
    (Claim, {"text": "A claim.", "proposed_verdict": "unreviewed"}),
    (Story, {"title": "A story"}),
    (Source, {"name": "An outlet"}),
    (Tag, {"name": "A tag"}),
    (Timeline, {"title": "A timeline"}),
    (TimelineEntry, {"title": "An entry", "date": "2026-05-29", "precision": "day"}),
]


@pytest.mark.parametrize(("model", "data"), ADMIN_FORMS, ids=[m._meta.model_name for m, _ in ADMIN_FORMS])
def test_the_admin_refuses_a_slug_of_digits_only_suggesting_one_with_a_word(model, data):
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(username="chief", is_superuser=True)
    form_class = admin.site._registry[model].get_form(request)
    form = form_class(data={**data, "slug": "123"})
    form.is_valid()
    name = model._meta.model_name
    assert form.errors["slug"] == [
        f"A slug of digits only reads as an id in addresses: add a word, e.g. “{name}-123”."
    ]
    form = form_class(data={**data, "slug": f"{name}-123"})
    form.is_valid()
    assert "slug" not in form.errors


def test_a_claim_stored_with_a_numeric_slug_never_redirects_to_itself(client):
    claim = ClaimFactory(slug="123")  # as made before slugs were checked
    response = client.get(f"/claims/{claim.slug}/")
    assert response.status_code in (200, 404)


# Database errors: unreachable is 503, anything else a logged 500 --------------------------------

FAULT = {}


def fault(request):
    FAULT["raise"]()
    return HttpResponse("no fault")


urlpatterns = [
    path("fault/", fault),
    path("api/fault/", fault),
    path("", include("newsroom.urls")),
]


@pytest.fixture
def faulty(client, settings, caplog):
    """A client whose /fault/ and /api/fault/ run FAULT["raise"], answering 500s rather than raising."""
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    caplog.set_level(logging.ERROR, logger="django.request")
    yield client
    FAULT.clear()


def as_django_raises(action):
    """Run action() and raise what Django's database layer raises for a sqlite3 error: its own
    OperationalError, caused by sqlite3's (whatever database the tests run on)."""

    def run():
        try:
            action()
        except sqlite3.Error as error:
            raise OperationalError(*error.args) from error

    return run


def failing_statement(sql):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql)

    return run


def assert_friendly_503(faulty, caplog):
    page = faulty.get("/fault/")
    assert page.status_code == 503 and page["Retry-After"] == "30"
    assert "temporarily unavailable" in page.content.decode() and "Traceback" not in page.content.decode()
    body = assert_json(faulty.get("/api/fault/"), 503)
    assert "cannot reach our database" in body["detail"]
    assert not [record for record in caplog.records if record.exc_info]


def assert_logged_500(faulty, caplog, error_type=Error):
    response = faulty.get("/fault/")
    assert response.status_code == 500
    assert "Traceback" not in response.content.decode()
    logged = [record for record in caplog.records if record.exc_info]
    assert logged and issubclass(logged[0].exc_info[0], error_type), caplog.records
    return logged[0].exc_info[1]


def test_a_database_file_that_cannot_be_opened_answers_503(faulty, caplog, tmp_path):
    FAULT["raise"] = as_django_raises(lambda: sqlite3.connect(tmp_path / "missing" / "db.sqlite3"))
    assert_friendly_503(faulty, caplog)


def test_a_locked_database_file_answers_503(faulty, caplog, tmp_path):
    holder = sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    FAULT["raise"] = as_django_raises(
        lambda: sqlite3.connect(tmp_path / "db.sqlite3", timeout=0).execute("SELECT * FROM t")
    )
    try:
        assert_friendly_503(faulty, caplog)
    finally:
        holder.close()


def test_an_sqlite_error_on_a_working_file_is_a_logged_500(faulty, caplog):
    FAULT["raise"] = as_django_raises(lambda: sqlite3.connect(":memory:").execute("SELECT * FROM nope"))
    assert "no such table" in str(assert_logged_500(faulty, caplog, OperationalError))


def test_a_failing_statement_is_a_logged_500(faulty, caplog):
    FAULT["raise"] = failing_statement("SELECT * FROM no_such_table")
    assert_logged_500(faulty, caplog)


def test_a_closed_cursor_used_by_mistake_is_a_logged_500(faulty, caplog):
    def misuse():
        cursor = connection.cursor()
        cursor.close()
        cursor.execute("SELECT 1")

    FAULT["raise"] = misuse
    assert_logged_500(faulty, caplog)  # an InterfaceError on PostgreSQL, a ProgrammingError on SQLite


@ON_POSTGRES
def test_a_deadlock_is_a_logged_500_not_a_503(faulty, caplog):
    FAULT["raise"] = failing_statement(
        "DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = 'deadlock_detected'; END $$"
    )
    error = assert_logged_500(faulty, caplog, OperationalError)
    assert isinstance(error.__cause__, psycopg.errors.DeadlockDetected)


@ON_POSTGRES
def test_a_text_too_long_for_a_search_vector_is_a_logged_500(faulty, caplog):
    FAULT["raise"] = failing_statement(
        "SELECT to_tsvector('simple', string_agg(md5(i::text), ' ')) FROM generate_series(1, 40000) AS i"
    )
    error = assert_logged_500(faulty, caplog, OperationalError)
    assert "string is too long for tsvector" in str(error)


@ON_POSTGRES
def test_a_statement_timeout_is_a_logged_500(faulty, caplog):
    def slow():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = '10ms'")
            cursor.execute("SELECT pg_sleep(1)")

    FAULT["raise"] = slow
    assert isinstance(
        assert_logged_500(faulty, caplog, OperationalError).__cause__, psycopg.errors.QueryCanceled
    )


@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_cut_answers_503_until_it_is_made_again(faulty, caplog):
    FAULT["raise"] = failing_statement("SELECT 1")
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    server = {key.lower(): connection.settings_dict[key] for key in ("HOST", "PORT", "USER", "PASSWORD")}
    with psycopg.connect(**server, dbname="postgres", autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    try:
        # The server's "terminating connection" (57P01), then the client's "the connection is closed".
        assert_friendly_503(faulty, caplog)
    finally:
        connection.close()
    assert faulty.get("/fault/").status_code == 200


@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_a_database_server_that_refuses_connections_answers_503(faulty, caplog):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    FAULT["raise"] = failing_statement("SELECT 1")
    saved = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = port
    try:
        assert_friendly_503(faulty, caplog)
    finally:
        connection.close()
        connection.settings_dict["PORT"] = saved
    assert faulty.get("/fault/").status_code == 200
