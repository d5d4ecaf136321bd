"""Stored counts (stories.services.counters) stay equal to a count from scratch through every kind
of change, committed for real: merges and undos, tagging, verdicts, evidence, publishing and
unpublishing, a story moving to another outlet, deletions."""

import random

import pytest
from django.core.management import call_command

from stories.errors import EditorialError
from stories.models import Claim, ClaimAppearance, Evidence, MergeRecord, Source, Story, Verdict
from stories.services.claims import tag_claim
from stories.services.counters import CLAIM_COUNTS, SOURCE_COUNTS, claim_counts, source_counts
from stories.services.merge import merge, unmerge

from .factories import ClaimFactory, SourceFactory, StoryFactory, approved_verdict

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def stored():
    claims = {pk: tuple(rest) for pk, *rest in Claim.objects.values_list("pk", *CLAIM_COUNTS)}
    sources = {pk: tuple(rest) for pk, *rest in Source.objects.values_list("pk", *SOURCE_COUNTS)}
    return claims, sources


def from_scratch():
    return claim_counts(), source_counts()


def assert_counts_right(step):
    claims, sources = stored()
    fresh_claims, fresh_sources = from_scratch()
    assert claims == fresh_claims, f"claim counts wrong after {step}"
    assert sources == fresh_sources, f"source counts wrong after {step}"


def test_counts_follow_two_hundred_random_changes():
    rng = random.Random(10)
    sources = [SourceFactory() for _ in range(4)]
    stories = [StoryFactory(source=rng.choice(sources), body=f"quote {i} here") for i in range(12)]
    claims = [ClaimFactory(verdict=rng.choice(list(Verdict))) for _ in range(5)]

    def merge_two():
        duplicate, canonical = rng.sample(stories, 2)
        merge(Story.objects.get(pk=duplicate.pk), Story.objects.get(pk=canonical.pk), by=None, reason="")

    def undo():
        record = MergeRecord.objects.active().order_by("?").first()
        if record:
            unmerge(record, by=None)

    def tag():
        story = Story.objects.get(pk=rng.choice(stories).pk)
        tag_claim(story, story.body.split(" here")[0], claim=rng.choice(claims), by=None)

    def untag():
        appearance = ClaimAppearance.objects.order_by("?").first()
        if appearance:
            appearance.delete()

    def verdict():
        claim = Claim.objects.get(pk=rng.choice(claims).pk)
        approved_verdict(claim, rng.choice(list(Verdict)), "Checked against the record.")

    def evidence():
        claim = rng.choice(claims)
        if rng.random() < 0.6:
            claim.evidence.create(url=f"https://record.example/{rng.random()}", publisher="Ministry")
        elif doomed := Evidence.objects.filter(claim=claim).first():
            doomed.delete()

    def status():
        story = Story.objects.get(pk=rng.choice(stories).pk)
        story.status = rng.choice(list(Story.Status))
        story.save()

    def move():
        story = Story.objects.get(pk=rng.choice(stories).pk)
        story.source = rng.choice(sources)
        story.save()

    changes = [merge_two, undo, tag, untag, verdict, evidence, status, move]
    for step in range(200):
        change = rng.choice(changes)
        try:
            change()
        except EditorialError:
            pass  # a refused change changes nothing
        assert_counts_right(f"step {step} ({change.__name__})")


def test_the_recount_command_repairs_counts_and_its_check_finds_none_left():
    claim = ClaimFactory()
    story = StoryFactory(body="four officers")
    tag_claim(story, "four officers", claim=claim, by=None)
    Claim.objects.filter(pk=claim.pk).update(independent_sources=7, story_count=7)  # drifted
    Source.objects.filter(pk=story.source_id).update(story_count=0, track_record={})
    with pytest.raises(Exception, match="recount"):
        call_command("recount", "--check")
    call_command("recount")
    call_command("recount", "--check")
    assert_counts_right("the recount")
    claim.refresh_from_db()
    assert (claim.independent_sources, claim.story_count) == (1, 1)
