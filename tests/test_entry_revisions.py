"""Rule 8 for the timeline: an editor's change to a published entry (its date, title, text or
claims) is kept as a pending revision; readers keep the published entry until a chief editor
publishes the change. Enforced in stories.services.timeline; the admin goes through it."""

import datetime

import pytest
from django.urls import reverse

from stories.errors import EditorialError
from stories.models import EntryRevision, SiteVersion, TimelineEntry, Verdict
from stories.services.timeline import edit_entry, publish_entry, publish_revision

from .admin_forms import form_data
from .admin_personas import member
from .factories import ClaimFactory, EntryFactory

pytestmark = pytest.mark.django_db

ENTRIES = "/admin/stories/timelineentry/"


@pytest.fixture
def chief(db):
    return member("Chief editors", "chief")


@pytest.fixture
def ed(db):
    return member("Editors", "ed")


@pytest.fixture
def entry(chief):
    claim = ClaimFactory(text="Four officers were named.", verdict=Verdict.ACCURATE)
    entry = EntryFactory(title="Officers named", text="The ministry names four officers.", claims=[claim])
    return publish_entry(entry, by=chief)


def what_readers_see(client):
    return {
        "timeline": client.get(reverse("stories:timeline")).text,
        "feed": client.get(reverse("stories:feed-timeline")).text,
        "api": client.get("/api/v1/timeline/").text,
    }


def test_a_change_to_a_published_entry_waits_and_readers_keep_the_published_one(client, entry, ed):
    other = ClaimFactory(text="They report to Wiesbaden.", verdict=Verdict.ACCURATE)
    before = SiteVersion.current()
    revision = edit_entry(
        entry, {"title": "Officers renamed", "date": datetime.date(2026, 6, 1)}, [other], by=ed
    )
    assert (revision.state, revision.proposed_by, revision.title) == (
        EntryRevision.State.PENDING,
        ed,
        "Officers renamed",
    )
    assert set(revision.claims.all()) == {other}
    assert SiteVersion.current() == before  # nothing readers see changed
    stored = TimelineEntry.objects.get(pk=entry.pk)
    assert (stored.title, stored.date, stored.is_published) == ("Officers named", entry.date, True)
    assert [c.text for c in stored.claims.all()] == ["Four officers were named."]
    for surface, text in what_readers_see(client).items():
        assert "Officers named" in text and "Officers renamed" not in text, surface


def test_a_chief_editor_publishes_the_change(client, entry, ed, chief):
    revision = edit_entry(entry, {"text": "The ministry names four officers and their posts."}, by=ed)
    before = SiteVersion.current()
    publish_revision(revision, by=chief)
    assert SiteVersion.current() != before
    stored = TimelineEntry.objects.get(pk=entry.pk)
    assert stored.text == "The ministry names four officers and their posts."
    revision.refresh_from_db()
    assert (revision.state, revision.published_by) == (EntryRevision.State.PUBLISHED, chief)
    assert stored.history.latest().history_change_reason == "Published the change proposed by ed"
    assert "and their posts" in what_readers_see(client)["timeline"]


def test_only_a_chief_editor_publishes_a_change(entry, ed):
    revision = edit_entry(entry, {"title": "Officers renamed"}, by=ed)
    with pytest.raises(EditorialError, match="Only a chief editor"):
        publish_revision(revision, by=member("Editors", "ed2"))
    assert TimelineEntry.objects.get(pk=entry.pk).title == "Officers named"


def test_a_change_resting_on_an_unchecked_claim_cannot_be_published(entry, ed, chief):
    doubtful = ClaimFactory(text="Russia protested formally.", verdict=Verdict.UNPROVEN)
    revision = edit_entry(entry, {}, [doubtful], by=ed)
    with pytest.raises(EditorialError, match="“Russia protested formally.” \\(unproven\\)"):
        publish_revision(revision, by=chief)
    assert [c.text for c in TimelineEntry.objects.get(pk=entry.pk).claims.all()] == [
        "Four officers were named."
    ]


def test_changes_build_on_the_one_waiting_and_going_back_withdraws_it(entry, ed, chief):
    first = edit_entry(entry, {"title": "Officers renamed"}, by=ed)
    second = edit_entry(entry, {"text": "New text."}, by=chief)
    assert (second.title, second.text) == ("Officers renamed", "New text.")
    assert EntryRevision.objects.get(pk=first.pk).state == EntryRevision.State.SUPERSEDED
    assert (
        edit_entry(entry, {"title": "Officers named", "text": "The ministry names four officers."}, by=ed)
        is None
    )
    assert not EntryRevision.objects.pending().exists()


def test_an_unpublished_entry_changes_at_once(ed):
    entry = EntryFactory(title="Draft", claims=[ClaimFactory()])
    assert edit_entry(entry, {"title": "Draft, reworded"}, by=ed) is None
    assert TimelineEntry.objects.get(pk=entry.pk).title == "Draft, reworded"


def test_the_admin_keeps_an_editors_change_waiting_and_shows_it_with_its_diff(client, entry, ed, chief):
    client.force_login(ed)
    url = f"{ENTRIES}{entry.pk}/change/"
    form = form_data(client.get(url).context["adminform"].form)
    response = client.post(url, {**form, "title": "Officers renamed"}, follow=True)
    assert any("until a chief editor publishes your change" in str(m) for m in response.context["messages"])
    assert TimelineEntry.objects.get(pk=entry.pk).title == "Officers named"
    assert "Officers renamed" not in client.get(reverse("stories:timeline")).text
    page = client.get(url).text
    assert 'id="pending-revision"' in page and '<ins class="diff">renamed</ins>' in page
    assert 'value="Publish revision"' not in page
    revision = EntryRevision.objects.pending().get()
    assert list(client.get(ENTRIES, {"readiness": "changed"}).context["cl"].result_list) == [entry]
    publish = f"{ENTRIES}{entry.pk}/publication/revision/"
    assert client.post(publish, {"revision": revision.pk}).status_code == 403

    client.force_login(chief)
    assert 'value="Publish revision"' in client.get(url).text
    response = client.post(publish, {"revision": revision.pk}, follow=True)
    assert "Published the change to “Officers renamed”." in [str(m) for m in response.context["messages"]]
    assert "Officers renamed" in client.get(reverse("stories:timeline")).text
