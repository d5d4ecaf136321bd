import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from stories.text import unique_slug

from .claims import SUPPORTING_VERDICTS
from .owned import ServiceOwnedFields
from .tracking import RemembersLoadedState


class Timeline(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("stories:timeline")


class TimelineEntryQuerySet(models.QuerySet):
    def publishable(self):
        """Entries resting on at least one claim, every one of them accurate or mostly accurate."""
        # Uncorrelated subqueries: PostgreSQL hashes each once instead of probing per entry.
        pairs = TimelineEntry.claims.through.objects.values("timelineentry_id")
        return self.filter(pk__in=pairs).exclude(pk__in=pairs.exclude(claim__verdict__in=SUPPORTING_VERDICTS))

    def public(self):
        """Published and publishable: a published entry whose claim lost its verdict disappears."""
        return self.filter(is_published=True).publishable()


class TimelineEntry(ServiceOwnedFields, RemembersLoadedState):
    TRACKED_FIELDS = ("is_published",)
    # Written only by the publish and unpublish of stories.services.timeline (see ServiceOwnedFields).
    SERVICE_OWNED_FIELDS = ("is_published", "published_at", "published_by")

    class Precision(models.TextChoices):
        DAY = "day", "Day"
        MONTH = "month", "Month"
        YEAR = "year", "Year"

    timeline = models.ForeignKey(Timeline, on_delete=models.CASCADE, related_name="entries")
    date = models.DateField(
        help_text="For month or year precision the day (and month) are ignored and stored as 1."
    )
    precision = models.CharField(max_length=10, choices=Precision, default=Precision.DAY)
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True, blank=True)
    text = models.TextField(blank=True, help_text="Two or three sentences for readers.")
    claims = models.ManyToManyField(
        "stories.Claim",
        blank=True,
        related_name="timeline_entries",
        help_text="The claims this entry rests on. All must be accurate or mostly accurate to publish.",
    )
    is_published = models.BooleanField(
        "published", default=False, editable=False, help_text="Set only through the publish action."
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = TimelineEntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "timeline entries"
        ordering = ["date", "id"]
        permissions = [("publish_timelineentry", "Can publish and unpublish timeline entries")]
        indexes = [
            # TimelineEntry.objects.public() on the home page, in date order.
            models.Index(fields=["timeline", "is_published", "date"], name="entry_public_idx"),
        ]

    def __str__(self):
        return f"{self.display_date}: {self.title}"

    def normalise_date(self):
        """Store a month's or a year's date as its first day."""
        if isinstance(self.date, datetime.date):
            if self.precision == self.Precision.MONTH:
                self.date = self.date.replace(day=1)
            elif self.precision == self.Precision.YEAR:
                self.date = self.date.replace(month=1, day=1)

    def save(self, *args, **kwargs):
        self.normalise_date()
        if not self.slug:
            self.slug = unique_slug(
                TimelineEntry, f"{self.date} {self.title}", max_length=100, exclude_pk=self.pk
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("stories:timeline") + f"#{self.slug}"

    @property
    def display_date(self):
        """The date at its precision: '29 May 2026', 'December 2024', '2024'."""
        if not isinstance(self.date, datetime.date):
            return ""
        if self.precision == self.Precision.YEAR:
            return f"{self.date.year}"
        if self.precision == self.Precision.MONTH:
            return self.date.strftime("%B %Y")
        return f"{self.date.day} {self.date.strftime('%B %Y')}"

    def blocking_claims(self):
        """The supporting claims that are not accurate or mostly accurate yet."""
        return self.claims.exclude(verdict__in=SUPPORTING_VERDICTS)


# What readers see of an entry: a change to any of these on a published entry waits as a revision.
ENTRY_CONTENT_FIELDS = ("date", "precision", "title", "text")


class EntryRevisionQuerySet(models.QuerySet):
    def pending(self):
        """Changes to published entries waiting for a chief editor (the dashboard's queue)."""
        return self.filter(state=EntryRevision.State.PENDING)


class EntryRevision(models.Model):
    """An editor's change to a published timeline entry: its date, title, text and claims as they
    would read, kept until a chief editor publishes it; readers see the entry as published until
    then (DESIGN.md rule 8). Written only by stories.services.timeline."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for a chief editor"
        PUBLISHED = "published", "Published"
        SUPERSEDED = "superseded", "Replaced by a later change"
        WITHDRAWN = "withdrawn", "Withdrawn"

    entry = models.ForeignKey(TimelineEntry, on_delete=models.CASCADE, related_name="revisions")
    date = models.DateField()
    precision = models.CharField(max_length=10, choices=TimelineEntry.Precision)
    title = models.CharField(max_length=200)
    text = models.TextField(blank=True)
    claims = models.ManyToManyField("stories.Claim", blank=True, related_name="+")
    state = models.CharField(max_length=20, choices=State, default=State.PENDING)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    objects = EntryRevisionQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            # At most one change waits per entry: a later one replaces it (stories.services.timeline).
            models.UniqueConstraint(
                fields=["entry"], condition=Q(state="pending"), name="entryrevision_one_pending_per_entry"
            ),
        ]
        indexes = [
            # EntryRevision.objects.pending(): the dashboard's queue.
            models.Index(
                fields=["proposed_at"], name="entryrevision_pending_idx", condition=Q(state="pending")
            ),
        ]

    def __str__(self):
        return f"Change to “{self.entry.title}” ({self.get_state_display().lower()})"
