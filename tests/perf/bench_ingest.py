"""Bulk ingest of JSON Lines, dedup on, into a database of 100,000 stories, on SQLite and PostgreSQL.

The database: bench_cold's data set (tests/perf/cold.py: 100,000 stories from 200 outlets, 5 %
of them copies merged into others, claims, notes, a timeline), then every story given its
fingerprint and duplicate-detection signature as ingest stores them (tests/perf/ingest.py sign).
It is built once and kept, like bench_cold's: on SQLite in NEWSROOM_BENCH_DIR (default
artifacts/bench/ in the checkout), on PostgreSQL (NEWSROOM_BENCH_PG, default
postgres://postgres@127.0.0.1:5432) as newsroom_bench_ingest_<size>; rebuilt when its marker
differs (generators' versions, size, migrations, the signing scheme) or NEWSROOM_BENCH_REBUILD=1.

Each run writes NEWSROOM_BENCH_INGEST_ITEMS (default 2,000) JSON Lines items made from the kept
database's stories (tests/perf/ingest.py: new articles, near copies merged or queued, exact
re-ingests, changed texts, the same text under a new URL), ingests them with `manage.py ingest`
into a fresh copy of it (a file copy; CREATE DATABASE ... TEMPLATE), in a subprocess with DEBUG
off, and prints items/s beside the figure this benchmark measured at BASELINE's commit, before
ingest handled items by batches. The copy is deleted afterwards.

To measure another checkout (say BASELINE's commit) the same way: copy tests/perf/{bench_ingest,
ingest,cold,bench_cold,cold_settings}.py into it and run pytest there with the same
NEWSROOM_BENCH_DIR (the kept databases are shared when the migrations are the same); the table
prints which `stories` each run imported. Building takes a few minutes per database on 2 cores.
"""

import hashlib
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.perf.bench_cold import PYTHON, ROOT, SERVER, read_records, subprocess_env

SIZE = int(os.environ.get("NEWSROOM_BENCH_INGEST_STORIES", "100000").replace("_", ""))
ITEMS = int(os.environ.get("NEWSROOM_BENCH_INGEST_ITEMS", "2000").replace("_", ""))
DATA = Path(os.environ.get("NEWSROOM_BENCH_DIR", ROOT / "artifacts" / "bench"))
DATABASES = os.environ.get("NEWSROOM_BENCH_DATABASES", "sqlite,postgresql").split(",")
GOAL = 300  # items a second

# Measured with this benchmark (2,000 items into 100,000 stories) at the commit before ingest
# handled items by batches, on the 2-core machine at a load average of 12 to 23 (see
# docs/performance.md); PostgreSQL was not measured there.
BASELINE = {"commit": "999ebd2", "sqlite": 1.3, "postgresql": None}


def marker(size):
    """What a kept database must have been built with."""
    from stories.services import dedup

    from .cold import GENERATOR_VERSION as COLD
    from .ingest import GENERATOR_VERSION as SIGN

    digest = hashlib.sha256()
    for path in sorted((ROOT / "stories" / "migrations").glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    scheme = (dedup.SHINGLE_WORDS, dedup.NUM_PERM, dedup.BANDS, dedup.ROWS, dedup.SEED, dedup.SCHEME)
    digest.update(repr(scheme).encode())
    return f"v{COLD}.{SIGN}-{size}-{digest.hexdigest()[:16]}"


def django_run(url, *args, threads=None):
    env = subprocess_env(url)
    if threads:
        env["NEWSROOM_BENCH_BUILD_THREADS"] = str(threads)
    out = subprocess.run(
        [PYTHON, *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    return read_records(out)


def build(url, size, threads=None):
    """Migrate the empty database at `url`, fill it with cold.py's data set and sign its stories."""
    started = time.perf_counter()
    django_run(url, "manage.py", "migrate", "--noinput", "-v0")
    (built,) = django_run(url, "-m", "tests.perf.cold", "build", str(size), threads=threads)
    (signed,) = django_run(url, "-m", "tests.perf.ingest", "sign")
    return {"seconds": round(time.perf_counter() - started, 1), "built": built["seconds"], "signed": signed}


def sqlite_database(size):
    """(URL of a fresh copy of the kept SQLite database, the copy's path, build record or None)."""
    DATA.mkdir(parents=True, exist_ok=True)
    kept, key_file = DATA / f"ingest_{size}.sqlite3", DATA / f"ingest_{size}.marker"
    key, record = marker(size), None
    rebuild = os.environ.get("NEWSROOM_BENCH_REBUILD", "") not in ("", "0")
    if rebuild or not kept.exists() or not key_file.exists() or key_file.read_text() != key:
        kept.unlink(missing_ok=True)
        key_file.unlink(missing_ok=True)
        record = build(f"sqlite:///{kept}", size, threads=1)
        key_file.write_text(key)
    copy = DATA / f"ingest_{size}_run.sqlite3"
    shutil.copyfile(kept, copy)
    return f"sqlite:///{copy}", copy, f"sqlite:///{kept}", record


def postgresql_database(size):
    """(URL of a fresh copy of the kept PostgreSQL database, its name, template URL, build record)."""
    import psycopg

    name, key, record = f"newsroom_bench_ingest_{size}", marker(size), None
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    fresh = False
    if exists and os.environ.get("NEWSROOM_BENCH_REBUILD", "") in ("", "0"):
        with psycopg.connect(f"{SERVER}/{name}", autocommit=True) as db:
            found = db.execute("SELECT to_regclass('bench_ingest_marker') IS NOT NULL").fetchone()[0]
            fresh = found and db.execute("SELECT key FROM bench_ingest_marker").fetchone() == (key,)
    if not fresh:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
        record = build(f"{SERVER}/{name}", size)
        with psycopg.connect(f"{SERVER}/{name}", autocommit=True) as db:
            db.execute("VACUUM ANALYZE")
            db.execute("CREATE TABLE bench_ingest_marker (key text NOT NULL)")
            db.execute("INSERT INTO bench_ingest_marker VALUES (%s)", [key])
    return f"{SERVER}/{name}_run", f"{name}_run", f"{SERVER}/{name}", record


def copy_postgresql(template_name, run_name):
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{run_name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{run_name}" TEMPLATE "{template_name}"')


def drop_postgresql(run_name):
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{run_name}" WITH (FORCE)')


def measure(url, items):
    (record,) = [r for r in django_run(url, "-m", "tests.perf.ingest", "run", str(items)) if "seconds" in r]
    return record


def postgresql_reachable():
    try:
        import psycopg

        psycopg.connect(f"{SERVER}/postgres", connect_timeout=3).close()
        return True
    except Exception:  # noqa: BLE001
        return False


def test_bulk_ingest_of_json_lines_with_dedup_into_100k_stories():
    results = {}
    items = DATA / f"ingest_{SIZE}_{ITEMS}.jsonl"
    DATA.mkdir(parents=True, exist_ok=True)

    if "sqlite" in DATABASES:
        url, copy, kept, built = sqlite_database(SIZE)
        (kinds,) = django_run(kept, "-m", "tests.perf.ingest", "items", str(items), str(ITEMS))
        try:
            results["sqlite"] = {**measure(url, items), "built": built, "kinds": kinds["kinds"]}
        finally:
            copy.unlink(missing_ok=True)

    if "postgresql" not in DATABASES:
        pass
    elif postgresql_reachable():
        url, run_name, kept, built = postgresql_database(SIZE)
        (kinds,) = django_run(kept, "-m", "tests.perf.ingest", "items", str(items), str(ITEMS))
        copy_postgresql(kept.rsplit("/", 1)[1], run_name)
        try:
            results["postgresql"] = {**measure(url, items), "built": built, "kinds": kinds["kinds"]}
        finally:
            drop_postgresql(run_name)
    else:
        print(f"\nPostgreSQL is not reachable at {SERVER}: measured on SQLite only")

    if not results:
        pytest.fail("nothing measured")
    first = next(iter(results.values()))
    before_label = f"items/s at {BASELINE['commit']}"
    lines = [
        "",
        f"Bulk ingest of {ITEMS:,} JSON Lines items into {SIZE:,} stories, dedup on "
        "(tests/perf/bench_ingest.py)",
        f"  items: {json.dumps(first['kinds'])}",
        f"  code: {Path(first['stories_module']).parent}",
        "",
        f"{'database':11}|{'items/s':>8}|{'seconds':>8}|{'CPU s':>7}|{'load':>6}|{before_label:>19}|{'×':>6}|"
        f" {GOAL}/s | summary",
    ]
    for vendor, result in results.items():
        rate = ITEMS / result["seconds"]
        before = BASELINE.get(vendor)
        ratio = f"{rate / before:5.1f}" if before else "-"
        shown_before = f"{before:.1f}" if before else "not measured"
        cpu, load = result.get("cpu_seconds"), result.get("load")
        lines.append(
            f"{vendor:11}|{rate:8.1f}|{result['seconds']:8.2f}|{cpu or 0:7.2f}|{load or 0:6.2f}|"
            f"{shown_before:>19}|{ratio:>6}| {'met' if rate >= GOAL else 'NOT MET':>7} | {result['summary']}"
        )
        for error in result["errors"]:
            lines.append(f"  {vendor} error: {error}")
        if result["built"]:
            lines.append(f"  {vendor}: built the kept database in {result['built']['seconds']} s")
    lines.append(
        "CPU s: the ingesting process's own CPU time (not the PostgreSQL server's); load: the load "
        "average when the ingest ended. On a busy machine items/s moves with the load."
    )
    print("\n".join(lines))
