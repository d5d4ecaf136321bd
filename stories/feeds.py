from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from stories import selectors

FEED_SIZE = 50


class TimelineFeed(Feed):
    feed_type = Atom1Feed
    title = "Japan's officers at NATO's Ukraine command: verified timeline"
    subtitle = "Milestones resting only on claims checked as accurate or mostly accurate."
    link = reverse_lazy("stories:timeline")

    def items(self):
        return selectors.timeline_entries().order_by("-date", "-id")[:FEED_SIZE]

    def item_title(self, item):
        return f"{item.display_date}: {item.title}"

    def item_description(self, item):
        return escape(item.text)  # Atom carries it as HTML; ours is plain text

    def item_updateddate(self, item):
        return item.updated_at

    def item_pubdate(self, item):
        return item.published_at


class StoriesFeed(Feed):
    feed_type = Atom1Feed
    title = "Japan's officers at NATO's Ukraine command: curated stories"
    subtitle = "Coverage the desk has read, with its claims checked."
    link = reverse_lazy("stories:story-list")

    def items(self):
        return selectors.stories()[:FEED_SIZE]

    def item_title(self, item):
        return f"{item.title} ({item.source.name})"

    def item_description(self, item):
        return escape(item.summary)  # Atom carries it as HTML; ours is plain text

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at
