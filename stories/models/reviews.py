from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .claims import Verdict


class ClaimReviewQuerySet(models.QuerySet):
    def pending(self):
        """Proposed verdicts waiting for a second editor (the dashboard's queue)."""
        return self.filter(state=ClaimReview.State.PENDING)


class ClaimReview(models.Model):
    """A verdict an editor proposed for a claim, and what became of it.

    A claim's public verdict (Claim.verdict and its explanation) changes only when a review is
    approved by an editor other than its proposer, or published by a chief editor's override
    with a reason (DESIGN.md rule 9). Written only by stories.services.claims.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Awaiting a second editor"
        APPROVED = "approved", "Approved and public"
        OVERRIDDEN = "overridden", "Published by a chief editor's override"
        SUPERSEDED = "superseded", "Replaced by a later proposal"

    claim = models.ForeignKey("stories.Claim", on_delete=models.CASCADE, related_name="reviews")
    verdict = models.CharField(max_length=20, choices=Verdict)
    explanation = models.TextField(blank=True)
    state = models.CharField(max_length=20, choices=State, default=State.PENDING)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The editor whose approval (or override) made the verdict public.",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    override_reason = models.TextField(
        blank=True, help_text="Why a chief editor published the verdict without a second editor."
    )

    objects = ClaimReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-id"]
        permissions = [
            ("override_verdict", "Can publish a verdict without a second editor, giving a reason"),
        ]
        constraints = [
            # At most one proposal waits per claim: a new one replaces it (stories.services.claims).
            models.UniqueConstraint(
                fields=["claim"], condition=Q(state="pending"), name="claimreview_one_pending_per_claim"
            ),
        ]
        indexes = [
            # ClaimReview.objects.pending(): the dashboard's queue, oldest first.
            models.Index(
                fields=["proposed_at"], name="claimreview_pending_idx", condition=Q(state="pending")
            ),
        ]

    def __str__(self):
        return f"{Verdict(self.verdict).label} for “{self.claim}” ({self.get_state_display().lower()})"
