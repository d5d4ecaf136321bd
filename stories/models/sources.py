from django.db import models
from django.urls import reverse

from .owned import ServiceOwnedFields
from .tracking import RemembersLoadedState


class SourceQuerySet(models.QuerySet):
    def public(self):
        """Outlets readers may see: every one an editor has reviewed. One an ingest created stays
        off the site and the API, with its stories, until then."""
        return self.filter(needs_review=False)


class Source(ServiceOwnedFields, RemembersLoadedState):
    TRACKED_FIELDS = ("needs_review",)
    # The stored counts: written only by stories.services.counters (see ServiceOwnedFields).
    SERVICE_OWNED_FIELDS = ("story_count", "track_record")

    class Kind(models.TextChoices):
        WIRE = "wire", "Wire service"
        NEWSPAPER = "newspaper", "Newspaper"
        BROADCASTER = "broadcaster", "Broadcaster"
        BLOG = "blog", "Blog"
        AGGREGATOR = "aggregator", "Aggregator"
        GOVERNMENT = "government", "Government or official body"
        OTHER = "other", "Other"

    class Reliability(models.TextChoices):
        HIGH = "high", "High"
        MEDIUM = "medium", "Medium"
        LOW = "low", "Low"
        UNRATED = "unrated", "Unrated"

    name = models.CharField(max_length=200, help_text="The outlet's name as readers know it.")
    slug = models.SlugField(max_length=80, unique=True, help_text="Used in the source's web address.")
    homepage = models.URLField(max_length=500, blank=True)
    extra_domains = models.JSONField(
        default=list,
        blank=True,
        help_text="Other host names its articles are published under (its homepage's host counts "
        "already; subdomains of either count too). Ingest files an item by its URL's host.",
    )
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.OTHER)
    reliability = models.CharField(
        max_length=20,
        choices=Reliability,
        default=Reliability.UNRATED,
        help_text="The desk's judgement of this outlet's track record, shown to readers.",
    )
    description = models.TextField(
        blank=True, help_text="One or two sentences for readers: who runs it, what it is."
    )
    needs_review = models.BooleanField(
        default=False,
        help_text="Created by an ingest and not yet reviewed: its name and its stories stay off the "
        "public site and API until an editor clears this.",
    )
    # Stored counts, kept right after each commit by stories.services.counters (a scan each otherwise).
    story_count = models.PositiveIntegerField(default=0, editable=False, help_text="Its public stories.")
    track_record = models.JSONField(
        default=dict,
        editable=False,
        help_text="Checked claims made in its stories readers see, by verdict: {verdict: count}.",
    )

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("stories:source-detail", args=[self.slug])
