"""The public site: what readers see. Views read through stories.selectors and only shape it."""

from django import forms
from django.core.paginator import Page, Paginator
from django.db import DatabaseError, connection
from django.db.models import Count, Window
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from stories import embed, selectors
from stories.caching import public_page, values_known
from stories.jsonld import claim_review
from stories.models import VERDICT_RATINGS, Verdict
from stories.services import search

PAGE_SIZE = 20
# Past the last page of any list here: a larger page number is answered as one past the end is
# (the last page), without reading rows at its offset.
MAX_PAGE = 100_000
# What the timeline page shows of an entry and of each claim it rests on.
TIMELINE_ENTRY_FIELDS = ("date", "precision", "title", "slug", "text")
TIMELINE_CLAIM_FIELDS = (
    *("text", "slug", "verdict", "independent_sources", "evidence_count", "primary_evidence_count"),
    *("story_count", "first_stories"),
)
VERDICT_LABELS = dict(Verdict.choices)


def _page(request, rows, size=PAGE_SIZE, count=None):
    """The page of `rows` the request asks for (the last one past the end, the first one for
    anything else), and whether it asked for that page by its own number. `count`, when known,
    saves counting the rows."""
    paginator = Paginator(rows, size)
    if count is not None:
        paginator.count = count
    page = paginator.get_page(request.GET.get("page"))
    asked = request.GET.get("page")
    return page, asked is None or asked == str(page.number)


def _query_without_page(request):
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _page_counted_with_rows(request, rows, size=PAGE_SIZE):
    """As `_page`, in one query when the page asked for has rows: they carry the number of all
    the rows (COUNT(*) OVER ()), so the rows are not counted apart. A page past the end (or a
    number too large to be one) costs the count and the last page, as with `_page`."""
    asked = request.GET.get("page")
    try:
        number = int(asked)
    except (TypeError, ValueError):
        number = 1
    if 1 <= number <= MAX_PAGE:
        start = (number - 1) * size
        found = list(rows.annotate(rows_in_all=Window(Count("*")))[start : start + size])
        if found:
            paginator = Paginator(rows, size)
            paginator.count = found[0].rows_in_all
            page = Page(found, number, paginator)
            return page, asked is None or asked == str(number)
    return _page(request, rows, size)


@public_page
def timeline(request):
    page, known = _page_counted_with_rows(request, selectors.timeline_entries(*TIMELINE_ENTRY_FIELDS))
    if known:
        values_known(request)
    entries = page.object_list
    claims_of = selectors.entry_claim_rows([entry.pk for entry in entries], TIMELINE_CLAIM_FIELDS)
    claims = {claim["id"]: claim for rows in claims_of.values() for claim in rows}.values()
    selectors.attach_story_preview(claims)
    claim_address = selectors.slug_address("stories:claim-detail")
    story_address = selectors.slug_address("stories:story-detail")
    for claim in claims:
        claim["url"] = claim_address(claim["slug"])
        claim["verdict_label"] = VERDICT_LABELS.get(claim["verdict"], claim["verdict"])
        for story in claim["story_preview"]:
            story["url"] = story_address(story["slug"])
    for entry in entries:
        entry.claim_list = claims_of[entry.pk]
    return render(
        request,
        "stories/timeline.html",
        {"entries": entries, "page": page, "query": "", "oembed_url": embed.discovery_link(request)},
    )


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
    sources = list(selectors.story_sources().only("slug", "name", "story_count"))
    form = StoryFilterForm(request.GET or None, sources)
    stories = selectors.stories()
    valid = not form.is_bound or form.is_valid()
    count = selectors.story_count()
    if form.is_bound and valid:
        data = form.cleaned_data
        if data["source"]:
            source = next(source for source in sources if source.slug == data["source"])
            stories, count = stories.filter(source=source), selectors.story_count(source)
        if data["published_after"]:
            stories, count = stories.filter(published_at__date__gte=data["published_after"]), None
        if data["published_before"]:
            stories, count = stories.filter(published_at__date__lte=data["published_before"]), None
    page, known = _page(request, stories, count=count)
    if valid and known:
        values_known(request)
    return render(
        request,
        "stories/story_list.html",
        {"form": form, "sources": sources, "page": page, "query": _query_without_page(request)},
    )


@public_page
def story_detail(request, slug):
    found = selectors.story_by_slug(slug)
    if found.moved_to is not None:
        return redirect(found.moved_to, permanent=True)
    if found.story is None:
        raise Http404("No such story.")
    story = found.story
    return render(
        request,
        "stories/story_detail.html",
        {
            "story": story,
            "copies": story.copy_list,
            "claims": story.claim_list,
            "notes": story.correction_list,
        },
    )


@public_page
def claim_list(request):
    claims = selectors.claims()
    verdict, tag_slug = request.GET.get("verdict", ""), request.GET.get("tag", "")
    known = not verdict or verdict in Verdict.values
    if verdict in Verdict.values:
        claims = claims.filter(verdict=verdict)
    tag = selectors.tag_by_slug(tag_slug) if tag_slug else None
    if tag_slug:
        claims = claims.filter(tags=tag) if tag else claims.none()
        known = known and tag is not None
    page, page_known = _page(request, claims)
    if known and page_known:
        values_known(request)
    verdicts = [(v.value, v.label) for v in Verdict if v != Verdict.UNREVIEWED]
    return render(
        request,
        "stories/claim_list.html",
        {
            "page": page,
            "verdicts": verdicts,
            "verdict": verdict,
            "tag": tag,
            "tag_slug": tag_slug,
            "query": _query_without_page(request),
        },
    )


@public_page
def claim_detail(request, key):
    if key.isascii() and key.isdigit():  # an id: the claim's address is its slug
        slug = selectors.claim_slug_by_id(int(key))
        if slug is None or slug == key:
            raise Http404("No such claim.")
        return redirect("stories:claim-detail", slug, permanent=True)
    claim = selectors.claim_by_slug(key)
    if claim is None:
        raise Http404("No such claim.")
    selectors.attach_claim_details(claim)
    page, known = _page(request, selectors.appearances(claim))
    if known:
        values_known(request)
    shown = list(page.object_list)
    first = shown[0] if page.number == 1 and shown else selectors.appearances(claim).first()
    return render(
        request,
        "stories/claim_detail.html",
        {
            "claim": claim,
            "page": page,
            "first": first,
            "evidence": claim.evidence_list,
            "notes": claim.correction_list,
            "jsonld": claim_review(request, claim, shown if page.number == 1 else [first]),
            "query": "",
        },
    )


@public_page
def source_list(request):
    page, known = _page(request, selectors.sources(), size=100)
    if known:
        values_known(request)
    return render(request, "stories/source_list.html", {"page": page, "sources": page.object_list})


@public_page
def source_detail(request, slug):
    source = selectors.source_by_slug(slug)
    if source is None:
        raise Http404("No such source.")
    track_record, checked = selectors.track_record(source)
    page, known = _page(request, selectors.source_stories(source), count=selectors.story_count(source))
    if known:
        values_known(request)
    return render(
        request,
        "stories/source_detail.html",
        {"source": source, "page": page, "track_record": track_record, "checked": checked},
    )


@public_page
def search_page(request):
    query = request.GET.get("q", "").strip()[: search.MAX_QUERY_LENGTH]
    story_hits = list(selectors.search_stories(query)[:PAGE_SIZE]) if query else []
    claim_hits = list(selectors.search_claims(query)[:PAGE_SIZE]) if query else []
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
