"""The admin index's work list: counts that lead straight to the work waiting."""

from django import template
from django.urls import reverse

from stories.models import Claim, DuplicateCandidate, TimelineEntry, Verdict

register = template.Library()


@register.simple_tag
def worklist():
    """Rows of (label, count, link to the filtered list): three count queries."""
    publishable = TimelineEntry.objects.publishable().values("pk")
    return [
        (
            "Pending duplicates",
            DuplicateCandidate.objects.pending().count(),
            reverse("admin:stories_duplicatecandidate_changelist"),
        ),
        (
            "Unreviewed claims",
            Claim.objects.filter(verdict=Verdict.UNREVIEWED).count(),
            reverse("admin:stories_claim_changelist") + f"?verdict__exact={Verdict.UNREVIEWED}",
        ),
        (
            "Entries waiting for verdicts",
            TimelineEntry.objects.exclude(pk__in=publishable).count(),
            reverse("admin:stories_timelineentry_changelist") + "?readiness=waiting",
        ),
        (
            "Entries ready to publish",
            TimelineEntry.objects.filter(pk__in=publishable, is_published=False).count(),
            reverse("admin:stories_timelineentry_changelist") + "?readiness=ready",
        ),
    ]
