"""The live embed (/embed/timeline/) and its oEmbed endpoint: only what the timeline shows (rule 2),
frameable by the partners a setting names while every other page is not, answering a conditional
GET with 304, in a fixed number of queries."""

import json
import re

import pytest
from django.urls import reverse

from stories.embed import EMBED_SIZE
from stories.models import TimelineEntry, Verdict
from stories.services.timeline import publish_entry

from .factories import ClaimFactory, EntryFactory, UserFactory

pytestmark = pytest.mark.django_db

EMBED = "/embed/timeline/"


def publish(*entries):
    chief = UserFactory(username="chief")
    for entry in entries:
        publish_entry(entry, by=chief)


def frame_ancestors(response):
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    return policy["frame-ancestors"]


def test_the_embed_shows_only_public_entries_newest_first_rule_2(client):
    old = EntryFactory(title="Older milestone", date="2025-04-08", claims=[ClaimFactory()])
    new = EntryFactory(
        title="Newer milestone", date="2026-05-29", claims=[ClaimFactory(text="Checked claim.")]
    )
    rumour = EntryFactory(title="Rumour", claims=[ClaimFactory(verdict=Verdict.UNREVIEWED)])
    EntryFactory(title="Draft milestone", claims=[ClaimFactory()])
    publish(old, new)
    TimelineEntry.objects.filter(pk=rumour.pk).update(is_published=True)  # as a stale row could be
    page = client.get(EMBED).text
    assert re.findall(r'rel="noopener">([^<]+milestone|Rumour)</a></h2>', page) == [
        "Newer milestone",
        "Older milestone",
    ]
    assert "Checked claim." in page


def test_the_embed_shows_the_latest_entries_only(client):
    entries = [
        EntryFactory(title=f"Milestone {i}", date=f"2026-01-{i + 1:02d}") for i in range(EMBED_SIZE + 2)
    ]
    for entry in entries:
        entry.claims.set([ClaimFactory()])
    publish(*entries)
    page = client.get(EMBED).text
    assert page.count("<h2>") == EMBED_SIZE
    assert f"Milestone {EMBED_SIZE + 1}" in page and "Milestone 1<" not in page


def test_only_the_embed_may_be_framed_and_by_whom_the_setting_says(client, settings):
    settings.NEWSROOM_EMBED_FRAME_ANCESTORS = ["https://partner.example.org", "https://other.example"]
    embed = client.get(EMBED)
    assert "X-Frame-Options" not in embed
    assert frame_ancestors(embed) == "https://partner.example.org https://other.example"
    for path in ("/", "/stories/", "/claims/", "/how-we-verify/", "/feeds/timeline/"):
        response = client.get(path)
        assert response["X-Frame-Options"] == "DENY", path
        assert frame_ancestors(response) == "'none'", path
    settings.NEWSROOM_EMBED_FRAME_ANCESTORS = ["*"]
    assert frame_ancestors(client.get(EMBED)) == "*"


def test_the_embed_runs_only_its_own_script_and_style(client):
    page = client.get(EMBED).text
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/js/embed.js" defer>']
    assert "style=" not in page and "<style" not in page
    assert client.get("/static/js/embed.js").status_code == 200


def test_the_embed_answers_a_conditional_get_with_304_until_the_timeline_changes(client):
    entry = EntryFactory(title="First milestone", claims=[ClaimFactory()])
    publish(entry)
    first = client.get(EMBED)
    etag = first["ETag"]
    # The page carries its own ETag for its script to send back.
    assert re.search(r'data-etag="([^"]+)"', first.text).group(1) == etag.replace('"', "&quot;")
    assert re.search(r'data-refresh-seconds="60"', first.text)
    unchanged = client.get(EMBED, HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert "X-Frame-Options" not in unchanged  # a 304 is framed as the page is
    publish(EntryFactory(title="Second milestone", claims=[ClaimFactory()]))
    changed = client.get(EMBED, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "Second milestone" in changed.text


@pytest.mark.parametrize("n", [2, 12])
def test_embed_query_count_does_not_grow(client, django_assert_num_queries, n):
    entries = [EntryFactory(claims=[ClaimFactory(), ClaimFactory()]) for _ in range(n)]
    publish(*entries)
    # 1. the site version; 2. the latest public entries; 3. the claims they rest on.
    with django_assert_num_queries(3):
        page = client.get(EMBED).text
    assert page.count('class="verdict') == 2 * min(n, EMBED_SIZE)


def oembed(client, **params):
    return client.get("/oembed", params)


def test_oembed_answers_a_rich_iframe_of_the_embed_without_a_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = oembed(client, url="http://testserver/", format="json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert (data["version"], data["type"], data["width"], data["height"]) == ("1.0", "rich", 480, 600)
    assert data["provider_name"] == "Newsroom" and data["provider_url"] == "http://testserver/"
    assert data["html"].startswith('<iframe src="http://testserver/embed/timeline/" width="480" height="600"')
    assert 'title="Japan&#x27;s officers' in data["html"]  # a framed page needs a title for screen readers
    smaller = json.loads(
        oembed(client, url="http://testserver/embed/timeline/", maxwidth=320, maxheight=900).content
    )
    assert (smaller["width"], smaller["height"]) == (320, 600)
    assert 'width="320"' in smaller["html"]


@pytest.mark.parametrize(
    ("params", "status", "says"),
    [
        ({}, 400, "Give the address"),
        ({"url": "http://elsewhere.example/"}, 404, "only this site's timeline"),
        ({"url": "http://testserver/stories/"}, 404, "only this site's timeline"),
        ({"url": "javascript:alert(1)//testserver/"}, 404, "only this site's timeline"),
        ({"url": "http://testserver/", "format": "xml"}, 501, "format=json"),
        ({"url": "http://testserver/", "maxwidth": "-3"}, 400, "maxwidth"),
        ({"url": "http://testserver/", "maxheight": "tall"}, 400, "maxheight"),
    ],
)
def test_oembed_refuses_what_it_cannot_embed_saying_why(client, params, status, says):
    response = oembed(client, **params)
    assert response.status_code == status
    assert says in response.json()["detail"]


def test_the_timeline_page_advertises_its_oembed(client):
    page = client.get(reverse("stories:timeline")).text
    link = re.search(r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"', page).group(1)
    assert link == "http://testserver/oembed?url=http%3A%2F%2Ftestserver%2F&amp;format=json"
    data = client.get(link.replace("&amp;", "&").removeprefix("http://testserver")).json()
    assert data["type"] == "rich"
