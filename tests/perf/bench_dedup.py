"""Near-duplicate search: LSH (the detector's candidate step plus exact verification) against
brute-force exact Jaccard over every pair, on generated corpora of 10,000 and 100,000 articles.

Each article is 80 words drawn from a 30,000-word vocabulary; 2 % of them are planted copies of
an earlier article with a share of their words replaced, spread over target similarities 0.95,
0.85, 0.75, 0.65, 0.55, 0.45 and 0.35. Signatures are computed first (the detector stores them,
so that time is printed apart); "LSH time" is candidate_pairs() plus exact similarity() of every
candidate, exactly what find_duplicates does after loading signatures, in memory here.

Brute force computes exact similarity() of every pair: measured in full at 10k; at 100k measured
on the first SAMPLE_ROWS rows against all others and extrapolated to all pairs (printed so).
Recall and precision are against exact similarity at the suggest and auto-link thresholds; at
100k the truth is the planted pairs plus any pair the sampled brute force
or the exactly-verified LSH search found: precision after verification is 1 by construction, so
the precision of the LSH candidates alone is printed beside it.

Goals: brute/LSH >= 50 at 10k and >= 500 at 100k, LSH time(100k)/time(10k) <= 12, recall >= 0.95.
"""

import random
import time

from django.conf import settings

from stories.services.dedup import candidate_pairs, shingles, signatures, similarity

LEVELS = (0.95, 0.85, 0.75, 0.65, 0.55, 0.45, 0.35)
WORDS = 80
SAMPLE_ROWS = 40
VOCABULARY = [f"v{n}" for n in range(30_000)]


def corpus(n, seed=7):
    rng = random.Random(seed)
    docs, planted = [], []
    for i in range(n):
        if i > 100 and rng.random() < 0.02:
            source = rng.randrange(i)
            level = LEVELS[len(planted) % len(LEVELS)]
            words = docs[source].split()
            # Replacing a tail of the words: the copy keeps about `level` of its shingles.
            keep = round(len(words) * (2 * level / (1 + level)))
            docs.append(" ".join(words[:keep] + rng.choices(VOCABULARY, k=len(words) - keep)))
            planted.append((source, i))
        else:
            docs.append(" ".join(rng.choices(VOCABULARY, k=WORDS)))
    return docs, planted


def lsh_search(sets, minhashes, threshold):
    started = time.perf_counter()
    pairs = candidate_pairs(dict(enumerate(minhashes)))
    found = {pair for pair in pairs if similarity(sets[pair[0]], sets[pair[1]]).score >= threshold}
    return time.perf_counter() - started, pairs, found


def brute_force(sets, rows, threshold):
    started, found, compared = time.perf_counter(), set(), 0
    n = len(sets)
    for i in rows:
        a = sets[i]
        for j in range(i + 1, n):
            if similarity(a, sets[j]).score >= threshold:
                found.add((i, j))
        compared += n - i - 1
    return time.perf_counter() - started, found, compared


def run(n, suggest, auto_link):
    docs, planted = corpus(n)
    started = time.perf_counter()
    sets = [shingles(doc) for doc in docs]
    minhashes = signatures(sets)
    signing = time.perf_counter() - started
    lsh_time, candidates, found = lsh_search(sets, minhashes, suggest)

    total_pairs = n * (n - 1) // 2
    full = n <= 10_000
    rows = range(n) if full else range(SAMPLE_ROWS)
    brute_time, brute_found, compared = brute_force(sets, rows, suggest)
    if full:
        truth = brute_found
    else:
        truth = {pair for pair in planted if similarity(sets[pair[0]], sets[pair[1]]).score >= suggest}
        truth |= brute_found | found  # what LSH found is verified exactly, so it is true too
        brute_time = brute_time / compared * total_pairs
    line = "measured" if full else f"extrapolated from {compared:,} pairs ({SAMPLE_ROWS} rows)"
    print(f"\nN = {n:,}: {len(planted)} planted copies, signing {signing:.1f} s (stored, so not in LSH time)")
    print(f"  LSH time {lsh_time:.2f} s ({len(candidates):,} candidate pairs verified exactly)")
    print(f"  brute-force exact time {brute_time:.1f} s ({line}, {total_pairs:,} pairs)")
    print(f"  brute / LSH = {brute_time / lsh_time:,.0f}")
    for name, threshold in (("suggest", suggest), ("auto-link", auto_link)):
        wanted = {pair for pair in truth if similarity(sets[pair[0]], sets[pair[1]]).score >= threshold}
        got = {pair for pair in found if similarity(sets[pair[0]], sets[pair[1]]).score >= threshold}
        hit = len(wanted & got)
        recall = hit / len(wanted) if wanted else 1.0
        precision = hit / len(got) if got else 1.0
        candidate_precision = len(wanted & candidates) / len(candidates) if candidates else 1.0
        print(
            f"  at {name} {threshold}: {len(wanted)} true pairs, recall {recall:.3f}, "
            f"precision {precision:.3f} "
            f"(LSH candidates alone: {candidate_precision:.3f})"
        )
    return lsh_time, brute_time


def test_lsh_against_brute_force_at_10k_and_100k():
    suggest, auto_link = settings.NEWSROOM_DEDUP_SUGGEST, settings.NEWSROOM_DEDUP_AUTO_LINK
    small = run(10_000, suggest, auto_link)
    large = run(100_000, suggest, auto_link)
    print(f"\nLSH time(100k) / time(10k) = {large[0] / small[0]:.1f}")
    print(f"brute / LSH: {small[1] / small[0]:,.0f} at 10k, {large[1] / large[0]:,.0f} at 100k")
