"""Rule 6 under concurrency: two editors merging at once, on two database connections."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from stories.errors import EditorialError
from stories.models import MergeRecord, Story
from stories.services.merge import merge

from .factories import StoryFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises all writers and ignores SELECT ... FOR UPDATE; run with DATABASE_URL "
        "pointing at PostgreSQL to exercise row locks",
    ),
]


def race(*merges, while_waiting=None):
    """Hold a lock on every story, start each merge in its own thread so all of them queue up
    behind it, then release: the merges contend for the same rows at the same moment.
    `while_waiting` runs in the lock holder's transaction, after the merges have read what to
    lock and while they wait: a change that commits at the worst moment for them."""
    locked, release = threading.Event(), threading.Event()
    results = [None] * len(merges)

    def holder():
        try:
            with transaction.atomic():
                list(Story.objects.select_for_update())
                locked.set()
                release.wait(10)
                if while_waiting is not None:
                    while_waiting()
        finally:
            connections.close_all()

    def run(i, duplicate, canonical):
        try:
            results[i] = merge(duplicate, canonical, by=None, reason=f"editor {i}")
        except EditorialError as error:
            results[i] = error
        finally:
            connections.close_all()

    hold = threading.Thread(target=holder)
    hold.start()
    assert locked.wait(10)
    workers = [threading.Thread(target=run, args=(i, *pair)) for i, pair in enumerate(merges)]
    for worker in workers:
        worker.start()
    time.sleep(0.3)
    assert all(worker.is_alive() for worker in workers), "merges should wait for the row locks"
    release.set()
    for thread in [hold, *workers]:
        thread.join(20)
    return results


def assert_flat_and_acyclic():
    # No story points at a copy; with self-merges refused by a constraint, no cycle can exist.
    assert not Story.objects.filter(merged_into__merged_into__isnull=False).exists()


def test_two_editors_merging_a_pair_in_opposite_directions_leave_no_cycle():
    a, b = StoryFactory(), StoryFactory()
    results = race((a, b), (b, a))
    successes = [r for r in results if isinstance(r, MergeRecord)]
    refusals = [r for r in results if isinstance(r, EditorialError)]
    assert len(successes) == 1 and len(refusals) == 1
    assert "cycle" in str(refusals[0])
    states = dict(Story.objects.values_list("pk", "merged_into_id"))
    assert sorted(states.values(), key=str) == sorted([None, successes[0].canonical_id], key=str)
    assert_flat_and_acyclic()


def test_merging_into_a_story_while_it_is_merged_elsewhere_keeps_the_chain_flat():
    a, b, c = StoryFactory(), StoryFactory(), StoryFactory()
    results = race((a, b), (b, c))
    assert all(isinstance(r, MergeRecord) for r in results), results
    states = dict(Story.objects.values_list("pk", "merged_into_id"))
    assert states == {a.pk: c.pk, b.pk: c.pk, c.pk: None}
    assert MergeRecord.objects.count() == 2
    assert_flat_and_acyclic()


def test_a_story_merged_into_the_duplicate_while_the_merge_waits_is_repointed_too():
    a, b, c = StoryFactory(), StoryFactory(), StoryFactory()
    # b is merged into c; while that merge waits for its locks, a merge of a into b commits.
    (record,) = race((b, c), while_waiting=lambda: Story.objects.filter(pk=a.pk).update(merged_into=b))
    assert isinstance(record, MergeRecord), record
    states = dict(Story.objects.values_list("pk", "merged_into_id"))
    assert states == {a.pk: c.pk, b.pk: c.pk, c.pk: None}
    assert list(record.repointed.all()) == [Story.objects.get(pk=a.pk)]  # so its undo restores a -> b
    assert_flat_and_acyclic()


def test_two_editors_merging_the_same_duplicate_at_once_record_one_merge():
    a, b, c = StoryFactory(), StoryFactory(), StoryFactory()
    results = race((a, b), (a, c))
    assert sum(isinstance(r, MergeRecord) for r in results) == 1
    assert any("already merged" in str(r) for r in results if isinstance(r, EditorialError))
    assert MergeRecord.objects.count() == 1
    assert_flat_and_acyclic()
