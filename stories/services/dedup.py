"""Near-duplicate detection: MinHash signatures of word shingles, LSH candidates, exact verification.

- A story's text (title and body, normalised by stories.text.normalise) is cut into shingles of
  SHINGLE_WORDS = 5 consecutive words. Five words keep unrelated articles on the same event
  apart (the five seed articles share at most 0.4 % of their 5-word shingles, against 2 % at
  three words and 9 % at two) while a copy with a few edited words keeps most of its shingles.
- Each shingle set is summarised by a MinHash of NUM_PERM = 128 permutations (datasketch): the
  Jaccard estimate has a standard error of about 0.04, and a signature is 1 KiB.
- LSH cuts the signature into BANDS = 42 bands of ROWS = 3 values; two stories sharing any band
  become candidates. A pair at Jaccard 0.5 becomes a candidate with probability 0.996, at
  0.35 (a same-length pair scoring 0.5 by containment) with 0.84, at 0.2 with 0.29, at 0.05
  with 0.005. Signatures and band keys are stored, so a story
  is signed once per text, and at ingest the candidates are one indexed query.
- Candidates are verified on their exact shingle sets before anything is stored: Jaccard, and
  containment (shared shingles / the smaller set's shingles) to catch a wire copy with a local
  paragraph added. Containment counts only when the smaller text has at least
  MIN_CONTAINMENT_RATIO of the larger's shingles, so a short excerpt is not taken for a copy.
  score = max(Jaccard, containment).
- settings.NEWSROOM_DEDUP_AUTO_LINK: at or above it the newer story is merged into the older
  canonical one through stories.services.merge (recorded, undoable).
  settings.NEWSROOM_DEDUP_SUGGEST: from it up to auto-link, a DuplicateCandidate is queued.
  A pair that already has a candidate row (pending, merged or dismissed) is never queued or
  merged again by the detector: a dismissed pair stays dismissed. A published newer story is
  never merged into an unpublished older one (it would leave the site): that pair is queued.
"""

import hashlib
import re
from dataclasses import dataclass, field

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q

from stories.errors import EditorialError
from stories.models import DuplicateCandidate, SignatureBand, Story, StorySignature
from stories.services.merge import merge
from stories.text import normalise

SHINGLE_WORDS = 5
NUM_PERM = 128
BANDS, ROWS = 42, 3  # 126 of the 128 values
SEED = 1
SCHEME = "affine64"  # datasketch's 64-bit permutation scheme: hash values stored as uint64
MIN_CONTAINMENT_RATIO = 0.5

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Similarity:
    jaccard: float
    containment: float

    @property
    def score(self):
        return max(self.jaccard, self.containment)


def shingles(text):
    """The set of SHINGLE_WORDS-word shingles of the normalised text (one shingle if shorter)."""
    words = _WORD.findall(normalise(text))
    if len(words) <= SHINGLE_WORDS:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + SHINGLE_WORDS]).encode() for i in range(len(words) - SHINGLE_WORDS + 1)}


def story_text(story):
    return f"{story.title}\n{story.body}"


def signature(shingle_set):
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    minhash.update_batch(list(shingle_set))
    return LeanMinHash(minhash)


def signatures(shingle_sets):
    """Signatures of many shingle sets at once (datasketch's bulk path)."""
    return [
        LeanMinHash(m)
        for m in MinHash.bulk([list(s) for s in shingle_sets], num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    ]


def band_keys(minhash):
    """One signed 64-bit key per LSH band, the band number mixed in."""
    values = np.asarray(minhash.hashvalues, dtype="<u8")
    return [
        int.from_bytes(
            hashlib.blake2b(
                bytes([band]) + values[band * ROWS : (band + 1) * ROWS].tobytes(), digest_size=8
            ).digest(),
            "little",
            signed=True,
        )
        for band in range(BANDS)
    ]


def similarity(a, b):
    """Exact Jaccard and containment of two shingle sets (containment only for comparable sizes)."""
    shared = len(a & b)
    if not shared:
        return Similarity(0.0, 0.0)
    small, large = sorted((len(a), len(b)))
    containment = shared / small if small >= MIN_CONTAINMENT_RATIO * large else 0.0
    return Similarity(shared / (len(a) + len(b) - shared), containment)


def _load(row):
    return LeanMinHash(seed=SEED, hashvalues=np.frombuffer(bytes(row), dtype="<u8"), scheme=SCHEME)


def signature_row(story, minhash, shingle_count):
    """The StorySignature of `story` signed as `minhash` (not saved)."""
    return StorySignature(
        story=story,
        fingerprint=story.fingerprint,
        minhash=np.asarray(minhash.hashvalues, dtype="<u8").tobytes(),
        shingles=shingle_count,
    )


def insert_bands(rows):
    """Store LSH bands [(story id, key), ...] in one statement run for every row (no model
    instances: a story has BANDS of them)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table, story, key = map(quote, (SignatureBand._meta.db_table, "story_id", "key"))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({story}, {key}) VALUES (%s, %s)", rows)


def index_story(story):
    """Sign the story and store its signature and bands, unless its current text is signed already.

    Returns (minhash, shingle set)."""
    shingle_set = shingles(story_text(story))
    stored = StorySignature.objects.filter(story=story, fingerprint=story.fingerprint).first()
    if stored is not None:
        return _load(stored.minhash), shingle_set
    minhash = signature(shingle_set)
    row = signature_row(story, minhash, len(shingle_set))
    kept = {"fingerprint": row.fingerprint, "minhash": row.minhash, "shingles": row.shingles}
    StorySignature.objects.update_or_create(story=story, defaults=kept)
    SignatureBand.objects.filter(story=story).delete()
    insert_bands([(story.pk, key) for key in band_keys(minhash)])
    return minhash, shingle_set


def thresholds(suggest=None):
    auto_link = settings.NEWSROOM_DEDUP_AUTO_LINK
    return (settings.NEWSROOM_DEDUP_SUGGEST if suggest is None else suggest), auto_link


def decide(newer, older, sim, *, by=None, suggest=None):
    """Merge, queue or ignore the pair; returns "merged", "suggested" or None. Call inside atomic()."""
    suggest, auto_link = thresholds(suggest)
    if sim.score < suggest or DuplicateCandidate.objects.for_pair(newer, older).exists():
        return None
    # A merge never takes a published story off the site: a published newer story and an
    # unpublished older one go to the queue, for an editor to say which to keep.
    takes_off_site = newer.status == Story.Status.PUBLISHED and older.status != Story.Status.PUBLISHED
    if sim.score >= auto_link and not takes_off_site:
        reason = f"Detected on ingest: near copy, similarity {sim.score:.2f} (Jaccard {sim.jaccard:.2f})."
        merge(newer, older, by, reason, score=sim.score)
        return "merged"
    DuplicateCandidate.objects.create(
        story_a=newer, story_b=older, score=sim.score, jaccard=sim.jaccard, containment=sim.containment
    )
    return "suggested"


def check_new_story(story, *, by=None):
    """Index a newly stored story and link it to its near copies; returns the IngestResult."""
    minhash, own = index_story(story)
    ids = (
        SignatureBand.objects.filter(key__in=band_keys(minhash))
        .exclude(story=story)
        .values_list("story_id", flat=True)
        .distinct()
    )
    others = Story.objects.filter(pk__in=list(ids), merged_into__isnull=True).only(*CANDIDATE_FIELDS)
    return link_new_story(story, own, [(other, shingles(story_text(other))) for other in others], by=by)


# What link_new_story reads of a candidate story.
CANDIDATE_FIELDS = ("title", "body", "status", "merged_into", "source")


def link_new_story(story, own, candidates, *, by=None):
    """Merge the new `story` (shingle set `own`) into its nearest copy among `candidates`
    ([(story, shingle set)], canonical stories sharing an LSH band with it), or queue the pairs
    worth an editor's look; returns the IngestResult. Call inside atomic()."""
    from stories.services.ingest import IngestResult

    matches = sorted(
        ((similarity(own, other_set), other) for other, other_set in candidates if other.pk != story.pk),
        key=lambda pair: (-pair[0].score, pair[1].pk),
    )
    suggested = []
    for sim, other in matches:
        outcome = decide(story, other, sim, by=by)
        if outcome == "merged":
            story.refresh_from_db()
            return IngestResult(
                story, "merged", story.canonical, f"near copy ({sim.score:.2f}) merged into “{other}”"
            )
        if outcome == "suggested":
            suggested.append(f"“{other}” ({sim.score:.2f})")
    message = f"possible copy of {', '.join(suggested)}: queued for review" if suggested else ""
    return IngestResult(story, "new", story, message, suggested=bool(suggested))


def candidate_pairs(minhashes):
    """Pairs (i, j), i < j, of keys of `minhashes` that share an LSH band (datasketch MinHashLSH)."""
    lsh = MinHashLSH(num_perm=NUM_PERM, params=(BANDS, ROWS))
    with lsh.insertion_session() as session:
        for key, minhash in minhashes.items():
            session.insert(key, minhash, check_duplication=False)
    pairs = set()
    for key, minhash in minhashes.items():
        for other in lsh.query(minhash):
            if other != key:
                pairs.add((key, other) if key < other else (other, key))
    return pairs


@dataclass
class Recheck:
    signed: int = 0
    candidates: int = 0
    merged: int = 0
    suggested: int = 0
    refused: list[str] = field(default_factory=list)  # a pair the merge service refused, and why


def find_duplicates(*, suggest=None, by=None, batch=1000):
    """Sign every story not signed for its current text, then recheck all canonical stories."""
    report = Recheck()
    stale = Story.objects.filter(
        Q(signature__isnull=True) | ~Q(signature__fingerprint=F("fingerprint"))
    ).only("title", "body", "fingerprint")
    for story in stale.iterator(chunk_size=batch):
        with transaction.atomic():
            index_story(story)
        report.signed += 1

    rows = StorySignature.objects.filter(story__merged_into__isnull=True).values_list("story_id", "minhash")
    minhashes = {story_id: _load(raw) for story_id, raw in rows.iterator(chunk_size=batch)}
    pairs = candidate_pairs(minhashes)
    report.candidates = len(pairs)

    ids = sorted({story_id for pair in pairs for story_id in pair})
    texts = {}
    for start in range(0, len(ids), batch):
        for story in Story.objects.filter(pk__in=ids[start : start + batch]).only("title", "body"):
            texts[story.pk] = shingles(story_text(story))
    scored = sorted(
        ((similarity(texts[a], texts[b]), a, b) for a, b in pairs if a in texts and b in texts),
        key=lambda row: (-row[0].score, row[1], row[2]),
    )
    floor = thresholds(suggest)[0]
    for sim, older_id, newer_id in scored:
        if sim.score < floor:
            break
        try:
            with transaction.atomic():
                pair = {
                    s.pk: s
                    for s in Story.objects.filter(pk__in=[older_id, newer_id], merged_into__isnull=True)
                }
                if len(pair) < 2:  # one of them was merged earlier in this run
                    continue
                outcome = decide(pair[newer_id], pair[older_id], sim, by=by, suggest=suggest)
        except EditorialError as error:  # one pair refused: the others are still checked
            report.refused.append(f"#{older_id} and #{newer_id}: {error}")
            continue
        report.merged += outcome == "merged"
        report.suggested += outcome == "suggested"
    return report
