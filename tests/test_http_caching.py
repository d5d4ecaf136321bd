"""Conditional GET, the versioned page cache and Cache-Control on public pages."""

import pytest
from django.urls import reverse

from stories.models import SiteVersion, TimelineEntry
from stories.services.claims import override_verdict, propose_verdict
from stories.services.timeline import edit_entry, publish_entry, publish_revision

from .factories import (
    AppearanceFactory,
    ClaimFactory,
    EntryFactory,
    NoteFactory,
    SourceFactory,
    StoryFactory,
    UserFactory,
    approved_verdict,
)

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
    approved_verdict(claim, "unproven", "No record confirms it yet.")
    assert "Verified milestone" not in client.get("/").text


def test_adding_and_removing_an_entrys_claim_move_the_site_version(entry):
    claim = ClaimFactory()
    before = SiteVersion.current()
    entry.claims.add(claim)
    added = SiteVersion.current()
    entry.claims.remove(claim)
    assert before != added != SiteVersion.current()


# Each case: (set up, then change). Only the change happens between the two readings.
PUBLIC_CHANGES = {
    "source renamed": (
        lambda: StoryFactory(),
        lambda s: (setattr(s.source, "name", "Renamed"), s.source.save()),
    ),
    "published story edited": (lambda: StoryFactory(), lambda s: (setattr(s, "title", "Renamed"), s.save())),
    "story published": (
        lambda: StoryFactory(status="in_review"),
        lambda s: (setattr(s, "status", "published"), s.save()),
    ),
    "story unpublished": (lambda: StoryFactory(), lambda s: (setattr(s, "status", "in_review"), s.save())),
    "appearance": (
        lambda: (StoryFactory(), ClaimFactory()),
        lambda o: AppearanceFactory(story=o[0], claim=o[1]),
    ),
    "appearance deleted": (lambda: AppearanceFactory(), lambda a: a.delete()),
    "evidence": (
        lambda: ClaimFactory(),
        lambda c: c.evidence.create(url="https://e.example/1", publisher="P"),
    ),
    "evidence deleted": (
        lambda: ClaimFactory().evidence.create(url="https://e.example/1", publisher="P"),
        lambda e: e.delete(),
    ),
    "public note": (lambda: StoryFactory(), lambda s: NoteFactory(story=s, visibility="public")),
    "public note deleted": (
        lambda: NoteFactory(story=StoryFactory(), visibility="public"),
        lambda n: n.delete(),
    ),
    "note made public": (
        lambda: NoteFactory(story=StoryFactory(), visibility="internal"),
        lambda n: (setattr(n, "visibility", "public"), n.save()),
    ),
    "tag added to a claim": (lambda: ClaimFactory(), lambda c: c.tags.create(name="Dispatch")),
    "tag renamed": (
        lambda: ClaimFactory().tags.create(name="Dispatch"),
        lambda t: (setattr(t, "name", "Deployment"), t.save()),
    ),
    "public note made internal": (
        lambda: NoteFactory(story=StoryFactory(), visibility="public"),
        lambda n: (setattr(n, "visibility", "internal"), n.save()),
    ),
    "verdict changed": (
        lambda: ClaimFactory(),
        lambda c: approved_verdict(c, "inaccurate", "Contradicted."),
    ),
    "claim reviewed": (
        lambda: ClaimFactory(verdict="unreviewed", explanation=""),
        lambda c: approved_verdict(c, "accurate", "Confirmed by the record."),
    ),
    "verdict withdrawn": (lambda: ClaimFactory(), lambda c: approved_verdict(c, "unreviewed", "")),
    "verdict published by a chief editor's override": (
        lambda: ClaimFactory(verdict="unreviewed", explanation=""),
        lambda c: override_verdict(
            c, "accurate", "Confirmed.", "The ministry confirmed it live.", by=UserFactory(is_superuser=True)
        ),
    ),
    "entry published": (lambda: EntryFactory(claims=[ClaimFactory()]), lambda e: publish_entry(e, by=None)),
    "change to a published entry published": (
        lambda: edit_entry(
            EntryFactory(is_published=True, claims=[ClaimFactory()]), {"title": "Renamed"}, by=UserFactory()
        ),
        lambda revision: publish_revision(revision, by=UserFactory(is_superuser=True)),
    ),
    "published entry edited": (
        lambda: EntryFactory(is_published=True),
        lambda e: (setattr(e, "title", "New"), e.save()),
    ),
}

# Changes readers cannot see: they must leave every kept page in place.
PRIVATE_CHANGES = {
    "internal note": (lambda: StoryFactory(), lambda s: NoteFactory(story=s, visibility="internal")),
    "internal note deleted": (
        lambda: NoteFactory(story=StoryFactory(), visibility="internal"),
        lambda n: n.delete(),
    ),
    "new story ingested": (lambda: SourceFactory(), lambda source: StoryFactory(source=source, status="new")),
    "unpublished story edited": (
        lambda: StoryFactory(status="in_review"),
        lambda s: (setattr(s, "title", "Draft"), s.save()),
    ),
    "unreviewed claim edited": (
        lambda: ClaimFactory(verdict="unreviewed", explanation=""),
        lambda c: (setattr(c, "text", "Reworded"), c.save()),
    ),
    "claim of an unpublished story": (
        lambda: (StoryFactory(status="new"), ClaimFactory(verdict="unreviewed", explanation="")),
        lambda o: AppearanceFactory(story=o[0], claim=o[1]),
    ),
    "unpublished entry edited": (
        lambda: EntryFactory(is_published=False),
        lambda e: (setattr(e, "title", "Draft"), e.save()),
    ),
    # Rule 8: a change to a published entry waits for a chief editor.
    "change to a published entry proposed": (
        lambda: EntryFactory(is_published=True, claims=[ClaimFactory()]),
        lambda e: edit_entry(e, {"title": "Renamed"}, by=UserFactory()),
    ),
    # Rule 9: a proposal waits for a second editor; readers see nothing of it.
    "verdict proposed": (
        lambda: ClaimFactory(verdict="unreviewed", explanation=""),
        lambda c: propose_verdict(c, "accurate", "Confirmed by the record.", by=UserFactory()),
    ),
    "new verdict proposed for a reviewed claim": (
        lambda: ClaimFactory(),
        lambda c: propose_verdict(c, "inaccurate", "Contradicted.", by=UserFactory()),
    ),
}


@pytest.mark.parametrize("change", PUBLIC_CHANGES)
def test_every_kind_of_public_change_moves_the_site_version_after_commit(change):
    set_up, apply = PUBLIC_CHANGES[change]
    subject = set_up()
    before = SiteVersion.current()
    apply(subject)
    assert SiteVersion.current() != before


@pytest.mark.parametrize("change", PRIVATE_CHANGES)
def test_changes_readers_cannot_see_leave_the_site_version_alone(change):
    set_up, apply = PRIVATE_CHANGES[change]
    subject = set_up()
    before = SiteVersion.current()
    apply(subject)
    assert SiteVersion.current() == before


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


def kept_keys():
    from django.core.cache import cache

    return {key for key in cache._cache if ":page:" in key or ":api:" in key}  # local memory cache


def test_made_up_parameter_values_are_answered_but_never_kept(client):
    StoryFactory()
    ClaimFactory()
    for i in range(30):
        for address in [
            f"/stories/?page={i + 2}",  # past the last page
            f"/stories/?page=0{i}",  # a page, but not by its own number
            f"/stories/?source=no-such-source-{i}",
            f"/claims/?tag=no-such-tag-{i}",
            f"/claims/?verdict=made-up-{i}",
            f"/api/v1/stories/?page={i + 2}",
            f"/api/v1/claims/?verdict=made-up-{i}",
            f"/api/v1/stories/?q=word{i}",
        ]:
            assert client.get(address).status_code in (200, 400, 404), address
    assert kept_keys() == set()


def test_addresses_with_known_values_are_kept_once_each(client):
    story = StoryFactory()
    claim = AppearanceFactory(story=story).claim
    addresses = ["/", "/stories/", "/stories/?page=1", f"/stories/?source={story.source.slug}"]
    addresses += [f"/claims/?verdict={claim.verdict}", claim.get_absolute_url(), "/api/v1/stories/"]
    for address in addresses * 3:
        assert client.get(address).status_code == 200, address
    assert len(kept_keys()) == len(addresses)
