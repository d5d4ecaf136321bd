"""Ingest by batches (stories.services.ingest.ingest_items): what a batch reads once, what each
item costs, and that the items of one batch see each other as they would one by one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stories.models import DuplicateCandidate, Source, Story, StorySignature
from stories.services.ingest import IngestError, Item, ingest_items

from .factories import SourceFactory, StoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _ingest_alone(settings):
    """What is counted is ingest's own work: claim matching, which runs on each new text, is off."""
    settings.NEWSROOM_MATCHING_ON_INGEST = False


def words(n, seed):
    return " ".join(f"w{seed}x{i}" for i in range(n))


def new_items(n, batch):
    return [
        Item(
            title=f"Item {batch}.{i}",
            body=words(60, batch * 100 + i),
            url=f"https://harbour.example/{batch}/{i}",
        )
        for i in range(n)
    ]


def queries(items, **options):
    with CaptureQueriesContext(connection) as ctx:
        results = list(ingest_items(items, **options))
    return len(ctx.captured_queries), [result for _item, result in results]


# Read once per batch: SAVEPOINT (the batch's transaction inside the test's), every source, the
# stories named by URL, those holding the items' texts, the LSH bands shared with them, the slugs
# taken; written once: the signatures, their LSH bands, RELEASE; after commit
# the recount of the stories' sources (claims of the stories, their sources, SAVEPOINT, lock,
# count stories, count track records, update, RELEASE).
PER_BATCH = 17
# Per new item: SAVEPOINT, INSERT story, its history row and its first version, RELEASE.
PER_NEW_ITEM = 5


@pytest.mark.parametrize("n", [3, 12])
def test_a_batch_of_new_items_costs_a_fixed_number_of_queries_and_five_per_item(n):
    SourceFactory(name="Harbour Wire", homepage="https://harbour.example/")
    count, results = queries(new_items(n, 1))
    assert [result.outcome for result in results] == ["new"] * n
    assert count == PER_BATCH + PER_NEW_ITEM * n
    assert StorySignature.objects.count() == n


def test_re_ingesting_a_batch_costs_a_bounded_number_of_queries_per_item():
    SourceFactory(name="Harbour Wire", homepage="https://harbour.example/")
    list(ingest_items(new_items(12, 1)))
    small, results = queries(new_items(3, 1))
    large, results = queries(new_items(12, 1))
    assert {result.outcome for result in results} == {"unchanged"}
    # Per item: SAVEPOINT, the story locked, whether a text waits for review, RELEASE.
    assert large - small == 4 * (12 - 3)


def test_the_items_of_one_batch_see_each_other():
    SourceFactory(name="Harbour Wire", homepage="https://harbour.example/")
    text = words(200, 7)
    near = text.replace("w7x100 ", "changed ")
    items = [
        Item(title="First", body=text, url="https://harbour.example/first"),
        Item(title="First", body=text, url="https://harbour.example/first"),  # the same URL again
        Item(title="First", body=text, url="https://harbour.example/elsewhere"),  # the same text
        Item(title="First", body=near, url="https://harbour.example/near"),  # a near copy
    ]
    outcomes = [result.outcome for _item, result in ingest_items(items)]
    assert outcomes == ["new", "unchanged", "unchanged", "merged"]
    first, near_copy = Story.objects.order_by("pk")
    assert near_copy.merged_into == first
    assert StorySignature.objects.count() == 2


def test_a_partial_copy_in_a_later_batch_is_queued_against_the_stored_story():
    source = SourceFactory(name="Harbour Wire", homepage="https://harbour.example/")
    text = words(200, 8)
    list(ingest_items([Item(title="Stored", body=text, url="https://harbour.example/stored")]))
    half = words(150, 8) + " " + words(50, 9)
    results = [r for _i, r in ingest_items([Item(title="Half", body=half, source=source.name)])]
    assert results[0].outcome == "new" and results[0].suggested
    assert DuplicateCandidate.objects.count() == 1


def test_a_refused_item_in_a_batch_leaves_nothing_and_the_others_are_stored():
    owner = SourceFactory(name="Harbour Wire", homepage="https://harbour.example/")
    StoryFactory(source=owner, url="https://harbour.example/taken")
    items = [
        Item(title="Before", body=words(50, 1), origin="feed.jsonl:1"),
        # A new outlet claiming another outlet's story: refused, and its new outlet with it.
        Item(title="Hijack", body=words(50, 2), source="Brand New Gazette", url="https://harbour.example/taken",
             origin="feed.jsonl:2"),
        Item(title="After", body=words(50, 3), source="Brand New Gazette", origin="feed.jsonl:3"),
    ]  # fmt: skip
    results = [result for _item, result in ingest_items(items)]
    assert isinstance(results[1], IngestError) and str(results[1]).startswith("feed.jsonl:2: ")
    assert [results[0].outcome, results[2].outcome] == ["new", "new"]
    assert Source.objects.filter(name="Brand New Gazette").count() == 1
    assert results[2].story.source.name == "Brand New Gazette"
    assert not Story.objects.filter(title="Hijack").exists()


def test_items_are_stored_by_batches_of_the_size_given():
    SourceFactory(name="Harbour Wire", homepage="https://harbour.example/")
    one_batch, _results = queries(new_items(6, 1), batch_size=6)
    two_batches, _results = queries(new_items(6, 2), batch_size=3)
    assert two_batches - one_batch == PER_BATCH
