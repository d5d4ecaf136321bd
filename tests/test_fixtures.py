"""The demo data of the deployment coverage (fixtures/deployment.json)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from stories.models import Claim, ClaimAppearance, MergeRecord, Story, TimelineEntry, Verdict
from stories.services.merge import unmerge
from stories.text import normalise

pytestmark = pytest.mark.django_db

SEED_OF_STORY = {1: "000", 2: "001", 3: "002", 4: "003", 5: "004", 6: "004", 7: "003"}
MODELS = [Story, Claim, ClaimAppearance, TimelineEntry, MergeRecord]


@pytest.fixture
def demo(db):
    call_command("loaddata", "deployment", verbosity=0)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_fixtures_load_twice_without_error_or_duplication(demo):
    before = counts()
    call_command("loaddata", "deployment", verbosity=0)
    assert counts() == before
    assert before["Story"] >= 5 and before["MergeRecord"] >= 1


def test_fixtures_hold_no_user_account(demo):
    assert not get_user_model().objects.exists()


def test_every_published_entry_of_the_demo_is_publishable(demo):
    published = set(TimelineEntry.objects.filter(is_published=True))
    assert published == set(TimelineEntry.objects.public())
    assert len(published) >= 7


def test_unconfirmed_milestones_stay_unpublished(demo):
    hidden = TimelineEntry.objects.exclude(pk__in=TimelineEntry.objects.public())
    assert {e.title for e in hidden} == {
        "Russia criticises the plan",
        "Officers take up their posts in Wiesbaden",
    }


def test_home_page_shows_the_verified_milestones_in_date_order(demo, client):
    page = client.get(reverse("stories:timeline")).text
    titles = list(TimelineEntry.objects.public().values_list("title", flat=True))
    positions = [page.index(title) for title in titles]
    assert positions == sorted(positions)
    assert "11 July 2024" in page and "December 2024" in page and "29 May 2026" in page
    assert "Russia criticises the plan" not in page


def test_demo_syndicated_copy_redirects_and_its_merge_can_be_undone(demo, client, editor):
    record = MergeRecord.objects.get()
    response = client.get(record.duplicate.get_absolute_url())
    assert response.status_code == 301
    assert response["Location"] == record.canonical.get_absolute_url()
    unmerge(record, by=editor)
    assert Story.objects.get(pk=record.duplicate_id).merged_into is None


def test_demo_verdicts_follow_the_reference_facts(demo):
    verdicts = dict(Claim.objects.values_list("slug", "verdict"))
    assert verdicts["japan-is-deploying-troops-to-nato"] == Verdict.MISLEADING
    assert verdicts["san-francisco-treaty-prohibited-offensive-action"] == Verdict.INACCURATE
    assert verdicts["japan-tested-mine-detecting-drones-in-ukraine"] == Verdict.UNPROVEN
    assert verdicts["japan-will-send-four-sdf-personnel-to-nsatu"] == Verdict.ACCURATE
    assert verdicts["nsatu-fully-operational-december-2024"] == Verdict.MOSTLY_ACCURATE


def test_every_quote_of_a_seed_story_occurs_in_its_seed_article(demo, seeds):
    texts = {path.name[:3]: normalise(path.read_text(encoding="utf-8")) for path in seeds.glob("*.txt")}
    appearances = ClaimAppearance.objects.filter(story_id__in=SEED_OF_STORY)
    assert appearances.count() >= 15
    for appearance in appearances:
        seed = SEED_OF_STORY[appearance.story_id]
        assert normalise(appearance.quote) in texts[seed], (seed, appearance.quote)


def test_every_link_on_the_demo_home_page_answers(demo, client):
    import re

    page = client.get(reverse("stories:timeline")).text
    links = sorted(set(re.findall(r'href="(/[^"#]*)', page)))
    assert len(links) > 20
    broken = [link for link in links if client.get(link).status_code != 200]
    assert broken == []


def test_the_demo_is_loaded_only_into_an_empty_database(db):
    from django.core.management import call_command

    from stories.models import Story

    call_command("load_demo", verbosity=0)
    loaded = Story.objects.count()
    assert loaded > 0
    story = Story.objects.first()
    story.title = "An editor's corrected title"
    story.save()
    call_command("load_demo", verbosity=0)
    story.refresh_from_db()
    assert story.title == "An editor's corrected title"
    assert Story.objects.count() == loaded
