# The editorial roles: the permission to publish timeline entries, and the two groups of editors.
from django.contrib.auth.management import create_permissions
from django.db import migrations

# What an editor does all day: ingest and edit stories, merge and undo, tag claims and give
# verdicts, write notes, draft timeline entries. No user management, no hard deletes of
# stories, claims, sources or entries (merging and rejecting replace deleting); only small
# rows an editor may have added by mistake (a tag, an evidence link, an appearance, a note)
# can be deleted.
EDITOR_PERMISSIONS = {
    "source": ["view", "add", "change"],
    "story": ["view", "add", "change"],
    "duplicatecandidate": ["view", "change"],
    "mergerecord": ["view", "change"],
    "claim": ["view", "add", "change"],
    "claimappearance": ["view", "add", "change", "delete"],
    "evidence": ["view", "add", "change", "delete"],
    "tag": ["view", "add", "change", "delete"],
    "editorialnote": ["view", "add", "change", "delete"],
    "timeline": ["view", "change"],
    "timelineentry": ["view", "add", "change"],
}
CHIEF_EXTRA = ["stories.publish_timelineentry"]


def editor_codenames():
    return [f"stories.{action}_{model}" for model, actions in EDITOR_PERMISSIONS.items() for action in actions]


def _permissions(apps, names):
    Permission = apps.get_model("auth", "Permission")
    found = {}
    for name in names:
        app_label, codename = name.split(".")
        found[name] = Permission.objects.get(content_type__app_label=app_label, codename=codename)
    return list(found.values())


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations ran; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    define_groups(apps)


def define_groups(apps):
    """Create or reset both groups to exactly their permissions (the permissions must exist)."""
    Group = apps.get_model("auth", "Group")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.set(_permissions(apps, editor_codenames()))
    chiefs, _ = Group.objects.get_or_create(name="Chief editors")
    chiefs.permissions.set(_permissions(apps, editor_codenames() + CHIEF_EXTRA))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Chief editors"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0002_ingest"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="timelineentry",
            options={
                "ordering": ["date", "id"],
                "permissions": [("publish_timelineentry", "Can publish and unpublish timeline entries")],
                "verbose_name_plural": "timeline entries",
            },
        ),
        migrations.RunPython(create_groups, remove_groups),
    ]
