"""Ingesting one article: validate, normalise, recognise what is already stored, deduplicate, store.

`ingest_item` is the one entry point: `manage.py ingest` and `POST /api/v1/stories/` both call it,
so both refuse the same bad input with the same message. Each item is stored in its own
transaction: it is either stored whole (story, version, signature, merge or suggestion) or not
at all.

Identity, in this order: the feed's guid (within the item's own outlet: guids are numbered per
feed), then the canonical URL, then the fingerprint of the normalised title and text. An item
updates a stored story only from the story's own outlet: another outlet's item claiming a stored
story's URL is refused, naming both (DESIGN.md rule 8). A new text of a known story goes through
its versions (stories.services.versions): applied at once ("updated") while nobody reads the
story, kept as a version waiting for an editor ("held") once it is published, and "unchanged"
when the story has, had or is waiting with that text; fields an editor edited are never
overwritten. The same text under another URL is "unchanged" (an exact copy of the stored story).

The outlet is found by stories.services.outlets, the same way on every path: the item's own
source, else the one given to the call (`--source`), else its URL's host, else a new outlet named
from the host, else "Unattributed"; an outlet an ingest creates waits for an editor's review
before readers see it or its stories.
"""

import datetime as dt
import email.utils
import html
import re
import unicodedata
from dataclasses import dataclass

import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import DataError, IntegrityError, OperationalError, transaction
from django.utils import timezone

from stories.errors import EditorialError
from stories.models import TEXT_FIELDS, Source, Story, StoryVersion
from stories.services import outlets, versions
from stories.services.transactions import is_conflict
from stories.signals import story_ingested
from stories.text import fingerprint, normalise


class IngestError(EditorialError):
    """An item was refused; the message names the file (and line or item) and what was wrong."""


@dataclass
class Item:
    """One parsed article, before any database work."""

    title: str
    body: str = ""
    url: str = ""
    guid: str = ""
    source: str = ""  # a Source slug or name, may be empty
    published_at: dt.datetime | None = None
    byline: str = ""
    language: str = "en"
    summary: str = ""
    origin: str = ""  # where it came from, e.g. "feed.xml:item 3"


@dataclass
class IngestResult:
    story: Story  # the row created, updated or matched
    outcome: str  # "new" | "unchanged" | "updated" | "held" | "merged"
    canonical: Story  # story itself, or the canonical story it was merged into
    message: str = ""
    suggested: bool = False  # a duplicate candidate was queued for editors
    attribution: str = ""  # how its outlet was found (stories.services.outlets)


# Lines that look like markup able to run code: refused in any text field of an item.
_ACTIVE_MARKUP = re.compile(r"<\s*(script|style|iframe|object|embed)\b|\bon\w+\s*=|javascript:", re.I)
_BLOCK = re.compile(r"<(p|br|div|h[1-6]|li|tr|blockquote|section|article)\b", re.I)
_TAG = re.compile(r"<[a-zA-Z/!][^>]*>")
_LINE_SPACE = re.compile(r"[^\S\n]+")
_URL = URLValidator(schemes=["http", "https"])
TEXT_INPUTS = ("title", "body", "url", "guid", "source", "byline", "language", "summary")
_LIMITS = {"url": 1000, "guid": 500, "byline": 200, "language": 16}
_LIMIT_SETTINGS = {
    "title": "NEWSROOM_INGEST_MAX_TITLE_CHARS",
    "summary": "NEWSROOM_INGEST_MAX_SUMMARY_CHARS",
    "body": "NEWSROOM_INGEST_MAX_BODY_CHARS",
    "source": "NEWSROOM_INGEST_MAX_SOURCE_NAME_CHARS",
}


def _limit(field):
    """The longest value of `field` accepted, in characters (settings; docs/ingest.md)."""
    if field in _LIMIT_SETTINGS:
        return getattr(settings, _LIMIT_SETTINGS[field])
    return _LIMITS[field]


def _where(item):
    return f"{item.origin}: " if item.origin else ""


def _fail(item, message):
    raise IngestError(f"{_where(item)}{message}")


def html_to_text(markup):
    """Plain text of an HTML fragment: scripts and styles dropped with their content, tags removed."""
    markup = _BLOCK.sub(lambda m: "\n\n" + m.group(0), markup)
    return html.unescape(nh3.clean(markup, tags=set(), clean_content_tags={"script", "style"}))


def clean_text(text):
    """NFKC, spaces collapsed inside lines, blank-line runs collapsed to one paragraph break."""
    text = unicodedata.normalize("NFKC", text or "").replace("\r\n", "\n").replace("\r", "\n")
    lines = [_LINE_SPACE.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def clean_body(title, body):
    """The body's clean text without repeated boilerplate: a line repeating the title or an earlier
    line (a headline printed three times, a footer pasted twice) is kept only the first time."""
    seen = {normalise(title)}
    kept = []
    for line in clean_text(body).split("\n"):
        key = normalise(line)
        if key and key in seen:
            continue
        if key:
            seen.add(key)
        kept.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


# Dates an article can carry: from 1900 to tomorrow (a date line ahead of UTC), with an offset
# a place uses. PostgreSQL refuses offsets beyond +/-15:59, and a time in year 1 at +01:00 is
# stored as 1 BC, which psycopg then cannot read back: both are refused here, and every date is
# stored in UTC.
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
MAX_OFFSET = dt.timedelta(hours=15, minutes=59)


def parse_date(value, *, where=""):
    """A datetime in UTC from ISO 8601 or RFC 2822 text (or a datetime); naive times are taken as
    UTC. Refused: unreadable dates, offsets beyond +/-15:59, dates before 1900 or after tomorrow."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        parsed, shown = value, value.isoformat()
    else:
        text = shown = str(value).strip()[:100]
        try:
            parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            try:
                parsed = email.utils.parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError, OverflowError):
                raise IngestError(
                    f"{where}impossible or unreadable date {text!r}: use ISO 8601 (2025-06-30 or "
                    "2025-06-30T09:00:00+09:00) or RFC 2822"
                ) from None
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=dt.UTC)
    offset = parsed.utcoffset()
    if offset is not None and abs(offset) > MAX_OFFSET:
        sign, minutes = ("-" if offset < dt.timedelta(0) else "+"), int(abs(offset).total_seconds()) // 60
        raise IngestError(
            f"{where}date {shown!r} has the UTC offset {sign}{minutes // 60:02d}:{minutes % 60:02d}, "
            "beyond +/-15:59: no place uses it"
        )
    try:
        parsed = parsed.astimezone(dt.UTC)
    except OverflowError:  # year 1 east of UTC: before year 1 in UTC
        parsed = None
    if parsed is None or parsed < EARLIEST:
        raise IngestError(f"{where}date {shown!r} is before 1900: give the article's own date")
    if parsed > timezone.now() + dt.timedelta(days=1):
        raise IngestError(f"{where}published date {parsed:%Y-%m-%d} is in the future")
    return parsed


def unmasked(text):
    """The text as a browser could come to read it: HTML entities decoded and Unicode NFKC
    (full-width ＜ is <), again until nothing changes (&amp;lt; is &lt; is <)."""
    for _round in range(5):
        plain = unicodedata.normalize("NFKC", html.unescape(text))
        if plain == text:
            break
        text = plain
    return text


def _refuse_markup(item, field, value):
    if _ACTIVE_MARKUP.search(unmasked(value)):
        _fail(item, f"{field} contains HTML with scripts or event handlers; send plain text")


def _validate(item):
    """Clean the item's fields in place, or refuse it naming the field."""
    for field in TEXT_INPUTS:
        value = getattr(item, field)
        if value is None:
            value = ""
        if not isinstance(value, str):
            _fail(item, f"{field} must be text, not {type(value).__name__}")
        if len(value) > 4 * _limit(field) + 10_000:  # not worth cleaning: refused before any work
            _fail(item, f"{field} is {len(value):,} characters, over the limit of {_limit(field):,}")
        _refuse_markup(item, field, value)
        setattr(item, field, value)
    for field in ("title", "summary", "byline", "body", "source"):
        value = getattr(item, field)
        if _TAG.search(value):
            value = html_to_text(value)
        setattr(item, field, clean_text(value))
    item.title, item.source = " ".join(item.title.split()), " ".join(item.source.split())
    item.url, item.guid = item.url.strip(), item.guid.strip()
    item.language = item.language.strip() or "en"
    for field in TEXT_INPUTS:  # what cleaning made of it (entities decoded, tags dropped)
        _refuse_markup(item, field, getattr(item, field))
    if not item.title:
        _fail(item, "empty title")
    for field in TEXT_INPUTS:
        length, limit = len(getattr(item, field)), _limit(field)
        if length > limit:
            if field in ("body", "summary"):
                _fail(item, f"{field} is {length:,} characters, over the limit of {limit:,}")
            _fail(item, f"{field} is longer than {limit} characters")
    if item.url:
        try:
            _URL(item.url)
        except ValidationError:
            _fail(item, f"bad URL {item.url!r}: give an absolute http(s) address")
    item.published_at = parse_date(item.published_at, where=_where(item))
    item.body = clean_body(item.title, item.body)


def _find_known(item, source):
    """The stored story this item is a new delivery of, or None.

    A guid names an item within its outlet's feed only (two outlets may both number their items
    "1234"): it matches a story of the same source. A URL is one story's address whoever sends
    it: an item of another outlet claiming it is refused, naming both, so a feed or a token can
    never rewrite another outlet's story (DESIGN.md rule 8)."""
    if item.guid:
        story = Story.objects.filter(guid=item.guid, source=source).order_by("pk").first()
        if story:
            return story
    if item.url:
        story = Story.objects.filter(url=item.url).select_related("source").first()
        if story is not None and story.source_id != source.pk:
            _fail(
                item,
                f"{item.url} is the address of “{story}” from {story.source}; an item from {source} "
                f"cannot update it (only {story.source}'s own items update its stories)",
            )
        return story
    return None


_FIELDS = ("title", "body", "url", "guid", "published_at", "byline", "language", "summary")


def _update(known, item, *, by):
    """A new delivery of the stored story `known` (same outlet): its text goes through the story's
    versions (applied, or held for an editor when the story is published); its address and
    language follow the item only while nobody reads the story yet."""
    story = Story.objects.select_for_update().get(pk=known.pk)
    given = {name: getattr(item, name) for name in TEXT_FIELDS}
    proposal = {name: value if value else getattr(story, name) for name, value in given.items()}
    outcome, version = versions.propose(story, proposal, origin=item.origin, by=by)
    meta = {"guid": item.guid} if item.guid and not story.guid else {}
    if not versions.is_held(story):
        meta |= {name: getattr(item, name) for name in ("url", "language") if getattr(item, name)}
    meta = {name: value for name, value in meta.items() if getattr(story, name) != value}
    if meta:
        for name, value in meta.items():
            setattr(story, name, value)
        story._history_user = by
        story.save(update_fields=[*meta, "updated_at"])
        if outcome == "unchanged":
            outcome = "updated"
    if outcome == "held":
        message = f"“{story}” is published: the new text waits for an editor to accept it"
    elif outcome == "updated":
        message = "text changed; previous kept" if version else f"{', '.join(meta)} updated"
    elif story.versions.pending().filter(fingerprint=versions.fingerprint_of(proposal)).exists():
        message = "this text already waits for an editor's review"
    else:
        message = "already stored"
    return IngestResult(story, outcome, story.canonical, message)


def _store(item, story_source, *, by, seen, delivered):
    """Store the item under `story_source`; `delivered` gets the id of the story it delivers
    (recognised or new), for `seen` once the transaction has committed."""
    from stories.services import dedup

    known = _find_known(item, story_source)
    if known is not None:
        if known.pk in seen:
            return IngestResult(
                known, "unchanged", known.canonical, f"repeats {seen[known.pk]} of this run: skipped"
            )
        delivered.append(known.pk)
        return _update(known, item, by=by)
    print_ = fingerprint(item.title, item.body)
    same = Story.objects.filter(fingerprint=print_).order_by("pk").first()
    if same is not None:
        return IngestResult(same, "unchanged", same.canonical, f"exact copy of “{same}”")
    story = Story(source=story_source, **{field: getattr(item, field) for field in _FIELDS})
    story._history_user = by
    story._version = {"kind": StoryVersion.Kind.INGEST, "origin": item.origin, "by": by}
    story.save()
    delivered.append(story.pk)
    return dedup.check_new_story(story, by=by)


def ingest_item(item: Item, *, source: Source | None = None, by=None, seen=None) -> IngestResult:
    """Validate, normalise, deduplicate and store one item atomically; raises IngestError.

    `seen` ({story id: origin}), shared by the items of one run: a second item of the run that is
    the same story (a feed repeating a guid) is skipped, so the run keeps the first one's text
    rather than flipping the story between them on every run."""
    try:
        _validate(item)
    except (RecursionError, ValueError, OverflowError, UnicodeError) as exc:
        raise IngestError(
            f"{_where(item)}could not be read ({type(exc).__name__}: {str(exc)[:200]})"
        ) from None
    seen = {} if seen is None else seen
    delivered = []
    try:
        with transaction.atomic():
            story_source, attribution = outlets.resolve(item.source, item.url, source)
            result = _store(item, story_source, by=by, seen=seen, delivered=delivered)
            story_ingested.send(Story, result=result)
        result.attribution = attribution
        seen.update((pk, item.origin or "an earlier item") for pk in delivered)
        return result
    except IntegrityError as exc:
        raise IngestError(
            f"{_where(item)}could not be stored ({exc}); another ingest may have stored the same URL "
            "at the same moment: run it again"
        ) from None
    except (DataError, OperationalError) as exc:
        if isinstance(exc, OperationalError) and is_conflict(exc):
            raise  # a deadlock: the caller may run the item again
        # e.g. a text whose full-text vector overflows PostgreSQL's 1 MB: nothing of it was stored
        raise IngestError(
            f"{_where(item)}could not be stored: the database refused it ({str(exc).strip()[:300]})"
        ) from None
