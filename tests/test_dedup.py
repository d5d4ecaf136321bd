import io
import itertools
import random

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stories.ingest import read_file
from stories.models import DuplicateCandidate, MergeRecord, Story, StorySignature
from stories.services.candidates import dismiss_candidate
from stories.services.dedup import shingles, similarity, story_text
from stories.services.ingest import Item, ingest_item
from stories.services.merge import unmerge

from .factories import SourceFactory, StoryFactory

VOCABULARY = [f"w{n}" for n in range(5000)]

pytestmark = pytest.mark.django_db


def words(count, seed):
    return random.Random(seed).choices(VOCABULARY, k=count)


def item(text_words, n, title="Wire report"):
    return Item(title=title, body=" ".join(text_words), url=f"https://copy.example/{n}")


def find_duplicates(**options):
    out = io.StringIO()
    call_command("find_duplicates", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def source():
    return SourceFactory()


def test_a_near_identical_copy_is_merged_into_the_original_and_can_be_undone(source, editor):
    original = words(300, 1)
    first = ingest_item(item(original, 1), source=source)
    copy = original.copy()
    copy[150] = "edited"
    result = ingest_item(item(copy, 2), source=source, by=editor)
    assert result.outcome == "merged" and result.canonical == first.story
    assert result.message.startswith("near copy (0.9")
    record = MergeRecord.objects.get()
    assert (record.duplicate, record.canonical, record.merged_by) == (result.story, first.story, editor)
    assert record.score >= 0.9
    unmerge(record, by=editor)
    assert Story.objects.get(pk=result.story.pk).merged_into is None


def test_a_pair_between_the_two_thresholds_is_queued_for_editors_not_merged(source):
    original = words(300, 2)
    first = ingest_item(item(original, 1), source=source)
    partial = original[:210] + words(90, 3)
    result = ingest_item(item(partial, 2), source=source)
    assert result.outcome == "new" and result.suggested
    candidate = DuplicateCandidate.objects.get()
    assert {candidate.story_a, candidate.story_b} == {first.story, result.story}
    assert candidate.state == "pending" and 0.5 <= candidate.score < 0.9
    assert candidate.jaccard < candidate.score == pytest.approx(candidate.containment)
    assert not MergeRecord.objects.exists()


def test_a_pair_below_the_suggest_threshold_is_left_alone(source):
    ingest_item(item(words(300, 4), 1), source=source)
    ingest_item(item(words(300, 4)[:100] + words(200, 5), 2), source=source)
    assert not DuplicateCandidate.objects.exists() and not MergeRecord.objects.exists()


def test_the_thresholds_come_from_settings(source, settings):
    settings.NEWSROOM_DEDUP_AUTO_LINK = 0.99
    original = words(300, 6)
    ingest_item(item(original, 1), source=source)
    copy = original.copy()
    copy[150] = "edited"
    assert ingest_item(item(copy, 2), source=source).outcome == "new"
    assert DuplicateCandidate.objects.get().score < 0.99


def test_containment_catches_a_wire_copy_with_a_local_paragraph_added(source):
    original = words(300, 7)
    first = ingest_item(item(original, 1), source=source)
    local = original + words(80, 8)
    sim = similarity(shingles(story_text(first.story)), shingles("Wire report\n" + " ".join(local)))
    assert sim.jaccard < 0.9 and sim.containment == 1.0
    result = ingest_item(item(local, 2), source=source)
    assert result.outcome == "merged" and result.canonical == first.story


def test_a_short_excerpt_is_not_taken_for_a_copy_by_containment(source):
    original = words(300, 9)
    ingest_item(item(original, 1), source=source)
    result = ingest_item(item(original[:100], 2), source=source)
    assert result.outcome == "new" and not DuplicateCandidate.objects.exists()


def test_a_dismissed_pair_is_never_suggested_again(source, editor):
    original = words(300, 10)
    ingest_item(item(original, 1), source=source)
    ingest_item(item(original[:210] + words(90, 11), 2), source=source)
    candidate = DuplicateCandidate.objects.get()
    dismiss_candidate(candidate, by=editor)
    assert "0 merged, 0 queued" in find_duplicates()
    assert "0 merged, 0 queued" in find_duplicates(threshold=0.1)
    candidate.refresh_from_db()
    assert candidate.state == "dismissed" and DuplicateCandidate.objects.count() == 1


def test_a_dismissed_pair_is_not_merged_even_above_auto_link(source, editor, settings):
    original = words(300, 12)
    a = StoryFactory(source=source, body=" ".join(original), title="Wire report")
    b = StoryFactory(source=source, body=" ".join(original) + " extra", title="Wire report")
    dismiss_candidate(DuplicateCandidate.objects.create(story_a=a, story_b=b, score=0.6), by=editor)
    assert "1 candidate pairs checked, 0 merged, 0 queued" in find_duplicates()
    assert not MergeRecord.objects.exists()


def test_find_duplicates_signs_what_is_unsigned_and_rechecks_everything(source):
    original = words(300, 13)
    older = StoryFactory(source=source, title="Wire report", body=" ".join(original))
    newer = StoryFactory(source=source, title="Wire report", body=" ".join(original[:-1]))
    StoryFactory(source=source, title="Other", body=" ".join(words(300, 14)))
    assert "3 signed, 1 candidate pairs checked, 1 merged, 0 queued" in find_duplicates()
    newer.refresh_from_db()
    assert newer.merged_into == older


def test_find_duplicates_threshold_queues_pairs_from_that_similarity(source):
    original = words(300, 15)
    StoryFactory(source=source, title="Wire report", body=" ".join(original))
    StoryFactory(source=source, title="Wire report", body=" ".join(original[:180] + words(120, 16)))
    assert "0 queued" in find_duplicates(threshold=0.7)
    assert "1 queued" in find_duplicates(threshold=0.5)


def test_signatures_are_stored_and_only_changed_texts_are_signed_again(source):
    for n in range(3):
        ingest_item(item(words(200, 20 + n), n), source=source)
    stored = dict(StorySignature.objects.values_list("story_id", "minhash"))
    assert len(stored) == 3
    assert "0 signed" in find_duplicates()
    story = Story.objects.order_by("pk").first()
    story.body += " and one more sentence"
    story.save()
    assert "1 signed" in find_duplicates()
    after = dict(StorySignature.objects.values_list("story_id", "minhash"))
    assert [pk for pk in stored if bytes(stored[pk]) != bytes(after[pk])] == [story.pk]


def test_ingesting_a_new_story_costs_the_same_queries_whatever_is_stored(source, django_assert_num_queries):
    def ingest_fresh(n):
        with CaptureQueriesContext(connection) as queries:
            ingest_item(item(words(200, 1000 + n), 1000 + n, title=f"Report {n}"), source=source)
        return len(queries)

    for n in range(3):
        ingest_item(item(words(200, 100 + n), 100 + n, title=f"Small {n}"), source=source)
    small = ingest_fresh(1)
    for n in range(30):
        ingest_item(item(words(200, 200 + n), 200 + n, title=f"Large {n}"), source=source)
    # Savepoint, guid/URL lookup, fingerprint lookup, the story and its history row (insert,
    # slug check), signature lookup/insert, band delete and insert, the candidate lookup by band
    # keys and the candidates' text: none of them grows with the number of stored stories.
    with django_assert_num_queries(small):
        ingest_item(item(words(200, 2000), 2000, title="Report 2"), source=source)


# --- the seed articles -------------------------------------------------------------------------


def seed_texts(seeds):
    return {path.name: path.read_text() for path in sorted(seeds.glob("*.txt"))}


def test_the_seed_articles_share_almost_no_shingles(seeds):
    sets = [shingles(text) for text in seed_texts(seeds).values()]
    assert len(sets) == 5
    assert max(similarity(a, b).jaccard for a, b in itertools.combinations(sets, 2)) <= 0.004


def test_no_pair_of_seed_articles_is_suggested_but_an_edited_copy_of_each_is_found(tmp_path, seeds):
    SourceFactory(slug="seeds")
    call_command("ingest", str(seeds), source="seeds", stdout=io.StringIO())
    assert Story.objects.count() == 5
    assert not DuplicateCandidate.objects.exists() and not MergeRecord.objects.exists()
    originals = set(Story.objects.values_list("pk", flat=True))

    copies = SourceFactory(slug="copies")
    for n, (name, text) in enumerate(seed_texts(seeds).items()):
        lines = text.splitlines()[:-1] + ["Distributed by the Copies Syndicate. All rights reserved."]
        tokens = "\n".join(lines).split(" ")
        for position in (40, 120, 200):  # a few edited words
            tokens[position] = "reworded"
        path = tmp_path / name
        path.write_text(f"url: https://copies.example/{n}\n\n" + " ".join(tokens))
        (parsed,) = read_file(path)
        result = ingest_item(parsed, source=copies)
        matched = (
            result.canonical.pk
            if result.outcome == "merged"
            else DuplicateCandidate.objects.filter(story_b=result.story)
            .values_list("story_a", flat=True)
            .first()
        )
        assert result.outcome in ("merged", "new") and (result.outcome == "merged" or result.suggested), name
        assert matched in originals, name
    assert DuplicateCandidate.objects.count() + MergeRecord.objects.count() == 5


def test_an_auto_merged_copy_is_public_only_once_an_editor_has_reviewed_its_outlet(client):
    """What readers see of a copy the detector merged on ingest, with nobody looking: a copy from
    an outlet an editor has reviewed is served at once (its page answers 301 to its story, which
    lists its address: the merge is recorded and undoable); a copy from an outlet the ingest
    created waits, its address neither listed nor redirected, until an editor reviews the outlet."""
    from stories.services.dedup import index_story
    from stories.services.outlets import mark_reviewed

    text = words(300, 41)
    published = StoryFactory(
        title="Original report", body=" ".join(text), url="https://wire.example/original"
    )
    index_story(published)
    near = [*text[:150], "altered", *text[151:]]
    unreviewed = ingest_item(
        Item(title="Original report", body=" ".join(near), url="https://copycat.example/a")
    )
    assert unreviewed.outcome == "merged" and unreviewed.canonical == published
    assert unreviewed.story.source.needs_review
    copy = unreviewed.story

    assert client.get(f"/stories/{copy.slug}/").status_code == 404
    assert client.get(f"/api/v1/stories/{copy.slug}/").status_code == 404
    assert "https://copycat.example/a" not in client.get(f"/stories/{published.slug}/").content.decode()

    mark_reviewed(copy.source)
    response = client.get(f"/stories/{copy.slug}/")
    assert (response.status_code, response["Location"]) == (301, f"/stories/{published.slug}/")
    assert "https://copycat.example/a" in client.get(f"/stories/{published.slug}/").content.decode()
