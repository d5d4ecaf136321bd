"""Keeping public answers: pages of the site and answers of the API.

A kept answer is stored under its address with the site version it was built at. A request at
the same version gets it as it is; after a public change moves the version (stories.invalidation)
the first request to come rebuilds it while requests arriving meanwhile get the previous answer
(stale while revalidate, one rebuild per address across all app servers sharing the cache), so a
save never sends every reader to the database at once.

Only addresses whose parameters the view knows are kept, and only once the view has found every
value it was given (a page that exists, a filter value that names something): made-up values are
answered without being kept, so they cannot fill the cache. Public pages also answer a conditional
GET with 304 by their ETag (the site version and the release), and carry Cache-Control for a
shared cache (a CDN) of NEWSROOM_PUBLIC_MAX_AGE seconds.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control

from stories.models import SiteVersion

# Query parameters of public pages whose values the views check (filters and pagination).
SITE_PARAMETERS = {"page", "source", "verdict", "tag"}
# How long a rebuild may take before another request tries it again.
REBUILD_SECONDS = 30


def site_version():
    """The version of everything readers can see, and the release: one query."""
    return f"{SiteVersion.current()}-{settings.NEWSROOM_RELEASE}"


def values_known(request):
    """Say that every parameter value of `request` named something that exists."""
    request.values_known = True


def _address_key(request, kind):
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return f"{kind}:{hashlib.sha256(address.encode()).hexdigest()[:32]}"


def kept(request, build, *, kind, parameters, freeze, thaw, version=None):
    """The answer to `request` and the site version it was built at: from the cache when it holds
    one for the current version (or, while another request rebuilds it, the previous one).
    `build()` makes it; `freeze(response)` gives what to store and `thaw(stored)` a response again."""
    if settings.NEWSROOM_PAGE_CACHE_SECONDS <= 0 or not set(request.GET) <= parameters:
        return build(), version
    version = version or site_version()
    key = _address_key(request, kind)
    stored = cache.get(key)
    rebuilding = None
    if stored is not None:
        stored_version, frozen = stored
        if stored_version == version:
            return thaw(frozen), version
        rebuilding = f"{key}:rebuild"
        if not cache.add(rebuilding, 1, REBUILD_SECONDS):
            return thaw(frozen), stored_version  # another request is rebuilding it
    try:
        response = build()
        if response.status_code == 200 and (not request.GET or getattr(request, "values_known", False)):
            cache.set(key, (version, freeze(response)), settings.NEWSROOM_PAGE_CACHE_SECONDS)
    finally:
        if rebuilding:
            cache.delete(rebuilding)
    return response, version


def _freeze_page(response):
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    headers = {k: v for k, v in response.items() if k not in ("ETag", "Cache-Control", "Vary")}
    return response.content, headers


def _thaw_page(frozen):
    content, headers = frozen
    return HttpResponse(content, headers=headers)


def _finish(response, etag):
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=settings.NEWSROOM_PUBLIC_MAX_AGE)
    return response


def public_page(view):
    """Conditional GET, kept pages and Cache-Control for a page anyone may see."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        version = site_version()
        request.site_version = version  # what the page is built at: its ETag
        etag = f'"{version}"'
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            return _finish(not_modified, etag) if not_modified.status_code == 304 else not_modified

        def build():
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            return response

        response, built_at = kept(
            request,
            build,
            kind="page",
            parameters=SITE_PARAMETERS,
            freeze=_freeze_page,
            thaw=_thaw_page,
            version=version,
        )
        return _finish(response, f'"{built_at}"') if response.status_code == 200 else response

    return wrapped
