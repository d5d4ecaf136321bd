from typing import NamedTuple

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from stories.text import unique_slug

from .owned import ServiceOwnedFields
from .tracking import RemembersLoadedState


class Verdict(models.TextChoices):
    UNREVIEWED = "unreviewed", "Unreviewed"
    ACCURATE = "accurate", "Accurate"
    MOSTLY_ACCURATE = "mostly_accurate", "Mostly accurate"
    MISLEADING = "misleading", "Misleading"
    INACCURATE = "inaccurate", "Inaccurate"
    UNPROVEN = "unproven", "Unproven"


class Rating(NamedTuple):
    """A verdict as schema.org ClaimReview expresses it (worst 1, best 5)."""

    value: int | None
    label: str
    meaning: str = ""


# The one table every consumer (pages, JSON-LD, API, badges) reads a verdict's rating from.
VERDICT_RATINGS = {
    Verdict.UNREVIEWED: Rating(None, "Not yet reviewed", "The desk has not checked it yet."),
    Verdict.ACCURATE: Rating(5, "Accurate", "Confirmed by the record; nothing significant missing."),
    Verdict.MOSTLY_ACCURATE: Rating(
        4, "Mostly accurate", "Right in substance; a detail is inferred or imprecise, and we say which."
    ),
    Verdict.UNPROVEN: Rating(3, "Unproven", "No reliable source confirms or refutes it yet."),
    Verdict.MISLEADING: Rating(2, "Misleading", "Built on a fact, but worded to suggest something untrue."),
    Verdict.INACCURATE: Rating(1, "Inaccurate", "Contradicted by the record."),
}
BEST_RATING, WORST_RATING = 5, 1

# A timeline entry may rest only on claims with one of these verdicts.
SUPPORTING_VERDICTS = (Verdict.ACCURATE, Verdict.MOSTLY_ACCURATE)


class Tag(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Tag, self.name, exclude_pk=self.pk)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("stories:claim-list") + f"?tag={self.slug}"


class ClaimQuerySet(models.QuerySet):
    def reviewed(self):
        return self.exclude(verdict=Verdict.UNREVIEWED)

    def public(self):
        """Claims readers may see: every claim with a public verdict. `verdict` holds only a
        verdict the configured number of editors agreed on (rule 9; stories.services.claims):
        a proposal waiting for a second editor leaves it as it was, so a claim with only a
        proposal is unreviewed on every public surface."""
        return self.reviewed()


class Claim(ServiceOwnedFields, RemembersLoadedState):
    TRACKED_FIELDS = ("verdict",)
    # The public verdict, its explanation and who made it public: written only by
    # stories.services.claims when a review is approved (rule 9). The stored counts: only by
    # stories.services.counters. (See ServiceOwnedFields.)
    SERVICE_OWNED_FIELDS = (
        *("verdict", "explanation", "reviewed_by", "reviewed_at"),
        *("independent_sources", "story_count", "evidence_count", "primary_evidence_count", "first_stories"),
    )

    text = models.CharField(max_length=500, help_text="One checkable statement, written as a full sentence.")
    slug = models.SlugField(
        max_length=100, unique=True, blank=True, help_text="Filled from the text when left empty."
    )
    # The public verdict: what every reader-facing surface shows (selectors, feeds, the API,
    # JSON-LD, the timeline rule, the stored counts). A proposed verdict waits in a ClaimReview.
    verdict = models.CharField(max_length=20, choices=Verdict, default=Verdict.UNREVIEWED)
    explanation = models.TextField(
        blank=True, help_text="Shown to readers: why this verdict, in plain words, citing the evidence."
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="claims")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Stored counts, kept right after each commit by stories.services.counters (a scan each otherwise).
    independent_sources = models.PositiveIntegerField(
        default=0, editable=False, help_text="Distinct sources of the public stories making it."
    )
    story_count = models.PositiveIntegerField(
        default=0, editable=False, help_text="Public stories making it, copies counted as their story."
    )
    evidence_count = models.PositiveIntegerField(default=0, editable=False)
    primary_evidence_count = models.PositiveIntegerField(
        default=0, editable=False, help_text="Evidence links to the official record itself."
    )
    first_stories = models.JSONField(
        default=list, editable=False, help_text="Ids of the first public stories making it, oldest first."
    )

    history = HistoricalRecords(
        excluded_fields=[
            *("independent_sources", "story_count", "evidence_count", "primary_evidence_count"),
            "first_stories",
        ]
    )
    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["text"]
        indexes = [
            # Claim.objects.reviewed() and the verdict filters of the site and API.
            models.Index(fields=["verdict"], name="claim_verdict_idx"),
            # Public claim lists, alphabetically (site and API).
            models.Index(fields=["text", "id"], name="claim_text_idx", condition=~Q(verdict="unreviewed")),
        ]

    def __str__(self):
        return self.text

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Claim, self.text, max_length=100, exclude_pk=self.pk)
        if self.verdict != Verdict.UNREVIEWED and self.reviewed_at is None:
            self.reviewed_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("stories:claim-detail", args=[self.slug])

    @property
    def rating(self):
        return VERDICT_RATINGS[Verdict(self.verdict)]


class ClaimAppearance(models.Model):
    """A claim made in a story, with the exact words the story used."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="appearances")
    story = models.ForeignKey("stories.Story", on_delete=models.PROTECT, related_name="claim_appearances")
    quote = models.TextField(help_text="The story's exact words that make the claim.")
    created_at = models.DateTimeField(auto_now_add=True)
    # Quote watch (stories.services.versions): set when a new text of the story no longer holds
    # the quote, cleared when a later one holds it again or an editor has dealt with it.
    dropped_at = models.DateTimeField(
        "no longer in the text since",
        null=True,
        blank=True,
        editable=False,
        help_text="When a new text of the story was seen without this quote.",
    )
    dropped_in = models.ForeignKey(
        "stories.StoryVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="The text of the story that no longer holds the quote.",
    )

    class Meta:
        ordering = ["claim", "story"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "story"], name="appearance_unique_claim_story"),
        ]

    def __str__(self):
        return f"{self.story} → {self.claim}"


class Evidence(models.Model):
    class Kind(models.TextChoices):
        PRIMARY = "primary", "Primary (the official record itself)"
        SECONDARY = "secondary", "Secondary (reporting on it)"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    url = models.URLField(max_length=1000)
    publisher = models.CharField(max_length=200)
    title = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.SECONDARY)

    class Meta:
        verbose_name_plural = "evidence"
        ordering = ["kind", "publisher", "id"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "url"], name="evidence_unique_claim_url"),
        ]

    def __str__(self):
        return f"{self.publisher}: {self.url}"
