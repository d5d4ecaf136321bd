"""The verified timeline in Knight Lab TimelineJS's JSON format, to embed it on any site.

https://timeline.knightlab.com/docs/json-format.html: a title slide and one event per public
entry, dated at the entry's precision (a month-precision entry has no day). TimelineJS shows
`text.text` as HTML, so every piece of text is escaped here."""

from django.conf import settings
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from rest_framework import serializers

from stories.models import TimelineEntry

from .serializers import absolute


def start_date(entry):
    date = {"year": entry.date.year}
    if entry.precision in (TimelineEntry.Precision.MONTH, TimelineEntry.Precision.DAY):
        date["month"] = entry.date.month
    if entry.precision == TimelineEntry.Precision.DAY:
        date["day"] = entry.date.day
    date["display_date"] = entry.display_date
    return date


def _claim_item(claim, context):
    """A claim's list item, made once per claim however many entries rest on it."""
    if not hasattr(claim, "timelinejs_item"):
        url = absolute(context, claim.get_absolute_url())
        claim.timelinejs_item = format_html(
            '<li><a href="{}">{}</a> ({})</li>', url, claim.text, claim.rating.label
        )
    return claim.timelinejs_item


def event_text(entry, context):
    claims = mark_safe("".join(_claim_item(claim, context) for claim in entry.claim_list))
    paragraph = format_html("<p>{}</p>", entry.text) if entry.text else ""
    return str(paragraph + (format_html("<ul>{}</ul>", claims) if entry.claim_list else ""))


def document(entries, context):
    """The TimelineJS document for `entries` (each with `claim_list`, see the API views)."""
    timelines = {entry.timeline_id: entry.timeline for entry in entries}
    if len(timelines) == 1:
        (timeline,) = timelines.values()
        title = {"headline": escape(timeline.title), "text": escape(timeline.description)}
    else:
        title = {"headline": escape(settings.NEWSROOM_SITE_NAME), "text": "The verified timeline"}
    events = [
        {
            "start_date": start_date(entry),
            "text": {"headline": escape(entry.title), "text": event_text(entry, context)},
            "unique_id": entry.slug,
            "group": escape(entry.timeline.title),
        }
        for entry in entries
    ]
    return {"title": {"text": title}, "events": events}


# The shape above, for the OpenAPI schema.
class TimelineJSDateSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    month = serializers.IntegerField(required=False, help_text="Absent for year precision.")
    day = serializers.IntegerField(required=False, help_text="Present only for day precision.")
    display_date = serializers.CharField()


class TimelineJSTextSerializer(serializers.Serializer):
    headline = serializers.CharField(help_text="Escaped text.")
    text = serializers.CharField(allow_blank=True, help_text="HTML: the entry's text and its claims.")


class TimelineJSEventSerializer(serializers.Serializer):
    start_date = TimelineJSDateSerializer()
    text = TimelineJSTextSerializer()
    unique_id = serializers.SlugField(help_text="The entry's slug.")
    group = serializers.CharField(help_text="The timeline's title.")


class TimelineJSSlideSerializer(serializers.Serializer):
    text = TimelineJSTextSerializer()


class TimelineJSSerializer(serializers.Serializer):
    title = TimelineJSSlideSerializer()
    events = TimelineJSEventSerializer(many=True)
