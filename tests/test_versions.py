"""Trusted updates (DESIGN.md rules 4 and 8): an item updates a stored story only from the same
outlet, a published story's new text waits as a version until an editor accepts it, an editor's
correction is never overwritten by a re-ingest, and a dropped quote is flagged."""

from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from stories.models import ClaimAppearance, Source, Story, StoryVersion
from stories.services import versions
from stories.services.ingest import IngestError, Item, ingest_item

from .admin_forms import save_through_admin
from .admin_personas import member
from .factories import AppearanceFactory, SourceFactory, StoryFactory, UserFactory
from .ingesting import ingest

pytestmark = pytest.mark.django_db

CALIBER_URL = (
    "https://caliber.az/en/post/japan-to-send-officers-to-nato-command-supporting-ukraine-for-first-time"
)
HOSTILE_FEED = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
  <title>Totally Different Blog</title>
  <link>https://totally-different.example/</link>
  <description>Not Caliber.az</description>
  <item>
    <title>Japan refuses to send anyone anywhere</title>
    <link>{CALIBER_URL}</link>
    <guid isPermaLink="false">tdb-1</guid>
    <description>A rewritten text that should never reach Caliber.az's story.</description>
  </item>
</channel></rss>
"""


@pytest.fixture
def demo(db):
    call_command("loaddata", "deployment", verbosity=0)


@pytest.fixture
def caliber(demo):
    return Story.objects.get(url=CALIBER_URL)


def public_titles(client):
    return [row["title"] for row in client.get("/api/v1/stories/?page_size=100").json()["results"]]


def adder():
    user = UserFactory(username="api-ingester")
    user.user_permissions.add(Permission.objects.get(codename="add_story", content_type__app_label="stories"))
    return {"Authorization": f"Token {Token.objects.create(user=user).key}"}


# --- another outlet cannot touch a story -----------------------------------------------------------


def test_a_feed_from_totally_different_blog_whose_link_is_caliber_azs_story_url_does_not_rewrite_it(
    caliber, tmp_path, client
):
    before = Story.objects.values().get(pk=caliber.pk)
    feed = tmp_path / "hostile.xml"
    feed.write_text(HOSTILE_FEED)
    out, err, failed = ingest(feed)
    assert failed is not None
    assert (
        f"{feed}:item 1: {CALIBER_URL} is the address of “{caliber.title}” from Caliber.az; "
        "an item from Totally Different Blog cannot update it"
    ) in err
    assert Story.objects.values().get(pk=caliber.pk) == before
    assert not Source.objects.filter(name="Totally Different Blog").exists()  # the item is atomic
    assert caliber.title in public_titles(client)
    assert "Japan refuses to send anyone anywhere" not in public_titles(client)


def test_an_api_token_with_add_story_cannot_rewrite_another_outlets_story(caliber, client):
    before = Story.objects.values().get(pk=caliber.pk)
    response = client.post(
        "/api/v1/stories/",
        {
            "title": "Hijacked headline",
            "body": "Hijacked.",
            "url": CALIBER_URL,
            "source": "Totally Different Blog",
        },
        content_type="application/json",
        headers=adder(),
    )
    assert response.status_code == 400
    assert (
        "is the address of" in response.json()["detail"]
        and "Totally Different Blog" in response.json()["detail"]
    )
    assert Story.objects.values().get(pk=caliber.pk) == before


def test_a_token_claiming_the_outlet_itself_only_proposes_a_version_readers_do_not_see(caliber, client):
    before = Story.objects.values().get(pk=caliber.pk)
    response = client.post(
        "/api/v1/stories/",
        {"title": "Hijacked headline", "body": "Hijacked.", "url": CALIBER_URL, "source": "Caliber.az"},
        content_type="application/json",
        headers=adder(),
    )
    assert response.status_code == 200
    assert response.json()["outcome"] == "held"
    assert Story.objects.values().get(pk=caliber.pk) == before
    assert "Hijacked headline" not in public_titles(client) and caliber.title in public_titles(client)
    pending = StoryVersion.objects.pending().get(story=caliber)
    assert (pending.title, pending.kind, pending.created_by.username) == (
        "Hijacked headline",
        "ingest",
        "api-ingester",
    )
    assert f"-{caliber.title}" in pending.diff and "+Hijacked headline" in pending.diff


def test_a_guid_names_an_item_within_its_own_outlet_only():
    wire, blog = SourceFactory(name="Wire"), SourceFactory(name="Blog")
    first = ingest_item(Item(title="Wire item", body="From the wire.", guid="1234"), source=wire)
    other = ingest_item(Item(title="Blog item", body="From the blog.", guid="1234"), source=blog)
    assert other.outcome == "new" and other.story != first.story
    assert Story.objects.get(pk=first.story.pk).title == "Wire item"


# --- versions of a published story --------------------------------------------------------------


@pytest.fixture
def desk():
    return member("Editors", "desk-ed")


@pytest.fixture
def published():
    source = SourceFactory(name="Harbour Wire")
    result = ingest_item(
        Item(title="Cranes back", body="All six cranes work again.", url="https://harbour.example/cranes"),
        source=source,
    )
    Story.objects.filter(pk=result.story.pk).update(status=Story.Status.PUBLISHED)
    return Story.objects.get(pk=result.story.pk)


def redelivery(**changes):
    fields = {
        "title": "Cranes back",
        "body": "All six cranes work again.",
        "url": "https://harbour.example/cranes",
    }
    return Item(**{**fields, **changes, "origin": "wire.rss:item 1"})


def test_a_new_text_of_a_published_story_waits_for_an_editor_and_readers_keep_the_reviewed_one(published):
    result = ingest_item(redelivery(body="Five of the six cranes work again."), source=published.source)
    assert result.outcome == "held" and "waits for an editor" in result.message
    story = Story.objects.get(pk=published.pk)
    assert story.body == "All six cranes work again."
    assert Story.objects.public().get(pk=story.pk).body == "All six cranes work again."
    pending = story.versions.pending().get()
    assert (pending.body, pending.origin, pending.kind) == (
        "Five of the six cranes work again.",
        "wire.rss:item 1",
        "ingest",
    )
    # the same item again changes nothing (rule 4)
    again = ingest_item(redelivery(body="Five of the six cranes work again."), source=published.source)
    assert again.outcome == "unchanged" and "already waits" in again.message
    assert story.versions.count() == 2


def test_accepting_a_version_applies_it_and_records_who(published, editor):
    ingest_item(redelivery(title="Cranes back at the east quay"), source=published.source)
    accepted = versions.accept_version(published.versions.pending().get(), by=editor)
    story = Story.objects.get(pk=published.pk)
    assert story.title == "Cranes back at the east quay"
    assert (accepted.state, accepted.accepted_by) == ("accepted", editor) and accepted.accepted_at
    assert story.history.latest().history_user == editor
    assert not story.versions.pending().exists()
    # the accepted text is the story's: the same item again changes nothing
    assert (
        ingest_item(redelivery(title="Cranes back at the east quay"), source=published.source).outcome
        == "unchanged"
    )


def test_a_newer_text_supersedes_the_one_waiting(published):
    ingest_item(redelivery(body="First change."), source=published.source)
    ingest_item(redelivery(body="Second change."), source=published.source)
    states = dict(published.versions.values_list("body", "state"))
    assert states == {
        "All six cranes work again.": "accepted",
        "First change.": "superseded",
        "Second change.": "pending",
    }


def test_a_dismissed_text_is_not_proposed_again(published, editor):
    ingest_item(redelivery(body="A wrong text."), source=published.source)
    versions.dismiss_version(published.versions.pending().get(), by=editor)
    again = ingest_item(redelivery(body="A wrong text."), source=published.source)
    assert again.outcome == "unchanged"
    assert not published.versions.pending().exists()
    assert Story.objects.get(pk=published.pk).body == "All six cranes work again."


def test_a_story_nobody_reads_yet_takes_the_new_text_at_once_and_keeps_the_old_as_a_version():
    source = SourceFactory()
    first = ingest_item(
        Item(title="Early", body="Two ships collided.", url="https://a.example/1"), source=source
    )
    second = ingest_item(
        Item(title="Early", body="Two ships touched.", url="https://a.example/1"), source=source
    )
    assert second.outcome == "updated"
    story = Story.objects.get(pk=first.story.pk)
    assert story.body == "Two ships touched."
    assert list(story.versions.order_by("pk").values_list("body", "kind", "state")) == [
        ("Two ships collided.", "ingest", "accepted"),
        ("Two ships touched.", "ingest", "accepted"),
    ]


# --- an editor's correction stands --------------------------------------------------------------


def test_re_ingesting_an_item_never_reverts_an_editors_correction(published, desk):
    corrected = save_through_admin(
        Story.objects.get(pk=published.pk), desk, title="Cranes back after the storm"
    )
    assert corrected.edited_fields == ["title"]
    edit = published.versions.latest("pk")
    assert (edit.kind, edit.accepted_by, edit.title) == ("editor", desk, "Cranes back after the storm")
    # the same item again: nothing changes, the correction stands
    assert ingest_item(redelivery(), source=published.source).outcome == "unchanged"
    # a new body from the outlet keeps the editor's title in the version it proposes
    result = ingest_item(redelivery(body="Five cranes work."), source=published.source)
    assert result.outcome == "held"
    assert published.versions.pending().get().title == "Cranes back after the storm"
    versions.accept_version(published.versions.pending().get(), by=desk)
    story = Story.objects.get(pk=published.pk)
    assert (story.title, story.body) == ("Cranes back after the storm", "Five cranes work.")


def test_an_unpublished_story_keeps_the_editors_fields_too(desk):
    source = SourceFactory()
    story = ingest_item(Item(title="Draft", body="Body one.", url="https://a.example/d"), source=source).story
    save_through_admin(Story.objects.get(pk=story.pk), desk, title="Draft, corrected")
    ingest_item(Item(title="Draft", body="Body two.", url="https://a.example/d"), source=source)
    story.refresh_from_db()
    assert (story.title, story.body) == ("Draft, corrected", "Body two.")


def test_a_text_waiting_for_review_is_rebased_on_an_editors_edit(published, desk):
    ingest_item(redelivery(title="Outlet's new title", body="Outlet's new body."), source=published.source)
    save_through_admin(Story.objects.get(pk=published.pk), desk, title="Editor's title")
    pending = published.versions.pending().get()
    assert (pending.title, pending.body) == ("Editor's title", "Outlet's new body.")
    assert "title" not in pending.diff


def test_a_stale_full_save_does_not_forget_the_edited_fields(published, desk):
    stale = Story.objects.get(pk=published.pk)
    save_through_admin(Story.objects.get(pk=published.pk), desk, title="Edited once")
    save_through_admin(stale, desk, byline="Desk")
    assert Story.objects.get(pk=published.pk).edited_fields == ["byline", "title"]


# --- the admin ------------------------------------------------------------------------------------


def test_the_admin_lists_flags_and_accepts_a_changed_story(published, client):
    ingest_item(redelivery(body="Five of the six cranes work again."), source=published.source)
    chief = member("Editors", "desk-ed")
    client.force_login(chief)
    listing = client.get("/admin/stories/story/?changed=yes")
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [published]
    assert '<span class="badge changed"' in listing.content.decode()
    assert list(client.get("/admin/stories/story/?changed=no").context["cl"].result_list) == []
    page = client.get(f"/admin/stories/story/{published.pk}/change/").content.decode()
    assert 'id="changed-banner"' in page and "Changed since review" in page
    version = published.versions.pending().get()
    compare = client.get(f"/admin/stories/story/{published.pk}/versions/{version.pk}/")
    assert compare.status_code == 200 and '<ins class="diff">Five of the</ins>' in compare.content.decode()
    response = client.post(
        f"/admin/stories/story/{published.pk}/versions/{version.pk}/", {"decision": "accept"}
    )
    assert response.status_code == 302
    story = Story.objects.get(pk=published.pk)
    assert story.body == "Five of the six cranes work again."
    assert StoryVersion.objects.get(pk=version.pk).accepted_by == chief
    assert (
        'id="changed-banner"'
        not in client.get(f"/admin/stories/story/{published.pk}/change/").content.decode()
    )


def test_the_story_list_action_accepts_the_waiting_texts(published, client):
    ingest_item(redelivery(body="Changed."), source=published.source)
    client.force_login(member("Editors", "desk-ed"))
    client.post(
        "/admin/stories/story/",
        {"action": "accept_pending_texts", "_selected_action": [published.pk]},
    )
    assert Story.objects.get(pk=published.pk).body == "Changed."


def test_a_reader_of_the_admin_cannot_accept(published, client):
    ingest_item(redelivery(body="Changed."), source=published.source)
    viewer = UserFactory(username="viewer")
    viewer.user_permissions.add(
        Permission.objects.get(codename="view_story", content_type__app_label="stories")
    )
    client.force_login(viewer)
    version = published.versions.pending().get()
    url = f"/admin/stories/story/{published.pk}/versions/{version.pk}/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"decision": "accept"}).status_code == 403
    assert Story.objects.get(pk=published.pk).body == "All six cranes work again."


# --- quote watch ------------------------------------------------------------------------------------


def test_a_new_text_that_drops_a_tagged_quote_flags_the_appearance(published, client, editor):
    kept = AppearanceFactory(story=published, quote="all SIX cranes")
    ingest_item(redelivery(body="Five of the six cranes work again."), source=published.source)
    version = published.versions.pending().get()
    flagged = ClaimAppearance.objects.get(pk=kept.pk)
    assert flagged.dropped_at is not None and flagged.dropped_in == version
    client.force_login(member("Editors", "desk-ed"))
    listing = client.get("/admin/stories/claimappearance/?dropped=yes")
    assert list(listing.context["cl"].result_list) == [flagged]
    # a later text holding the quote again clears the flag
    ingest_item(redelivery(body="All six cranes work again, the operator says."), source=published.source)
    assert ClaimAppearance.objects.get(pk=kept.pk).dropped_at is None


def test_dismissing_the_text_that_dropped_a_quote_clears_its_flag(published, editor):
    appearance = AppearanceFactory(story=published, quote="All six cranes work again.")
    ingest_item(redelivery(body="Nothing works."), source=published.source)
    assert ClaimAppearance.objects.get(pk=appearance.pk).dropped_at is not None
    versions.dismiss_version(published.versions.pending().get(), by=editor)
    assert ClaimAppearance.objects.get(pk=appearance.pk).dropped_at is None


# --- every story has its versions -----------------------------------------------------------------


def test_every_fixture_story_gets_its_first_version(demo):
    assert Story.objects.count() == StoryVersion.objects.count() == 11
    assert set(StoryVersion.objects.values_list("kind", "state")) == {("initial", "accepted")}
    for story in Story.objects.all():
        assert story.versions.get().title == story.title


def test_reloading_the_fixtures_adds_no_second_version(demo):
    call_command("loaddata", "deployment", verbosity=0)
    assert StoryVersion.objects.count() == 11


def test_the_migration_gives_stories_on_file_their_first_version():
    story = StoryFactory()
    StoryVersion.objects.all().delete()
    import_module("stories.migrations.0008_story_versions").first_versions(apps, None)
    version = StoryVersion.objects.get()
    assert (version.story, version.title, version.body, version.kind) == (
        story,
        story.title,
        story.body,
        "initial",
    )
    assert version.fingerprint == versions.fingerprint_of(versions.text_of(story))


def test_a_story_stored_by_any_path_has_its_first_version(editor):
    assert StoryFactory().versions.count() == 1
    source = SourceFactory()
    result = ingest_item(Item(title="T", body="B", origin="api:item"), source=source, by=editor)
    version = result.story.versions.get()
    assert (version.kind, version.origin, version.created_by) == ("ingest", "api:item", editor)


def test_a_refused_item_leaves_no_version():
    with pytest.raises(IngestError):
        ingest_item(Item(title="T", body="<script>x</script>"), source=SourceFactory())
    assert not StoryVersion.objects.exists()


def test_an_edit_from_a_form_loaded_before_a_merge_keeps_the_merge_and_records_it(published, desk):
    from stories.services.merge import merge

    stale = Story.objects.get(pk=published.pk)
    canonical = StoryFactory(source=published.source)
    merge(Story.objects.get(pk=published.pk), canonical, by=desk, reason="copy")
    save_through_admin(stale, desk, byline="Desk")
    story = Story.objects.get(pk=published.pk)
    assert story.merged_into == canonical and story.byline == "Desk"
    assert story.history.latest().merged_into_id == canonical.pk
