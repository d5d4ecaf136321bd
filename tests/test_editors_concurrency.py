"""Rule 6 with a busy desk: eight editors at once, each on their own database connection.

They merge random pairs, undo random merges, edit stories the way the admin's change form saves
them (a full save of a story they opened some time before), propose verdicts (from a claim page
they opened some time before) or approve another editor's, and write notes, 320 operations on a
pool of 40 stories and 10 claims.
Refusals (EditorialError) are part of editing and are counted; anything else, a deadlock above
all, is a failure. Afterwards nothing is lost, no story points at a copy, no merge loops, every
merged story is explained by exactly one active merge record, and every history row agrees with
the row it records.
"""

import logging
import random
import threading
import time
from collections import Counter

import pytest
from django.db import connection, connections, transaction
from django.db.models import Q

from stories.errors import EditorialError
from stories.models import Claim, ClaimReview, EditorialNote, MergeRecord, Story, Verdict
from stories.services.claims import approve_verdict, propose_verdict, review_state
from stories.services.merge import merge, unmerge

from .admin_forms import save_through_admin
from .factories import ClaimFactory, SourceFactory, StoryFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises all writers and ignores SELECT ... FOR UPDATE; run with DATABASE_URL "
        "pointing at PostgreSQL to exercise row locks",
    ),
]

EDITORS, OPERATIONS, STORIES, CLAIMS, RUNS = 8, 320, 40, 10, 10
WEIGHTS = {"merge": 30, "undo": 15, "edit": 25, "verdict": 15, "note": 15}
STATUSES = list(Story.Status)


class Desk:
    """What the editors did, for the checks afterwards. Lists are appended to from every thread
    (list.append is atomic under the GIL)."""

    def __init__(self):
        self.done, self.refused, self.seconds = Counter(), Counter(), Counter()
        self.failures = []
        self.records, self.undone, self.notes = [], [], []


class Editor:
    def __init__(self, desk, user, rng, story_ids, claim_ids):
        self.desk, self.user, self.rng = desk, user, rng
        self.story_ids, self.claim_ids = story_ids, claim_ids
        self.open_story = None  # the story change form this editor has open, loaded earlier
        self.open_claim = None
        self.open_claim_seen = None  # the verdict reviews as that claim's page showed them

    def open(self, model, ids):
        """Load a row to edit: it is saved at this editor's next edit, some operations later."""
        return model.objects.get(pk=self.rng.choice(ids))

    def merge(self):
        a, b = self.rng.sample(self.story_ids, 2)
        record = merge(Story.objects.get(pk=a), Story.objects.get(pk=b), self.user, "same story")
        self.desk.records.append(record.pk)

    def undo(self):
        mine = MergeRecord.objects.active().filter(duplicate__in=self.story_ids)  # this run's pool
        active = list(mine.values_list("pk", flat=True))
        if not active:
            raise EditorialError("nothing to undo yet")
        record = unmerge(MergeRecord.objects.get(pk=self.rng.choice(active)), self.user)
        self.desk.undone.append(record.pk)

    def edit(self):
        story, self.open_story = self.open_story, self.open(Story, self.story_ids)
        n = self.rng.randrange(10**6)
        save_through_admin(
            story,
            self.user,
            title=f"{story.title.split(' (')[0]} ({n})",
            summary=f"Summary {n} by {self.user.username}.",
            status=self.rng.choice(STATUSES),
        )

    def open_claim_page(self):
        claim = self.open(Claim, self.claim_ids)
        return claim, review_state(claim.pk)

    def verdict(self):
        (claim, seen), (self.open_claim, self.open_claim_seen) = (
            (self.open_claim, self.open_claim_seen),
            self.open_claim_page(),
        )
        waiting = ClaimReview.objects.pending().filter(claim=claim).exclude(proposed_by=self.user).first()
        if waiting is not None and self.rng.random() < 0.5:
            approve_verdict(waiting, by=self.user)
        else:
            verdict = self.rng.choice(Verdict.values)
            propose_verdict(claim, verdict, f"Checked by {self.user.username}.", by=self.user, seen=seen)

    def note(self):
        target = (
            {"story_id": self.rng.choice(self.story_ids)}
            if self.rng.random() < 0.7
            else {"claim_id": self.rng.choice(self.claim_ids)}
        )
        note = EditorialNote.objects.create(author=self.user, body="Checked with the ministry.", **target)
        self.desk.notes.append(note.pk)

    def work(self, count, start):
        try:
            self.open_story = self.open(Story, self.story_ids)
            self.open_claim, self.open_claim_seen = self.open_claim_page()
            start.wait(10)
            kinds, weights = zip(*WEIGHTS.items(), strict=True)
            for _ in range(count):
                kind = self.rng.choices(kinds, weights)[0]
                began = time.monotonic()
                try:
                    getattr(self, kind)()
                except EditorialError:
                    self.desk.refused[kind] += 1
                except Exception as error:  # noqa: BLE001 - a deadlock or anything else fails the run
                    self.desk.failures.append(f"{kind}: {type(error).__name__}: {error}")
                else:
                    self.desk.done[kind] += 1
                finally:
                    self.desk.seconds[kind] += time.monotonic() - began
        finally:
            connections.close_all()


class RetryCounter(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record):
        self.count += 1


def make_pool(rng):
    """The stories and claims the desk works on, and its editors: stored in one transaction, so
    what runs after each commit (recounting the stored counts) runs once for all of them."""
    with transaction.atomic():
        sources = [SourceFactory() for _ in range(6)]
        stories = [
            StoryFactory(source=rng.choice(sources), status=rng.choice(STATUSES)) for _ in range(STORIES)
        ]
        claims = [ClaimFactory(verdict=Verdict.UNREVIEWED) for _ in range(CLAIMS)]
        users = [UserFactory(username=f"desk{i}", is_superuser=True) for i in range(EDITORS)]
    return [story.pk for story in stories], [claim.pk for claim in claims], users


def run_desk(seed):
    rng = random.Random(seed)
    story_ids, claim_ids, users = make_pool(rng)
    desk, start = Desk(), threading.Barrier(EDITORS)
    desk.began = time.monotonic()
    editors = [
        Editor(desk, user, random.Random(f"{seed}-{i}"), story_ids, claim_ids) for i, user in enumerate(users)
    ]
    threads = [threading.Thread(target=e.work, args=(OPERATIONS // EDITORS, start)) for e in editors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads), "an editor is still waiting: a lock never freed"
    return desk, story_ids, claim_ids


def assert_nothing_lost(desk, story_ids, claim_ids):
    assert sorted(Story.objects.filter(pk__in=story_ids).values_list("pk", flat=True)) == sorted(story_ids)
    assert sorted(Claim.objects.filter(pk__in=claim_ids).values_list("pk", flat=True)) == sorted(claim_ids)
    notes = EditorialNote.objects.filter(Q(story__in=story_ids) | Q(claim__in=claim_ids))
    assert sorted(notes.values_list("pk", flat=True)) == sorted(desk.notes)
    records = MergeRecord.objects.filter(duplicate__in=story_ids)
    assert sorted(records.values_list("pk", flat=True)) == sorted(desk.records)
    assert len(set(desk.undone)) == len(desk.undone), "a merge was undone twice"
    assert set(records.filter(undone_at__isnull=False).values_list("pk", flat=True)) == set(desk.undone)


def assert_flat_and_acyclic():
    merged_into = dict(Story.objects.values_list("pk", "merged_into_id"))
    chains = [pk for pk, target in merged_into.items() if target and merged_into[target]]
    assert chains == [], f"stories pointing at a copy: {[(pk, merged_into[pk]) for pk in chains]}"
    for pk in merged_into:
        seen, at = set(), pk
        while at is not None:
            assert at not in seen, f"a cycle through story {at}"
            seen.add(at)
            at = merged_into[at]


def assert_every_merge_explained():
    """A merged story is explained by exactly one active record: the latest active one that merged
    it or repointed it, whose canonical story is where it points. Earlier active records naming it
    were superseded by a later one that repointed it (a chain flattened); a canonical story is
    named by no active record."""
    merged_into = dict(Story.objects.values_list("pk", "merged_into_id"))
    mentions = {pk: [] for pk in merged_into}
    for record in MergeRecord.objects.active().prefetch_related("repointed").order_by("pk"):
        for story in {record.duplicate_id, *(s.pk for s in record.repointed.all())}:
            mentions[story].append(record)
    for pk, target in merged_into.items():
        named = mentions[pk]
        if target is None:
            assert named == [], f"story {pk} is canonical but active merges {named} say otherwise"
            continue
        explaining = [record for record in named if record.canonical_id == target]
        assert len(explaining) == 1, f"story {pk} -> {target} is explained by {explaining} of {named}"
        assert explaining[0] is named[-1], f"story {pk}: a later merge {named[-1]} names it"
        for earlier in named[:-1]:
            later = [r for r in named if r.pk > earlier.pk]
            assert any(pk in {s.pk for s in r.repointed.all()} for r in later), (pk, earlier, later)


def assert_history_agrees(story_ids, claim_ids):
    for story in Story.objects.filter(pk__in=story_ids):
        latest = story.history.order_by("-history_id").first()
        assert (latest.merged_into_id, latest.title, latest.status) == (
            story.merged_into_id,
            story.title,
            story.status,
        ), f"story {story.pk}: history says {latest.merged_into_id}, the row {story.merged_into_id}"
    for claim in Claim.objects.filter(pk__in=claim_ids):
        latest = claim.history.order_by("-history_id").first()
        assert (latest.verdict, latest.reviewed_by_id) == (claim.verdict, claim.reviewed_by_id), claim.pk
        assert (claim.verdict == Verdict.UNREVIEWED) == (claim.reviewed_by_id is None), claim.pk
        reviews = claim.reviews.order_by("-approved_at", "-pk")
        assert reviews.filter(state=ClaimReview.State.PENDING).count() <= 1, claim.pk
        published = reviews.filter(state=ClaimReview.State.APPROVED).first()
        if published is not None:
            assert (claim.verdict, claim.explanation) == (published.verdict, published.explanation), claim.pk
            if claim.verdict != Verdict.UNREVIEWED:
                assert claim.reviewed_by_id == published.approved_by_id, claim.pk
            assert published.approved_by_id != published.proposed_by_id, published.pk


def one_run(seed):
    """One busy session of the desk on a fresh pool; raises AssertionError saying what broke."""
    retries = RetryCounter()
    logging.getLogger("stories.services.transactions").addHandler(retries)
    started = time.monotonic()
    try:
        desk, story_ids, claim_ids = run_desk(seed)
    finally:
        logging.getLogger("stories.services.transactions").removeHandler(retries)
    now = time.monotonic()
    seconds = {kind: round(total, 1) for kind, total in desk.seconds.items()}
    print(
        f"run {seed}: {now - started:.1f}s ({now - desk.began:.1f}s editing), done {dict(desk.done)}, "
        f"refused {dict(desk.refused)}, failures {len(desk.failures)}, retried {retries.count}, "
        f"seconds per kind (all editors) {seconds}"
    )
    assert desk.failures == [], desk.failures
    assert sum(desk.done.values()) + sum(desk.refused.values()) == OPERATIONS
    assert desk.done["merge"] > 0 and desk.done["undo"] > 0 and desk.done["edit"] > 0
    assert_nothing_lost(desk, story_ids, claim_ids)
    assert_flat_and_acyclic()
    assert_every_merge_explained()
    assert_history_agrees(story_ids, claim_ids)


def test_eight_editors_at_once_lose_nothing_and_leave_no_chain_or_cycle():
    """Ten sessions, each on a pool of its own (the earlier ones stay in the database and in the
    checks); every one of them must pass."""
    broken = {}
    for run in range(RUNS):
        try:
            one_run(run)
        except AssertionError as error:
            broken[run] = str(error)[:2000]
    assert not broken, f"{RUNS - len(broken)} of {RUNS} runs passed; broken: {broken}"
