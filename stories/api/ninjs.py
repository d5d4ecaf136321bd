"""Stories in IPTC ninjs 2.1 (News in JSON), for `?format=ninjs` on the story list and detail.

A story becomes one ninjs object built from what the JSON answer already reads through
stories.selectors (the story with its source, `claim_list` and `correction_list`): no query of its
own. Its body is what the story's public page shows, never the outlet's own text (the site links to
it instead): the desk's summary, the public corrections, and the checked claims with their
verdicts and the story's words, as HTML.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from .serializers import absolute

NINJS_MEDIA_TYPE = "application/vnd.iptc.ninjs+json"
NINJS_SCHEMA_URI = "http://www.iptc.org/std/ninjs/ninjs-schema_2.1.json"
# The role of each trust indicator (ninjs wants a URI): a claim's fact check, and the desk's
# published method of checking.
CLAIM_REVIEW_ROLE = "https://schema.org/ClaimReview"
POLICY_ROLE = "https://schema.org/verificationFactCheckingPolicy"


class NinjsRenderer(JSONRenderer):
    """JSON, under ninjs's media type; chosen by `?format=ninjs`."""

    media_type = NINJS_MEDIA_TYPE
    format = "ninjs"


def _text(value, role=None, contenttype="text/plain"):
    item = {"value": value, "contenttype": contenttype}
    if role:
        item["role"] = role
    return item


def _body(story, context):
    """The story as its public page shows it, in HTML (every value escaped)."""
    parts = []
    if story.summary:
        parts.append(format_html("<p>{}</p>", story.summary))
    parts.extend(
        format_html("<aside><strong>Correction or clarification:</strong> {}</aside>", note.body)
        for note in story.correction_list
    )
    if story.claim_list:
        claims = format_html_join(
            "",
            '<li><strong>{}</strong>: <a href="{}">{}</a><blockquote>{}</blockquote></li>',
            (
                (claim.rating.label, absolute(context, claim.get_absolute_url()), claim.text, claim.quote)
                for claim in story.claim_list
            ),
        )
        parts.append(format_html("<h2>Claims it makes</h2><ul>{}</ul>", claims))
    if story.url:
        parts.append(
            format_html('<p><a href="{}">Read the original at {}</a></p>', story.url, story.source.name)
        )
    return "".join(parts)


def story(story, context):
    """One public story (with the details stories.selectors.attach_story_details sets) as a ninjs
    object. Keys with nothing to say are left out, as ninjs allows."""
    page = absolute(context, story.get_absolute_url())
    source = story.source
    data = {
        "uri": page,
        "standard": {"name": "ninjs", "version": "2.1", "schema": NINJS_SCHEMA_URI},
        "type": "text",
        "representationtype": "full",
        "profile": "newsroom-story",
        "pubstatus": "usable",
        "slugline": story.slug,
        "versioncreated": story.updated_at.isoformat(),
        "firstcreated": (story.published_at or story.created_at).isoformat(),
        "language": story.language,
        "headlines": [_text(story.title)],
        "bodies": [_text(_body(story, context), role="main", contenttype="text/html")],
        "infosources": [
            {
                "name": source.name,
                "role": "originator",
                "literal": source.slug,
                "uri": source.homepage or absolute(context, source.get_absolute_url()),
            },
            {"name": settings.NEWSROOM_SITE_NAME, "role": "curator", "uri": absolute(context, "/")},
        ],
        "trustindicators": [
            {
                "role": POLICY_ROLE,
                "title": "How we verify",
                "href": absolute(context, reverse("stories:how-we-verify")),
            },
            *(
                {
                    "role": CLAIM_REVIEW_ROLE,
                    "title": f"{claim.rating.label}: {claim.text}",
                    "href": absolute(context, claim.get_absolute_url()),
                }
                for claim in story.claim_list
            ),
        ],
    }
    if story.published_at:
        data["contentcreated"] = story.published_at.isoformat()
    descriptions = [_text(story.summary, role="summary")] if story.summary else []
    descriptions += [_text(note.body, role="correction") for note in story.correction_list]
    if descriptions:
        data["descriptions"] = descriptions
    if story.byline:
        data["by"] = story.byline
    altids = [{"role": "url", "value": story.url}] if story.url else []
    altids += [{"role": "also-published-at", "value": copy.url} for copy in story.copy_list if copy.url]
    if altids:
        data["altids"] = altids
    return data


class NinjsStorySerializer(serializers.BaseSerializer):
    """A public story as ninjs (see `story`); its schema is `STORY_SCHEMA`."""

    def to_representation(self, instance):
        return story(instance, self.context)


def _array_of(properties, required=("value",)):
    return {
        "type": "array",
        "items": {"type": "object", "required": list(required), "properties": properties},
    }


_TEXT = {"role": {"type": "string"}, "contenttype": {"type": "string"}, "value": {"type": "string"}}
_DATE_TIME = {"type": "string", "format": "date-time"}

# The part of the ninjs 2.1 schema these objects use, for the OpenAPI schema.
STORY_SCHEMA = {
    "type": "object",
    "description": f"An IPTC ninjs 2.1 news object ({NINJS_SCHEMA_URI}).",
    "required": [
        *("uri", "standard", "type", "representationtype", "profile", "pubstatus", "slugline"),
        *("versioncreated", "firstcreated", "language", "headlines", "bodies", "infosources"),
        "trustindicators",
    ],
    "properties": {
        "uri": {"type": "string", "format": "uri", "description": "The story's public page."},
        "standard": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "version": {"type": "string"},
                "schema": {"type": "string", "format": "uri"},
            },
        },
        "type": {"type": "string", "enum": ["text"]},
        "representationtype": {"type": "string", "enum": ["full"]},
        "profile": {"type": "string"},
        "pubstatus": {"type": "string", "enum": ["usable"]},
        "slugline": {"type": "string"},
        "versioncreated": {**_DATE_TIME, "description": "When the desk last changed it."},
        "firstcreated": {**_DATE_TIME, "description": "When the outlet published it (or the desk found it)."},
        "contentcreated": {**_DATE_TIME, "description": "When the outlet published it."},
        "language": {"type": "string"},
        "by": {"type": "string"},
        "headlines": _array_of(_TEXT),
        "bodies": {
            **_array_of(_TEXT),
            "description": "What its public page shows (summary, corrections, checked claims), as HTML.",
        },
        "descriptions": {**_array_of(_TEXT), "description": "Its summary, then its public corrections."},
        "infosources": {
            **_array_of(
                {
                    "name": {"type": "string"},
                    "role": {"type": "string"},
                    "literal": {"type": "string"},
                    "uri": {"type": "string", "format": "uri"},
                },
                required=("name", "uri"),
            ),
            "description": "The outlet (originator), then the desk (curator).",
        },
        "altids": {
            **_array_of(
                {"role": {"type": "string"}, "value": {"type": "string"}}, required=("role", "value")
            ),
            "description": "Where the outlet published it (url) and its merged copies (also-published-at).",
        },
        "trustindicators": {
            **_array_of(
                {
                    "role": {"type": "string", "format": "uri"},
                    "title": {"type": "string"},
                    "href": {"type": "string", "format": "uri"},
                },
                required=("role", "title", "href"),
            ),
            "description": "How the desk verifies, then the fact-check page of each checked claim it makes.",
        },
    },
}
