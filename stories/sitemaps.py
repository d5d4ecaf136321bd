from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from stories.models import Claim, Source, Story


class PageSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["stories:timeline", "stories:story-list", "stories:claim-list", "stories:source-list"]

    def location(self, item):
        return reverse(item)


class StorySitemap(Sitemap):
    def items(self):
        return Story.objects.public().order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class ClaimSitemap(Sitemap):
    def items(self):
        return Claim.objects.public().order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class SourceSitemap(Sitemap):
    def items(self):
        return Source.objects.order_by("pk")


SITEMAPS = {"pages": PageSitemap, "stories": StorySitemap, "claims": ClaimSitemap, "sources": SourceSitemap}
