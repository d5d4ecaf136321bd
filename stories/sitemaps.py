"""The sitemap: an index of sections, each cut into pages of at most `limit` addresses."""

from django.contrib.sitemaps import Sitemap
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


class StorySitemap(Sitemap):
    limit = PAGE_SIZE

    def items(self):
        return selectors.stories().select_related(None).only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class ClaimSitemap(Sitemap):
    limit = PAGE_SIZE

    def items(self):
        return selectors.claims().prefetch_related(None).only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class SourceSitemap(Sitemap):
    limit = PAGE_SIZE

    def items(self):
        return selectors.sources().only("slug").order_by("pk")


SITEMAPS = {"pages": PageSitemap, "stories": StorySitemap, "claims": ClaimSitemap, "sources": SourceSitemap}
