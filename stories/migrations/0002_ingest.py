# Ingest and duplicate detection: stored MinHash signatures and their LSH band keys.
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("stories", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="StorySignature",
            fields=[
                (
                    "story",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="signature",
                        serialize=False,
                        to="stories.story",
                    ),
                ),
                (
                    "fingerprint",
                    models.CharField(
                        help_text="The story's fingerprint when signed; a different one means stale.",
                        max_length=64,
                    ),
                ),
                (
                    "minhash",
                    models.BinaryField(help_text="The MinHash hash values, little-endian unsigned 64-bit."),
                ),
                (
                    "shingles",
                    models.PositiveIntegerField(help_text="How many distinct word shingles the text has."),
                ),
            ],
            options={"ordering": ["story"]},
        ),
        migrations.CreateModel(
            name="SignatureBand",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.BigIntegerField()),
                (
                    "story",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="stories.story"
                    ),
                ),
            ],
            options={
                "ordering": ["key"],
                "indexes": [models.Index(fields=["key"], name="signature_band_key_idx")],
            },
        ),
    ]
