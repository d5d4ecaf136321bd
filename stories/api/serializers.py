"""What the API says about each object, one serializer per shape. Field names are stable; dates
are ISO 8601; `page_url` is the absolute address of the object's public page. Serializers only
shape what the views read through stories.selectors."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from stories.models import Claim, ClaimAppearance, EditorialNote, Evidence, Source, Story, Tag, TimelineEntry
from stories.services.ingest import IngestError, parse_date

OUTCOMES = {
    "new": "Stored as a new story (it waits for an editor before it is published).",
    "unchanged": "Already stored with this text (an exact copy): nothing changed.",
    "updated": "A known story (same guid or URL, same outlet) with a new text, not yet published: "
    "updated, the previous text kept as a version.",
    "held": "A known published story with a new text: kept as a version until an editor accepts it; "
    "readers keep the reviewed text.",
    "merged": "A near copy of a stored story: stored and merged into it.",
}


def absolute(context, path):
    """`path` as an absolute URL of this site; the site's base is worked out once per response."""
    base = context.get("base_url")
    if base is None:
        base = context["base_url"] = context["request"].build_absolute_uri("/")[:-1]
    return base + path


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


class SourceSerializer(serializers.ModelSerializer):
    page_url = PageURLField()
    homepage = OptionalURLField()
    story_count = serializers.IntegerField(read_only=True, help_text="Its published stories.")
    track_record = serializers.DictField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="Checked claims made in its published stories, by verdict.",
    )

    class Meta:
        model = Source
        fields = ["id", "slug", "name", "kind", "reliability", "homepage", "description", "page_url"]
        fields += ["story_count", "track_record"]


class CorrectionSerializer(serializers.ModelSerializer):
    text = serializers.CharField(source="body", read_only=True)

    class Meta:
        model = EditorialNote
        fields = ["text", "created_at", "updated_at"]


class ClaimBriefSerializer(serializers.ModelSerializer):
    rating = RatingSerializer(read_only=True)
    page_url = PageURLField()

    class Meta:
        model = Claim
        fields = ["id", "slug", "text", "verdict", "rating", "page_url"]


class StoryClaimSerializer(ClaimBriefSerializer):
    quote = serializers.CharField(read_only=True, help_text="The story's exact words making the claim.")

    class Meta(ClaimBriefSerializer.Meta):
        fields = [*ClaimBriefSerializer.Meta.fields, "quote"]


class StorySerializer(serializers.ModelSerializer):
    page_url = PageURLField()
    canonical_url = OptionalURLField(source="url", help_text="Where the outlet published it.")
    source = SourceBriefSerializer(read_only=True)
    also_published_at = serializers.SerializerMethodField(help_text="Addresses of the copies merged into it.")
    claims = StoryClaimSerializer(
        many=True, read_only=True, source="claim_list", help_text="Its checked claims, with verdicts."
    )
    corrections = CorrectionSerializer(
        many=True, read_only=True, source="correction_list", help_text="Public corrections."
    )

    class Meta:
        model = Story
        fields = ["id", "slug", "title", "page_url", "canonical_url", "source", "published_at"]
        fields += ["updated_at", "byline", "language", "summary", "also_published_at", "claims"]
        fields += ["corrections"]

    def get_also_published_at(self, story) -> list[str]:
        return [copy.url for copy in story.copy_list if copy.url]


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
    source = SourceBriefSerializer(source="story.source", read_only=True)
    original_url = OptionalURLField(source="story.url", help_text="Where this outlet published it.")
    published_at = serializers.DateTimeField(source="story.published_at", read_only=True, allow_null=True)

    class Meta:
        model = ClaimAppearance
        fields = ["quote", "story", "source", "original_url", "published_at"]


class ClaimSerializer(serializers.ModelSerializer):
    page_url = PageURLField()
    rating = RatingSerializer(read_only=True)
    tags = TagSerializer(many=True, read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)
    appearances_url = serializers.SerializerMethodField(help_text="Every appearance, page by page.")
    story_count = serializers.IntegerField(read_only=True, help_text="Published stories making it.")
    independent_sources = serializers.IntegerField(
        read_only=True, help_text="Distinct sources of the published stories making it; copies count once."
    )

    class Meta:
        model = Claim
        fields = ["id", "slug", "text", "page_url", "verdict", "rating", "explanation", "reviewed_at"]
        fields += ["updated_at", "tags", "evidence", "appearances_url", "story_count", "independent_sources"]

    def get_appearances_url(self, claim) -> str:
        return absolute(self.context, reverse("api:claim-appearances", args=[claim.slug]))


class ClaimDetailSerializer(ClaimSerializer):
    appearances = AppearanceSerializer(
        many=True,
        read_only=True,
        source="appearance_preview",
        help_text="Its first appearances in published stories, oldest first; all at `appearances_url`.",
    )
    corrections = CorrectionSerializer(
        many=True, read_only=True, source="correction_list", help_text="Public corrections."
    )

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "appearances", "corrections"]


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
        help_text="A source's slug or name; an unknown name creates the source, unrated, for an "
        "editor to review. Without one, the URL's host finds the source (or creates one for review); "
        "without either, the story is filed under Unattributed for review.",
    )
    published_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="ISO 8601 with its offset; from 1900 to tomorrow, offsets within +/-15:59.",
    )
    byline = serializers.CharField(required=False, allow_blank=True, default="")
    language = serializers.CharField(required=False, allow_blank=True, default="en")
    summary = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_published_at(self, value):
        """The date as sent (before DRF moves it to UTC) checked as the command checks it."""
        sent = self.initial_data.get("published_at") if hasattr(self.initial_data, "get") else None
        try:
            return parse_date(sent if isinstance(sent, str) and sent.strip() else value)
        except IngestError as error:
            raise serializers.ValidationError(str(error)) from None


class IngestedStorySerializer(serializers.ModelSerializer):
    page_url = PageURLField(help_text="Its public page once an editor publishes it.")
    canonical_url = OptionalURLField(source="url")
    source = SourceBriefSerializer(read_only=True)

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
