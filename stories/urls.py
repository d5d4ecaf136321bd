from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from . import embed, feeds, views
from .caching import public_page
from .sitemaps import SITEMAPS

app_name = "stories"

urlpatterns = [
    path("", views.timeline, name="timeline"),
    path("how-we-verify/", views.how_we_verify, name="how-we-verify"),
    path("stories/", views.story_list, name="story-list"),
    path("stories/<slug:slug>/", views.story_detail, name="story-detail"),
    path("claims/", views.claim_list, name="claim-list"),
    path("claims/<str:key>/", views.claim_detail, name="claim-detail"),
    path("sources/", views.source_list, name="source-list"),
    path("sources/<slug:slug>/", views.source_detail, name="source-detail"),
    path("search/", views.search_page, name="search"),
    path("feeds/timeline/", public_page(feeds.TimelineFeed()), name="feed-timeline"),
    path("feeds/timeline.json", public_page(feeds.TimelineJSONFeed()), name="feed-timeline-json"),
    path("feeds/stories/", public_page(feeds.StoriesFeed()), name="feed-stories"),
    path("feeds/stories.json", public_page(feeds.StoriesJSONFeed()), name="feed-stories-json"),
    path("feeds/corrections/", public_page(feeds.CorrectionsFeed()), name="feed-corrections"),
    path("feeds/corrections.json", public_page(feeds.CorrectionsJSONFeed()), name="feed-corrections-json"),
    path(
        "sitemap.xml",
        public_page(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "stories:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        public_page(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("embed/timeline/", embed.timeline, name="embed-timeline"),
    path("oembed", embed.oembed, name="oembed"),
    path("healthz", views.healthz, name="healthz"),
]
