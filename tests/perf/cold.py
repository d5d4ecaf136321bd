"""The two halves of bench_cold.py that run inside Django, each in its own process:

    python -m tests.perf.cold build SIZE    fill the (migrated, empty) DATABASE_URL with SIZE stories
    python -m tests.perf.cold measure       time every public path against DATABASE_URL

Both run with DJANGO_SETTINGS_MODULE=tests.perf.cold_settings (every cache off) and print their
results as JSON lines starting with "BENCH ", which bench_cold.py reads.

The data set (deterministic, seed 7), for SIZE stories in all:
- sources: 20 × sqrt(SIZE / 1,000) (20 / 63 / 200), their story counts skewed (a few big outlets);
- stories with a body of about 1.3 KB (14 sentences); 5 % of them are copies merged into a
  published story (10 stories have 8-15 copies each, the first 15; the other copies go to published
  stories at random), 80 % of the copies new, 10 % published, 10 % rejected; of the canonical
  stories 88 % are published, the rest new, in review or rejected; 3 % carry no date;
- claims (200 / 2,000 / 20,000 at 1k / 10k / 100k, SIZE / 5 otherwise), each quoted by 1-5 stories
  (skewed towards 1), 5 % by 6-30, and max(3, claims / 1,000) hot claims by 100-400 (the first by
  exactly 400, or all stories when fewer); verdicts mixed, 15 % unreviewed; every hot claim accurate;
- evidence rows (0-3 a reviewed claim, 6-10 a hot one), 40 tags (0-3 a claim);
- public and internal notes on about 3 % / 5 % of the stories and 5 % / 5 % of the claims;
- timeline entries (30 / 100 / 300), each resting on 1-4 supporting claims, every third one on a
  hot claim; 90 % published, and 1 in 20 of those also rests on an unproven claim (so hidden);
- "Wiesbaden" in the body of 1 story in 50 (and the title of 1 in 250), and in 1 claim in 50.

Rows are inserted with bulk_create, 5,000 a statement, from two threads while the main thread
builds the next rows; then stories.services.counters.recount_all() is called if the project has it
(the stored counters), and the site version is bumped.
"""

import hashlib
import json
import os
import random
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from statistics import median

GENERATOR_VERSION = 3
SEED = 7
THREADS = int(os.environ.get("NEWSROOM_BENCH_BUILD_THREADS", "2"))
TIMEOUT_SECONDS = 60  # a request still running after this is cut off and reported as a timeout
ONCE_SECONDS = 20  # a warm-up slower than this is the only run of its path
HEALTHZ_RUNS = 50  # at the start and at the end
HEALTHZ_BETWEEN = 10  # after each path

SIZES = {1_000: (200, 30), 10_000: (2_000, 100), 100_000: (20_000, 300)}

VOCABULARY = (
    "japan nato officers command ukraine support liaison ministry defense dispatch coordination "
    "training equipment summit alliance tokyo germany partners security government minister "
    "cabinet forces deployment mission assistance staff headquarters announced confirmed report "
    "sources according official spokesperson agreement cooperation partnership military self "
    "first time historic decision parliament debate opposition constitution pacifist article "
    "nine interpretation expansion role allied nations europe pacific region china russia war "
    "invasion sanctions aid package nonlethal logistics medical supplies vehicles drones radar "
    "personnel rotation months year week plans talks meeting leaders brussels washington kyiv "
    "press conference statement briefing analysts experts critics said told reuters newspaper "
    "broadcaster agency coverage update details later earlier new senior junior colonel general"
).split()
PUBLISHERS = ["Ministry of Defense", "NATO press office", "Cabinet Office", "Diet record", "Wire service"]
WIESBADEN = "Officers joined the NSATU headquarters in Wiesbaden."


def shape(stories):
    """(sources, claims, timeline entries) for a data set of `stories` stories."""
    claims, entries = SIZES.get(
        stories, (max(10, stories // 5), max(10, round(30 * (stories / 1000) ** 0.5)))
    )
    return max(20, round(20 * (stories / 1000) ** 0.5)), claims, entries


def emit(**record):
    print("BENCH " + json.dumps(record), flush=True)


# --- Building --------------------------------------------------------------------------------------


def sentences(rng, count, low=9, high=18):
    return [
        " ".join(rng.choices(VOCABULARY, k=rng.randint(low, high))).capitalize() + "." for _ in range(count)
    ]


def slugify_words(text, words=4):
    return "-".join(w.strip(".").lower() for w in text.split()[:words])


def recount_counters():
    """Fill the stored counters if the project has them (stories.services.counters.recount_all)."""
    import importlib

    try:
        counters = importlib.import_module("stories.services.counters")
    except ModuleNotFoundError:
        return False
    if not hasattr(counters, "recount_all"):
        return False
    counters.recount_all()
    return True


def build(size, seed=SEED):
    """Bulk-insert the data set (see the module's docstring) into an empty, migrated database."""
    import datetime

    from django.db import connection, connections

    from stories.models import (
        SUPPORTING_VERDICTS,
        Claim,
        ClaimAppearance,
        EditorialNote,
        Evidence,
        MergeRecord,
        SiteVersion,
        Source,
        Story,
        Tag,
        Timeline,
        TimelineEntry,
        Verdict,
    )

    started = time.perf_counter()
    rng = random.Random(seed)
    n_sources, n_claims, n_entries = shape(size)
    n_copies = size // 20
    n_canonical = size - n_copies
    pool = sentences(rng, 4000)
    base = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    span = 730 * 24 * 3600
    batch = 5000

    # Inserts run in two threads, each on its own connection in autocommit, while this thread
    # builds the next rows: PostgreSQL's work (the stories' search vectors above all) overlaps
    # Python's. A failed build leaves no marker, so the next run rebuilds the database.
    workers = ThreadPoolExecutor(THREADS)
    phases = {}

    def phase(name):
        phases[name] = round(time.perf_counter() - started, 1)

    def insert(model, rows):
        try:
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET synchronous_commit = off")  # a scratch database
            return [row.pk for row in model.objects.bulk_create(rows)]
        finally:
            connections.close_all()  # this thread's connection

    def submit(model, rows):
        return [workers.submit(insert, model, rows[i : i + batch]) for i in range(0, len(rows), batch)]

    def wait(futures):
        return [pk for future in futures for pk in future.result()]

    def bulk(model, rows):
        return wait(submit(model, rows))

    pending = []  # inserts nothing waits for, but which must succeed

    # Sources, with skewed sizes: the first outlets carry most stories.
    kinds, reliabilities = list(Source.Kind.values), list(Source.Reliability.values)
    sources = Source.objects.bulk_create(
        Source(
            name=f"Outlet {k:03d}",
            slug=f"outlet-{k:03d}",
            homepage=f"https://outlet-{k:03d}.example/",
            kind=kinds[k % len(kinds)],
            reliability=reliabilities[k % len(reliabilities)],
            description=pool[k],
        )
        for k in range(n_sources)
    )
    source_ids = [s.pk for s in sources]
    source_weights = [1 / (k + 1) ** 0.9 for k in range(n_sources)]

    # Canonical stories, then their copies (merged_into needs the canonical rows' keys).
    statuses = rng.choices(
        [Story.Status.PUBLISHED, Story.Status.NEW, Story.Status.IN_REVIEW, Story.Status.REJECTED],
        weights=[88, 5, 3, 4],
        k=n_canonical,
    )
    story_sources = rng.choices(source_ids, weights=source_weights, k=n_canonical)
    titles, bodies, summaries, dates = [], [], [], []
    rows, inserting = [], []
    for i in range(n_canonical):
        title = pool[rng.randrange(4000)][:-1]
        if i % 250 == 0:
            title += " in Wiesbaden"
        body = " ".join(rng.choices(pool, k=14))
        if i % 50 == 0:
            body += " " + WIESBADEN
        summary = " ".join(rng.choices(pool, k=2))
        published = None if rng.random() < 0.03 else base + datetime.timedelta(seconds=rng.randrange(span))
        titles.append(title)
        bodies.append(body)
        dates.append(published)
        summaries.append(summary)
        rows.append(
            Story(
                source_id=story_sources[i],
                title=title,
                slug=f"s{i}-{slugify_words(title)}",
                url=f"https://outlet.example/{i}/{slugify_words(title, 3)}",
                published_at=published,
                byline=f"Reporter {i % 97}",
                summary=summary,
                body=body,
                status=statuses[i],
                fingerprint=hashlib.sha256(body.encode()).hexdigest(),
            )
        )
        if len(rows) == batch:
            inserting += submit(Story, rows)
            rows = []
    inserting += submit(Story, rows)
    story_ids = [pk for future in inserting for pk in future.result()]
    phase("canonical stories")
    del rows, inserting

    published = [i for i in range(n_canonical) if statuses[i] == Story.Status.PUBLISHED]
    widely = rng.sample(published, min(10, len(published)))
    targets = []
    for rank, target in enumerate(widely):
        targets += [target] * (15 if rank == 0 else rng.randint(8, 15))
    targets = targets[:n_copies]
    targets += rng.choices(published, k=n_copies - len(targets))
    copy_statuses = rng.choices(
        [Story.Status.NEW, Story.Status.PUBLISHED, Story.Status.REJECTED], weights=[80, 10, 10], k=n_copies
    )
    rows = []
    for j, target in enumerate(targets):
        source = rng.choice(source_ids)
        if source == story_sources[target]:
            source = source_ids[(source_ids.index(source) + 1) % n_sources]
        when = dates[target] and dates[target] + datetime.timedelta(hours=rng.randint(1, 48))
        rows.append(
            Story(
                source_id=source,
                title=titles[target],
                slug=f"copy{j}-{slugify_words(titles[target])}",
                url=f"https://copies.example/{j}/{slugify_words(titles[target], 3)}",
                published_at=when,
                byline=f"Reporter {j % 89}",
                summary=summaries[target],
                body=bodies[target],
                status=copy_statuses[j],
                fingerprint=hashlib.sha256(bodies[target].encode()).hexdigest(),
                merged_into_id=story_ids[target],
            )
        )
    copying = submit(Story, rows)
    del rows, titles, bodies, summaries
    showcase = widely[0]
    showcase_copies = [k for k, target in enumerate(targets) if target == showcase]

    # Claims: a few hot ones (all accurate), the rest mixed.
    n_hot = max(3, n_claims // 1000)
    verdicts = [Verdict.ACCURATE] * n_hot + rng.choices(
        [
            Verdict.ACCURATE,
            Verdict.MOSTLY_ACCURATE,
            Verdict.MISLEADING,
            Verdict.INACCURATE,
            Verdict.UNPROVEN,
            Verdict.UNREVIEWED,
        ],
        weights=[35, 15, 12, 10, 13, 15],
        k=n_claims - n_hot,
    )
    claim_rows = []
    for c in range(n_claims):
        text = pool[rng.randrange(4000)][:-1]
        if c % 50 == 0:
            text += " in Wiesbaden"
        text = f"{text} (claim {c})."
        reviewed = verdicts[c] != Verdict.UNREVIEWED
        claim_rows.append(
            Claim(
                text=text,
                slug=f"c{c}-{slugify_words(text)}",
                verdict=verdicts[c],
                explanation=" ".join(rng.choices(pool, k=3)) if reviewed else "",
                reviewed_at=base + datetime.timedelta(seconds=rng.randrange(span)) if reviewed else None,
            )
        )
    claiming = submit(Claim, claim_rows)
    del claim_rows

    # Appearances: hot claims in 100-400 stories, 5 % in 6-30, the rest in 1-5.
    total = n_canonical + n_copies
    pairs = set()
    for c in range(n_claims):
        if c == 0:
            k = 400
        elif c < n_hot:
            k = rng.randint(100, 400)
        elif rng.random() < 0.05:
            k = rng.randint(6, 30)
        else:
            k = rng.choices([1, 2, 3, 4, 5], weights=[35, 25, 18, 12, 10])[0]
        pairs.update((c, s) for s in rng.sample(range(total), min(k, total)))
    # The showcase story (most copies) quotes the second hot claim and five others, its first
    # copy three more (the first hot claim keeps exactly 400 stories).
    pairs.update((c, showcase) for c in [1, *range(n_hot, n_hot + 5)])
    if showcase_copies:
        pairs.update((c, n_canonical + showcase_copies[0]) for c in range(n_hot + 5, n_hot + 8))
    copy_ids = wait(copying)
    pending += submit(
        MergeRecord,
        [
            MergeRecord(duplicate_id=copy, canonical_id=story_ids[target], reason="Same text.", score=0.97)
            for copy, target in zip(copy_ids, targets, strict=True)
        ],
    )
    all_story_ids = story_ids + copy_ids
    claim_ids = wait(claiming)
    phase("copies and claims")
    pending += submit(
        ClaimAppearance,
        [
            ClaimAppearance(claim_id=claim_ids[c], story_id=all_story_ids[s], quote=pool[(c * 31 + s) % 4000])
            for c, s in sorted(pairs)
        ],
    )
    n_appearances = len(pairs)
    del pairs

    # Evidence and tags.
    evidence = []
    for c in range(n_claims):
        if verdicts[c] == Verdict.UNREVIEWED:
            continue
        k = rng.randint(6, 10) if c < n_hot else rng.choices([0, 1, 2, 3], weights=[20, 45, 25, 10])[0]
        evidence += [
            Evidence(
                claim_id=claim_ids[c],
                url=f"https://record.example/c{c}/{e}",
                publisher=PUBLISHERS[(c + e) % len(PUBLISHERS)],
                title=pool[(c + e) % 4000][:200],
                kind=Evidence.Kind.PRIMARY if e % 3 == 0 else Evidence.Kind.SECONDARY,
            )
            for e in range(k)
        ]
    pending += submit(Evidence, evidence)
    tag_ids = [
        t.pk
        for t in Tag.objects.bulk_create(Tag(name=f"Topic {k:02d}", slug=f"topic-{k:02d}") for k in range(40))
    ]
    ClaimTag = Claim.tags.through
    pending += submit(
        ClaimTag,
        [
            ClaimTag(claim_id=claim_ids[c], tag_id=tag)
            for c in range(n_claims)
            for tag in rng.sample(tag_ids, rng.choice([0, 0, 1, 1, 2, 3]))
        ],
    )

    # Notes: public and internal, on stories (copies included) and claims.
    public, internal = EditorialNote.Visibility.PUBLIC, EditorialNote.Visibility.INTERNAL
    notes = []
    for s, story in enumerate(all_story_ids):
        r = rng.random()
        if r < 0.03 or s == showcase:
            notes.append(EditorialNote(story_id=story, visibility=public, body=pool[s % 4000]))
        if 0.03 <= r < 0.08 or s == showcase:
            notes.append(
                EditorialNote(story_id=story, visibility=internal, body="INTERNAL " + pool[s % 4000])
            )
    for c, claim in enumerate(claim_ids):
        r = rng.random()
        if r < 0.05 or c == 0:
            notes.append(EditorialNote(claim_id=claim, visibility=public, body=pool[c % 4000]))
        if 0.05 <= r < 0.10 or c == 0:
            notes.append(
                EditorialNote(claim_id=claim, visibility=internal, body="INTERNAL " + pool[c % 4000])
            )
    pending += submit(EditorialNote, notes)
    n_notes = len(notes)
    del notes

    # The timeline: entries on supporting claims, every third on a hot one.
    timeline = Timeline.objects.create(title="The deployment, verified", slug="bench-cold")
    supporting = [c for c in range(n_hot, n_claims) if verdicts[c] in SUPPORTING_VERDICTS]
    unproven = [c for c in range(n_claims) if verdicts[c] == Verdict.UNPROVEN]
    precisions = rng.choices(
        [TimelineEntry.Precision.DAY, TimelineEntry.Precision.MONTH, TimelineEntry.Precision.YEAR],
        weights=[80, 15, 5],
        k=n_entries,
    )
    entries, entry_claims = [], []
    for e in range(n_entries):
        date = (base + datetime.timedelta(days=e * 730 / n_entries)).date()
        if precisions[e] == TimelineEntry.Precision.MONTH:
            date = date.replace(day=1)
        elif precisions[e] == TimelineEntry.Precision.YEAR:
            date = date.replace(month=1, day=1)
        is_published = rng.random() < 0.9
        entries.append(
            TimelineEntry(
                timeline=timeline,
                date=date,
                precision=precisions[e],
                title=f"Milestone {e}: " + pool[(e * 7) % 4000][:120],
                slug=f"milestone-{e}",
                text=" ".join(rng.choices(pool, k=2)),
                is_published=is_published,
                published_at=base if is_published else None,
            )
        )
        claims = set(rng.sample(supporting, rng.randint(1, 3)))
        if e % 3 == 0:
            claims.add((e // 3) % n_hot)
        if is_published and e % 20 == 7 and unproven:
            claims.add(rng.choice(unproven))
        entry_claims.append(sorted(claims))
    entry_ids = bulk(TimelineEntry, entries)
    EntryClaim = TimelineEntry.claims.through
    pending += submit(
        EntryClaim,
        [
            EntryClaim(timelineentry_id=entry, claim_id=claim_ids[c])
            for entry, claims in zip(entry_ids, entry_claims, strict=True)
            for c in claims
        ],
    )
    wait(pending)
    workers.shutdown()
    phase("the rest")
    inserted = time.perf_counter() - started
    recounted = recount_counters()
    SiteVersion.bump()
    emit(
        built=size,
        seconds=round(time.perf_counter() - started, 2),
        insert_seconds=round(inserted, 2),
        recount_all=recounted,
        sources=n_sources,
        stories=len(all_story_ids),
        copies=n_copies,
        claims=n_claims,
        hot_claims=n_hot,
        appearances=n_appearances,
        evidence=len(evidence),
        notes=n_notes,
        entries=n_entries,
        phases=phases,
    )


# --- Measuring -------------------------------------------------------------------------------------


class RequestTimeout(KeyboardInterrupt):
    """Raised in the middle of a request that ran too long. A KeyboardInterrupt, so Django does not
    turn it into a 500 page and psycopg cancels the query the server is running."""


def _alarm(signum, frame):
    raise RequestTimeout


def fetch(client, path):
    """One GET through the whole stack: (seconds, status, body bytes, response)."""
    signal.setitimer(signal.ITIMER_REAL, TIMEOUT_SECONDS)
    try:
        start = time.perf_counter()
        response = client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        elapsed = time.perf_counter() - start
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return elapsed, response.status_code, body, response


def time_path(client, name, path):
    """The median of a few runs after one warm-up; fewer runs for slow paths, none after a warm-up
    over ONCE_SECONDS, and a timeout or an exception recorded as such."""
    from django.db import connections

    result = {"name": name, "path": path}
    times = []
    try:
        elapsed, status, body, response = fetch(client, path)
        result.update(status=status, bytes=len(body), warmup=round(elapsed, 4))
        if status in (301, 302):
            result["location"] = response.get("Location", "")
        repeats = 5 if elapsed < 1 else 3 if elapsed < 5 else 2 if elapsed <= ONCE_SECONDS else 0
        for _ in range(repeats):
            times.append(fetch(client, path)[0])
        times = times or [elapsed]
    except RequestTimeout:
        connections.close_all()
        result.update(status="timeout", bytes=None, warmup=TIMEOUT_SECONDS)
        times = [float(TIMEOUT_SECONDS)]
    except Exception as exc:  # noqa: BLE001 - reported in the table, the run goes on
        connections.close_all()
        result.update(status="error", bytes=None, error=f"{type(exc).__name__}: {str(exc)[:300]}")
    if times:
        result.update(seconds=median(times), runs=len(times))
    return result, (body if result["status"] == 200 else b"")


def pick_objects():
    """Slugs of the objects the paths ask for, read from the database."""
    from django.db.models import Count, Q

    from stories.models import Claim, Source, Story, Verdict

    public = Q(stories__status=Story.Status.PUBLISHED, stories__merged_into__isnull=True)
    source = Source.objects.annotate(n=Count("stories", filter=public)).order_by("-n", "pk").first()
    candidates = Story.objects.public().annotate(n=Count("copies")).filter(n__gt=0).order_by("-n", "pk")[:20]
    story = None
    for row in candidates:
        quoted = Story.objects.filter(Q(pk=row.pk) | Q(merged_into=row), claim_appearances__isnull=False)
        if quoted.exists():
            story = row
            break
    served = story.copies.exclude(status=Story.Status.REJECTED).order_by("pk").first()
    reviewed = Claim.objects.exclude(verdict=Verdict.UNREVIEWED).annotate(n=Count("appearances"))
    hot = reviewed.order_by("-n", "pk").first()
    normal = reviewed.filter(n=3).order_by("pk").first()
    return {
        "source": source.slug,
        "source_stories": source.n,
        "story": story.slug,
        "story_copies": story.n,
        "copy": served.slug,
        "hot_claim": hot.slug,
        "hot_claim_stories": hot.n,
        "claim": normal.slug,
    }


def measure():
    import re
    from urllib.parse import urlsplit

    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    import stories

    signal.signal(signal.SIGALRM, _alarm)
    objects = pick_objects()
    emit(
        meta={
            "stories_module": stories.__file__,
            "debug": settings.DEBUG,
            "caches": sorted({c["BACKEND"].rsplit(".", 1)[-1] for c in settings.CACHES.values()}),
            "page_cache_seconds": settings.NEWSROOM_PAGE_CACHE_SECONDS,
            "anon_rate": settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get("anon"),
            "load_before": os.getloadavg()[0],
            **objects,
        }
    )
    client = Client()
    for path in ("/healthz", "/", "/api/v1/stories/"):
        fetch(client, path)  # the process's first requests: imports, templates, URL resolvers
    # The floor: /healthz, sampled before, between and after the paths, so that its median
    # reflects the whole run's conditions (this machine may be busy with other work).
    floor = []

    def sample_floor(runs, name=None):
        runs = [fetch(client, "/healthz")[0] for _ in range(runs)]
        floor.extend(runs)
        if name:
            emit(name=name, path="/healthz", status=200, bytes=3, seconds=median(runs), runs=len(runs))

    sample_floor(HEALTHZ_RUNS, "/healthz (start)")

    o = objects
    paths = [
        ("/", "/"),
        ("/how-we-verify/", "/how-we-verify/"),
        ("/stories/", "/stories/"),
        ("/stories/?page=2", "/stories/?page=2"),
        ("/stories/?source=<big source>", f"/stories/?source={o['source']}"),
        ("story detail (most copies)", f"/stories/{o['story']}/"),
        ("merged copy (301)", f"/stories/{o['copy']}/"),
        ("/claims/", "/claims/"),
        ("/claims/?verdict=accurate", "/claims/?verdict=accurate"),
        ("hot claim detail", f"/claims/{o['hot_claim']}/"),
        ("claim detail (3 stories)", f"/claims/{o['claim']}/"),
        ("/sources/", "/sources/"),
        ("source detail (big source)", f"/sources/{o['source']}/"),
        ("/search/?q=Wiesbaden", "/search/?q=Wiesbaden"),
        ("/feeds/timeline/", "/feeds/timeline/"),
        ("/feeds/stories/", "/feeds/stories/"),
        ("/feeds/stories.json", "/feeds/stories.json"),
        ("/feeds/corrections/", "/feeds/corrections/"),
        ("/embed/timeline/", "/embed/timeline/"),
        ("/sitemap.xml", "/sitemap.xml"),
        ("/api/v1/stories/", "/api/v1/stories/"),
        ("/api/v1/stories/?q=Wiesbaden", "/api/v1/stories/?q=Wiesbaden"),
        ("/api/v1/stories/?page=50", "/api/v1/stories/?page=50"),
        ("/api/v1/stories/<slug>/", f"/api/v1/stories/{o['story']}/"),
        ("/api/v1/stories/?format=ninjs", "/api/v1/stories/?format=ninjs"),
        ("/api/v1/stories/<slug>/?format=ninjs", f"/api/v1/stories/{o['story']}/?format=ninjs"),
        ("/api/v1/claims/", "/api/v1/claims/"),
        ("/api/v1/claims/<hot>/", f"/api/v1/claims/{o['hot_claim']}/"),
        ("/api/v1/sources/", "/api/v1/sources/"),
        ("/api/v1/sources/<big>/", f"/api/v1/sources/{o['source']}/"),
        ("/api/v1/timeline/", "/api/v1/timeline/"),
        ("/api/v1/timeline.json", "/api/v1/timeline.json"),
    ]
    for name, path in paths:
        result, body = time_path(client, name, path)
        emit(**result)
        sample_floor(HEALTHZ_BETWEEN)
        if path == "/sitemap.xml" and b"<sitemapindex" in body:
            first = re.search(rb"<loc>\s*([^<\s]+)\s*</loc>", body)
            if first:
                address = urlsplit(first.group(1).decode())
                section = address.path + (f"?{address.query}" if address.query else "")
                emit(**time_path(client, "sitemap: first section", section)[0])
                sample_floor(HEALTHZ_BETWEEN)
    sample_floor(HEALTHZ_RUNS, "/healthz (end)")
    emit(name="/healthz", path="/healthz", status=200, bytes=3, seconds=median(floor), runs=len(floor))
    emit(load_after=os.getloadavg()[0])


def main(argv):
    if argv[:1] == ["build"]:
        import django

        django.setup()
        build(int(argv[1]))
    elif argv[:1] == ["measure"]:
        measure()
    else:
        sys.exit("usage: python -m tests.perf.cold build SIZE | measure")


if __name__ == "__main__":
    main(sys.argv[1:])
