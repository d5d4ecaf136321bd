"""What the API says about each object. Field names are stable; dates are ISO 8601; `page_url` is
the absolute address of the object's public page. Serializers only shape data that views have
already fetched from the models' public querysets (see stories.api.views)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from stories.models import Claim, ClaimAppearance, EditorialNote, Evidence, Source, Story, Tag, TimelineEntry

OUTCOMES = {
    "new": "Stored as a new story (it waits for an editor before it is published).",
    "unchanged": "Already stored with this text (an exact copy): nothing changed.",
    "updated": "A known story (same guid or URL) with a new text: updated, the previous text kept.",
    "merged": "A near copy of a stored story: stored and merged into it.",
}


def absolute(context, path):
    """`path` as an absolute URL of this site; the site's base is worked out once per response."""
    base = context.get("base_url")
    if base is None:
        base = context["base_url"] = context["request"].build_absolute_uri("/")[:-1]
    return base + path


iso_datetime = serializers.DateTimeField().to_representation  # ISO 8601, UTC as "Z"; None stays None


def rating_dict(rating):
    return {"value": rating.value, "label": rating.label}


def source_dict(context, source):
    page_url = absolute(context, source.get_absolute_url())
    return {"slug": source.slug, "name": source.name, "reliability": source.reliability, "page_url": page_url}


def correction_dicts(notes):
    return [
        {
            "text": note.body,
            "created_at": iso_datetime(note.created_at),
            "updated_at": iso_datetime(note.updated_at),
        }
        for note in notes
    ]


def story_claim_dicts(context, claims):
    return [
        {
            "id": claim.pk,
            "slug": claim.slug,
            "text": claim.text,
            "verdict": claim.verdict,
            "rating": rating_dict(claim.rating),
            "page_url": absolute(context, claim.get_absolute_url()),
            "quote": claim.quote,
        }
        for claim in claims
    ]


@extend_schema_field(OpenApiTypes.URI)
class PageURLField(serializers.Field):
    """The absolute address of the object's public page (its get_absolute_url())."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        return absolute(self.context, value.get_absolute_url())


class OptionalURLField(serializers.URLField):
    """A URL that may be missing: null rather than an empty string."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


class RatingSerializer(serializers.Serializer):
    value = serializers.IntegerField(
        allow_null=True, help_text="ClaimReview rating: 5 accurate … 1 inaccurate; null when unreviewed."
    )
    label = serializers.CharField()


class SourceBriefSerializer(serializers.ModelSerializer):
    page_url = PageURLField()

    class Meta:
        model = Source
        fields = ["slug", "name", "reliability", "page_url"]


# Lists of stories nest these small objects dozens of times: as plain fields they cost a dict each
# instead of a nested serializer each. The serializers above stay their schema (and the schema
# tests check that the two agree).


@extend_schema_field(RatingSerializer)
class RatingField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, rating):
        return rating_dict(rating)


@extend_schema_field(SourceBriefSerializer)
class SourceBriefField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, source):
        return source_dict(self.context, source)


class SourceSerializer(serializers.ModelSerializer):
    page_url = PageURLField()
    homepage = OptionalURLField()
    story_count = serializers.IntegerField(read_only=True, help_text="Its published stories.")

    class Meta:
        model = Source
        fields = ["id", "slug", "name", "kind", "reliability", "homepage", "description", "page_url"]
        fields += ["story_count"]


class CorrectionSerializer(serializers.ModelSerializer):
    text = serializers.CharField(source="body", read_only=True)

    class Meta:
        model = EditorialNote
        fields = ["text", "created_at", "updated_at"]


@extend_schema_field(CorrectionSerializer(many=True))
class CorrectionsField(serializers.Field):
    """Public corrections (see CorrectionSerializer)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, source="correction_list", **kwargs)

    def to_representation(self, notes):
        return correction_dicts(notes)


class ClaimBriefSerializer(serializers.ModelSerializer):
    rating = RatingField()
    page_url = PageURLField()

    class Meta:
        model = Claim
        fields = ["id", "slug", "text", "verdict", "rating", "page_url"]


class StoryClaimSerializer(ClaimBriefSerializer):
    quote = serializers.CharField(read_only=True, help_text="The story's exact words making the claim.")

    class Meta(ClaimBriefSerializer.Meta):
        fields = [*ClaimBriefSerializer.Meta.fields, "quote"]


@extend_schema_field(StoryClaimSerializer(many=True))
class StoryClaimsField(serializers.Field):
    """A story's checked claims with their quotes (see StoryClaimSerializer)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, source="claim_list", **kwargs)

    def to_representation(self, claims):
        return story_claim_dicts(self.context, claims)


class StorySerializer(serializers.ModelSerializer):
    page_url = PageURLField()
    canonical_url = OptionalURLField(source="url", help_text="Where the outlet published it.")
    source = SourceBriefField()
    also_published_at = serializers.ListField(
        child=serializers.URLField(),
        read_only=True,
        help_text="Addresses of the copies merged into this story.",
    )
    claims = StoryClaimsField(help_text="Its checked claims, with verdicts.")
    corrections = CorrectionsField(help_text="Public corrections.")

    class Meta:
        model = Story
        fields = ["id", "slug", "title", "page_url", "canonical_url", "source", "published_at"]
        fields += ["updated_at", "byline", "language", "summary", "also_published_at", "claims"]
        fields += ["corrections"]

    def to_representation(self, story):
        """What the declared fields give (a test compares the two), built directly: the story list
        is the API's busiest answer, and this costs a third of the generic field-by-field walk."""
        context = self.context
        return {
            "id": story.pk,
            "slug": story.slug,
            "title": story.title,
            "page_url": absolute(context, story.get_absolute_url()),
            "canonical_url": story.url or None,
            "source": source_dict(context, story.source),
            "published_at": iso_datetime(story.published_at),
            "updated_at": iso_datetime(story.updated_at),
            "byline": story.byline,
            "language": story.language,
            "summary": story.summary,
            "also_published_at": story.also_published_at,
            "claims": story_claim_dicts(context, story.claim_list),
            "corrections": correction_dicts(story.correction_list),
        }


class StoryBriefSerializer(serializers.ModelSerializer):
    page_url = PageURLField()

    class Meta:
        model = Story
        fields = ["slug", "title", "page_url"]


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["slug", "name"]


class EvidenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evidence
        fields = ["url", "publisher", "title", "kind"]


class AppearanceSerializer(serializers.ModelSerializer):
    story = StoryBriefSerializer(
        source="story.canonical", read_only=True, help_text="The published story readers are sent to."
    )
    source = SourceBriefField(source="story.source")
    original_url = OptionalURLField(source="story.url", help_text="Where this outlet published it.")
    published_at = serializers.DateTimeField(source="story.published_at", read_only=True, allow_null=True)

    class Meta:
        model = ClaimAppearance
        fields = ["quote", "story", "source", "original_url", "published_at"]


class ClaimSerializer(serializers.ModelSerializer):
    page_url = PageURLField()
    rating = RatingField()
    tags = TagSerializer(many=True, read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)
    appearances = AppearanceSerializer(
        many=True, read_only=True, source="public_appearances", help_text="Where published stories make it."
    )
    independent_sources = serializers.IntegerField(
        read_only=True, help_text="Distinct sources of the published stories making it; copies count once."
    )

    class Meta:
        model = Claim
        fields = ["id", "slug", "text", "page_url", "verdict", "rating", "explanation", "reviewed_at"]
        fields += ["updated_at", "tags", "evidence", "appearances", "independent_sources"]


class ClaimDetailSerializer(ClaimSerializer):
    corrections = CorrectionsField(help_text="Public corrections.")

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "corrections"]


class TimelineClaimSerializer(ClaimBriefSerializer):
    independent_sources = serializers.IntegerField(read_only=True)

    class Meta(ClaimBriefSerializer.Meta):
        fields = [*ClaimBriefSerializer.Meta.fields, "independent_sources"]


class TimelineEntrySerializer(serializers.ModelSerializer):
    page_url = PageURLField()
    timeline = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    display_date = serializers.CharField(read_only=True, help_text="The date at its precision, in words.")
    claims = TimelineClaimSerializer(
        many=True, read_only=True, source="claim_list", help_text="The checked claims it rests on."
    )

    class Meta:
        model = TimelineEntry
        fields = ["id", "slug", "timeline", "date", "precision", "display_date", "title", "text"]
        fields += ["page_url", "published_at", "claims"]


class IngestSerializer(serializers.Serializer):
    """One article to ingest; the ingest service checks and cleans it as the command does."""

    title = serializers.CharField(trim_whitespace=False)
    body = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, default="")
    url = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Where the outlet published it."
    )
    guid = serializers.CharField(required=False, allow_blank=True, default="")
    source = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="A source's slug or name; an unknown name creates the source, unrated.",
    )
    published_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    byline = serializers.CharField(required=False, allow_blank=True, default="")
    language = serializers.CharField(required=False, allow_blank=True, default="en")
    summary = serializers.CharField(required=False, allow_blank=True, default="")


class IngestedStorySerializer(serializers.ModelSerializer):
    page_url = PageURLField(help_text="Its public page once an editor publishes it.")
    canonical_url = OptionalURLField(source="url")
    source = SourceBriefField()

    class Meta:
        model = Story
        fields = ["id", "slug", "title", "status", "page_url", "canonical_url", "source", "published_at"]


class IngestResultSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=list(OUTCOMES.items()), help_text=" ".join(f"{k}: {v}" for k, v in OUTCOMES.items())
    )
    duplicate = serializers.BooleanField(help_text="True when the item is a copy of a stored story.")
    message = serializers.CharField(help_text="What happened, in words.")
    story = IngestedStorySerializer(help_text="The stored story; for a copy, the canonical story.")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
