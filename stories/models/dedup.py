from django.db import models


class StorySignature(models.Model):
    """A story's MinHash signature, stored so the detector never recomputes it for unchanged text."""

    story = models.OneToOneField(
        "stories.Story", on_delete=models.CASCADE, primary_key=True, related_name="signature"
    )
    fingerprint = models.CharField(
        max_length=64, help_text="The story's fingerprint when signed; a different one means stale."
    )
    minhash = models.BinaryField(help_text="The MinHash hash values, little-endian unsigned 64-bit.")
    shingles = models.PositiveIntegerField(help_text="How many distinct word shingles the text has.")

    class Meta:
        ordering = ["story"]

    def __str__(self):
        return f"signature of “{self.story}”"


class SignatureBand(models.Model):
    """One LSH band of a signature: stories sharing a band key are near-duplicate candidates."""

    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="+")
    key = models.BigIntegerField()

    class Meta:
        ordering = ["key"]
        indexes = [
            # Ingest's candidate lookup: stories sharing any band key with the new signature.
            models.Index(fields=["key"], name="signature_band_key_idx"),
        ]

    def __str__(self):
        return f"band {self.key} of story #{self.story_id}"
