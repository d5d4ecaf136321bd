from django.conf import settings
from django.db import models
from django.db.models import Q

from .tracking import RemembersLoadedState


class EditorialNoteQuerySet(models.QuerySet):
    def public(self):
        """Corrections and clarifications readers may see. Internal notes never leave the admin."""
        return self.filter(visibility=EditorialNote.Visibility.PUBLIC)


class EditorialNote(RemembersLoadedState):
    TRACKED_FIELDS = ("visibility",)

    class Visibility(models.TextChoices):
        INTERNAL = "internal", "Internal (editors only)"
        PUBLIC = "public", "Public (a correction or clarification readers see)"

    story = models.ForeignKey(
        "stories.Story", on_delete=models.CASCADE, null=True, blank=True, related_name="notes"
    )
    claim = models.ForeignKey(
        "stories.Claim", on_delete=models.CASCADE, null=True, blank=True, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    visibility = models.CharField(
        max_length=20,
        choices=Visibility,
        default=Visibility.INTERNAL,
        help_text="Internal notes never appear on the public site, feeds or API.",
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EditorialNoteQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(story__isnull=False, claim__isnull=True) | Q(story__isnull=True, claim__isnull=False)
                ),
                name="note_on_story_xor_claim",
                violation_error_message="A note belongs to exactly one story or one claim.",
            ),
        ]

    def __str__(self):
        target = self.story or self.claim
        return f"{self.get_visibility_display().split(' ')[0]} note on “{target}”"
