"""The halves of bench_ingest.py that run inside Django, each in its own process:

    python -m tests.perf.ingest sign          give every story of DATABASE_URL its fingerprint and
                                              duplicate-detection signature (after cold.py's build)
    python -m tests.perf.ingest items PATH N  write N JSON Lines items made from DATABASE_URL's stories
    python -m tests.perf.ingest run PATH      time `manage.py ingest PATH` against DATABASE_URL

They print their results as JSON lines starting with "BENCH " (bench_cold.read_records reads them).

The items (deterministic, seed 11), shuffled:
- 70 % new articles (14 sentences of new words), two thirds sent without a source (their URL's
  host is a stored outlet's), a third naming a stored outlet, one in 70 from one of 20 new hosts
  (new outlets for review);
- 15 % near copies of stored published stories from another outlet: half with one word changed
  (similarity about 0.95, merged on ingest), half with three sentences replaced (about 0.7, queued);
- 10 % exact re-ingests of stored stories (same URL, outlet and text: unchanged);
- 3 % re-ingests of stored stories with a sentence added (a version held for review);
- 2 % exact copies of stored stories under a new URL (unchanged: the same text is stored).
"""

import importlib
import io
import json
import os
import random
import sys
import time

from tests.perf.cold import VOCABULARY, emit, sentences

GENERATOR_VERSION = 1
SEED = 11
CHUNK = 5000
SHARES = (("new", 70), ("near_merge", 7.5), ("near_queue", 7.5), ("same", 10), ("changed", 3), ("copy", 2))


def sign():
    """Set each story's fingerprint as the project computes it and store its signature and LSH
    bands in bulk (what ingest and find_duplicates would have stored, story by story)."""
    import numpy as np
    from django.db import connection, transaction

    from stories.models import Story
    from stories.services.dedup import band_keys, shingles, signatures, story_text
    from stories.text import fingerprint

    started = time.perf_counter()
    ids = list(Story.objects.order_by("pk").values_list("pk", flat=True))
    signed = bands = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = list(Story.objects.filter(pk__in=chunk).order_by("pk").only("title", "body"))
        prints = [fingerprint(story.title, story.body) for story in rows]
        sets = [shingles(story_text(story)) for story in rows]
        minhashes = signatures(sets)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE stories_story SET fingerprint = %s WHERE id = %s",
                [(p, story.pk) for p, story in zip(prints, rows, strict=True)],
            )
            cursor.executemany(
                "INSERT INTO stories_storysignature (story_id, fingerprint, minhash, shingles) "
                "VALUES (%s, %s, %s, %s)",
                [
                    (story.pk, p, np.asarray(m.hashvalues, dtype="<u8").tobytes(), len(s))
                    for story, p, m, s in zip(rows, prints, minhashes, sets, strict=True)
                ],
            )
            keys = [(story.pk, key) for story, m in zip(rows, minhashes, strict=True) for key in band_keys(m)]
            if connection.vendor == "postgresql":
                with cursor.cursor.copy("COPY stories_signatureband (story_id, key) FROM STDIN") as copy:
                    for row in keys:
                        copy.write_row(row)
            else:
                cursor.executemany("INSERT INTO stories_signatureband (story_id, key) VALUES (%s, %s)", keys)
        signed += len(rows)
        bands += len(keys)
    emit(signed=signed, bands=bands, seconds=round(time.perf_counter() - started, 1))


def _kinds(rng, count):
    kinds = []
    for kind, share in SHARES:
        kinds += [kind] * round(count * share / 100)
    kinds = (kinds + ["new"] * count)[:count]
    rng.shuffle(kinds)
    return kinds


def items(path, count, seed=SEED):
    """Write `count` items (see the module's docstring) to `path`; emit how many of each kind."""
    from stories.models import Source, Story

    rng = random.Random(seed)
    sources = list(Source.objects.filter(needs_review=False).order_by("pk").values_list("name", "homepage"))
    stored = list(
        Story.objects.public()
        .filter(published_at__isnull=False)
        .select_related("source")
        .order_by("pk")
        .only("title", "body", "summary", "byline", "url", "published_at", "source__name")[:20_000]
    )
    kinds = _kinds(rng, count)
    picked = iter(rng.sample(stored, sum(kind != "new" for kind in kinds)))
    counts = {}
    with open(path, "w") as out:
        for n, kind in enumerate(kinds):
            counts[kind] = counts.get(kind, 0) + 1
            name, homepage = rng.choice(sources)
            host = homepage.split("//", 1)[1].strip("/")
            if kind == "new":
                title = " ".join(rng.choices(VOCABULARY, k=9)).capitalize() + f" ({n})"
                body = " ".join(sentences(rng, 14))
                item = {"title": title, "body": body, "summary": sentences(rng, 1)[0]}
                if n % 70 == 0:
                    item["url"] = f"https://new-outlet-{n % 20}.example/news/{n}"
                elif n % 3 == 0:
                    item |= {"url": f"https://{host}/news/{n}", "source": name}
                else:
                    item["url"] = f"https://{host}/news/{n}"
                item["published_at"] = f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}T09:00:00+09:00"
                out.write(json.dumps(item) + "\n")
                continue
            story = next(picked)
            item = {
                "title": story.title,
                "body": story.body,
                "summary": story.summary,
                "byline": story.byline,
                "published_at": story.published_at.isoformat(),
            }
            if kind in ("same", "changed"):
                item |= {"url": story.url, "source": story.source.name}
                if kind == "changed":
                    item["body"] += " " + sentences(rng, 1)[0]
            else:
                if name == story.source.name:
                    name, homepage = next(s for s in sources if s[0] != name)
                    host = homepage.split("//", 1)[1].strip("/")
                item |= {"url": f"https://{host}/copies/{n}", "source": name}
                words = story.body.split(" ")
                if kind == "near_merge":  # one word changed: about 0.95
                    words[len(words) // 2] = f"changed{n}"
                elif kind == "near_queue":  # three sentences of fourteen replaced: about 0.7
                    parts = story.body.split(". ")
                    for k in (3, 7, 11):
                        parts[k] = sentences(rng, 1)[0].rstrip(".")
                    words = ". ".join(parts).split(" ")
                item["body"] = " ".join(words)
            out.write(json.dumps(item) + "\n")
    emit(items=count, kinds=counts)


def run(path):
    """Time the ingest command on `path` (dedup on, as always); emit its summary line."""
    from django.core.management import CommandError, call_command
    from django.db import connection

    import stories

    out, err = io.StringIO(), io.StringIO()
    # Imported and connected before the clock starts: what is timed is the ingest, not the
    # process's start (datasketch imports scipy: seconds on a busy machine).
    for module in ("stories.management.commands.ingest", "stories.services.dedup"):
        importlib.import_module(module)
    connection.ensure_connection()
    started, cpu = time.perf_counter(), time.process_time()
    try:
        call_command("ingest", path, stdout=out, stderr=err)
    except CommandError:
        pass  # failed items are counted in the summary and listed below
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    lines = out.getvalue().strip().splitlines()
    emit(
        seconds=round(seconds, 3),
        cpu_seconds=round(cpu, 3),
        load=os.getloadavg()[0],
        summary=lines[-1] if lines else "",
        errors=err.getvalue().strip().splitlines()[:5],
        stories_module=stories.__file__,
        vendor=connection.vendor,
    )


def main(argv):
    import django

    django.setup()
    if argv[:1] == ["sign"]:
        sign()
    elif argv[:1] == ["items"]:
        items(argv[1], int(argv[2]))
    elif argv[:1] == ["run"]:
        run(argv[1])
    else:
        sys.exit("usage: python -m tests.perf.ingest sign | items PATH N | run PATH")


if __name__ == "__main__":
    main(sys.argv[1:])
