"""HTTP caching of public pages.

Every public page carries an ETag made of the site version (one query) and the release, so a
repeat visit is answered 304 without rendering, and a deploy or a save changes it. Rendered
pages are kept in Django's cache under keys that include the same, so any save invalidates them
everywhere. Only pages whose query string is made of known parameters are cached, so made-up
query strings cannot fill the cache. The Cache-Control header lets a shared cache (a CDN,
Varnish) hold public pages for NEWSROOM_PUBLIC_MAX_AGE seconds.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control

from stories.models import SiteVersion

# Query parameters of public pages that deserve a cached copy (filters and pagination).
CACHEABLE_PARAMETERS = {"page", "source", "published_after", "published_before", "verdict", "tag"}


def site_version():
    """The version of everything readers can see, and the release: one query."""
    return f"{SiteVersion.current()}-{settings.NEWSROOM_RELEASE}"


def versioned_key(request, version, kind="page"):
    """A cache key for this request's address (scheme, host, path and query) at `version`."""
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return f"{kind}:{version}:{hashlib.sha256(address.encode()).hexdigest()[:32]}"


def deserves_caching(request, parameters):
    """Caching is on and every query parameter is one of `parameters`."""
    return settings.NEWSROOM_PAGE_CACHE_SECONDS > 0 and set(request.GET) <= parameters


def _finish(response, etag):
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=settings.NEWSROOM_PUBLIC_MAX_AGE)
    return response


def public_page(view):
    """Conditional GET, versioned page cache and Cache-Control for a page anyone may see."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        version = site_version()
        etag = f'"{version}"'
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            return _finish(not_modified, etag) if not_modified.status_code == 304 else not_modified
        request.site_version = version
        cacheable = deserves_caching(request, CACHEABLE_PARAMETERS)
        key = versioned_key(request, version)
        cached = cache.get(key) if cacheable else None
        if cached is not None:
            content, headers = cached
            return _finish(HttpResponse(content, headers=headers), etag)
        response = view(request, *args, **kwargs)
        if response.status_code != 200:
            return response
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        if cacheable and not response.streaming:
            headers = {k: v for k, v in response.items() if k not in ("ETag", "Cache-Control", "Vary")}
            cache.set(key, (response.content, headers), settings.NEWSROOM_PAGE_CACHE_SECONDS)
        return _finish(response, etag)

    return wrapped
