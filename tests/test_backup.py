"""`make backup` / `make restore` round-trip everything: a restored database serves identical pages."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from stories.models import Claim, EditorialNote, MergeRecord, Story, TimelineEntry
from stories.services.merge import merge

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PAGES = [
    "/",
    "/stories/",
    "/stories/japan-embeds-military-officers-in-nato-ukraine-mission/",
    "/claims/",
    "/claims/japan-will-send-four-sdf-personnel-to-nsatu/",
    "/sources/",
    "/sources/nextfin/",
    "/feeds/timeline/",
    "/sitemap.xml",
]


def snapshot(client):
    from django.core.cache import cache

    cache.clear()
    return {path: client.get(path).content for path in PAGES}


def counts():
    models = [Story, Claim, MergeRecord, EditorialNote, TimelineEntry, Story.history.model]
    return {model.__name__: model.objects.count() for model in models}


def test_backup_and_restore_round_trip_everything(client, tmp_path):
    call_command("loaddata", "deployment", verbosity=0)
    chief = get_user_model().objects.create_user("chief", password="x", is_staff=True)
    merge(Story.objects.get(pk=7), Story.objects.get(pk=4), by=chief, reason="same item")
    before_pages, before_counts = snapshot(client), counts()
    path = tmp_path / "backup.json"

    call_command("backup", str(path), verbosity=0)
    call_command("flush", "--noinput", verbosity=0)
    assert Story.objects.count() == 0
    call_command("restore", str(path), verbosity=0)

    assert counts() == before_counts
    assert snapshot(client) == before_pages
    record = MergeRecord.objects.get(reason="same item")
    assert record.merged_by.username == "chief"


def test_restore_refuses_a_database_that_holds_stories(tmp_path):
    call_command("loaddata", "deployment", verbosity=0)
    path = tmp_path / "backup.json"
    call_command("backup", str(path), verbosity=0)
    with pytest.raises(CommandError, match="already holds stories"):
        call_command("restore", str(path))
