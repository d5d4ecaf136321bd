"""The public site: what readers see. Every query starts from a public queryset of the models."""

from django import forms
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import Count, F, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from stories.caching import public_page
from stories.jsonld import claim_review
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
from stories.services import search
from stories.services.corroboration import evidence_count_expression, independent_source_count_expression

PAGE_SIZE = 20


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def public_timeline():
    """The public entries, each with `claim_list`; each claim with its corroboration, evidence
    count and `story_list` (the canonical stories it appears in). Three queries at most."""
    # One query for every (entry, claim) pair of the public timeline: a public entry rests on at
    # least one claim, so the pairs cover every entry.
    pairs = (
        TimelineEntry.claims.through.objects.filter(timelineentry__in=TimelineEntry.objects.public())
        .select_related("timelineentry", "claim")
        .annotate(
            independent_sources=independent_source_count_expression(claim_field="claim_id"),
            evidence_count=evidence_count_expression(claim_field="claim_id"),
        )
        .order_by("timelineentry__date", "timelineentry_id", "claim__text")
    )
    entries, claims = {}, {}
    for pair in pairs:
        entry = entries.setdefault(pair.timelineentry_id, pair.timelineentry)
        if not hasattr(entry, "claim_list"):
            entry.claim_list = []
        claim = pair.claim
        claim.independent_sources, claim.evidence_count = pair.independent_sources, pair.evidence_count
        claim.story_list = []
        entry.claim_list.append(claim)
        claims.setdefault(claim.pk, []).append(claim)
    if not claims:
        return []
    appearances = (
        ClaimAppearance.objects.filter(Story.served_condition("story__"), claim_id__in=claims)
        .select_related("story__source", "story__merged_into__source")
        .defer(*(f"story__{p}{f}" for p in ("", "merged_into__") for f in ("body", "summary")))
        .order_by(F("story__published_at").asc(nulls_last=True), "story_id")
    )
    for appearance in appearances:
        story = appearance.story.canonical
        for claim in claims[appearance.claim_id]:
            if story not in claim.story_list:
                claim.story_list.append(story)
    return list(entries.values())


@public_page
def timeline(request):
    # Evaluated by the template only when its cached fragment is missing.
    return render(request, "stories/timeline.html", {"entries": public_timeline})


def how_we_verify(request):
    scale = [(Verdict(v).label, rating) for v, rating in VERDICT_RATINGS.items() if v != Verdict.UNREVIEWED]
    return render(request, "stories/how_we_verify.html", {"scale": scale})


class StoryFilterForm(forms.Form):
    source = forms.ChoiceField(required=False)
    published_after = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    published_before = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data, sources):
        super().__init__(data)
        self.fields["source"].choices = [("", "All sources")] + [(s.slug, s.name) for s in sources]


@public_page
def story_list(request):
    sources = list(Source.objects.filter(stories__in=Story.objects.public()).distinct().order_by("name"))
    form = StoryFilterForm(request.GET or None, sources)
    stories = Story.objects.public().select_related("source")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["source"]:
            stories = stories.filter(source__slug=data["source"])
        if data["published_after"]:
            stories = stories.filter(published_at__date__gte=data["published_after"])
        if data["published_before"]:
            stories = stories.filter(published_at__date__lte=data["published_before"])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "stories/story_list.html",
        {"form": form, "page": _page(request, stories), "query": query.urlencode()},
    )


@public_page
def story_detail(request, slug):
    # The story and the copies of it readers see, in one query.
    rows = list(
        Story.objects.filter(Q(slug=slug) | (Q(merged_into__slug=slug) & Story.served_condition()))
        .select_related("source", "merged_into")
        .defer("body", "merged_into__body")
        .order_by("pk")
    )
    story = next((row for row in rows if row.slug == slug), None)
    if story is None:
        raise Http404("No such story.")
    if story.merged_into_id and story.merged_into.is_public:
        return redirect(story.merged_into, permanent=True)
    if not story.is_public:
        raise Http404("No such story.")
    copies = [row for row in rows if row.pk != story.pk]
    seen = Q(story=story) | (Q(story__merged_into=story) & Story.served_condition("story__"))
    unique = {}
    for appearance in (
        ClaimAppearance.objects.filter(seen, claim__in=Claim.objects.public())
        .select_related("claim")
        .order_by("claim__text", "pk")
    ):
        unique.setdefault(appearance.claim_id, appearance)
    notes = EditorialNote.objects.public().filter(seen)
    return render(
        request,
        "stories/story_detail.html",
        {"story": story, "copies": copies, "appearances": list(unique.values()), "notes": notes},
    )


@public_page
def claim_list(request):
    claims = Claim.objects.public().with_corroboration().prefetch_related("tags").order_by("text")
    verdict, tag = request.GET.get("verdict", ""), request.GET.get("tag", "")
    if verdict in Verdict.values:
        claims = claims.filter(verdict=verdict)
    if tag:
        claims = claims.filter(tags__slug=tag)
    query = request.GET.copy()
    query.pop("page", None)
    verdicts = [(v.value, v.label) for v in Verdict if v != Verdict.UNREVIEWED]
    return render(
        request,
        "stories/claim_list.html",
        {
            "page": _page(request, claims),
            "verdicts": verdicts,
            "verdict": verdict,
            "tag": Tag(name=tag, slug=tag) if tag else None,
            "query": query.urlencode(),
        },
    )


@public_page
def claim_detail(request, key):
    by_id = key.isascii() and key.isdigit()
    lookup = {"pk": int(key)} if by_id else {"slug": key}
    claim = get_object_or_404(Claim.objects.public().with_corroboration(), **lookup)
    if by_id:
        return redirect(claim, permanent=True)
    appearances = list(
        claim.appearances.filter(story__in=Story.objects.served())
        .select_related("story__source", "story__merged_into")
        .order_by(F("story__published_at").asc(nulls_last=True), "created_at", "pk")
    )
    evidence = list(claim.evidence.all())
    return render(
        request,
        "stories/claim_detail.html",
        {
            "claim": claim,
            "appearances": appearances,
            "first": appearances[0] if appearances else None,
            "evidence": evidence,
            "notes": claim.notes.public(),
            "jsonld": claim_review(request, claim, appearances),
        },
    )


@public_page
def source_list(request):
    public = Q(stories__status=Story.Status.PUBLISHED, stories__merged_into__isnull=True)
    sources = Source.objects.annotate(story_count=Count("stories", filter=public)).order_by("name")
    return render(request, "stories/source_list.html", {"sources": sources})


@public_page
def source_detail(request, slug):
    source = get_object_or_404(Source, slug=slug)
    record = dict(
        Claim.objects.reviewed()
        .filter(appearances__story__in=Story.objects.served().filter(source=source))
        .values_list("verdict")
        .annotate(n=Count("id", distinct=True))
    )
    track_record = [(Verdict(v).label, v, record[v]) for v in VERDICT_RATINGS if v in record]
    return render(
        request,
        "stories/source_detail.html",
        {
            "source": source,
            "page": _page(request, source.stories.public()),
            "track_record": track_record,
            "checked": sum(record.values()),
        },
    )


@public_page
def search_page(request):
    query = request.GET.get("q", "").strip()[: search.MAX_QUERY_LENGTH]
    stories = search.search_stories(query)
    claims = search.search_claims(query)
    story_hits = list(stories[:PAGE_SIZE]) if query else []
    claim_hits = list(claims[:PAGE_SIZE]) if query else []
    for story in story_hits:
        story.snippet = search.highlight(story.summary or story.body, query)
        story.marked_title = search.highlight(story.title, query, width=300)
    for claim in claim_hits:
        claim.marked_text = search.highlight(claim.text, query, width=500)
    return render(
        request,
        "stories/search.html",
        {"q": query, "stories": story_hits, "claims": claim_hits, "searched": bool(search.terms(query))},
    )


@never_cache
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
