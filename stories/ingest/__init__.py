"""Reading files into Items: plain text, JSON Lines, RSS/Atom feeds and saved HTML pages.

`read_file(path, fmt)` yields, for each article in the file, either an Item or the IngestError
that refused it, so one bad line never stops the others. The format is picked from the content
("auto"), never from the file name alone. Nothing here touches the database.
"""

import json
import os
import re
import stat
from pathlib import Path

import feedparser
import lxml.etree
import lxml.html
import trafilatura
from django.conf import settings

from stories.services.ingest import IngestError, Item, html_to_text, parse_date
from stories.services.outlets import clean_host
from stories.text import normalise

FORMATS = ("auto", "text", "jsonl", "feed", "html")
JSONL_FIELDS = {"title", "body", "url", "source", "published_at", "byline", "language", "guid", "summary"}
TITLE_CHARS = 200  # the longest title taken from a text file's first line or lead sentence
LEAD_SENTENCE_CHARS = 120  # a first line ending in a full stop beyond this is a lead paragraph
TEXT_HEADERS = {"url": "url", "source": "source", "published": "published_at", "byline": "byline"}


def detect(text):
    """The format of a decoded file, from its first characters."""
    head = text.lstrip()[:2000].lower()
    if head.startswith("{"):
        return "jsonl"
    if head.startswith("<?xml") or "<rss" in head[:500] or "<feed" in head[:500] or "<rdf:rdf" in head[:500]:
        return "feed"
    if head.startswith("<!doctype html") or head.startswith("<html") or "<head" in head or "<body" in head:
        return "html"
    return "text"


_SPECIAL = {
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a directory",
}


def _read_regular_file(path, limit):
    """The bytes of a regular file of at most `limit` bytes. Opened without blocking (a FIFO would
    wait for a writer) and checked on the open file itself, before any byte is read, so
    /dev/zero, a FIFO or a socket, or a link to one, is refused rather than read forever; at
    most limit + 1 bytes are read, whatever size the file claims."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = _SPECIAL.get(stat.S_IFMT(mode), "not a regular file")
            raise IngestError(f"{path}: {kind}, not a regular file: refused")
        size = os.fstat(fd).st_size
        if size > limit:
            raise IngestError(f"{path}: file is {size:,} bytes, over the limit of {limit:,}")
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise IngestError(f"{path}: file is over the limit of {limit:,} bytes")
        return b"".join(chunks)
    finally:
        os.close(fd)


def decode(path):
    """The file's text; refuses unreadable, special, too large, binary, non-UTF-8 and empty files."""
    path = Path(path)
    try:
        data = _read_regular_file(path, settings.NEWSROOM_INGEST_MAX_FILE_BYTES)
    except OSError as exc:
        raise IngestError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    if b"\0" in data[:8192]:
        raise IngestError(f"{path}: unknown format: binary data, not text, JSON Lines, a feed or HTML")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise IngestError(
            f"{path}:{line}: invalid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None
    if not text.strip():
        raise IngestError(f"{path}: empty file")
    return text


def read_file(path, fmt="auto"):
    """Yield an Item or an IngestError for each article of the file."""
    if fmt not in FORMATS:
        yield IngestError(f"{path}: unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
        return
    try:
        text = decode(path)
    except IngestError as exc:
        yield exc
        return
    fmt = detect(text) if fmt == "auto" else fmt
    name = Path(path).name
    yield from PARSERS[fmt](text, str(path), name)


def _items_or_error(parse):
    def wrapper(text, where, name):
        try:
            yield from parse(text, where, name)
        except IngestError as exc:
            yield exc

    return wrapper


@_items_or_error
def read_text(text, where, name):
    lines = text.splitlines()
    fields, index = {}, 0
    while index < len(lines) and ":" in lines[index]:
        key, _, value = lines[index].partition(":")
        if key.strip().lower() not in TEXT_HEADERS or not key.strip().isalpha():
            break
        fields[TEXT_HEADERS[key.strip().lower()]] = value.strip()
        index += 1
    if fields and index < len(lines) and lines[index].strip():
        raise IngestError(f"{where}:{index + 1}: the header block must end with an empty line")
    index = _next_text(lines, index)
    if index == len(lines):
        raise IngestError(f"{where}: empty title: no text after the header block")
    first = lines[index].strip()
    following = _next_text(lines, index + 1)
    if following < len(lines) and (
        first.casefold() == fields.get("source", "").casefold()
        or ("source" not in fields and is_site_name(first, "\n".join(lines[following:])))
    ):
        fields.setdefault("source", first)  # "NextFin": the outlet, not the title
        index = following
    while following < len(lines) and is_boilerplate(lines[index]):  # "Advertisement", "Menu"...
        index, following = following, _next_text(lines, following + 1)
    title_line = index + 1
    published = fields.pop("published_at", "")
    title, body = lines[index].strip(), lines[index + 1 :]
    if not is_headline(title):  # a lead paragraph: the title is its first sentence, kept in the body
        title, body = lead_title(title), lines[index:]
    yield Item(
        title=title,
        body="\n".join(body),
        published_at=parse_date(published, where=f"{where}:{_header_line(lines, 'published')}: "),
        origin=f"{where}:{title_line}",
        **fields,
    )


def _next_text(lines, index):
    """The index of the first non-blank line from `index` (len(lines) if none)."""
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index


_SITE_NAME_WORDS = 3
_SITE_NAME_CHARS = 40
_DOMAIN = re.compile(r"^[\w-]+(\.[\w-]+)*\.[a-z]{2,}$", re.I)


def is_site_name(line, rest):
    """Whether the first line of an article is its outlet's name rather than a headline: a short
    name (at most three words, no sentence punctuation) that the article repeats ("NextFin", then
    "NextFin News - ..."), or a domain name ("Caliber.az")."""
    line = line.strip()
    if not line or len(line) > _SITE_NAME_CHARS:
        return False
    if _DOMAIN.match(line):
        return True
    if len(line.split()) > _SITE_NAME_WORDS or re.search(r"[.!?:;,\"“”]", line):
        return False
    return re.search(rf"(?<!\w){re.escape(line)}(?!\w)", rest, re.I) is not None


# Lines that sit above the headline on many sites' pages and are never one.
_BOILERPLATE = re.compile(
    r"^(advertisement|advert|sponsored( content)?|skip to (main )?content|menu|home|search|"
    r"share( this)?( article| story| page)?|subscribe( now)?|sign in|log in|read more|"
    r"read the original article( here)?|listen to this article|print|email|breaking( news)?|"
    r"latest( news)?|top stories|news|\d+\s+(views|comments|shares)|\d+\s+min(ute)?s?\s+read)$",
    re.I,
)
# A sentence end: ".", "!" or "?" then a space, or run straight into the next sentence's capital
# ("...Ukraine.This decision..."); not inside "U.S." or a number such as "3.5".
_SENTENCE_END = re.compile(r"(?<=[a-z0-9\)”’\"'][.!?])(?:\s+|(?=[A-Z][a-z]))")


def is_boilerplate(line):
    return bool(_BOILERPLATE.match(line.strip().strip("|·•-–— ")))


_ABBREVIATIONS = {
    *("mr", "mrs", "ms", "dr", "st", "no", "vs", "gen", "lt", "col", "sgt", "capt", "gov", "sen"),
    *("rep", "inc", "co", "corp", "ltd", "jr", "sr", "prof", "fig", "approx", "jan", "feb", "aug"),
    *("sept", "sep", "oct", "nov", "dec", "e.g", "i.e", "etc"),
}


def _sentences(line):
    """The sentences of a line; "Mr. Kishida" and "Gen. Smith" do not end one."""
    pieces = []
    for piece in _SENTENCE_END.split(line.strip()):
        previous = pieces[-1].rstrip() if pieces else ""
        if previous.endswith(".") and previous[:-1].rsplit(" ", 1)[-1].lower() in _ABBREVIATIONS:
            pieces[-1] = f"{previous} {piece}"
        else:
            pieces.append(piece)
    return pieces


def is_headline(line):
    """A first line that reads as a headline: at most TITLE_CHARS characters, one sentence, and
    not a long sentence ending with a full stop (a one-sentence lead paragraph)."""
    line = line.strip()
    if len(line) > TITLE_CHARS or len(_sentences(line)) > 1:
        return False
    return not (line.endswith(".") and len(line) > LEAD_SENTENCE_CHARS)


def lead_title(line):
    """A title from a lead paragraph: its first sentence without the full stop, or its first words
    within TITLE_CHARS."""
    sentence = _sentences(line)[0].strip()
    if sentence.endswith(".") and not sentence.endswith(".."):
        sentence = sentence[:-1]
    if len(sentence) <= TITLE_CHARS:
        return sentence
    return sentence[: TITLE_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _header_line(lines, key):
    return next((n for n, line in enumerate(lines, 1) if line.lower().startswith(key + ":")), 1)


def read_jsonl(text, where, name):
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        origin = f"{where}:{number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            yield IngestError(f"{origin}: not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        except RecursionError:
            yield IngestError(f"{origin}: not valid JSON (nested too deeply)")
            continue
        except ValueError as exc:  # e.g. an integer of more digits than Python converts
            yield IngestError(f"{origin}: not valid JSON ({str(exc)[:200]})")
            continue
        if not isinstance(data, dict):
            yield IngestError(f"{origin}: expected a JSON object, got {type(data).__name__}")
            continue
        unknown = sorted(set(data) - JSONL_FIELDS)
        if unknown:
            yield IngestError(
                f"{origin}: unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(JSONL_FIELDS))}"
            )
            continue
        data = {
            key: ("" if value is None and key != "published_at" else value) for key, value in data.items()
        }
        yield Item(**{"title": "", **data, "origin": origin})


def read_feed(text, where, name):
    parsed = feedparser.parse(text)
    if not parsed.entries:
        reason = f" ({parsed.bozo_exception})" if parsed.bozo else ""
        yield IngestError(f"{where}: not an RSS or Atom feed with items{reason}")
        return
    source = parsed.feed.get("title", "")
    for number, entry in enumerate(parsed.entries, 1):
        origin = f"{where}:item {number}"
        try:
            content = entry.get("content") or []
            body = content[0].get("value", "") if content else entry.get("summary", "")
            yield Item(
                title=html_to_text(entry.get("title", "")),
                body=html_to_text(body),
                summary=html_to_text(entry.get("summary", "")) if content else "",
                url=entry.get("link", ""),
                guid=entry.get("id", ""),
                source=source,
                byline=entry.get("author", ""),
                published_at=parse_date(
                    entry.get("published") or entry.get("updated") or "", where=f"{origin}: "
                ),
                language=(entry.get("language") or parsed.feed.get("language") or "en")[:16],
                origin=origin,
            )
        except IngestError as exc:
            yield exc


_TITLE_SEPARATOR = re.compile(r"(\s+(?:\||·|•|-|–|—|::|/|»)\s+)")


def _names(*values):
    """Comparable forms of a site's names: "City Herald", "herald.example" → also "herald"."""
    names = set()
    for value in values:
        host = clean_host(value) if value and " " not in value.strip() else ""
        if host:
            names.update({host, host.split(".")[0]})
        elif value:
            names.add(normalise(value))
    return names - {""}


def strip_site_name(title, *site_names):
    """The title without the site's name before or after it ("Bridge repairs | City Herald")."""
    parts = _TITLE_SEPARATOR.split(title.strip())
    if len(parts) < 3:
        return title.strip()
    names = _names(*site_names)
    if normalise(parts[-1]) in names or (parts[-2].strip() == "|" and len(parts[-1].split()) <= 4):
        return "".join(parts[:-2]).strip()
    if normalise(parts[0]) in names:
        return "".join(parts[2:]).strip()
    return title.strip()


def html_title(markup, *site_names):
    """(title, site name) of an HTML page: og:title (or twitter:title), else the first <h1>, else
    <title>, without the site's name; the site name from og:site_name or application-name."""
    try:
        tree = lxml.html.fromstring(markup)
    except (lxml.etree.ParserError, ValueError):
        return "", ""

    def meta(*keys):
        for key in keys:
            for attribute in ("property", "name"):
                found = tree.xpath(f"//meta[@{attribute}=$key]/@content", key=key)
                if found and found[0].strip():
                    return " ".join(found[0].split())
        return ""

    site = meta("og:site_name", "application-name")
    h1 = tree.xpath("(//h1)[1]")
    candidates = [
        meta("og:title", "twitter:title"),
        " ".join(h1[0].text_content().split()) if h1 else "",
        " ".join((tree.findtext(".//title") or "").split()),
    ]
    for candidate in candidates:
        if candidate:
            return strip_site_name(candidate, site, *site_names), site
    return "", site


@_items_or_error
def read_html(text, where, name):
    document = trafilatura.bare_extraction(text, with_metadata=True, include_comments=False)
    title, site = html_title(text, document.sitename if document else "", document.url if document else "")
    if document is None or not (title or document.title or "").strip():
        raise IngestError(f"{where}: no article title found in the HTML page")
    yield Item(
        title=title or document.title,
        body=document.text or "",
        url=document.url or "",
        source=site or document.sitename or "",
        byline=document.author or "",
        published_at=parse_date(document.date or "", where=f"{where}: "),
        language=(document.language or "en")[:16],
        origin=where,
    )


PARSERS = {"text": read_text, "jsonl": read_jsonl, "feed": read_feed, "html": read_html}
