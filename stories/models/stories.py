from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from stories.text import fingerprint, unique_slug

from .owned import ServiceOwnedFields
from .tracking import RemembersLoadedState


class StoryQuerySet(models.QuerySet):
    def public(self):
        """Stories readers may see: published, canonical (not merged into another), from an outlet
        an editor has reviewed (Source.objects.public())."""
        return self.filter(
            status=Story.Status.PUBLISHED, merged_into__isnull=True, source__needs_review=False
        )

    def canonical(self):
        return self.filter(merged_into__isnull=True)

    def served(self):
        """Stories whose content readers see: public stories and the copies merged into them."""
        return self.filter(Story.served_condition())


class Story(ServiceOwnedFields, RemembersLoadedState):
    TRACKED_FIELDS = ("status", "merged_into_id", "source_id")
    # Written only by stories.services.merge, and `edited_fields` only by stories.services.versions
    # (see ServiceOwnedFields).
    SERVICE_OWNED_FIELDS = ("merged_into", "edited_fields")

    class Status(models.TextChoices):
        NEW = "new", "New"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Rejected"

    source = models.ForeignKey("stories.Source", on_delete=models.PROTECT, related_name="stories")
    title = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=100, unique=True, blank=True, help_text="Filled from the title when left empty."
    )
    url = models.URLField(
        "canonical URL",
        max_length=1000,
        blank=True,
        help_text="Where the outlet published it. Unique: the same URL is the same story.",
    )
    guid = models.CharField(
        max_length=500, blank=True, help_text="The feed's own identifier for the item, when it has one."
    )
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="Leave empty when the item carries no date."
    )
    byline = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True, help_text="A short summary in the desk's own words.")
    body = models.TextField(blank=True, help_text="The article's plain text.")
    language = models.CharField(max_length=16, default="en")
    status = models.CharField(max_length=20, choices=Status, default=Status.NEW)
    fingerprint = models.CharField(
        max_length=64, blank=True, editable=False, help_text="SHA-256 of the normalised title and text."
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="copies",
        editable=False,
        help_text="Set by the merge service: the canonical story this one is a copy of.",
    )
    edited_fields = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="The text fields an editor changed: a new ingest of the story never overwrites them.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = StoryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "stories"
        ordering = [F("published_at").desc(nulls_last=True), "-id"]
        constraints = [
            # Ingest recognises an item it has seen by its URL; an empty URL is allowed many times.
            models.UniqueConstraint(fields=["url"], condition=~Q(url=""), name="story_unique_url"),
            models.CheckConstraint(condition=~Q(merged_into=F("id")), name="story_not_merged_into_itself"),
        ]
        indexes = [
            # The admin's story list filtered by status, newest first.
            models.Index(fields=["status", "-published_at"], name="story_status_published_idx"),
            # On PostgreSQL, two partial indexes of public stories in their order serve the public
            # lists and their counts (migration 0006: SQLite cannot index NULLS LAST).
            # Ingest's second identity check: the same text under another URL.
            models.Index(fields=["fingerprint"], name="story_fingerprint_idx"),
            # Ingest's first identity check for feed items.
            models.Index(fields=["guid"], name="story_guid_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if not self.slug:
            self.slug = unique_slug(Story, self.title, max_length=100, exclude_pk=self.pk)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "slug"}
        if update_fields is None or {"title", "body"} & set(update_fields):
            self.fingerprint = fingerprint(self.title, self.body)
            if update_fields is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "fingerprint"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("stories:story-detail", args=[self.slug])

    @staticmethod
    def served_condition(prefix=""):
        """The condition of StoryQuerySet.served() for a relation, e.g. prefix="story__": a public
        story, or a copy merged into one that an editor has not rejected, from a reviewed outlet."""
        published, rejected = Story.Status.PUBLISHED, Story.Status.REJECTED
        reviewed = Q(**{f"{prefix}source__needs_review": False})
        return reviewed & (
            Q(**{f"{prefix}status": published, f"{prefix}merged_into__isnull": True})
            | (
                Q(
                    **{
                        f"{prefix}merged_into__status": published,
                        f"{prefix}merged_into__source__needs_review": False,
                    }
                )
                & ~Q(**{f"{prefix}status": rejected})
            )
        )

    @property
    def is_public(self):
        """The same rule as StoryQuerySet.public(), for one story in hand (reads its source)."""
        return (
            self.status == Story.Status.PUBLISHED
            and self.merged_into_id is None
            and not self.source.needs_review
        )

    @property
    def is_merged(self):
        return self.merged_into_id is not None

    @property
    def canonical(self):
        """The story readers are sent to: itself, or the story it was merged into."""
        return self.merged_into if self.merged_into_id else self


class DuplicateCandidateQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state=DuplicateCandidate.State.PENDING)

    def for_pair(self, one, other):
        a, b = sorted([one.pk, other.pk])
        return self.filter(story_a_id=a, story_b_id=b)


class DuplicateCandidate(models.Model):
    """A pair of stories the detector thinks are copies, waiting for an editor's decision."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        MERGED = "merged", "Merged"
        DISMISSED = "dismissed", "Dismissed"

    class Kind(models.TextChoices):
        COPY = "copy", "Copy"
        TRANSLATION = "translation", "Translation"

    story_a = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="+")
    story_b = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(help_text="Similarity from 0 to 1; the queue shows the highest first.")
    jaccard = models.FloatField(null=True, blank=True)
    containment = models.FloatField(null=True, blank=True)
    kind = models.CharField(
        max_length=20,
        choices=Kind,
        default=Kind.COPY,
        help_text="A copy (shared wording) or a translation (the same text in another language: "
        "queued by claim matching, never merged automatically).",
    )
    state = models.CharField(max_length=20, choices=State, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = DuplicateCandidateQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            # One row per pair, so a dismissed pair stays dismissed.
            models.UniqueConstraint(fields=["story_a", "story_b"], name="candidate_unique_pair"),
            models.CheckConstraint(condition=Q(story_a__lt=F("story_b")), name="candidate_ordered_pair"),
        ]
        indexes = [
            # The editors' duplicate queue: pending pairs, best score first.
            models.Index(fields=["state", "-score"], name="candidate_queue_idx"),
        ]

    def __str__(self):
        return f"{self.story_a} ~ {self.story_b} ({self.score:.2f})"

    def save(self, *args, **kwargs):
        if self.story_a_id and self.story_b_id and self.story_a_id > self.story_b_id:
            self.story_a_id, self.story_b_id = self.story_b_id, self.story_a_id
        super().save(*args, **kwargs)


class MergeRecordQuerySet(models.QuerySet):
    def active(self):
        return self.filter(undone_at__isnull=True)


class MergeRecord(models.Model):
    """Who merged which story into which, when and why. Undone, never deleted."""

    duplicate = models.ForeignKey(Story, on_delete=models.PROTECT, related_name="merge_records")
    canonical = models.ForeignKey(Story, on_delete=models.PROTECT, related_name="merges_received")
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    score = models.FloatField(
        null=True, blank=True, help_text="The detector's score, when it suggested the pair."
    )
    candidate = models.ForeignKey(
        DuplicateCandidate, on_delete=models.SET_NULL, null=True, blank=True, related_name="merge_records"
    )
    repointed = models.ManyToManyField(
        Story,
        blank=True,
        related_name="+",
        help_text="Copies of the duplicate that were moved to the canonical story (chain flattening).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()
    objects = MergeRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = "created_at"

    def __str__(self):
        return f"“{self.duplicate}” merged into “{self.canonical}”"

    @property
    def is_active(self):
        return self.undone_at is None
