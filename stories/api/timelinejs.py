"""The verified timeline in Knight Lab TimelineJS's JSON format, to embed it on any site.

https://timeline.knightlab.com/docs/json-format.html: a title slide and one event per public
entry, dated at the entry's precision (a month-precision entry has no day). TimelineJS shows
`text.text` as HTML, so every piece of text is escaped here."""

# Text is escaped with the standard library's html.escape: what django.utils.html.escape does,
# giving the same text, without its check for lazy strings and its safe-string wrapper, which
# cost more than the escaping itself over the thousands of strings of the export.
from html import escape as esc

from django.conf import settings
from rest_framework import serializers

from stories.models import VERDICT_RATINGS, TimelineEntry
from stories.selectors import slug_address

from .serializers import absolute

# What the export reads of an entry and of each claim it rests on (see
# stories.selectors.timeline_export).
ENTRY_FIELDS = ("date", "precision", "title", "slug", "text")
CLAIM_FIELDS = ("text", "slug", "verdict")
RATING_LABELS = {verdict.value: rating.label for verdict, rating in VERDICT_RATINGS.items()}


def start_date(entry):
    date = {"year": entry.date.year}
    if entry.precision in (TimelineEntry.Precision.MONTH, TimelineEntry.Precision.DAY):
        date["month"] = entry.date.month
    if entry.precision == TimelineEntry.Precision.DAY:
        date["day"] = entry.date.day
    date["display_date"] = entry.display_date
    return date


def _claim_item(claim, context, address):
    """A claim's list item, made once per claim however many entries rest on it."""
    item = claim.get("timelinejs_item")
    if item is None:
        url = absolute(context, address(claim["slug"]))
        label = RATING_LABELS[claim["verdict"]]
        item = claim["timelinejs_item"] = (
            f'<li><a href="{esc(url)}">{esc(claim["text"])}</a> ({esc(label)})</li>'
        )
    return item


def event_text(entry, context, address):
    paragraph = f"<p>{esc(entry.text)}</p>" if entry.text else ""
    if not entry.claim_list:
        return paragraph
    return (
        f"{paragraph}<ul>{''.join(_claim_item(claim, context, address) for claim in entry.claim_list)}</ul>"
    )


def document(entries, context):
    """The TimelineJS document for `entries` (from stories.selectors.timeline_export, with
    ENTRY_FIELDS and CLAIM_FIELDS)."""
    timelines = {entry.timeline_id: entry for entry in entries}
    if len(timelines) == 1:
        (timeline,) = timelines.values()
        title = {"headline": esc(timeline.timeline_title), "text": esc(timeline.timeline_description)}
    else:
        title = {"headline": esc(settings.NEWSROOM_SITE_NAME), "text": "The verified timeline"}
    groups = {pk: esc(entry.timeline_title) for pk, entry in timelines.items()}
    address = slug_address("stories:claim-detail")
    events = [
        {
            "start_date": start_date(entry),
            "text": {"headline": esc(entry.title), "text": event_text(entry, context, address)},
            "unique_id": entry.slug,
            "group": groups[entry.timeline_id],
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
