from django.conf import settings
from django.db import models
from django.urls import reverse


class StoryIndex(models.Model):
    """What claim matching knows of a story's current text: its sentences (Sentence rows) and, with
    the semantic extra, the whole story's embedding (the mean of its sentences'), stored once per
    text and redone only when the text changes."""

    story = models.OneToOneField(
        "stories.Story", on_delete=models.CASCADE, primary_key=True, related_name="matching_index"
    )
    digest = models.CharField(
        max_length=64, help_text="SHA-256 of the text and language indexed; a different one means stale."
    )
    language = models.CharField(max_length=16, help_text="The story's primary language tag, e.g. ja.")
    vector = models.BinaryField(
        null=True, help_text="The whole story's embedding (float32, little-endian), with the extra."
    )
    matched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["story"]
        verbose_name_plural = "story indexes"

    def __str__(self):
        return f"index of “{self.story}”"


class Sentence(models.Model):
    """One sentence of a story's text, with its place in the text and its embedding."""

    class Field(models.TextChoices):
        SUMMARY = "summary", "Summary"
        BODY = "body", "Body"

    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="sentences")
    field = models.CharField(max_length=10, choices=Field)
    start = models.PositiveIntegerField(help_text="Offset of its first character in the field.")
    end = models.PositiveIntegerField(help_text="Offset just past its last character.")
    text = models.TextField()
    vector = models.BinaryField(
        null=True, help_text="Its embedding (float32, little-endian), with the extra."
    )

    class Meta:
        ordering = ["story", "field", "start"]
        # Matching reads one story's sentences: the foreign key's index serves it.

    def __str__(self):
        return self.text


class ClaimVector(models.Model):
    """A checked claim's embedding, kept until its text changes."""

    claim = models.OneToOneField(
        "stories.Claim", on_delete=models.CASCADE, primary_key=True, related_name="matching_vector"
    )
    digest = models.CharField(max_length=64, help_text="SHA-256 of the claim's text when embedded.")
    vector = models.BinaryField()

    class Meta:
        ordering = ["claim"]

    def __str__(self):
        return f"embedding of “{self.claim}”"


class ClaimMatchQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state=ClaimMatch.State.PENDING)


class ClaimMatch(models.Model):
    """A sentence of a story that repeats a claim the desk has checked, waiting for an editor."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        DISMISSED = "dismissed", "Dismissed"

    class Method(models.TextChoices):
        SEMANTIC = "semantic", "Semantic (multilingual embeddings)"
        LEXICAL = "lexical", "Lexical (shared words)"

    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="claim_matches")
    claim = models.ForeignKey("stories.Claim", on_delete=models.CASCADE, related_name="matches")
    field = models.CharField(max_length=10, choices=Sentence.Field, help_text="Where the sentence is.")
    start = models.PositiveIntegerField(help_text="Offset of the sentence's first character in the field.")
    end = models.PositiveIntegerField(help_text="Offset just past the sentence's last character.")
    sentence = models.TextField(help_text="The story's exact words; accepted, they become the quote.")
    score = models.FloatField(help_text="Similarity from 0 to 1 (cosine or shared words, by method).")
    method = models.CharField(max_length=10, choices=Method)
    language = models.CharField(max_length=16, help_text="The sentence's language.")
    claim_language = models.CharField(max_length=16, help_text="The claim's language.")
    state = models.CharField(max_length=10, choices=State, default=State.PENDING)
    appearance = models.ForeignKey(
        "stories.ClaimAppearance",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The appearance accepting it created.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ClaimMatchQuerySet.as_manager()

    class Meta:
        verbose_name = "repeat of a checked claim"
        verbose_name_plural = "repeats of checked claims"
        ordering = ["-score", "id"]
        constraints = [
            # One row per story and claim, whatever its state: a dismissed match never comes back.
            models.UniqueConstraint(fields=["story", "claim"], name="claimmatch_unique_story_claim"),
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="claimmatch_span"),
        ]
        indexes = [
            # The editors' queue: pending matches, best score first.
            models.Index(fields=["state", "-score"], name="claimmatch_queue_idx"),
        ]

    def __str__(self):
        return f"“{self.story}” repeats “{self.claim}” ({self.score:.2f})"

    def get_absolute_url(self):
        return reverse("admin:matching_claimmatch_change", args=[self.pk])

    @property
    def languages(self):
        return f"{self.language} → {self.claim_language}"

    @property
    def across_languages(self):
        return self.language != self.claim_language
