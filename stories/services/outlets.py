"""Which outlet an item comes from: the same answer on every path (command, API, admin).

In this order:

1. the item's own source (a Source's slug or name; a host name such as "caliber.az" is also
   matched as a host);
2. the outlet the caller chose (`--source` on the command line);
3. the host of the item's URL, matched against each Source's homepage host and `extra_domains`
   (a subdomain counts: news.example.org is example.org's; the longest match wins);
4. a new Source named from that host;
5. without a source or a URL: the one "Unattributed" source.

A Source an ingest creates (3-5, or 1 with a new name) is reliability "unrated" and marked
`needs_review`: neither its name nor its stories reach readers until an editor has reviewed it
(Source.objects.public(), Story.objects.public()).
"""

import re
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from stories.models import Source
from stories.text import unique_slug

UNATTRIBUTED_SLUG = "unattributed"
UNATTRIBUTED_NAME = "Unattributed"
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")

# How an item's outlet was found (IngestResult.attribution).
NAMED, GIVEN, HOST, NEW_HOST, UNATTRIBUTED = "named", "given", "host", "new host", "unattributed"


def clean_host(value):
    """The host name of a URL or a bare host ("https://www.Example.org/x" → "example.org"), or ""."""
    value = (value or "").strip().lower()
    if not value:
        return ""
    if "//" not in value:
        value = f"//{value}"
    try:
        host = urlsplit(value).hostname or ""
    except ValueError:
        return ""
    host = host.rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    return host if _HOST.match(host) else ""


def looks_like_host(name):
    return bool(clean_host(name)) and "." in name and " " not in name.strip()


def hosts_of(source):
    """The host names a source publishes under: its homepage's and its extra domains."""
    hosts = {clean_host(source.homepage)}
    hosts.update(clean_host(domain) for domain in source.extra_domains or [])
    return hosts - {""}


class Outlets:
    """Every Source, read once (one query) and matched in memory: a run of many items resolves
    each item's outlet without a query of its own. Sources an ingest creates are added as it
    goes (`add`)."""

    def __init__(self):
        self.sources = []
        self.by_slug, self.by_name, self.hosts = {}, {}, {}
        for source in Source.objects.order_by("pk"):
            self.add(source)

    def add(self, source):
        self.sources.append(source)
        self.by_slug[source.slug] = source
        # Sources are ordered by name, so of two sharing a name the database finds one of them
        # first; here the older one.
        self.by_name.setdefault(source.name.casefold(), source)
        for domain in hosts_of(source):
            self.hosts.setdefault(domain, source)

    def discard(self, source):
        """Forget a source whose creation was rolled back."""
        self.sources = [s for s in self.sources if s.pk != source.pk]
        self.by_slug = {k: s for k, s in self.by_slug.items() if s.pk != source.pk}
        self.by_name = {}
        for s in self.sources:
            self.by_name.setdefault(s.name.casefold(), s)
        self.hosts = {}
        for s in self.sources:
            for domain in hosts_of(s):
                self.hosts.setdefault(domain, s)

    def find_host(self, host):
        """The Source whose homepage or extra domains cover `host`, the most specific first (of
        equal matches, the oldest source)."""
        if not host:
            return None
        labels = host.split(".")
        for start in range(len(labels) - 1):  # news.example.org, then example.org
            found = self.hosts.get(".".join(labels[start:]))
            if found is not None:
                return found
        return None

    def find_name(self, name):
        """The Source with this slug or name (case-insensitive), or whose hosts cover it if it is a
        host."""
        name = (name or "").strip()
        if not name:
            return None
        found = self.by_slug.get(name) or self.by_slug.get(slugify(name)) or self.by_name.get(name.casefold())
        if found is None and looks_like_host(name):
            found = self.find_host(clean_host(name))
        return found


def by_host(host):
    """The Source whose homepage or extra domains cover `host`, the most specific first."""
    return Outlets().find_host(host) if host else None


def by_name(name):
    """The Source with this slug or name (case-insensitive), or whose hosts cover it if it is a host."""
    return Outlets().find_name(name) if (name or "").strip() else None


def _create(name, homepage=""):
    """A new Source for review: kind other, reliability unrated, not public yet."""
    return Source.objects.create(
        name=name,
        slug=unique_slug(Source, name, max_length=80),
        homepage=homepage,
        kind=Source.Kind.OTHER,
        reliability=Source.Reliability.UNRATED,
        needs_review=True,
    )


def unattributed(known=None):
    """The one source of items that name no outlet and carry no URL, flagged for review."""
    found = (known or Outlets()).by_slug.get(UNATTRIBUTED_SLUG)
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Source.objects.create(
                name=UNATTRIBUTED_NAME,
                slug=UNATTRIBUTED_SLUG,
                description="Items that named no outlet and carried no address: an editor files them.",
                needs_review=True,
            )
    except IntegrityError:  # created meanwhile by another ingest
        return Source.objects.get(slug=UNATTRIBUTED_SLUG)


def resolve(name="", url="", default=None, *, known=None):
    """(Source, how) for an item naming `name` (may be empty) with the URL `url` (may be empty);
    `default`: the outlet the caller chose for items that name none; `known`: the Outlets of a run
    (read here when not given). A Source created here is added to `known`. See the module's
    docstring."""
    if not name and default is not None:
        return default, GIVEN
    known = Outlets() if known is None else known
    host = clean_host(url)
    if name:
        found = known.find_name(name)
        if found is not None:
            return found, NAMED
        # Named after a host ("example.org"): that host is its homepage. The item's URL is not
        # taken as the homepage of a name: an aggregator's feed links to other outlets' pages.
        homepage = f"https://{clean_host(name)}/" if looks_like_host(name) else ""
        return _added(known, _create(name, homepage)), NAMED
    if host:
        found = known.find_host(host)
        if found is not None:
            return found, HOST
        return _added(known, _create(host, f"https://{host}/")), NEW_HOST
    found = known.by_slug.get(UNATTRIBUTED_SLUG)
    return found or _added(known, unattributed(known)), UNATTRIBUTED


def _added(known, source):
    if source.slug not in known.by_slug:
        known.add(source)
    return source


def mark_reviewed(source, *, by=None):
    """An editor has reviewed the outlet: its name and its published stories become public."""
    if source.needs_review:
        source.needs_review = False
        source.save(update_fields=["needs_review"])
    return source
