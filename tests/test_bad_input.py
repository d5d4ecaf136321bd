"""Bad input never stops a run and never corrupts a row (DESIGN.md rule 5): special files are refused
before reading, dates the database cannot hold are refused, every failure of one item is that
item's alone, a feed repeating a guid does not flip its story, and find_duplicates goes through
every pair."""

import datetime as dt
import io
import os
import random
import re
import signal

import pytest
from django.core.management import call_command
from django.db import DataError, connection

from stories import ingest as readers
from stories.models import DuplicateCandidate, MergeRecord, Source, Story
from stories.services import dedup
from stories.services import ingest as service
from stories.services.ingest import IngestError, Item, ingest_item, parse_date

from .factories import SourceFactory, StoryFactory
from .ingesting import ingest
from .test_api_ingest import ingester  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

GOOD_LINE = '{"title": "A sound item", "body": "Nothing wrong here.", "source": "Test Wire"}\n'


def distinct_words(count, seed=1):
    rng = random.Random(seed)
    return " ".join("".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=9)) for _ in range(count))


# --- special files ---------------------------------------------------------------------------------


def run_with_timeout(function, seconds=20):
    """Run `function`; fail (not hang) when it does not return in time."""

    def hung(signum, frame):
        raise AssertionError("the ingest hung")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        return function()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_dev_zero_is_refused_before_reading():
    out, err, failed = run_with_timeout(lambda: ingest("/dev/zero"))
    assert failed is not None
    assert "/dev/zero: a character device, not a regular file: refused" in err


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    (tmp_path / "good.jsonl").write_text(GOOD_LINE)
    out, err, failed = run_with_timeout(lambda: ingest(fifo, tmp_path))
    assert f"{fifo}: a FIFO (named pipe), not a regular file: refused" in err
    assert "1 new," in out and "2 failed" in out  # named twice: as a file and in its folder
    assert Story.objects.count() == 1


def test_a_link_to_a_device_in_a_folder_is_refused(tmp_path):
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    (tmp_path / "good.jsonl").write_text(GOOD_LINE)
    out, err, failed = run_with_timeout(lambda: ingest(tmp_path))
    assert f"{tmp_path / 'zero.txt'}: a character device, not a regular file: refused" in err
    assert "1 new, 0 unchanged, 0 updated, 1 failed" in out


def test_a_file_larger_than_its_stated_size_is_read_no_further_than_the_limit():
    # /proc/self/status says its size is 0 but reads as hundreds of bytes
    with pytest.raises(IngestError, match="over the limit of 10 bytes"):
        readers._read_regular_file("/proc/self/status", 10)


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, message",
    [
        ("0001-01-01T00:30:00+01:00", "is before 1900"),
        ("1899-12-31T23:59:59Z", "is before 1900"),
        ("2025-07-01T09:00:00+16:00", "has the UTC offset +16:00, beyond +/-15:59"),
        ("2025-07-01T09:00:00-18:30", "has the UTC offset -18:30, beyond +/-15:59"),
        ("2999-01-01", "is in the future"),
    ],
)
def test_dates_outside_1900_to_tomorrow_or_with_impossible_offsets_are_refused(value, message):
    with pytest.raises(IngestError, match=f"^f.jsonl:2: .*{re.escape(message)}"):
        parse_date(value, where="f.jsonl:2: ")


def test_dates_are_stored_in_utc_and_the_limits_are_inclusive():
    assert parse_date("2025-07-01T09:00:00+15:59").tzinfo is dt.UTC
    assert parse_date("2025-07-01T09:00:00+09:00") == dt.datetime(2025, 7, 1, 0, 0, tzinfo=dt.UTC)
    assert parse_date("1900-01-01T00:00:00Z").year == 1900


@pytest.mark.parametrize(
    "published_at",
    ["0001-01-01T00:30:00+01:00", "2025-07-01T09:00:00+16:00", "1850-01-01T00:00:00Z"],
)
def test_the_api_refuses_such_dates_with_400(client, ingester, published_at):  # noqa: F811
    body = {"title": "T", "body": "B", "source": "Wire", "published_at": published_at}
    response = client.post("/api/v1/stories/", body, content_type="application/json", headers=ingester)
    assert response.status_code == 400, response.content
    assert not Story.objects.exists()


def test_a_year_one_item_leaves_every_row_readable(tmp_path, client, admin_user):
    (tmp_path / "a.jsonl").write_text(
        GOOD_LINE + '{"title": "Y1", "body": "B", "source": "Test Wire", '
        '"published_at": "0001-01-01T00:30:00+01:00"}\n'
    )
    ingest(tmp_path / "a.jsonl")
    assert [s.published_at for s in Story.objects.all()] == [None]
    client.force_login(admin_user)
    assert client.get("/admin/stories/story/").status_code == 200


# --- one item's failure is its own ------------------------------------------------------------------


def test_a_two_megabyte_summary_of_distinct_words_is_refused_and_the_run_goes_on(tmp_path):
    huge = distinct_words(200_000)  # 2 MB: its full-text vector would pass PostgreSQL's 1 MB
    (tmp_path / "a.jsonl").write_text(
        f'{{"title": "Huge", "body": "B", "source": "Test Wire", "summary": "{huge}"}}\n' + GOOD_LINE
    )
    out, err, failed = ingest(tmp_path / "a.jsonl")
    assert f"{tmp_path / 'a.jsonl'}:1: summary is 1,999,999 characters, over the limit of 5,000" in err
    assert "1 new, 0 unchanged, 0 updated, 1 failed" in out


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the 1 MB full-text vector is PostgreSQL's")
def test_a_text_overflowing_the_full_text_vector_fails_alone_on_postgresql(tmp_path, settings):
    settings.NEWSROOM_INGEST_MAX_SUMMARY_CHARS = settings.NEWSROOM_INGEST_MAX_BODY_CHARS = 3_000_000
    huge = distinct_words(200_000)
    (tmp_path / "a.jsonl").write_text(
        f'{{"title": "Huge", "body": "B", "source": "Test Wire", "summary": "{huge}"}}\n' + GOOD_LINE
    )
    out, err, failed = ingest(tmp_path / "a.jsonl")
    assert f"{tmp_path / 'a.jsonl'}:1: could not be stored: the database refused it" in err
    assert "1 new, 0 unchanged, 0 updated, 1 failed" in out
    assert list(Story.objects.values_list("title", flat=True)) == ["A sound item"]


def test_the_largest_accepted_text_fits_the_full_text_vector():
    limit = 200_000
    body = distinct_words(limit // 10)[:limit]
    result = ingest_item(
        Item(title="x" * 300, body=body, summary=distinct_words(500, seed=2)[:5_000]), source=SourceFactory()
    )
    assert len(Story.objects.get(pk=result.story.pk).body) == len(body)


def test_a_database_error_fails_only_its_item(tmp_path, monkeypatch):
    original = Story.save

    def save(self, *args, **kwargs):
        if self.title == "Breaks the database":
            raise DataError("value out of range")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Story, "save", save)
    (tmp_path / "a.jsonl").write_text(
        '{"title": "Breaks the database", "body": "B", "source": "Other Wire"}\n' + GOOD_LINE
    )
    out, err, failed = ingest(tmp_path / "a.jsonl")
    assert (
        f"{tmp_path / 'a.jsonl'}:1: could not be stored: the database refused it (value out of range)" in err
    )
    assert "1 new, 0 unchanged, 0 updated, 1 failed" in out
    assert not Source.objects.filter(name="Other Wire").exists()  # nothing of the item is left


def test_a_recursion_error_while_cleaning_fails_only_its_item(tmp_path, monkeypatch):
    original = service.html_to_text

    def html_to_text(markup):
        if "deep" in markup:
            raise RecursionError("maximum recursion depth exceeded")
        return original(markup)

    monkeypatch.setattr(service, "html_to_text", html_to_text)
    (tmp_path / "a.jsonl").write_text(
        '{"title": "Deep", "body": "<div>deep</div>", "source": "Test Wire"}\n' + GOOD_LINE
    )
    out, err, failed = ingest(tmp_path / "a.jsonl")
    assert f"{tmp_path / 'a.jsonl'}:1: could not be read (RecursionError" in err
    assert "1 new, 0 unchanged, 0 updated, 1 failed" in out


def test_a_reader_breaking_down_fails_its_file_and_the_run_goes_on(tmp_path, monkeypatch):
    def broken(text, where, name):
        yield readers.Item(
            title="First of the broken file", body="B", source="Test Wire", origin=f"{where}:1"
        )
        raise RuntimeError("parser gave up")

    monkeypatch.setitem(readers.PARSERS, "text", broken)
    (tmp_path / "a.txt").write_text("anything\n")
    (tmp_path / "b.jsonl").write_text(GOOD_LINE)
    out, err, failed = ingest(tmp_path)
    assert f"{tmp_path / 'a.txt'}: could not be read (RuntimeError: parser gave up)" in err
    assert "2 new, 0 unchanged, 0 updated, 1 failed" in out


def test_a_source_name_is_cleaned_like_every_text_field():
    result = ingest_item(Item(title="T", body="B", source="<b>Harbour</b>\u3000 Ｗire"))
    assert result.story.source.name == "Harbour Wire"


@pytest.mark.parametrize(
    "field, value",
    [
        ("body", "<p>Hi</p>&lt;script&gt;steal()&lt;/script&gt;"),
        ("body", "&amp;lt;script&amp;gt;steal()"),
        ("title", "＜script＞alert(1)＜/script＞"),
        ("summary", "&lt;img src=x onerror=alert(1)&gt;"),
        ("source", "Wire ＜iframe src=x＞"),
        ("byline", "Ann &#60;script&#62;"),
    ],
)
def test_markup_hidden_in_entities_or_full_width_characters_is_markup(field, value):
    item = Item(**{"title": "T", "body": "B", "source": "Wire", field: value, "origin": "api:item"})
    with pytest.raises(IngestError, match=f"^api:item: {field} contains HTML with scripts"):
        ingest_item(item)
    assert not Story.objects.exists()


# --- a feed repeating a guid ----------------------------------------------------------------------------

REPEATING = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Harbour Wire</title><link>https://harbour.example/</link>
<item><title>Cranes back</title><link>https://harbour.example/cranes</link><guid>h-1</guid>
<description>All six cranes work again.</description></item>
<item><title>Cranes back</title><link>https://harbour.example/cranes</link><guid>h-1</guid>
<description>Five of the six cranes work again.</description></item>
</channel></rss>
"""


def test_a_feed_repeating_a_guid_does_not_flip_flop_its_story(tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_text(REPEATING)
    out, err, failed = ingest(feed)
    assert failed is None, err
    assert "1 new, 1 unchanged" in out
    story = Story.objects.get()
    assert story.body == "All six cranes work again."
    for _run in range(2):
        out, err, failed = ingest(feed)
        assert "0 new, 2 unchanged, 0 updated" in out
    story.refresh_from_db()
    assert story.body == "All six cranes work again."
    assert story.versions.count() == 1 and story.history.count() == 1


# --- find_duplicates ---------------------------------------------------------------------------------


def near_copy(words, n):
    copy = words.split()
    copy[n] = "edited"
    return " ".join(copy)


def test_find_duplicates_queues_a_published_newer_copy_of_an_unpublished_story_and_goes_on():
    text = distinct_words(300, seed=5)
    older = StoryFactory(body=text, status=Story.Status.NEW)
    newer = StoryFactory(body=near_copy(text, 10), status=Story.Status.PUBLISHED)
    other = distinct_words(300, seed=6)
    first, second = StoryFactory(body=other), StoryFactory(body=near_copy(other, 20))
    out = io.StringIO()
    call_command("find_duplicates", stdout=out)
    assert "1 merged, 1 queued for review" in out.getvalue()
    assert Story.objects.get(pk=newer.pk).merged_into is None  # still on the site
    queued = DuplicateCandidate.objects.get()
    assert {queued.story_a, queued.story_b} == {older, newer}
    assert (
        MergeRecord.objects.get().duplicate == second and Story.objects.get(pk=second.pk).merged_into == first
    )


def test_find_duplicates_reports_a_refused_pair_and_checks_the_later_ones(monkeypatch):
    text, other = distinct_words(300, seed=7), distinct_words(300, seed=8)
    StoryFactory(body=text), StoryFactory(body=near_copy(text, 5))
    StoryFactory(body=other), StoryFactory(body=near_copy(other, 5))
    original, calls = dedup.decide, []

    def decide(newer, older, sim, **kwargs):
        calls.append(newer.pk)
        if len(calls) == 1:
            raise dedup.EditorialError("refused for the test")
        return original(newer, older, sim, **kwargs)

    monkeypatch.setattr(dedup, "decide", decide)
    out, err = io.StringIO(), io.StringIO()
    call_command("find_duplicates", stdout=out, stderr=err)
    assert "refused for the test" in err.getvalue()
    assert "1 merged" in out.getvalue() and "1 refused (see above)" in out.getvalue()
