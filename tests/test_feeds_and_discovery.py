"""Atom feeds, the sitemap, alternate links, OpenGraph, healthz."""

import os
import re
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stories.models import EditorialNote, Story, TimelineEntry, Verdict

from .factories import AppearanceFactory, ClaimFactory, EntryFactory, NoteFactory, SourceFactory, StoryFactory

pytestmark = pytest.mark.django_db


def test_timeline_feed_is_valid_atom_with_only_public_entries(client):
    shown = EntryFactory(title="Verified milestone", claims=[ClaimFactory()])
    hidden = EntryFactory(title="Rumour", claims=[ClaimFactory(verdict=Verdict.UNREVIEWED)])
    TimelineEntry.objects.filter(pk__in=[shown.pk, hidden.pk]).update(is_published=True)
    shown.refresh_from_db()
    response = client.get(reverse("stories:feed-timeline"))
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert [e.title for e in feed.entries] == [f"{shown.display_date}: Verified milestone"]


def test_stories_feed_is_valid_atom_without_unpublished_merged_or_internal_text(client):
    story = StoryFactory(title="Published story")
    StoryFactory(title="Draft story", status=Story.Status.NEW)
    StoryFactory(title="Merged copy", merged_into=story)
    NoteFactory(story=story, body="INTERNAL-NOTE-TEXT", visibility=EditorialNote.Visibility.INTERNAL)
    response = client.get(reverse("stories:feed-stories"))
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert [e.title for e in feed.entries] == [f"Published story ({story.source.name})"]
    assert b"INTERNAL-NOTE-TEXT" not in response.content


def test_sitemap_lists_public_pages_only(client):
    public = StoryFactory()
    draft = StoryFactory(status=Story.Status.NEW)
    copy = StoryFactory(merged_into=public)
    claim = AppearanceFactory(story=public).claim
    unreviewed = AppearanceFactory(story=public, claim=ClaimFactory(verdict=Verdict.UNREVIEWED)).claim
    index = client.get("/sitemap.xml").text
    sections = re.findall(r"<loc>http://testserver(/[^<]+)</loc>", index)
    assert "/sitemap-stories.xml" in sections and "/sitemap-claims.xml" in sections
    body = "".join(client.get(section).text for section in sections)
    assert public.get_absolute_url() in body and claim.get_absolute_url() in body
    for hidden in [draft, copy, unreviewed]:
        assert hidden.get_absolute_url() not in body


def test_sitemap_index_pages_stories_by_their_stored_count(client, monkeypatch):
    from stories.sitemaps import StorySitemap

    monkeypatch.setattr(StorySitemap, "limit", 2)
    source = SourceFactory()
    StoryFactory.create_batch(5, source=source)
    StoryFactory(source=source, status=Story.Status.NEW)
    with CaptureQueriesContext(connection) as queries:
        index = client.get("/sitemap.xml").text
    story_pages = re.findall(r"<loc>http://testserver/sitemap-stories\.xml(?:\?p=(\d+))?</loc>", index)
    assert sorted(story_pages) == ["", "2", "3"]  # 5 public stories, 2 a page
    assert not [q["sql"] for q in queries if "COUNT(*)" in q["sql"] and '"stories_story"' in q["sql"]]
    assert client.get("/sitemap-stories.xml?p=3").text.count("<loc>") == 1


def test_feeds_carry_plain_text_escaped(client):
    StoryFactory(summary="<script>alert(1)</script> & more")
    entry = EntryFactory(text="<b>bold?</b>", claims=[ClaimFactory()])
    TimelineEntry.objects.filter(pk=entry.pk).update(is_published=True)
    stories = feedparser.parse(client.get(reverse("stories:feed-stories")).content)
    timeline = feedparser.parse(client.get(reverse("stories:feed-timeline")).content)
    assert stories.entries[0].summary == "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"
    assert timeline.entries[0].summary == "&lt;b&gt;bold?&lt;/b&gt;"


def test_pages_advertise_their_feeds_and_opengraph(client):
    story = StoryFactory(title="A story title", summary="A summary")
    page = client.get(story.get_absolute_url()).text
    assert 'rel="alternate" type="application/atom+xml"' in page
    assert '<meta property="og:title" content="A story title">' in page
    assert '<meta property="og:type" content="article">' in page


def test_friendly_not_found_page(client):
    response = client.get("/stories/nothing-here/")
    assert response.status_code == 404
    assert "We could not find that page" in response.text


def test_healthz_answers_503_when_the_database_is_down():
    # A real, unreachable PostgreSQL server: nothing listens on port 1.
    root = Path(__file__).resolve().parents[1]
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(r.status_code, r.content.decode().strip())"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/none",
        "DJANGO_ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True)
    assert result.stdout.strip() == "503 database unavailable", result.stderr[-2000:]
