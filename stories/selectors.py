"""The public read model: every query behind what readers and API consumers see.

The site's views, feeds and sitemaps and the API's views all read through these functions, and
these start from the models' public querysets (DESIGN.md rules 1-3: `Story.objects.public()`,
`Story.served_condition`, `Claim.objects.public()`, `EditorialNote.objects.public()`,
`TimelineEntry.objects.public()`). Views and serializers only shape what comes out of here.

Every read costs a fixed number of queries whatever the volume: lists are paginated by the
caller, counts that would need a scan are stored (stories.services.counters), a claim lists a
few of its stories (`PREVIEW`) and its appearances page by page.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, OuterRef, Prefetch, Q, Subquery, Sum
from django.urls import reverse

from stories.models import (
    VERDICT_RATINGS,
    Claim,
    ClaimAppearance,
    EditorialNote,
    Source,
    Story,
    Tag,
    TimelineEntry,
    Verdict,
)
from stories.services import counters, search

# How many stories a claim names where it is listed (the rest: "and K more").
PREVIEW = counters.PREVIEW


# --- Stories ------------------------------------------------------------------------------------


def stories():
    """Public stories, newest first, with their sources (lists, feeds, sitemaps, the API)."""
    return Story.objects.public().select_related("source").defer("body")


def story_count(source=None):
    """How many public stories there are (from `source`), from the sources' stored counts: no
    scan of the stories."""
    if source is not None:
        return source.story_count
    return Source.objects.aggregate(n=Sum("story_count"))["n"] or 0


def story_sources():
    """Sources with at least one public story, by name (the story list's filter)."""
    return Source.objects.public().filter(story_count__gt=0).order_by("name")


@dataclass
class StoryLookup:
    story: Story | None = None  # the public story, with its details attached
    moved_to: Story | None = None  # the public story a merged copy answers 301 to


def story_by_slug(slug):
    """The public story with this slug, with its details (see `attach_story_details`); or, for a
    copy merged into a public story, that story to redirect to; or neither."""
    story = stories().defer(None).filter(slug=slug).first()
    if story is not None:
        attach_story_details([story])
        return StoryLookup(story=story)
    copy = (
        Story.objects.filter(slug=slug, merged_into__in=Story.objects.public(), source__needs_review=False)
        .select_related("merged_into")
        .only("merged_into__slug")
        .first()
    )
    return StoryLookup(moved_to=copy.merged_into if copy else None)


def attach_story_details(rows):
    """Set, on each public story of `rows`: `copy_list` (the copies merged into it that readers
    see), `claim_list` (the public claims it or those copies make, with their text, slug and
    verdict only, each with the `quote` of its first appearance) and `correction_list` (public
    notes on it or those copies). Three queries for any number of stories."""
    by_id = {story.pk: story for story in rows}
    for story in rows:
        story.copy_list, story.claim_list, story.correction_list = [], [], []
    if not by_id:
        return
    copies = Story.objects.served().filter(merged_into__in=list(by_id))
    canonical_of = {pk: pk for pk in by_id}
    for copy in copies.only("title", "slug", "url", "merged_into").order_by("pk"):
        by_id[copy.merged_into_id].copy_list.append(copy)
        canonical_of[copy.pk] = copy.merged_into_id
    appearances = (
        ClaimAppearance.objects.filter(story__in=list(canonical_of), claim__in=Claim.objects.public())
        .select_related("claim")
        .only("story", "quote", "claim__text", "claim__slug", "claim__verdict")
        .order_by("claim__text", "pk")
    )
    for appearance in appearances:
        story = by_id[canonical_of[appearance.story_id]]
        if all(claim.pk != appearance.claim_id for claim in story.claim_list):
            appearance.claim.quote = appearance.quote
            story.claim_list.append(appearance.claim)
    for note in corrections(story__in=list(canonical_of)):
        by_id[canonical_of[note.story_id]].correction_list.append(note)


def search_stories(query):
    """Public stories matching `query`, best first."""
    rows = Story.objects.public().select_related("source")  # the body too: hits show a snippet of it
    return search.matching(rows, query, ["title", "summary", "body"])


# --- Claims -------------------------------------------------------------------------------------


def claims():
    """Public claims with their tags, alphabetically; their counts are stored on them."""
    return Claim.objects.public().prefetch_related("tags").order_by("text", "pk")


def claim_by_slug(slug):
    return Claim.objects.public().filter(slug=slug).first()


def claim_slug_by_id(pk):
    return Claim.objects.public().filter(pk=pk).values_list("slug", flat=True).first()


def tag_by_slug(slug):
    return Tag.objects.filter(slug=slug).first()


def appearances(claim=None):
    """Appearances readers see (in a public story or a served copy of one), oldest story first,
    each with its story, the story's source and the public story it is shown on."""
    rows = ClaimAppearance.objects.filter(Story.served_condition("story__"))
    if claim is not None:
        rows = rows.filter(claim=claim)
    return (
        rows.select_related("story__source", "story__merged_into__source")
        .defer("story__body", "story__merged_into__body")
        .order_by(F("story__published_at").asc(nulls_last=True), "story_id", "pk")
    )


def attach_claim_details(claim):
    """Set on a public claim `evidence_list` and `correction_list` (its public notes)."""
    claim.evidence_list = list(claim.evidence.all())
    claim.correction_list = list(corrections(claim=claim))


# --- Notes --------------------------------------------------------------------------------------


def corrections(**on):
    """The public notes (corrections and clarifications) on `on` (`claim=...`, `story__in=...`),
    oldest first: the one query of notes readers see (rule 3)."""
    return EditorialNote.objects.public().filter(**on).order_by("created_at", "pk")


def with_appearance_preview(claim_rows, size=PREVIEW):
    """`claim_rows` (a queryset of claims) with `appearance_preview`: the first `size` appearances
    readers see of each claim, in one query for the whole page (a window per claim)."""
    return claim_rows.prefetch_related(Prefetch("appearances", appearances()[:size], "appearance_preview"))


def search_claims(query):
    """Public claims matching `query`, best first."""
    return search.matching(Claim.objects.public(), query, ["text", "explanation"])


# --- Timeline -----------------------------------------------------------------------------------


def timeline_entries(*fields):
    """Public timeline entries (rule 2), in date order: with their timeline, or, when `fields` are
    named, with those fields only (no timeline joined)."""
    entries = TimelineEntry.objects.public().order_by("date", "pk")
    return entries.only(*fields) if fields else entries.select_related("timeline")


class ExportEntry:
    """A timeline entry as exports read it (see `timeline_export`): its fields as attributes, and
    its `display_date` worked out as the model's own."""

    Precision = TimelineEntry.Precision
    display_date = TimelineEntry.display_date

    def __init__(self, **fields):
        self.__dict__.update(fields)


def timeline_export(entries, entry_fields, claim_fields):
    """The entries of `entries` (public ones: `timeline_entries()`, filtered as the caller likes)
    with the claims each rests on, in one query for all: a list of `ExportEntry` in date order,
    each with `entry_fields`, `pk`, `timeline_id`, `timeline_title`, `timeline_description` and
    `claim_list` (its claims alphabetically, each a dict of `claim_fields` and "id", one dict per
    claim however many entries rest on it). A public entry rests on at least one claim (rule 2),
    so every one of them is there."""
    names = (*entry_fields, "timeline_id", "timeline__title", "timeline__description")
    pairs = (
        TimelineEntry.claims.through.objects.filter(timelineentry__in=entries.values("pk"))
        .order_by("timelineentry__date", "timelineentry_id", "claim__text", "pk")
        .values_list(
            "timelineentry_id",
            *(f"timelineentry__{name}" for name in names),
            "claim_id",
            *(f"claim__{name}" for name in claim_fields),
        )
    )
    rows, claims, entry = [], {}, None
    split = 1 + len(names)
    for row in pairs:
        if entry is None or entry.pk != row[0]:
            fields = dict(zip(names, row[1:split], strict=True))
            entry = ExportEntry(
                pk=row[0],
                timeline_title=fields.pop("timeline__title"),
                timeline_description=fields.pop("timeline__description"),
                claim_list=[],
                **fields,
            )
            rows.append(entry)
        claim = claims.get(row[split])
        if claim is None:
            claim = claims[row[split]] = dict(zip(claim_fields, row[split + 1 :], strict=True), id=row[split])
        entry.claim_list.append(claim)
    return rows


def attach_entry_claims(entries):
    """Set `claim_list` on each entry: the claims it rests on, alphabetically. One query for any
    number of entries."""
    by_id = {entry.pk: entry for entry in entries}
    for entry in entries:
        entry.claim_list = []
    pairs = (
        TimelineEntry.claims.through.objects.filter(timelineentry__in=list(by_id))
        .select_related("claim")
        .order_by("claim__text", "pk")
    )
    claims_by_id = {}
    for pair in pairs:
        claim = claims_by_id.setdefault(pair.claim_id, pair.claim)
        by_id[pair.timelineentry_id].claim_list.append(claim)


def entry_claim_rows(entry_ids, fields):
    """{entry id: [claim, ...]} for the entries `entry_ids`: the claims each rests on,
    alphabetically, each a dict of its `fields` and "id", one dict per claim however many entries
    rest on it (for pages and exports that show many; `attach_entry_claims` gives instances).
    One query."""
    by_entry = {pk: [] for pk in entry_ids}
    claims = {}
    pairs = (
        TimelineEntry.claims.through.objects.filter(timelineentry__in=list(by_entry))
        .order_by("claim__text", "pk")
        .values_list("timelineentry_id", "claim_id", *(f"claim__{name}" for name in fields))
    )
    for entry_id, claim_id, *values in pairs:
        claim = claims.get(claim_id)
        if claim is None:
            claim = claims[claim_id] = dict(zip(fields, values, strict=True), id=claim_id)
        by_entry[entry_id].append(claim)
    return by_entry


def attach_story_preview(claim_rows, size=PREVIEW):
    """Set on each claim dict (with "first_stories" and "story_count") "story_preview": its first
    `size` public stories, oldest first, each a dict of "slug" and "source" (its source's name),
    from the ids the counters store on it; and "more_stories": how many others. One query for
    every claim."""
    ids = {pk for claim in claim_rows for pk in claim["first_stories"][:size]}
    found = {
        pk: {"slug": slug, "source": source}
        for pk, slug, source in stories().filter(pk__in=ids).values_list("pk", "slug", "source__name")
    }
    for claim in claim_rows:
        claim["story_preview"] = [found[pk] for pk in claim["first_stories"][:size] if pk in found]
        claim["more_stories"] = max(0, claim["story_count"] - len(claim["story_preview"]))


# --- Sources ------------------------------------------------------------------------------------


def sources():
    """Every outlet readers may see (reviewed), by name, with its stored count of public stories."""
    return Source.objects.public().order_by("name", "pk")


def source_by_slug(slug):
    return Source.objects.public().filter(slug=slug).first()


def track_record(source):
    """[(label, verdict, count)] of the checked claims made in the source's stories readers see,
    from the best verdict to the worst, and their total."""
    record = source.track_record or {}
    rows = [(Verdict(v).label, v, record[v]) for v in VERDICT_RATINGS if v in record]
    return rows, sum(count for _, _, count in rows)


def source_stories(source):
    return stories().filter(source=source)


# --- Corrections --------------------------------------------------------------------------------


@dataclass
class Correction:
    """A public correction (`kind` "correction": a public note) or a change of a public verdict
    (`kind` "verdict"), as the corrections feeds show it."""

    kind: str
    title: str
    text: str
    path: str  # its place on the public page it concerns
    published_at: datetime
    updated_at: datetime


def _public_notes(limit):
    """The `limit` public notes last written, on a story readers see (its own page, or the page of
    the story it was merged into) or on a public claim."""
    notes = (
        EditorialNote.objects.public()
        .filter(Story.served_condition("story__") | Q(claim__in=Claim.objects.public()))
        .select_related("story__merged_into", "claim")
        .only(
            *("body", "created_at", "updated_at", "story__title", "story__slug", "story__merged_into__title"),
            *("story__merged_into__slug", "claim__text", "claim__slug"),
        )
        .order_by("-updated_at", "-pk")[:limit]
    )
    for note in notes:
        about = note.claim or note.story.merged_into or note.story
        yield Correction(
            kind="correction",
            title=f"Correction: {about}",
            text=note.body,
            path=f"{about.get_absolute_url()}#correction-{note.pk}",
            published_at=note.created_at,
            updated_at=note.updated_at,
        )


def _verdict_changes(limit):
    """The `limit` latest changes of a public claim's verdict from one reviewed verdict to another,
    from the claims' history (a claim's verdict is its public one: rule 9). A first verdict is no
    change; a verdict withdrawn leaves the claim out of public view."""
    history = Claim.history.model
    earlier = Q(history_date__lt=OuterRef("history_date")) | Q(
        history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id")
    )
    previous = history.objects.filter(earlier, id=OuterRef("id")).order_by("-history_date", "-history_id")
    public = Claim.objects.public().filter(pk=OuterRef("id"))
    rows = (
        history.objects.annotate(
            was=Subquery(previous.values("verdict")[:1]),
            slug_now=Subquery(public.values("slug")[:1]),
        )
        .filter(slug_now__isnull=False, was__isnull=False)
        .exclude(verdict=Verdict.UNREVIEWED)
        .exclude(was=Verdict.UNREVIEWED)
        .exclude(was=F("verdict"))
        .order_by("-history_date", "-history_id")
        .values_list("history_id", "text", "verdict", "was", "explanation", "history_date", "slug_now")[
            :limit
        ]
    )
    address = slug_address("stories:claim-detail")
    for history_id, text, verdict, was, explanation, at, slug in rows:
        now, before = VERDICT_RATINGS[Verdict(verdict)].label, VERDICT_RATINGS[Verdict(was)].label
        yield Correction(
            kind="verdict",
            title=f"Verdict changed to {now.lower()}: {text}",
            text=f"Was {before.lower()}, now {now.lower()}. {explanation}".strip(),
            path=f"{address(slug)}#verdict-{history_id}",
            published_at=at,
            updated_at=at,
        )


def latest_corrections(limit):
    """The newest `limit` public corrections and verdict changes, newest first (see
    `_public_notes` and `_verdict_changes`). Two queries."""
    rows = [*_public_notes(limit), *_verdict_changes(limit)]
    return sorted(rows, key=lambda row: row.updated_at, reverse=True)[:limit]


# --- Addresses ----------------------------------------------------------------------------------

_PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_MARKER = "slug-address-marker"


def slug_address(name):
    """A function giving `reverse(name, args=[slug])` for a slug, for a page naming many objects of
    one kind: it reverses once, then puts in each slug as it is (one of letters, digits, "-" and
    "_", what a slug field holds and what reverse() would leave unquoted); anything else goes
    through reverse()."""
    before, after = reverse(name, args=[_MARKER]).split(_MARKER)

    def address(slug):
        if _PLAIN_SLUG.fullmatch(slug):
            return f"{before}{slug}{after}"
        return reverse(name, args=[slug])

    return address
