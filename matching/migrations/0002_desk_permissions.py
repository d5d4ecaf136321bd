# Editors and chief editors work the queue of repeats: they see and decide matches.
from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ["view_claimmatch", "change_claimmatch"]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations ran; the groups need them now.
    config = apps.get_app_config("matching")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    add_to_groups(apps)


def add_to_groups(apps):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="matching", codename__in=CODENAMES)
    for group in Group.objects.filter(name__in=["Editors", "Chief editors"]):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="matching", codename__in=CODENAMES)
    for group in Group.objects.filter(name__in=["Editors", "Chief editors"]):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0001_claim_memory"),
        ("stories", "0003_editorial"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
