"""Timeline entries in the admin: claims by autocomplete, publishing only through the publish service."""

import pytest

from stories.models import TimelineEntry, Verdict

from .admin_personas import member
from .factories import ClaimFactory, EntryFactory

ENTRIES = "/admin/stories/timelineentry/"


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def chief(client, db):
    user = member("Chief editors", "chief")
    client.force_login(user)
    return user


@pytest.fixture
def ready(db):
    return EntryFactory(title="Japan announces the dispatch", claims=[ClaimFactory(verdict=Verdict.ACCURATE)])


@pytest.fixture
def blocked(db):
    claims = [
        ClaimFactory(text="Officers arrived in Wiesbaden.", verdict=Verdict.UNREVIEWED),
        ClaimFactory(text="Russia protested formally.", verdict=Verdict.UNPROVEN),
        ClaimFactory(verdict=Verdict.ACCURATE),
    ]
    return EntryFactory(title="Officers arrive", claims=claims)


def test_the_entry_list_says_which_entries_are_publishable(client, chief, ready, blocked):
    response = client.get(ENTRIES)
    assert {e.title: e.is_publishable for e in response.context["cl"].result_list} == {
        "Japan announces the dispatch": True,
        "Officers arrive": False,
    }
    page = response.content.decode()
    assert '<td class="field-publishable"><img src="/static/admin/img/icon-yes.svg" alt="True">' in page
    assert '<td class="field-publishable"><img src="/static/admin/img/icon-no.svg" alt="False">' in page


def test_the_readiness_filter_finds_entries_waiting_for_verdicts(client, chief, ready, blocked):
    waiting = client.get(ENTRIES, {"readiness": "waiting"}).context["cl"].result_list
    assert list(waiting) == [blocked]
    assert list(client.get(ENTRIES, {"readiness": "ready"}).context["cl"].result_list) == [ready]


def test_a_refused_publish_names_the_claims_that_are_not_accurate_yet(client, chief, blocked):
    response = client.post(ENTRIES, {"action": "publish", "_selected_action": [blocked.pk]}, follow=True)
    [message] = messages_of(response)
    assert "“Officers arrive” cannot be published" in message
    assert "“Officers arrived in Wiesbaden.” (unreviewed)" in message
    assert "“Russia protested formally.” (unproven)" in message
    assert not TimelineEntry.objects.get(pk=blocked.pk).is_published


def test_publishing_from_the_entry_page_records_who_and_when(client, chief, ready):
    page = client.get(f"{ENTRIES}{ready.pk}/change/").content.decode()
    assert 'value="Publish"' in page
    response = client.post(f"{ENTRIES}{ready.pk}/publication/publish/", follow=True)
    assert "Published “Japan announces the dispatch” on the timeline." in messages_of(response)
    ready.refresh_from_db()
    assert ready.is_published and ready.published_by == chief
    assert ready.history.latest().history_user == chief
    assert ready in TimelineEntry.objects.public()


def test_unpublishing_from_the_entry_page(client, chief, ready):
    client.post(f"{ENTRIES}{ready.pk}/publication/publish/")
    response = client.post(f"{ENTRIES}{ready.pk}/publication/unpublish/", follow=True)
    assert "Took “Japan announces the dispatch” off the timeline." in messages_of(response)
    assert not TimelineEntry.objects.get(pk=ready.pk).is_published
    assert [h.is_published for h in ready.history.order_by("history_date")][-2:] == [True, False]


def test_a_refused_publish_from_the_entry_page_shows_the_reason(client, chief, blocked):
    response = client.post(f"{ENTRIES}{blocked.pk}/publication/publish/", follow=True)
    assert any("“Russia protested formally.” (unproven)" in m for m in messages_of(response))


def test_an_editor_sees_no_publish_button(client, ready):
    client.force_login(member("Editors", "ed"))
    page = client.get(f"{ENTRIES}{ready.pk}/change/").content.decode()
    assert "it can be published" in page and 'value="Publish"' not in page


def test_entries_pick_their_claims_by_autocomplete_and_cannot_be_published_from_the_form(client, chief):
    page = client.get(f"{ENTRIES}add/").content.decode()
    assert 'class="admin-autocomplete' in page and 'name="claims"' in page
    assert 'name="is_published"' not in page
