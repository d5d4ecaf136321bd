"""The live embed: /embed/timeline/, a small page a partner site puts in an iframe, and its oEmbed
endpoint. The embed is the one page another site may frame (NEWSROOM_EMBED_FRAME_ANCESTORS);
every other page keeps refusing (X-Frame-Options DENY, frame-ancestors 'none')."""

from functools import wraps
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.cache import cache_control

from stories import selectors
from stories.caching import public_page
from stories.models import VERDICT_RATINGS, Verdict

# The latest entries the embed shows, newest first; the whole timeline is a link away.
EMBED_SIZE = 10
EMBED_ENTRY_FIELDS = ("date", "precision", "title", "slug", "text")
EMBED_CLAIM_FIELDS = ("text", "slug", "verdict")
# The iframe's size in the oEmbed answer, unless the consumer asks for a smaller one.
WIDTH, HEIGHT = 480, 600
TITLE = "Japan's officers at NATO's Ukraine command: the verified timeline"
OEMBED_CACHE_SECONDS = 24 * 3600


def embeddable(view):
    """Let the partners of NEWSROOM_EMBED_FRAME_ANCESTORS frame the page (set on the final
    response, after any kept copy is thawed: headers are written by the middleware)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.xframe_options_exempt = True
        response._csp_replace = {"frame-ancestors": settings.NEWSROOM_EMBED_FRAME_ANCESTORS}
        return response

    return wrapped


@embeddable
@public_page
def timeline(request):
    # Queries: 1. the site version (its ETag: the page's script asks with If-None-Match and gets
    # 304 while nothing public changed); 2. the latest public entries; 3. the claims they rest on.
    entries = list(selectors.timeline_entries(*EMBED_ENTRY_FIELDS).order_by("-date", "-pk")[:EMBED_SIZE])
    claims_of = selectors.entry_claim_rows([entry.pk for entry in entries], EMBED_CLAIM_FIELDS)
    claim_address = selectors.slug_address("stories:claim-detail")
    for entry in entries:
        entry.claim_list = claims_of[entry.pk]
        for claim in entry.claim_list:
            claim.setdefault("url", claim_address(claim["slug"]))
            claim.setdefault("verdict_label", VERDICT_RATINGS[Verdict(claim["verdict"])].label)
    return render(
        request,
        "stories/embed_timeline.html",
        {
            "entries": entries,
            "title": TITLE,
            "etag": f'"{request.site_version}"',
            "refresh_seconds": settings.NEWSROOM_EMBED_REFRESH_SECONDS,
        },
    )


def _size(request, name, default):
    raw = request.GET.get(name)
    if raw in (None, ""):
        return default
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name} must be a whole number of pixels, not {raw[:40]!r}.")
    return min(default, int(raw))


def _bad(message, status=400):
    return JsonResponse({"detail": message}, status=status)


@cache_control(public=True, max_age=OEMBED_CACHE_SECONDS)
def oembed(request):
    """oEmbed 1.0 (https://oembed.com/) for the timeline: `?url=` its address (or the embed's),
    `format=json` (the default; xml answers 501), `maxwidth`/`maxheight`. A `rich` answer whose
    html is the embed's iframe. No query: it depends on nothing stored."""
    if request.GET.get("format", "json") != "json":
        return _bad("Only format=json is offered.", status=501)
    url = request.GET.get("url", "")
    if not url:
        return _bad("Give the address of the timeline to embed: ?url=<its address>.")
    parts = urlsplit(url)
    ours = {reverse("stories:timeline"), reverse("stories:embed-timeline")}
    if parts.scheme not in ("http", "https") or parts.netloc != request.get_host() or parts.path not in ours:
        return _bad(f"Nothing to embed at {url[:200]!r}: only this site's timeline can be embedded.", 404)
    try:
        width, height = _size(request, "maxwidth", WIDTH), _size(request, "maxheight", HEIGHT)
    except ValueError as error:
        return _bad(str(error))
    src = request.build_absolute_uri(reverse("stories:embed-timeline"))
    html = format_html(
        '<iframe src="{}" width="{}" height="{}" title="{}" loading="lazy" '
        'sandbox="allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox"></iframe>',
        src,
        width,
        height,
        TITLE,
    )
    return JsonResponse(
        {
            "version": "1.0",
            "type": "rich",
            "title": TITLE,
            "provider_name": settings.NEWSROOM_SITE_NAME,
            "provider_url": request.build_absolute_uri("/"),
            "cache_age": OEMBED_CACHE_SECONDS,
            "html": html,
            "width": width,
            "height": height,
        }
    )


def discovery_link(request):
    """The oEmbed discovery address of the timeline page (its <link rel="alternate">)."""
    query = urlencode({"url": request.build_absolute_uri(reverse("stories:timeline")), "format": "json"})
    return request.build_absolute_uri(f"{reverse('stories:oembed')}?{query}")
