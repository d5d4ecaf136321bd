"""The sitemap: an index of sections, each cut into pages of at most `limit` addresses."""

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.urls import reverse

from stories import selectors

# Addresses per sitemap page: at about 100 bytes each, a page stays near 200 KB.
PAGE_SIZE = 2000


class PageSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["stories:timeline", "stories:story-list", "stories:claim-list", "stories:source-list"]

    def location(self, item):
        return reverse(item)


class LastModifiedSitemap(Sitemap):
    """Items with an `updated_at`, given per address. The index names no latest date per section:
    Django would read every item of the section to find it."""

    limit = PAGE_SIZE

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        return None


class StorySitemap(LastModifiedSitemap):
    def items(self):
        return selectors.stories().select_related(None).only("slug", "updated_at").order_by("pk")

    @property
    def paginator(self):
        """Pages counted from the stored story counts, not by counting every public story."""
        pages = Paginator(self._items(), self.limit)
        pages.count = selectors.story_count()
        return pages


class ClaimSitemap(LastModifiedSitemap):
    def items(self):
        return selectors.claims().prefetch_related(None).only("slug", "updated_at").order_by("pk")


class SourceSitemap(Sitemap):
    limit = PAGE_SIZE

    def items(self):
        return selectors.sources().only("slug").order_by("pk")


SITEMAPS = {"pages": PageSitemap, "stories": StorySitemap, "claims": ClaimSitemap, "sources": SourceSitemap}
