"""Corroboration: distinct sources of the canonical public stories a claim appears in, stored on
the claim and kept right after each commit (stories.services.counters)."""

import pytest

from stories.models import Claim, Story
from stories.services.counters import claim_counts
from stories.services.merge import merge, unmerge

from .factories import AppearanceFactory, ClaimFactory, SourceFactory, StoryFactory

pytestmark = pytest.mark.django_db


def independent_source_count(claim):
    """The stored count, checked against a count from scratch."""
    stored = Claim.objects.get(pk=claim.pk).independent_sources
    assert stored == claim_counts([claim.pk])[claim.pk][0]
    return stored


def test_distinct_sources_are_counted_once_each():
    claim = ClaimFactory()
    wire, paper = SourceFactory(), SourceFactory()
    for source in [wire, wire, paper]:
        AppearanceFactory(claim=claim, story=StoryFactory(source=source))
    assert independent_source_count(claim) == 2


def test_a_merged_copy_from_another_outlet_does_not_count_twice(editor):
    claim = ClaimFactory()
    original = StoryFactory()
    copy = StoryFactory()  # a syndicated copy on another outlet
    AppearanceFactory(claim=claim, story=original)
    AppearanceFactory(claim=claim, story=copy)
    assert independent_source_count(claim) == 2
    record = merge(copy, original, by=editor, reason="syndicated")
    assert independent_source_count(claim) == 1
    unmerge(record, by=editor)
    assert independent_source_count(claim) == 2


def test_a_claim_only_in_a_merged_copy_counts_the_canonical_source(editor):
    claim = ClaimFactory()
    original, copy = StoryFactory(), StoryFactory()
    AppearanceFactory(claim=claim, story=copy)
    AppearanceFactory(claim=claim, story=StoryFactory(source=original.source))
    assert independent_source_count(claim) == 2
    merge(copy, original, by=editor, reason="")
    assert independent_source_count(claim) == 1  # the copy now counts as the original's source


@pytest.mark.parametrize("status", [Story.Status.NEW, Story.Status.IN_REVIEW, Story.Status.REJECTED])
def test_unpublished_stories_do_not_corroborate(status):
    claim = ClaimFactory()
    AppearanceFactory(claim=claim, story=StoryFactory(status=status))
    assert independent_source_count(claim) == 0


def test_stored_counts_agree_with_a_count_from_scratch_for_every_claim():
    sources = [SourceFactory() for _ in range(3)]
    claims = [ClaimFactory() for _ in range(4)]
    for i, claim in enumerate(claims):
        for source in sources[:i]:
            AppearanceFactory(claim=claim, story=StoryFactory(source=source))
    counts = dict(Claim.objects.values_list("pk", "independent_sources"))
    assert counts == {claim.pk: i for i, claim in enumerate(claims)}
