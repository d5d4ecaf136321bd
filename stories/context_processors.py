from functools import cache

from django.conf import settings
from django.urls import get_script_prefix, reverse

# The addresses every page links to (navigation, feeds), reversed once per script prefix rather
# than on each render: on a page rendered around a cached fragment they were a third of the work.
LINKED_EVERYWHERE = (
    "timeline",
    "how-we-verify",
    "story-list",
    "claim-list",
    "source-list",
    "search",
    "feed-timeline",
    "feed-timeline-json",
    "feed-stories",
    "feed-stories-json",
    "feed-corrections",
    "feed-corrections-json",
)


@cache
def _addresses(script_prefix):
    # reverse() reads the current script prefix itself; the argument keys the cache on it.
    return {name.replace("-", "_"): reverse(f"stories:{name}") for name in LINKED_EVERYWHERE}


def site(request):
    """For every template: the site's name and the addresses in its navigation (`site_urls`)."""
    return {"site_name": settings.NEWSROOM_SITE_NAME, "site_urls": _addresses(get_script_prefix())}
