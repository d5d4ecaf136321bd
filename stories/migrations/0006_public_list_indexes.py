from django.db import migrations, models

# Public story lists are ordered newest first with undated stories last (Story.Meta.ordering):
# on PostgreSQL, partial indexes of the public rows in that order serve the lists (site, feeds,
# API), a source's list, and their counts. SQLite cannot index NULLS LAST; it has no such index.
PUBLIC = "status = 'published' AND merged_into_id IS NULL"
INDEXES = {
    "story_public_order_idx": "(published_at DESC NULLS LAST, id DESC)",
    "story_public_source_order_idx": "(source_id, published_at DESC NULLS LAST, id DESC)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX {name} ON stories_story {columns} WHERE {PUBLIC}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("stories", "0005_stored_counts")]

    operations = [
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                condition=models.Q(("verdict", "unreviewed"), _negated=True),
                fields=["text", "id"],
                name="claim_text_idx",
            ),
        ),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
