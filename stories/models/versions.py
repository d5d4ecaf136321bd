from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

# The fields of a story readers see as its text: a change to any of them on a published story
# waits for an editor (DESIGN.md rule 8).
TEXT_FIELDS = ("title", "summary", "body", "byline", "published_at")


class StoryVersionQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state=StoryVersion.State.PENDING)


class StoryVersion(models.Model):
    """One text a story was seen with: the first one, each new text an ingest brought and each
    editor's edit. A new text of a published story waits here (pending) until an editor accepts
    it; readers keep the reviewed text meanwhile. Written only by stories.services.versions."""

    class Kind(models.TextChoices):
        INITIAL = "initial", "First text on file"
        INGEST = "ingest", "Ingest"
        EDITOR = "editor", "Editor"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        ACCEPTED = "accepted", "Accepted"
        SUPERSEDED = "superseded", "Superseded by a later text"
        DISMISSED = "dismissed", "Dismissed"

    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="versions")
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    byline = models.CharField(max_length=200, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    fingerprint = models.CharField(
        max_length=64, help_text="SHA-256 of the normalised title, summary, body, byline and date."
    )
    kind = models.CharField("source of the change", max_length=20, choices=Kind)
    state = models.CharField(max_length=20, choices=State)
    origin = models.CharField(
        max_length=500, blank=True, help_text="Where the text came from: file and line, the API, the admin."
    )
    seen_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dismissed_at = models.DateTimeField(null=True, blank=True)
    diff = models.TextField(
        blank=True, help_text="A unified diff against the story's text when this one was seen."
    )

    objects = StoryVersionQuerySet.as_manager()

    class Meta:
        ordering = ["story", "-seen_at", "-id"]
        constraints = [
            # At most one text waits for review per story: a newer one supersedes it.
            models.UniqueConstraint(
                fields=["story"], condition=Q(state="pending"), name="version_one_pending_per_story"
            ),
        ]
        indexes = [
            # "Seen before?" on ingest: a story's versions by fingerprint.
            models.Index(fields=["story", "fingerprint"], name="version_story_print_idx"),
            # The admin's "changed since review" filter.
            models.Index(fields=["state"], name="version_pending_idx", condition=Q(state="pending")),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} text of “{self.title}”, {self.seen_at:%d %b %Y %H:%M}"

    @property
    def is_pending(self):
        return self.state == self.State.PENDING

    def text(self):
        return {name: getattr(self, name) for name in TEXT_FIELDS}
