"""Counts readers see that would cost a scan to compute on each read, stored on their rows.

- Claim.independent_sources: distinct sources of the canonical public stories making the claim
  (a copy merged into a public story counts as that story's source, so copies never count twice).
- Claim.story_count: distinct canonical public stories making it.
- Claim.evidence_count: its evidence links; Claim.primary_evidence_count: those to the official
  record itself (a claim no outlet makes but the record does reads "official record").
- Claim.first_stories: the ids of its first `PREVIEW` canonical public stories, oldest first
  (the timeline names them without a scan of every story making the claim).
- Source.story_count: its public stories.
- Source.track_record: {verdict: n}, the checked claims made in its stories that readers see.

They are recounted from scratch for the rows a committed change touched (stories.invalidation
calls `recount` after each commit), so a recount is always right whatever it was before;
`recount_all` (manage.py recount) rebuilds every one, e.g. after a bulk load.
"""

from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Window
from django.db.models.functions import Coalesce, RowNumber

from stories.models import Claim, ClaimAppearance, Evidence, Source, Story

BATCH = 1000
# The stored counts, in the order claim_counts() and source_counts() give them.
CLAIM_COUNTS = (
    *("independent_sources", "story_count", "evidence_count", "primary_evidence_count"),
    "first_stories",
)
# How many stories a claim names where it is listed.
PREVIEW = 3
SOURCE_COUNTS = ("story_count", "track_record")


def served_appearances():
    """Appearances readers see: in a public story, or in a copy merged into one."""
    return ClaimAppearance.objects.filter(Story.served_condition("story__"))


def _claim_counts():
    canonical_story = Coalesce("story__merged_into_id", "story_id")
    canonical_source = Coalesce("story__merged_into__source_id", "story__source_id")
    served = served_appearances().filter(claim=OuterRef("pk")).order_by().values("claim")
    evidence = Evidence.objects.filter(claim=OuterRef("pk")).order_by().values("claim")
    return {
        "independent_sources": Coalesce(
            Subquery(served.annotate(n=Count(canonical_source, distinct=True)).values("n")), 0
        ),
        "story_count": Coalesce(
            Subquery(served.annotate(n=Count(canonical_story, distinct=True)).values("n")), 0
        ),
        "evidence_count": Coalesce(Subquery(evidence.annotate(n=Count("pk")).values("n")), 0),
        "primary_evidence_count": Coalesce(
            Subquery(evidence.filter(kind=Evidence.Kind.PRIMARY).annotate(n=Count("pk")).values("n")), 0
        ),
    }


def _first_stories(claims=None):
    """{claim id: [story id, ...]}: the first PREVIEW canonical public stories of each claim, by
    the story's date then id; one query, a window per claim."""
    canonical = Coalesce("story__merged_into_id", "story_id")
    published = Coalesce("story__merged_into__published_at", "story__published_at")
    rows = served_appearances() if claims is None else served_appearances().filter(claim__in=claims)
    first = (
        rows.annotate(
            canonical=canonical,
            rank=Window(
                RowNumber(),
                partition_by=[F("claim_id")],
                order_by=[published.asc(nulls_last=True), canonical.asc(), F("pk").asc()],
            ),
        )
        .filter(rank__lte=PREVIEW * 2)  # a copy and its story are one story: spare rows for those
        .values_list("claim_id", "canonical")
        .order_by("claim_id", "rank")
    )
    stories = {}
    for claim_id, story_id in first:
        ids = stories.setdefault(claim_id, [])
        if story_id not in ids and len(ids) < PREVIEW:
            ids.append(story_id)
    return stories


def claim_counts(claims=None):
    """{claim id: (independent_sources, story_count, evidence_count, primary_evidence_count,
    first_stories)} computed
    from scratch."""
    queryset = Claim.objects.all() if claims is None else Claim.objects.filter(pk__in=claims)
    rows = queryset.annotate(**{f"new_{k}": v for k, v in _claim_counts().items()})
    first = _first_stories(claims)
    return {
        pk: (*counts, first.get(pk, []))
        for pk, *counts in rows.values_list("pk", *(f"new_{k}" for k in _claim_counts()))
    }


def source_counts(sources=None):
    """{source id: (story_count, track_record)} computed from scratch."""
    queryset = Source.objects.all() if sources is None else Source.objects.filter(pk__in=sources)
    public = Story.objects.public().filter(source=OuterRef("pk")).order_by().values("source")
    stories = dict(
        queryset.annotate(n=Coalesce(Subquery(public.annotate(n=Count("pk")).values("n")), 0)).values_list(
            "pk", "n"
        )
    )
    record = {pk: {} for pk in stories}
    checked = (
        served_appearances()
        .filter(story__source__in=list(stories))
        .exclude(claim__verdict="unreviewed")
        .values_list("story__source_id", "claim__verdict")
        .annotate(n=Count("claim_id", distinct=True))
        .order_by()
    )
    for source_id, verdict, n in checked:
        record[source_id][verdict] = n
    return {pk: (stories[pk], record[pk]) for pk in stories}


def affected(stories=(), claims=(), sources=()):
    """The claims and sources whose counts may move when the given rows change: the claims made
    in the stories or in copies of them, the sources of those stories, and the sources of every
    story making one of the claims (a verdict moves their track records)."""
    stories, claims, sources = set(stories), set(claims), set(sources)
    if stories:
        in_stories = ClaimAppearance.objects.filter(Q(story__in=stories) | Q(story__merged_into__in=stories))
        claims |= set(in_stories.values_list("claim_id", flat=True))
        sources |= set(
            Story.objects.filter(Q(pk__in=stories) | Q(merged_into__in=stories)).values_list(
                "source_id", flat=True
            )
        )
    if claims:
        sources |= set(
            ClaimAppearance.objects.filter(claim__in=claims)
            .values_list("story__source_id", flat=True)
            .distinct()
        )
    return claims, sources


def recount(claims=(), sources=()):
    """Store fresh counts on the given claims, then on the given sources."""
    _store(Claim, claims, claim_counts, CLAIM_COUNTS)
    _store(Source, sources, source_counts, SOURCE_COUNTS)


def _store(model, ids, count, fields):
    """Count `fields` of the `model` rows `ids` afresh with `count(batch)` and store them, a batch
    at a time. Each batch's rows are locked in id order before counting, so concurrent recounts
    serialise and the last one counts what every earlier commit wrote; FOR NO KEY UPDATE, so
    writers that only reference these rows (a new appearance, a new story) never wait."""
    ids = sorted(set(ids))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        with transaction.atomic():
            locked = model.objects.filter(pk__in=batch).order_by("pk").select_for_update(no_key=True)
            list(locked.values_list("pk"))
            rows = [
                model(pk=pk, **dict(zip(fields, counts, strict=True))) for pk, counts in count(batch).items()
            ]
            model.objects.bulk_update(rows, fields)


def recount_all():
    recount(
        claims=Claim.objects.values_list("pk", flat=True),
        sources=Source.objects.values_list("pk", flat=True),
    )
