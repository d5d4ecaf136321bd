"""JSON Feed 1.1 beside each Atom feed (`/feeds/<name>.json`), and the corrections feed (Atom and
JSON Feed) of public corrections and changes of published verdicts. All read through the public
read model: nothing unpublished, merged, internal or unreviewed (rules 1-3)."""

import re

import feedparser
import pytest
from django.urls import reverse

from stories.models import Claim, EditorialNote, Story, TimelineEntry, Verdict
from stories.services.claims import approve_verdict, propose_verdict

from .factories import AppearanceFactory, ClaimFactory, EntryFactory, NoteFactory, StoryFactory, UserFactory

pytestmark = pytest.mark.django_db

JSON_FEEDS = ["stories:feed-timeline-json", "stories:feed-stories-json", "stories:feed-corrections-json"]


def json_feed(client, name):
    """The feed, checked against JSON Feed 1.1's rules: the version, a title, items each with a
    unique string id and content; addresses absolute; dates RFC 3339."""
    import datetime as dt

    response = client.get(reverse(name))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/feed+json; charset=utf-8"
    feed = response.json()
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] and isinstance(feed["items"], list)
    assert feed["feed_url"] == f"http://testserver{reverse(name)}"
    assert feed["home_page_url"].startswith("http://testserver/")
    ids = [item["id"] for item in feed["items"]]
    assert len(set(ids)) == len(ids) and all(isinstance(i, str) and i for i in ids)
    for item in feed["items"]:
        assert item.get("content_html") is not None or item.get("content_text") is not None
        assert item["url"].startswith("http://testserver/")
        for key in ("date_published", "date_modified"):
            if key in item:
                assert dt.datetime.fromisoformat(item[key]).tzinfo is not None
    return feed


def atom(client, name):
    response = client.get(reverse(name))
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    return feed


def titles(feed):
    return [item["title"] for item in feed["items"]]


def test_the_timeline_json_feed_has_only_public_entries_rule_2(client):
    shown = EntryFactory(title="Verified milestone", claims=[ClaimFactory()])
    hidden = EntryFactory(title="Rumour", claims=[ClaimFactory(verdict=Verdict.UNREVIEWED)])
    EntryFactory(title="Not published", claims=[ClaimFactory()])
    TimelineEntry.objects.filter(pk__in=[shown.pk, hidden.pk]).update(is_published=True)
    shown.refresh_from_db()
    feed = json_feed(client, "stories:feed-timeline-json")
    assert titles(feed) == [f"{shown.display_date}: Verified milestone"]
    assert titles(feed) == [entry.title for entry in atom(client, "stories:feed-timeline").entries]


def test_the_stories_json_feed_has_no_unpublished_merged_or_internal_text_rules_1_and_3(client):
    story = StoryFactory(title="Published story", summary="<b>plain</b> & text")
    StoryFactory(title="Draft story", status=Story.Status.NEW)
    StoryFactory(title="Merged copy", merged_into=story)
    NoteFactory(story=story, body="INTERNAL-NOTE-TEXT", visibility=EditorialNote.Visibility.INTERNAL)
    response = client.get(reverse("stories:feed-stories-json"))
    feed = json_feed(client, "stories:feed-stories-json")
    assert titles(feed) == [f"Published story ({story.source.name})"]
    assert feed["items"][0]["url"] == f"http://testserver{story.get_absolute_url()}"
    assert feed["items"][0]["content_html"] == "&lt;b&gt;plain&lt;/b&gt; &amp; text"  # our text is plain
    assert b"INTERNAL-NOTE-TEXT" not in response.content


@pytest.fixture
def editor():
    return UserFactory(username="checker")


def set_verdict(claim, verdict, explanation, *, by):
    """Make `verdict` the claim's public one: proposed by `by`, approved by a second editor."""
    if claim.pk is None:
        claim.save()
    review = propose_verdict(Claim.objects.get(pk=claim.pk), verdict, explanation, by=by)
    if review is not None and review.state == review.State.PENDING:
        approve_verdict(review, by=UserFactory(username="second-editor"))
    return Claim.objects.get(pk=claim.pk)


def change_verdict(claim, verdict, editor, explanation="Checked again."):
    return set_verdict(Claim.objects.get(pk=claim.pk), verdict, explanation, by=editor)


def test_the_corrections_feeds_carry_public_corrections_and_verdict_changes(client, editor):
    story = StoryFactory(title="Officers story")
    copy = StoryFactory(title="A copy", status=Story.Status.NEW, merged_into=story)
    claim = set_verdict(
        Claim(text="Japan sends two officers."), Verdict.ACCURATE, "The ministry says so.", by=editor
    )
    AppearanceFactory(claim=claim, story=story)
    on_story = NoteFactory(story=story, body="We corrected the date.", visibility="public")
    on_copy = NoteFactory(story=copy, body="The copy's byline was wrong.", visibility="public")
    on_claim = NoteFactory(claim=claim, body="We added the ministry's statement.", visibility="public")
    change_verdict(claim, Verdict.MISLEADING, editor, "Only one officer was confirmed.")

    feed = json_feed(client, "stories:feed-corrections-json")
    by_text = {item["content_html"]: item for item in feed["items"]}
    assert set(by_text) == {
        "We corrected the date.",
        "The copy&#x27;s byline was wrong.",
        "We added the ministry&#x27;s statement.",
        "Was accurate, now misleading. Only one officer was confirmed.",
    }
    story_page, claim_page = (
        f"http://testserver{story.get_absolute_url()}",
        f"http://testserver{claim.get_absolute_url()}",
    )
    assert by_text["We corrected the date."]["url"] == f"{story_page}#correction-{on_story.pk}"
    # A note on a copy is shown on the page of the story it was merged into.
    assert by_text["The copy&#x27;s byline was wrong."]["url"] == f"{story_page}#correction-{on_copy.pk}"
    assert (
        by_text["We added the ministry&#x27;s statement."]["url"] == f"{claim_page}#correction-{on_claim.pk}"
    )
    change = by_text["Was accurate, now misleading. Only one officer was confirmed."]
    assert change["title"] == "Verdict changed to misleading: Japan sends two officers."
    assert change["url"].startswith(f"{claim_page}#verdict-")
    assert change["tags"] == ["verdict"]
    # The story page holds the anchors the feed links to.
    assert f'id="correction-{on_copy.pk}"' in client.get(story.get_absolute_url()).text

    entries = atom(client, "stories:feed-corrections").entries
    assert sorted(e.title for e in entries) == sorted(titles(feed))


def test_the_corrections_feeds_leave_out_what_readers_cannot_see_rules_1_to_3(client, editor):
    public_story = StoryFactory()
    NoteFactory(story=public_story, body="INTERNAL-ON-PUBLIC-STORY", visibility="internal")
    NoteFactory(
        story=StoryFactory(status=Story.Status.IN_REVIEW), body="NOTE-ON-UNPUBLISHED", visibility="public"
    )
    NoteFactory(
        story=StoryFactory(status=Story.Status.REJECTED), body="NOTE-ON-REJECTED", visibility="public"
    )
    waiting_copy = StoryFactory(status=Story.Status.NEW, merged_into=StoryFactory(status=Story.Status.NEW))
    NoteFactory(story=waiting_copy, body="NOTE-ON-COPY-OF-UNPUBLISHED", visibility="public")
    unreviewed = ClaimFactory(text="UNREVIEWED-CLAIM", verdict=Verdict.UNREVIEWED)
    NoteFactory(claim=unreviewed, body="NOTE-ON-UNREVIEWED-CLAIM", visibility="public")
    # A first verdict is no change; a verdict withdrawn takes the claim out of public view.
    first = set_verdict(Claim(text="FIRST-VERDICT-ONLY"), Verdict.ACCURATE, "Checked.", by=editor)
    change_verdict(ClaimFactory(text="FIRST-REVIEW", verdict=Verdict.UNREVIEWED), Verdict.ACCURATE, editor)
    withdrawn = set_verdict(Claim(text="WITHDRAWN-CLAIM"), Verdict.ACCURATE, "Checked.", by=editor)
    change_verdict(withdrawn, Verdict.INACCURATE, editor)
    change_verdict(withdrawn, Verdict.UNREVIEWED, editor, "")
    # An edit that leaves the verdict as it was is no change either.
    same = Claim.objects.get(pk=first.pk)
    same.text = "FIRST-VERDICT-ONLY, reworded"
    same.save()

    for name in ("stories:feed-corrections-json", "stories:feed-corrections"):
        body = client.get(reverse(name)).text
        for hidden in (
            "INTERNAL-ON-PUBLIC-STORY",
            "NOTE-ON-UNPUBLISHED",
            "NOTE-ON-REJECTED",
            "NOTE-ON-COPY-OF-UNPUBLISHED",
            "UNREVIEWED-CLAIM",
            "NOTE-ON-UNREVIEWED-CLAIM",
            "FIRST-VERDICT-ONLY",
            "FIRST-REVIEW",
            "WITHDRAWN-CLAIM",
        ):
            assert hidden not in body, (name, hidden)
    assert json_feed(client, "stories:feed-corrections-json")["items"] == []


def test_the_corrections_feed_is_newest_first_and_bounded(client, editor, monkeypatch):
    from stories import feeds

    monkeypatch.setattr(feeds, "FEED_SIZE", 3)
    story = StoryFactory()
    for i in range(3):
        NoteFactory(story=story, body=f"Correction {i}", visibility="public")
    claim = set_verdict(Claim(text="A claim."), Verdict.ACCURATE, "Checked.", by=editor)
    change_verdict(claim, Verdict.MOSTLY_ACCURATE, editor)
    change_verdict(claim, Verdict.ACCURATE, editor)
    feed = json_feed(client, "stories:feed-corrections-json")
    assert [item["content_html"] for item in feed["items"]] == [
        "Was mostly accurate, now accurate. Checked again.",
        "Was accurate, now mostly accurate. Checked again.",
        "Correction 2",
    ]


def test_pages_advertise_the_json_and_corrections_feeds(client):
    page = client.get(reverse("stories:timeline")).text
    advertised = re.findall(
        r'<link rel="alternate" type="application/feed\+json" title="[^"]+" href="([^"]+)">', page
    )
    assert advertised == [reverse(name) for name in JSON_FEEDS]
    assert (
        f'type="application/atom+xml" title="Corrections (Atom)" href="{reverse("stories:feed-corrections")}"'
        in page
    )


def build(n, editor):
    for i in range(n):
        story = StoryFactory()
        copy = StoryFactory(status=Story.Status.NEW, merged_into=story)
        claim = set_verdict(Claim(text=f"Claim {i}."), Verdict.ACCURATE, "Checked.", by=editor)
        AppearanceFactory(claim=claim, story=story)
        change_verdict(claim, Verdict.MOSTLY_ACCURATE, editor)
        NoteFactory(story=story, visibility="public")
        NoteFactory(story=copy, visibility="public")
        NoteFactory(claim=claim, visibility="public")
        NoteFactory(story=story, visibility="internal")
        EntryFactory(claims=[claim])
    TimelineEntry.objects.update(is_published=True)


@pytest.mark.parametrize(
    ("name", "queries", "items"),
    [
        # version, the public entries
        ("stories:feed-timeline-json", 2, lambda n: n),
        # version, the public stories with their sources
        ("stories:feed-stories-json", 2, lambda n: n),
        # version, the public notes with their story or claim, the verdict changes
        ("stories:feed-corrections-json", 3, lambda n: 4 * n),
        ("stories:feed-corrections", 3, None),
    ],
)
@pytest.mark.parametrize("n", [2, 8])
def test_feed_query_count_does_not_grow(client, django_assert_num_queries, editor, name, queries, items, n):
    build(n, editor)
    with django_assert_num_queries(queries):
        response = client.get(reverse(name))
    assert response.status_code == 200
    if items:
        assert len(response.json()["items"]) == items(n)
