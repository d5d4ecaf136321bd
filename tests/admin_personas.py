"""The people of the editorial desk, for the admin tests: an editor, a chief editor, a reader."""

from importlib import import_module

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.management.sql import emit_post_migrate_signal
from django.db import DEFAULT_DB_ALIAS

from .factories import UserFactory

PASSWORD = "correct horse battery staple"
roles_migration = import_module("stories.migrations.0003_editorial")
reviews_migration = import_module("stories.migrations.0011_claim_reviews")


def desk_groups():
    """The groups the roles migration creates. A transactional test elsewhere in the run may have
    emptied the tables (and, after a serialized rollback, the permissions too), so they are set
    up again the way `migrate` does: post-migrate creates the permissions, the migration the groups."""
    if not Permission.objects.filter(codename="publish_timelineentry").exists():
        emit_post_migrate_signal(verbosity=0, interactive=False, db=DEFAULT_DB_ALIAS)
    if Group.objects.filter(name__in=["Editors", "Chief editors"]).count() < 2:
        roles_migration.define_groups(apps)
        reviews_migration.grant_chief_permissions(apps)
    return {group.name: group for group in Group.objects.filter(name__in=["Editors", "Chief editors"])}


def member(group_name, username):
    user = UserFactory(username=username)
    user.set_password(PASSWORD)
    user.save()
    user.groups.add(desk_groups()[group_name])
    return user
