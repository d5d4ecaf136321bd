from django.db import migrations, models

import stories.models.site

# On PostgreSQL, stories and claims carry a stored full-text search vector (a generated column,
# so it never goes stale) with a GIN index; stories.services.search uses it. Other databases
# search with a plain fallback and get no such column.
SEARCH_COLUMNS = {
    "stories_story": (
        "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
        "setweight(to_tsvector('english', coalesce(summary, '')), 'B') || "
        "setweight(to_tsvector('english', coalesce(body, '')), 'C')"
    ),
    "stories_claim": (
        "setweight(to_tsvector('english', coalesce(text, '')), 'A') || "
        "setweight(to_tsvector('english', coalesce(explanation, '')), 'B')"
    ),
}


def add_search_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, expression in SEARCH_COLUMNS.items():
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({expression}) STORED"
        )
        schema_editor.execute(f"CREATE INDEX {table}_search_idx ON {table} USING gin (search_vector)")


def drop_search_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in SEARCH_COLUMNS:
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")


def create_site_version(apps, schema_editor):
    apps.get_model("stories", "SiteVersion").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("stories", "0003_editorial")]

    operations = [
        migrations.CreateModel(
            name="SiteVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("counter", models.PositiveBigIntegerField(default=0)),
                ("token", models.CharField(default=stories.models.site._token, max_length=16)),
                (
                    "changed",
                    models.BigIntegerField(
                        default=stories.models.site._now, help_text="When it last moved, in Unix seconds."
                    ),
                ),
            ],
            options={"verbose_name": "site version"},
        ),
        migrations.RunPython(create_site_version, migrations.RunPython.noop),
        migrations.RunPython(add_search_vectors, drop_search_vectors),
    ]
