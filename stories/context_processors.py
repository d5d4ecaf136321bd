from django.conf import settings


def site(request):
    """For every template: the site's name, and the site version and lifetime that key cached
    fragments (a save anywhere moves the version, so fragments never go stale)."""
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "site_version": getattr(request, "site_version", None),
        "fragment_seconds": settings.NEWSROOM_PAGE_CACHE_SECONDS,
    }
