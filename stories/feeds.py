"""The site's feeds: the verified timeline, the curated stories and the corrections, each in Atom
and in JSON Feed 1.1 (`/feeds/<name>/` and `/feeds/<name>.json`), read through stories.selectors."""

import json

from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed, SyndicationFeed
from django.utils.html import escape

from stories import selectors

FEED_SIZE = 50


class JSONFeed1(SyndicationFeed):
    """JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/) from what a syndication Feed gives."""

    content_type = "application/feed+json; charset=utf-8"

    def write(self, outfile, encoding):
        feed = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": self.feed["title"],
            "home_page_url": self.feed["link"],
            "feed_url": self.feed["feed_url"],
            "description": self.feed["subtitle"] or self.feed["description"],
            "language": self.feed["language"],
            "items": [self._item(item) for item in self.items],
        }
        outfile.write(json.dumps({k: v for k, v in feed.items() if v is not None}, ensure_ascii=False))

    @staticmethod
    def _item(item):
        data = {
            "id": str(item["unique_id"] or item["link"]),
            "url": item["link"],
            "title": item["title"],
            "content_html": item["description"],
        }
        if item["pubdate"]:
            data["date_published"] = item["pubdate"].isoformat()
        if item["updateddate"]:
            data["date_modified"] = item["updateddate"].isoformat()
        if item["categories"]:
            data["tags"] = list(item["categories"])
        return data


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


class CorrectionsFeed(Feed):
    feed_type = Atom1Feed
    title = "Japan's officers at NATO's Ukraine command: corrections"
    subtitle = "The desk's public corrections, and every change of a verdict it had published."
    link = reverse_lazy("stories:how-we-verify")

    def items(self):
        return selectors.latest_corrections(FEED_SIZE)

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return escape(item.text)  # Atom carries it as HTML; ours is plain text

    def item_link(self, item):
        return item.path

    def item_categories(self, item):
        return [item.kind]

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at


class TimelineJSONFeed(TimelineFeed):
    feed_type = JSONFeed1


class StoriesJSONFeed(StoriesFeed):
    feed_type = JSONFeed1


class CorrectionsJSONFeed(CorrectionsFeed):
    feed_type = JSONFeed1
