"""Claim memory: each story's sentences matched against the claims the desk has checked.

- A story's text (its summary and body: the words a claim can be quoted from) is cut into
  sentences (matching.text) and, with the `semantic` extra, each sentence is embedded once
  (matching.embedding); both are stored with a digest of the text, so an unchanged story is never
  cut or embedded again. Claims' embeddings are stored the same way.
- Only claims the desk has checked are matched (Claim.objects.reviewed()), and only those not
  already tagged in the story nor already matched to it in any state: one ClaimMatch row per story
  and claim, so a dismissed match never comes back.
- Semantic: the cosine of sentence and claim embeddings (one matrix product for the whole story),
  in any language pair. Lexical (without the extra): the Dice coefficient of their normalised
  words (matching.lexical), only for sentences in the claims' language (NEWSROOM_CLAIM_LANGUAGE).
- With the extra, the story's whole-story embedding (the mean of its sentences') also finds the
  stories in other languages it is a translation of (matching.translations).
- A sentence repeats at most one claim: the one it scores best with. Each claim keeps its best
  such sentence when it scores at least the suggest threshold (NEWSROOM_MATCHING_SUGGEST, across
  languages NEWSROOM_MATCHING_SUGGEST_ACROSS, lexical NEWSROOM_MATCHING_LEXICAL_SUGGEST), and is
  accepted at once from the auto-accept threshold (..._AUTO_ACCEPT), never across languages:
  accepting tags the claim in the story with the exact sentence as its quote, through
  stories.services.claims.tag_claim. The thresholds were tuned on tests/data/claim_matching_eval.json
  (docs/ingest.md, Claim memory gives the figures).
"""

import hashlib
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from stories.errors import EditorialError
from stories.models import Claim, ClaimAppearance, Story
from stories.services.claims import tag_claim
from stories.services.transactions import retry_once_on_conflict

from . import embedding, lexical
from .models import ClaimMatch, ClaimVector, Sentence, StoryIndex
from .text import primary_language, sentences
from .translations import find_translations


def _digest(*parts):
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def claim_language():
    return primary_language(settings.NEWSROOM_CLAIM_LANGUAGE)


def thresholds(method, *, across=False):
    """(suggest, auto-accept) for a method, and for a sentence in another language than the
    claims' (embeddings of a sentence and its translation score lower than of two paraphrases in
    one language). Nothing is accepted automatically across languages."""
    if method == ClaimMatch.Method.SEMANTIC:
        if across:
            return settings.NEWSROOM_MATCHING_SUGGEST_ACROSS, None
        return settings.NEWSROOM_MATCHING_SUGGEST, settings.NEWSROOM_MATCHING_AUTO_ACCEPT
    return settings.NEWSROOM_MATCHING_LEXICAL_SUGGEST, settings.NEWSROOM_MATCHING_LEXICAL_AUTO_ACCEPT


def current_method():
    return ClaimMatch.Method.SEMANTIC if embedding.available() else ClaimMatch.Method.LEXICAL


# --- Sentences -------------------------------------------------------------------------------------


def story_sentences(story):
    """(field, Span) of every sentence of the story's summary and body, in order."""
    return [
        (name, span)
        for name in (Sentence.Field.SUMMARY, Sentence.Field.BODY)
        for span in sentences(getattr(story, name))
    ]


def index_story(story):
    """Cut the story into sentences and embed them (with the extra), unless its current text is
    indexed already; returns (StoryIndex, [Sentence]). Call inside a transaction."""
    semantic = embedding.available()
    language = primary_language(story.language)
    digest = _digest(language, story.summary, story.body, "semantic" if semantic else "lexical")
    index = StoryIndex.objects.filter(story=story).first()
    if index is not None and index.digest == digest:
        return index, list(Sentence.objects.filter(story=story))
    found = story_sentences(story)
    vectors = embedding.embed([span.text for _, span in found]) if semantic and found else None
    Sentence.objects.filter(story=story).delete()
    rows = Sentence.objects.bulk_create(
        Sentence(
            story=story,
            field=name,
            start=span.start,
            end=span.end,
            text=span.text,
            vector=embedding.to_bytes(vectors[i]) if vectors is not None else None,
        )
        for i, (name, span) in enumerate(found)
    )
    whole = None
    if vectors is not None and len(vectors):
        whole = embedding.to_bytes(embedding.normalised(vectors.mean(axis=0, keepdims=True))[0])
    index, _ = StoryIndex.objects.update_or_create(
        story=story, defaults={"digest": digest, "language": language, "vector": whole}
    )
    return index, rows


# --- Claims --------------------------------------------------------------------------------------


@dataclass
class ClaimBank:
    """The checked claims to match against: ids, texts, and (semantic) their embeddings as rows."""

    ids: list[int]
    texts: list[str]
    vectors: np.ndarray | None = None
    bags: list[set] | None = None


def claim_bank(*, semantic=None):
    """The reviewed claims and, semantic, their embeddings, stored when missing or stale: one
    query, plus one embedding batch, a delete and an insert when claims are new or changed."""
    semantic = embedding.available() if semantic is None else semantic
    rows = list(
        Claim.objects.reviewed()
        .order_by("pk")
        .values_list("pk", "text", "matching_vector__digest", "matching_vector__vector")
    )
    ids = [row[0] for row in rows]
    texts = [row[1] for row in rows]
    if not semantic:
        language = claim_language()
        return ClaimBank(ids, texts, bags=[lexical.bag(text, language) for text in texts])
    digests = [_digest(text) for text in texts]
    stale = [i for i, row in enumerate(rows) if row[2] != digests[i] or row[3] is None]
    raws = [row[3] for row in rows]
    if stale:
        fresh = embedding.embed([texts[i] for i in stale])
        with transaction.atomic():
            ClaimVector.objects.filter(claim_id__in=[ids[i] for i in stale]).delete()
            ClaimVector.objects.bulk_create(
                ClaimVector(claim_id=ids[i], digest=digests[i], vector=embedding.to_bytes(fresh[n]))
                for n, i in enumerate(stale)
            )
        for n, i in enumerate(stale):
            raws[i] = embedding.to_bytes(fresh[n])
    return ClaimBank(ids, texts, vectors=embedding.matrix(raws))


# --- Scoring -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    claim_id: int
    sentence: int  # index into the sentences scored
    score: float
    method: str


def semantic_scores(sentence_vectors, bank):
    """Cosine of every sentence with every claim: one (sentences × claims) matrix product."""
    return np.asarray(sentence_vectors, dtype=np.float32) @ bank.vectors.T


def lexical_scores(sentence_texts, language, bank):
    """Shared-word scores of every sentence with every claim (zero outside the claims' language)."""
    scores = np.zeros((len(sentence_texts), len(bank.ids)), dtype=np.float32)
    if language != claim_language():
        return scores
    for i, text in enumerate(sentence_texts):
        sentence_bag = lexical.bag(text, language)
        for j, claim_bag in enumerate(bank.bags):
            scores[i, j] = lexical.score(claim_bag, sentence_bag)
    return scores


def best_pairs(scores, claim_ids, method):
    """A sentence repeats at most one claim, its best; each claim keeps its best such sentence."""
    if not scores.size:
        return []
    found = {}
    for i, j in enumerate(scores.argmax(axis=1)):
        score = float(scores[i, j])
        if j not in found or score > found[j].score:
            found[j] = Candidate(claim_ids[j], i, score, method)
    return sorted(found.values(), key=lambda c: (-c.score, c.claim_id))


def score_sentences(rows, language, bank, method):
    """Candidates for `rows` (Sentence rows of one story, in `language`) against the bank."""
    if method == ClaimMatch.Method.SEMANTIC:
        scores = semantic_scores(embedding.matrix(row.vector for row in rows), bank)
    else:
        scores = lexical_scores([row.text for row in rows], language, bank)
    return best_pairs(scores, bank.ids, method)


# --- Matching ------------------------------------------------------------------------------------


@dataclass
class MatchReport:
    sentences: int = 0
    claims: int = 0
    suggested: list = field(default_factory=list)  # ClaimMatch rows created pending
    translations: list = field(default_factory=list)  # DuplicateCandidate rows queued
    accepted: list = field(default_factory=list)  # ClaimMatch rows accepted at once
    skipped: str = ""  # why the story was not matched


def _taken(story):
    """Claims already tagged in the story or matched to it (in any state)."""
    tagged = ClaimAppearance.objects.filter(story=story).values_list("claim_id", flat=True)
    matched = ClaimMatch.objects.filter(story=story).values_list("claim_id", flat=True)
    return set(tagged) | set(matched)


def matchable(story):
    """Why the story is not matched, or "" when it is: copies are matched as their canonical story."""
    if story.merged_into_id:
        return "a copy merged into another story"
    if story.status == Story.Status.REJECTED:
        return "rejected"
    return ""


@retry_once_on_conflict
def match_story(story, *, by=None):
    """Match the story's sentences against the checked claims; returns a MatchReport."""
    report = MatchReport()
    story = Story.objects.filter(pk=story.pk).first()
    if story is None:
        report.skipped = "deleted"
        return report
    report.skipped = matchable(story)
    if report.skipped:
        return report
    method = current_method()
    semantic = method == ClaimMatch.Method.SEMANTIC
    checked = Claim.objects.reviewed().exists()
    if not checked and not semantic:
        report.skipped = "no checked claims"
        return report
    with transaction.atomic():
        index, rows = index_story(story)
    report.sentences = len(rows)
    report.translations = find_translations(story, index)
    if not checked:
        StoryIndex.objects.filter(pk=index.pk).update(matched_at=timezone.now())
        return report
    # Every checked claim is scored, those already tagged or matched too: a sentence that repeats
    # a claim already tagged is not offered as the repeat of another one.
    bank = claim_bank(semantic=semantic)
    taken = _taken(story)
    report.claims = len(bank.ids) - len(taken & set(bank.ids))
    target = claim_language()
    suggest, auto_accept = thresholds(method, across=index.language != target)
    found = [
        c
        for c in score_sentences(rows, index.language, bank, method)
        if c.score >= suggest and c.claim_id not in taken
    ]
    if not found:
        StoryIndex.objects.filter(pk=index.pk).update(matched_at=timezone.now())
        return report
    with transaction.atomic():
        story = Story.objects.select_for_update().get(pk=story.pk)
        taken = _taken(story)  # again, under the story's lock: another run may have matched it
        for candidate in sorted(found, key=lambda c: (-c.score, c.claim_id)):
            if candidate.claim_id in taken:
                continue
            row = rows[candidate.sentence]
            match = ClaimMatch.objects.create(
                story=story,
                claim_id=candidate.claim_id,
                field=row.field,
                start=row.start,
                end=row.end,
                sentence=row.text,
                score=round(candidate.score, 4),
                method=candidate.method,
                language=index.language,
                claim_language=target,
            )
            if auto_accept is not None and candidate.score >= auto_accept and not match.across_languages:
                _accept(match, story, by=by, automatically=True)
                report.accepted.append(match)
            else:
                report.suggested.append(match)
        StoryIndex.objects.filter(pk=index.pk).update(matched_at=timezone.now())
    return report


def stories_to_match(*, everything=False):
    """Canonical, unrejected stories: all of them, or those whose current text was never matched."""
    stories = Story.objects.canonical().exclude(status=Story.Status.REJECTED).order_by("pk")
    if everything:
        return stories
    return stories.filter(Q(matching_index__isnull=True) | Q(matching_index__matched_at__isnull=True))


# --- Editors' decisions --------------------------------------------------------------------------


def _locked(match):
    return ClaimMatch.objects.select_for_update().select_related("story", "claim").get(pk=match.pk)


def _accept(match, story, *, by, automatically=False):
    try:
        with transaction.atomic():
            appearance = tag_claim(story, match.sentence, match.claim, by=by)
    except IntegrityError:
        raise EditorialError(f"“{story}” is already tagged with the claim “{match.claim}”.") from None
    match.state = ClaimMatch.State.ACCEPTED
    match.appearance = appearance
    match.decided_by = None if automatically else by
    match.decided_at = timezone.now()
    match.save(update_fields=["state", "appearance", "decided_by", "decided_at"])
    return match


@retry_once_on_conflict
def accept_match(match, *, by):
    """Tag the claim in the story with the matched sentence as its quote (the claim-tagging
    service checks it is still the story's own words). Accepting an accepted match changes nothing."""
    with transaction.atomic():
        Story.objects.select_for_update().filter(pk=match.story_id).first()  # the story first, as tagging
        match = _locked(match)
        if match.state == ClaimMatch.State.ACCEPTED:
            return match
        if match.state != ClaimMatch.State.PENDING:
            raise EditorialError(
                f"The match of “{match.claim}” in “{match.story}” was dismissed; only pending matches "
                "can be accepted."
            )
        return _accept(match, match.story, by=by)


@retry_once_on_conflict
def dismiss_match(match, *, by):
    """Mark the sentence as not making the claim; it is never suggested again for this story."""
    with transaction.atomic():
        match = _locked(match)
        if match.state == ClaimMatch.State.DISMISSED:
            return match
        if match.state != ClaimMatch.State.PENDING:
            raise EditorialError(
                f"The match of “{match.claim}” in “{match.story}” was accepted already: remove the "
                "claim's appearance from the story instead."
            )
        match.state = ClaimMatch.State.DISMISSED
        match.decided_by = by
        match.decided_at = timezone.now()
        match.save(update_fields=["state", "decided_by", "decided_at"])
        return match
