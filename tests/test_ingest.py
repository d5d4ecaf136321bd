import datetime as dt
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from stories.ingest import detect, read_file
from stories.models import Source, Story, StorySignature
from stories.services.ingest import IngestError, Item, ingest_item

from .factories import SourceFactory
from .ingesting import ingest

DATA = Path(__file__).resolve().parent / "data"
GOOD, BAD = DATA / "good", DATA / "bad"

pytestmark = pytest.mark.django_db


# --- formats -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, expected",
    [("wire.rss", "feed"), ("notes.feed", "feed"), ("page.htm", "html"), ("items.data", "jsonl"),
     ("article.txt", "text")],
)  # fmt: skip
def test_auto_picks_the_format_by_content_not_by_extension(name, expected):
    assert detect((GOOD / name).read_text()) == expected


def test_text_article_reads_its_header_block_and_drops_the_repeated_headline():
    out, err, failed = ingest(GOOD / "article.txt")
    assert failed is None, err
    story = Story.objects.get()
    assert story.title == "Flood defences tested ahead of autumn"
    assert story.url == "https://river.example/flood-defences"
    assert story.source.name == "River Post"
    assert story.byline == "Sam Hill"
    assert story.published_at == dt.datetime(2025, 7, 4, tzinfo=dt.UTC)
    assert "Flood defences tested" not in story.body
    assert story.body.startswith("Engineers ran") and story.body.endswith("design requires.")


def test_jsonl_stores_each_line_and_finds_a_source_by_slug_or_name():
    out, err, failed = ingest(GOOD / "items.data")
    assert failed is None, err
    first, second = Story.objects.order_by("pk")
    assert (first.guid, first.byline, first.url) == (
        "metro-55",
        "Lee Park",
        "https://metro.example/bus-lanes",
    )
    assert (
        first.body
        == "The council voted nine to two for bus lanes on the ring road.\n\nWork starts in spring."
    )
    assert first.source == second.source and first.source.slug == "metro-daily"
    assert "2 new, 0 unchanged, 0 updated, 0 failed" in out


def test_rss_feed_items_become_stories_without_their_scripts():
    out, err, failed = ingest(GOOD / "wire.rss")
    assert failed is None, err
    cranes = Story.objects.get(guid="harbour-1001")
    assert cranes.source.name == "Harbour Wire"
    assert cranes.url == "https://harbour.example/cranes"
    assert cranes.published_at == dt.datetime(2025, 7, 1, 6, 30, tzinfo=dt.UTC)
    assert cranes.body == "All six cranes at the east quay were working again on Tuesday.\n\n" + (
        "The operator said no containers were lost."
    )
    assert Story.objects.count() == 2


def test_atom_feed_entry_keeps_its_offset_date_and_author():
    out, err, failed = ingest(GOOD / "notes.feed")
    assert failed is None, err
    story = Story.objects.get()
    assert (story.title, story.byline, story.guid) == (
        "Library extends opening hours",
        "Jon Berg",
        "urn:valley:entry:7",
    )
    assert story.published_at == dt.datetime(2025, 7, 2, 7, 15, tzinfo=dt.UTC)
    assert story.body == "The town library will open until nine on weekdays."


def test_html_page_gives_title_text_and_canonical_url_and_no_script_survives():
    out, err, failed = ingest(GOOD / "page.htm", source=SourceFactory(slug="herald").slug)
    assert failed is None, err
    story = Story.objects.get()
    assert story.title == "Bridge repairs finish early"
    assert story.url == "https://herald.example/news/bridge-repairs"
    assert "finished two weeks ahead of schedule" in story.body and "roads budget" in story.body
    assert "SCRIPT-MARKER" not in story.body and "color: red" not in story.body
    assert "Copyright" not in story.body


def test_a_folder_ingests_every_file_in_it_and_prints_the_summary():
    out, err, failed = ingest(GOOD)
    assert failed is None, err
    assert "7 new, 0 unchanged, 0 updated, 0 failed" in out
    assert Story.objects.count() == 7


def test_forcing_a_format_reads_the_file_as_that_format():
    out, err, failed = ingest(GOOD / "items.data", format="text", source=SourceFactory(slug="s").slug)
    assert failed is None, err
    assert Story.objects.get().title.startswith('{"title": "Council approves')


def test_a_default_source_must_exist():
    with pytest.raises(CommandError, match="--source nowhere: no source with that slug"):
        call_command("ingest", str(GOOD / "article.txt"), source="nowhere")


def test_an_unknown_source_is_created_as_other_and_unrated():
    ingest_item(Item(title="Fresh outlet", body="Text.", source="Brand New Gazette"))
    source = Source.objects.get(name="Brand New Gazette")
    assert (source.slug, source.kind, source.reliability) == ("brand-new-gazette", "other", "unrated")


# --- identity ----------------------------------------------------------------------------------


def test_ingesting_the_same_files_twice_changes_nothing():
    ingest(GOOD)
    before = list(Story.objects.order_by("pk").values())
    histories = Story.history.count()
    out, err, failed = ingest(GOOD)
    assert failed is None, err
    assert "0 new, 7 unchanged, 0 updated, 0 failed" in out
    assert list(Story.objects.order_by("pk").values()) == before
    assert Story.history.count() == histories


def test_the_same_text_under_another_url_is_recognised_by_its_fingerprint():
    source = SourceFactory()
    first = ingest_item(
        Item(title="Same words", body="Exactly the same body.", url="https://a.example/1"), source=source
    )
    again = ingest_item(
        Item(title="Same  words", body="Exactly the same body. ", url="https://b.example/2"), source=source
    )
    assert again.outcome == "unchanged" and again.story == first.story
    assert "exact copy of “Same words”" in again.message
    assert Story.objects.count() == 1


def test_the_same_url_with_a_changed_text_updates_the_story_and_keeps_the_previous_text():
    source = SourceFactory()
    url = "https://a.example/changing"
    first = ingest_item(Item(title="Early report", body="Two ships collided.", url=url), source=source)
    second = ingest_item(
        Item(title="Early report", body="Two ships touched; nobody was hurt.", url=url), source=source
    )
    assert second.outcome == "updated" and second.story.pk == first.story.pk
    story = Story.objects.get()
    assert story.body == "Two ships touched; nobody was hurt."
    assert [h.body for h in story.history.order_by("history_date")] == [
        "Two ships collided.",
        "Two ships touched; nobody was hurt.",
    ]
    assert StorySignature.objects.get(story=story).fingerprint == story.fingerprint


def test_a_feed_guid_identifies_an_item_before_its_url():
    source = SourceFactory()
    ingest_item(Item(title="Guid story", body="One.", guid="g-1", url="https://a.example/old"), source=source)
    result = ingest_item(
        Item(title="Guid story", body="Two.", guid="g-1", url="https://a.example/new"), source=source
    )
    assert result.outcome == "updated"
    assert Story.objects.get().url == "https://a.example/new"


def test_the_five_seed_articles_are_ingested_once_each(seeds):
    source = SourceFactory(slug="seeds")
    out, err, failed = ingest(seeds, source="seeds")
    assert failed is None, err
    assert "5 new, 0 unchanged, 0 updated, 0 failed" in out
    assert "0 without an outlet" in out and "1 new outlets to review" in out
    # seed 004 opens with its outlet's name: that names its outlet, the other four take --source
    assert Story.objects.filter(source=source).count() == 4
    nextfin = Story.objects.get(source__name="NextFin")
    assert nextfin.source.needs_review and nextfin.title.startswith("Japan Embeds Military Officers")
    headline = Story.objects.get(title="Japan Deploys Troops to NATO to Support Ukraine")
    assert (
        "Japan Deploys Troops to NATO to Support Ukraine" not in headline.body
    )  # printed 3 times in the seed
    assert all(len(s.title) <= 300 for s in Story.objects.all())
    out, err, failed = ingest(seeds, source="seeds")
    assert "0 new, 5 unchanged, 0 updated, 0 failed" in out


# --- bad input ---------------------------------------------------------------------------------

# Each bad file: the message expected, where (file:line or file:item N), and the good items in it.
BAD_INPUT = {
    "malformed_line.jsonl": (":2: not valid JSON", 1),
    "not_an_object.jsonl": (":2: expected a JSON object, got list", 1),
    "unknown_field.jsonl": (":2: unknown field(s) colour", 1),
    "empty_title.jsonl": (":2: empty title", 1),
    "impossible_date.jsonl": (":2: impossible or unreadable date '2025-02-30'", 1),
    "future_date.jsonl": (":2: published date 2999-01-01 is in the future", 1),
    "bad_url.jsonl": (":2: bad URL 'not a web address'", 1),
    "javascript_url.jsonl": (":2: url contains HTML with scripts", 1),
    "script_body.jsonl": (":2: body contains HTML with scripts", 1),
    "event_handler_body.jsonl": (":2: body contains HTML with scripts or event handlers", 1),
    "title_not_text.jsonl": (":2: title must be text, not int", 1),
    "title_too_long.jsonl": (":2: title is longer than 300 characters", 1),
    "huge_body.jsonl": (":2: body is 200,004 characters, over the limit of 200,000", 1),
    "invalid_utf8.txt": (":4: invalid UTF-8 (byte 0xff", 0),
    "binary.bin": (": unknown format: binary data", 0),
    "empty.txt": (": empty file", 0),
    "blank_only.txt": (": empty file", 0),
    "headers_only.txt": (": empty title: no text after the header block", 0),
    "bad_header_date.txt": (":2: impossible or unreadable date '2025-13-45'", 0),
    "header_without_blank_line.txt": (":3: the header block must end with an empty line", 0),
    "truncated_feed.xml": (": not an RSS or Atom feed with items", 0),
    "feed_bad_date.xml": (":item 2: impossible or unreadable date 'Fri, 31 Feb 2025 09:00:00 GMT'", 1),
    "feed_empty_title.xml": (":item 2: empty title", 1),
    "html_without_article.html": (": no article title found in the HTML page", 0),
    # dates PostgreSQL cannot hold, or would store as 1 BC and then fail to read back
    "year_one_date.jsonl": (":2: date '0001-01-01T00:30:00+01:00' is before 1900", 1),
    "year_one_header.txt": (":3: date '0001-01-01T00:30:00+01:00' is before 1900", 0),
    "feed_year_one.xml": (":item 2: date '0001-01-01T00:30:00+01:00' is before 1900", 1),
    "before_1900.jsonl": (":2: date '1899-12-31' is before 1900", 1),
    "offset_beyond_limit.jsonl": (
        ":2: date '2025-07-01T09:00:00+16:00' has the UTC offset +16:00, beyond +/-15:59",
        1,
    ),
    "deeply_nested.jsonl": (":2: not valid JSON (nested too deeply)", 1),
    "summary_too_long.jsonl": (":2: summary is 6,089 characters, over the limit of 5,000", 1),
    "source_name_too_long.jsonl": (":2: source is longer than 200 characters", 1),
    # markup hidden in entities or full-width characters is markup, in every field
    "entity_script_body.jsonl": (":2: body contains HTML with scripts", 1),
    "fullwidth_script_title.jsonl": (":2: title contains HTML with scripts", 1),
    "script_source_name.jsonl": (":2: source contains HTML with scripts", 1),
}


def test_the_bad_input_corpus_is_covered_file_for_file():
    assert sorted(p.name for p in BAD.iterdir()) == sorted(BAD_INPUT)


@pytest.mark.parametrize("name", sorted(BAD_INPUT))
def test_bad_input_is_refused_naming_file_and_line_and_the_rest_is_ingested(name):
    message, good = BAD_INPUT[name]
    out, err, failed = ingest(BAD / name)
    assert failed is not None, f"{name} was accepted"
    assert f"{BAD / name}{message}" in err
    assert f"{good} new, 0 unchanged, 0 updated, 1 failed" in out
    assert Story.objects.count() == good


def test_a_folder_of_bad_files_fails_each_item_alone_and_writes_no_partial_rows():
    out, err, failed = ingest(BAD)
    assert str(failed).startswith(f"{len(BAD_INPUT)} item(s) failed")
    good = sum(count for _message, count in BAD_INPUT.values())
    assert f"{good} new, 0 unchanged, 0 updated, {len(BAD_INPUT)} failed" in out
    assert Story.objects.count() == good == StorySignature.objects.count()
    assert Story.history.count() == good
    assert set(Source.objects.values_list("name", flat=True)) == {"Test Wire"}


def test_an_unreadable_path_is_named():
    out, err, failed = ingest(BAD / "missing.txt")
    assert failed is not None
    assert f"{BAD / 'missing.txt'}: cannot read the file (No such file or directory)" in err


def test_a_file_over_the_size_limit_is_refused_before_reading(settings):
    settings.NEWSROOM_INGEST_MAX_FILE_BYTES = 100
    out, err, failed = ingest(GOOD / "wire.rss")
    assert failed is not None and "over the limit of 100" in err
    assert not Story.objects.exists()


def test_an_unknown_format_name_is_refused():
    (error,) = read_file(GOOD / "article.txt", "docx")
    assert isinstance(error, IngestError) and "unknown format 'docx'" in str(error)


def test_the_service_refuses_bad_items_with_the_same_messages_as_the_command():
    with pytest.raises(IngestError, match=r"^api:item: empty title$"):
        ingest_item(Item(title=" ", origin="api:item"), source=SourceFactory())
    assert not Story.objects.exists()
