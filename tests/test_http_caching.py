"""Conditional GET, the versioned page cache and Cache-Control on public pages."""

import pytest
from django.urls import reverse

from stories.models import SiteVersion, TimelineEntry

from .factories import AppearanceFactory, ClaimFactory, EntryFactory, NoteFactory, StoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry():
    entry = EntryFactory(title="Verified milestone", claims=[ClaimFactory()])
    TimelineEntry.objects.filter(pk=entry.pk).update(is_published=True)
    entry.refresh_from_db()
    return entry


def test_public_page_carries_an_etag_and_a_shared_cache_lifetime(client, entry, settings):
    settings.NEWSROOM_PUBLIC_MAX_AGE = 90
    response = client.get("/")
    assert response["ETag"].endswith(f'-{settings.NEWSROOM_RELEASE}"')
    assert "public" in response["Cache-Control"] and "max-age=90" in response["Cache-Control"]


def test_a_new_release_changes_the_etag_and_the_cached_page(client, entry, settings):
    first = client.get("/")
    settings.NEWSROOM_RELEASE = "next-release"
    second = client.get("/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200 and second["ETag"] != first["ETag"]


def test_a_version_counter_that_goes_back_never_repeats_an_etag(client, entry):
    first = client.get("/")["ETag"]
    counter = SiteVersion.objects.get(pk=1).counter
    SiteVersion.bump()
    SiteVersion.objects.filter(pk=1).update(counter=counter)  # as after restoring a backup
    assert client.get("/")["ETag"] != first


def test_the_page_cache_is_kept_per_host(client, entry, settings):
    settings.ALLOWED_HOSTS = ["a.example", "b.example"]
    client.get("/claims/", HTTP_HOST="a.example")
    page = client.get("/claims/", HTTP_HOST="b.example").text
    assert "http://b.example/" in page and "a.example" not in page


def test_made_up_query_strings_are_not_cached_but_filters_are(client, entry, django_assert_num_queries):
    client.get("/claims/?utm_source=x")
    with django_assert_num_queries(4):  # rendered again: version, count, page of claims, tags
        client.get("/claims/?utm_source=x")
    client.get("/claims/?verdict=accurate")
    with django_assert_num_queries(1):  # cached: the version only
        client.get("/claims/?verdict=accurate")


def test_repeat_visit_is_answered_304_with_one_query(client, entry, django_assert_num_queries):
    etag = client.get("/")["ETag"]
    with django_assert_num_queries(1):  # the site version
        response = client.get("/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""


def test_cached_page_is_served_with_one_query(client, entry, django_assert_num_queries):
    first = client.get("/")
    with django_assert_num_queries(1):
        second = client.get("/")
    assert second.content == first.content


def test_a_save_changes_the_etag_and_refreshes_the_cached_page(client, entry):
    first = client.get("/")
    entry.title = "Renamed milestone"
    entry.save()
    second = client.get("/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert "Renamed milestone" in second.text


def test_changing_a_claims_verdict_invalidates_the_timeline(client, entry):
    assert "Verified milestone" in client.get("/").text
    claim = entry.claims.get()
    claim.verdict = "unproven"
    claim.save()
    assert "Verified milestone" not in client.get("/").text


def test_adding_and_removing_an_entrys_claim_move_the_site_version(entry):
    claim = ClaimFactory()
    before = SiteVersion.current()
    entry.claims.add(claim)
    added = SiteVersion.current()
    entry.claims.remove(claim)
    assert before != added != SiteVersion.current()


CHANGES = {
    "source": lambda s: (setattr(s.source, "name", "Renamed"), s.source.save()),
    "story": lambda s: (setattr(s, "title", "Renamed"), s.save()),
    "appearance": lambda s: AppearanceFactory(story=s),
    "appearance deleted": lambda s: AppearanceFactory(story=s).delete(),
    "evidence": lambda s: ClaimFactory().evidence.create(url="https://e.example/1", publisher="P"),
    "note": lambda s: NoteFactory(story=s, visibility="public"),
    "note deleted": lambda s: NoteFactory(story=s).delete(),
    "tag added to a claim": lambda s: ClaimFactory().tags.create(name="Dispatch"),
    "entry": lambda s: EntryFactory(),
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_kind_of_public_content_change_moves_the_site_version(change):
    story = StoryFactory()
    before = SiteVersion.current()
    CHANGES[change](story)
    assert SiteVersion.current() != before


def test_not_found_pages_are_not_cached_as_public(client):
    response = client.get("/stories/no-such-story/")
    assert response.status_code == 404
    assert "ETag" not in response


def test_unpublished_story_is_not_served_from_a_stale_cache(client):
    story = StoryFactory()
    assert client.get(story.get_absolute_url()).status_code == 200
    story.status = "rejected"
    story.save()
    assert client.get(story.get_absolute_url()).status_code == 404


def test_healthz_is_never_cached(client):
    response = client.get(reverse("stories:healthz"))
    assert response.status_code == 200 and response.text == "ok\n"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
