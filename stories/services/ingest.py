"""Ingesting articles: validate, normalise, recognise what is already stored, deduplicate, store.

`ingest_items` (many items: `manage.py ingest`) and `ingest_item` (one: `POST /api/v1/stories/`)
share every step, so both refuse the same bad input with the same message. Each item is stored
whole (story, version, signature, merge or suggestion) or not at all: `ingest_items` stores a
batch of items in one transaction, each item in its own savepoint, and reads what the batch needs
once (see _Run), so an item costs its own writes only; `ingest_item` is a batch of one.

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
from stories.models import TEXT_FIELDS, SignatureBand, Source, Story, StorySignature, StoryVersion
from stories.services import outlets, versions
from stories.services.transactions import is_conflict
from stories.signals import story_ingested
from stories.text import fingerprint, normalise, slug_base, slug_candidates, unique_slug


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


class _Run:
    """What one transaction of items reads once, and what its items stored so far.

    Before the items are stored, one query each reads every outlet, the stored stories the items
    name by guid or URL, those holding their texts (fingerprints), the stories sharing an LSH band
    with them and their texts, and which of the slugs they would take are taken. Each item then
    costs its own writes only (the story, its history and first version; a merge or a queued pair
    when it is a near copy), and a later item sees an earlier one of the same run: what an item
    stored is added here once its savepoint is released. Signatures are written for the whole
    run at its end, in two statements, inside the same transaction."""

    SLUGS_TRIED = 10

    def __init__(self, items, default_source, by):
        from stories.services import dedup

        self.default_source, self.by = default_source, by
        self.outlets = outlets.Outlets()
        guids = {item.guid for item in items if item.guid}
        urls = {item.url for item in items if item.url}
        self.by_guid, self.by_url, self.by_print = {}, {}, {}
        self.known_by = {}  # story id: [(table, key)] of the stories the run stored or updated
        related = Story.objects.select_related("source", "merged_into").order_by("pk")
        for story in related.filter(guid__in=guids) if guids else ():
            self.by_guid.setdefault((story.guid, story.source_id), story)
        for story in related.exclude(url="").filter(url__in=urls) if urls else ():
            self.by_url[story.url] = story
        # The texts: fingerprint, shingles, signature and band keys of each item, signed at once.
        self.signed = {}
        sets = [dedup.shingles(f"{item.title}\n{item.body}") for item in items]
        for item, shingle_set, minhash in zip(items, sets, dedup.signatures(sets), strict=True):
            self.signed[id(item)] = (fingerprint(item.title, item.body), shingle_set, minhash)
        prints = {signed[0] for signed in self.signed.values()}
        for story in related.filter(fingerprint__in=prints) if prints else ():
            self.by_print.setdefault(story.fingerprint, story)
        for table in (self.by_guid, self.by_url, self.by_print):
            for key, story in table.items():
                self.known_by.setdefault(story.pk, []).append((table, key))
        self.keys = {id(item): dedup.band_keys(self.signed[id(item)][2]) for item in items}
        wanted = {key for keys in self.keys.values() for key in keys}
        self.band = {}
        for key, story_id in SignatureBand.objects.filter(key__in=wanted).values_list("key", "story_id"):
            self.band.setdefault(key, set()).add(story_id)
        near = {story_id for ids in self.band.values() for story_id in ids}
        self.texts = {}  # story id: (story, shingle set), canonical stories only
        if near:
            others = Story.objects.filter(pk__in=near, merged_into__isnull=True).only(*dedup.CANDIDATE_FIELDS)
            for other in others:
                self.texts[other.pk] = (other, dedup.shingles(dedup.story_text(other)))
        self.slugs = {
            id(item): slug_candidates(slug_base(Story, item.title, 100), 100, 1, self.SLUGS_TRIED)
            for item in items
        }
        tried = {slug for slugs in self.slugs.values() for slug in slugs}
        self.taken = set(Story.objects.filter(slug__in=tried).values_list("slug", flat=True))
        self.unsigned = []  # (signature, bands) of the run's new stories, written by flush()

    def known(self, item, source):
        """The stored story this item is a new delivery of, or None.

        A guid names an item within its outlet's feed only (two outlets may both number their
        items "1234"): it matches a story of the same source. A URL is one story's address
        whoever sends it: an item of another outlet claiming it is refused, naming both, so a
        feed or a token can never rewrite another outlet's story (DESIGN.md rule 8)."""
        if item.guid:
            story = self.by_guid.get((item.guid, source.pk))
            if story:
                return story
        if item.url:
            story = self.by_url.get(item.url)
            if story is not None and story.source_id != source.pk:
                _fail(
                    item,
                    f"{item.url} is the address of “{story}” from {story.source}; an item from "
                    f"{source} cannot update it (only {story.source}'s own items update its stories)",
                )
            return story
        return None

    def remember(self, story):
        """`story` was stored or updated by an item of the run: later items see it."""
        for table, key in self.known_by.pop(story.pk, ()):  # what it was known by before an update
            if key in table and table[key].pk == story.pk:
                del table[key]
        keys = [(self.by_print, story.fingerprint)]
        if story.guid:
            keys.append((self.by_guid, (story.guid, story.source_id)))
        for table, key in keys:  # the oldest story holding a guid or a text is the one found
            if key not in table or table[key].pk > story.pk:
                table[key] = story
        if story.url:
            self.by_url[story.url] = story
            keys.append((self.by_url, story.url))
        self.known_by[story.pk] = keys
        self.taken.add(story.slug)

    def slug(self, item):
        for slug in self.slugs.get(id(item), ()):
            if slug not in self.taken:
                return slug
        return unique_slug(Story, item.title, max_length=100, taken=self.taken)

    def store(self, item, story_source, *, seen, delivered):
        """Store the item under `story_source`; `delivered` gets the id of the story it delivers
        (recognised or new), for `seen` once the item's savepoint is released."""
        from stories.services import dedup

        known = self.known(item, story_source)
        if known is not None:
            if known.pk in seen:
                return IngestResult(
                    known, "unchanged", known.canonical, f"repeats {seen[known.pk]} of this run: skipped"
                ), None
            if any(signature.story_id == known.pk for signature, _keys in self.unsigned):
                self.flush()  # a story of this run: its signature is written before it changes
            delivered.append(known.pk)
            result = _update(known, item, by=self.by)
            return result, result.story
        print_, own, minhash = self.signed[id(item)]
        same = self.by_print.get(print_)
        if same is not None:
            return IngestResult(same, "unchanged", same.canonical, f"exact copy of “{same}”"), None
        fields = {field: getattr(item, field) for field in _FIELDS}
        story = Story(source=story_source, slug=self.slug(item), **fields)
        story._history_user = self.by
        story._version = {"kind": StoryVersion.Kind.INGEST, "origin": item.origin, "by": self.by}
        story.save()
        delivered.append(story.pk)
        near = {pk for key in self.keys[id(item)] for pk in self.band.get(key, ())} - {story.pk}
        candidates = [self.texts[pk] for pk in sorted(near) if pk in self.texts]
        result = dedup.link_new_story(story, own, candidates, by=self.by)
        story._signed = (own, minhash, self.keys[id(item)])
        return result, story

    def added(self, story):
        """The item's savepoint was released: its new or updated story joins the run."""
        from stories.services import dedup

        self.remember(story)
        signed = getattr(story, "_signed", None)
        if signed is None:
            return
        own, minhash, keys = signed
        self.unsigned.append((dedup.signature_row(story, minhash, len(own)), keys))
        for key in keys:
            self.band.setdefault(key, set()).add(story.pk)
        if story.merged_into_id is None:
            self.texts[story.pk] = (story, own)

    def flush(self):
        """Write the signatures of the run's new stories and their LSH bands (two statements)."""
        from stories.services import dedup

        if self.unsigned:
            StorySignature.objects.bulk_create([signature for signature, _keys in self.unsigned])
            dedup.insert_bands(
                [(signature.story_id, key) for signature, keys in self.unsigned for key in keys]
            )
            self.unsigned = []

    def attempt(self, item, seen):
        """Resolve, recognise, deduplicate and store one item in a savepoint: its IngestResult, or
        the exception that refused it (nothing of the item is left in the database then)."""
        delivered, outlets_before = [], len(self.outlets.sources)
        try:
            with transaction.atomic():
                story_source, attribution = outlets.resolve(
                    item.source, item.url, self.default_source, known=self.outlets
                )
                result, stored = self.store(item, story_source, seen=seen, delivered=delivered)
                story_ingested.send(Story, result=result)
        except Exception as exc:  # noqa: BLE001  (one item never stops the others)
            for source in self.outlets.sources[outlets_before:]:
                self.outlets.discard(source)
            return _refusal(item, exc)
        if stored is not None:
            self.added(stored)
        result.attribution = attribution
        seen.update((pk, item.origin or "an earlier item") for pk in delivered)
        return result


def _refusal(item, exc):
    """What an exception raised while storing `item` is reported as."""
    if isinstance(exc, IntegrityError):
        return IngestError(
            f"{_where(item)}could not be stored ({exc}); another ingest may have stored the same URL "
            "at the same moment: run it again"
        )
    if isinstance(exc, DataError | OperationalError) and not is_conflict(exc):
        # e.g. a text whose full-text vector overflows PostgreSQL's 1 MB: nothing of it was stored
        return IngestError(
            f"{_where(item)}could not be stored: the database refused it ({str(exc).strip()[:300]})"
        )
    return exc  # a deadlock (the caller may run the item again), or an editorial refusal


def _prepare(item):
    """Validate and clean the item in place; raises IngestError."""
    try:
        _validate(item)
    except (RecursionError, ValueError, OverflowError, UnicodeError) as exc:
        raise IngestError(
            f"{_where(item)}could not be read ({type(exc).__name__}: {str(exc)[:200]})"
        ) from None


# Items stored in one transaction by ingest_items (each in its own savepoint).
BATCH_SIZE = 200


def _run_batch(items, source, by, seen):
    """Store `items` (validated) in one transaction, each in a savepoint; [result or exception]."""
    with transaction.atomic():
        run = _Run(items, source, by)
        outcomes = [run.attempt(item, seen) for item in items]
        run.flush()
    return outcomes


def ingest_items(items, *, source: Source | None = None, by=None, seen=None, batch_size=BATCH_SIZE):
    """Ingest many items: yields (item, IngestResult or the exception that refused it), in order.

    `items` may hold a reader's IngestErrors (a line it could not read): they are yielded as they
    are. Items are stored `batch_size` at a time in one transaction, each item in its own
    savepoint: an item is stored whole or not at all and a refused item leaves the others be
    (DESIGN.md rule 5); the batch reads what it needs once (see _Run). If a batch cannot commit,
    its items are stored again one transaction each. `seen`: as ingest_item's."""
    seen = {} if seen is None else seen
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= batch_size:
            yield from _ingest_chunk(chunk, source, by, seen)
            chunk = []
    if chunk:
        yield from _ingest_chunk(chunk, source, by, seen)


def _ingest_chunk(chunk, source, by, seen):
    outcomes = {}
    ready = []
    for n, item in enumerate(chunk):
        if isinstance(item, Exception):
            outcomes[n] = item
            continue
        try:
            _prepare(item)
        except IngestError as exc:
            outcomes[n] = exc
            continue
        ready.append(n)
    before = dict(seen)
    try:
        stored = _run_batch([chunk[n] for n in ready], source, by, seen)
    except Exception:  # noqa: BLE001  (the batch could not commit: one transaction per item)
        if len(ready) == 1:
            raise
        seen.clear()
        seen.update(before)
        stored = []
        for n in ready:
            try:
                stored += _run_batch([chunk[n]], source, by, seen)
            except Exception as exc:  # noqa: BLE001
                stored.append(_refusal(chunk[n], exc))
    outcomes.update(zip(ready, stored, strict=True))
    for n, item in enumerate(chunk):
        yield item, outcomes[n]


def ingest_item(item: Item, *, source: Source | None = None, by=None, seen=None) -> IngestResult:
    """Validate, normalise, deduplicate and store one item atomically; raises IngestError.

    `seen` ({story id: origin}), shared by the items of one run: a second item of the run that is
    the same story (a feed repeating a guid) is skipped, so the run keeps the first one's text
    rather than flipping the story between them on every run."""
    _prepare(item)
    seen = {} if seen is None else seen
    try:
        (outcome,) = _run_batch([item], source, by, seen)
    except (IntegrityError, DataError, OperationalError) as exc:
        outcome = _refusal(item, exc)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome
