"""Public reads with every cache off, in process, on PostgreSQL, at 1,000 / 10,000 / 100,000 stories.

For each size a generated data set (tests/perf/cold.py: 20 / 63 / 200 sources, 200 / 2,000 /
20,000 claims, 30 / 100 / 300 timeline entries, hot claims quoted by up to 400 stories, 5 % merged
copies, unpublished and rejected stories, public and internal notes, evidence, tags) lives in its
own database, newsroom_bench_cold_<size>, on the PostgreSQL server at NEWSROOM_BENCH_PG (default
postgres://postgres@127.0.0.1:5432). A database is kept between runs and rebuilt only when its
marker differs: the generator's version, the size, and a hash of the migrations and
stories/services/counters.py. NEWSROOM_BENCH_REBUILD=1 forces a rebuild.

A subprocess per size (DJANGO_SETTINGS_MODULE=tests.perf.cold_settings: DEBUG off, a DummyCache
for every cache alias, NEWSROOM_PAGE_CACHE_SECONDS=0, no API throttling) sends each path through
the whole middleware stack with django.test.Client and times it: one warm-up, then the median of
5 runs (3 when the warm-up took over 1 s, 2 over 5 s, none over 20 s). A request still running
after 60 s is cut off and shown as a timeout.

Prints one table: for each path and size, the median time as a multiple of /healthz's (one query
through the whole stack; its median over 50 runs before the paths, 10 after each path and 50 at the
end, so that it reflects the conditions of the whole run), the time in ms, the response size in KB
and the status when it is not 200/301; then growth = time at the largest size ÷ time at the
smallest. "OVER" marks a path over 40 × /healthz or over 300 KB at 100k (at the largest size run,
when 100k is not). The load average before and after each size is printed: on a busy machine the
figures move by tens of per cent between runs. Nothing is asserted on timings: a benchmark prints.
Building the three databases takes about 2 minutes on 2 cores, measuring them a few more.

NEWSROOM_BENCH_SIZES=1000,10000 runs a subset; NEWSROOM_BENCH_COLD_JSON=path also writes the raw
results there; NEWSROOM_BENCH_COLD_BUDGET (seconds, default 3600) bounds the measuring of one size.
To measure another checkout (say the commit before a change) with this benchmark, copy
tests/perf/{bench_cold,cold,cold_settings}.py into it and run pytest from there: each subprocess
runs with cwd and PYTHONPATH set to the checkout, and the table prints which `stories` it imported.
"""

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
SERVER = os.environ.get("NEWSROOM_BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DEFAULT_SIZES = (1_000, 10_000, 100_000)
OVER_HEALTHZ, OVER_KB = 40, 300
MEASURE_BUDGET_SECONDS = int(os.environ.get("NEWSROOM_BENCH_COLD_BUDGET", "3600"))


def sizes():
    given = os.environ.get("NEWSROOM_BENCH_SIZES", "")
    return sorted(int(s) for s in given.replace("_", "").split(",") if s.strip()) or list(DEFAULT_SIZES)


def subprocess_env(database_url):
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "NEWSROOM_", "DATABASE_URL"))}
    keep.pop("REDIS_URL", None)
    return {
        **keep,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])),
        "DJANGO_SETTINGS_MODULE": "tests.perf.cold_settings",
        "DJANGO_SECRET_KEY": "bench-only-" + "x" * 40,
        "DJANGO_DEBUG": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url,
        "NEWSROOM_PAGE_CACHE_SECONDS": "0",
        "NEWSROOM_API_ANON_RATE": "",
    }


def read_records(output):
    return [json.loads(line[6:]) for line in output.splitlines() if line.startswith("BENCH ")]


def marker(size):
    """What a kept database must have been built with: generator, size, schema and counters code."""
    from .cold import GENERATOR_VERSION

    digest = hashlib.sha256()
    for path in sorted((ROOT / "stories" / "migrations").glob("*.py")) + [
        ROOT / "stories/services/counters.py"
    ]:
        if path.exists():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"v{GENERATOR_VERSION}-{size}-{digest.hexdigest()[:16]}"


def prepared_database(size):
    """The URL of a database holding the data set of `size` stories, built unless kept; and the
    build's record (None when kept)."""
    import psycopg

    name, key = f"newsroom_bench_cold_{size}", marker(size)
    url = f"{SERVER}/{name}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    if exists and os.environ.get("NEWSROOM_BENCH_REBUILD", "") in ("", "0"):
        with psycopg.connect(url, autocommit=True) as db:
            found = db.execute("SELECT to_regclass('bench_cold_marker') IS NOT NULL").fetchone()[0]
            if found and db.execute("SELECT key FROM bench_cold_marker").fetchone() == (key,):
                return url, None
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    env = subprocess_env(url)
    started = time.perf_counter()
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    migrated = time.perf_counter()
    out = subprocess.run(
        [PYTHON, "-m", "tests.perf.cold", "build", str(size)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    (record,) = read_records(out.stdout)
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("VACUUM ANALYZE")
        db.execute("CREATE TABLE bench_cold_marker (key text NOT NULL, built jsonb NOT NULL)")
        db.execute("INSERT INTO bench_cold_marker VALUES (%s, %s)", [key, json.dumps(record)])
    record.update(
        migrate_seconds=round(migrated - started, 1), total_seconds=round(time.perf_counter() - started, 1)
    )
    return url, record


def measured(url):
    """Run the measuring subprocess; return its records (those it printed, if it had to be killed)."""
    process = subprocess.Popen(
        [PYTHON, "-m", "tests.perf.cold", "measure"],
        cwd=ROOT,
        env=subprocess_env(url),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        output, _ = process.communicate(timeout=MEASURE_BUDGET_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        print(f"\nmeasuring {url} took over {MEASURE_BUDGET_SECONDS} s: killed, partial results below")
    records = read_records(output)
    if process.returncode not in (0, None) and not records:
        raise RuntimeError(f"the measuring process failed ({process.returncode}); see its output above")
    return records


def cell(result, floor):
    if result is None:
        return f"{'-':>27}"
    status = result.get("status")
    seconds = result.get("seconds")
    if status == "timeout":
        return f"{'TIMEOUT (>60 s)':>27}"
    if seconds is None:
        return f"{'ERROR':>27}"
    kb = f"{result['bytes'] / 1024:.1f}" if result.get("bytes") is not None else "?"
    shown = "" if status in (200, 301) else str(status)
    once = "¹" if result.get("runs") == 1 else " "
    return f"{seconds / floor:7.1f}{once}{seconds * 1000:8.1f} {kb:>6} {shown:>3}"


def table(results, built):
    run = sorted(results)
    names = []
    for size in run:
        for name in results[size]["paths"]:
            if name not in names:
                names.append(name)
    small, large = run[0], run[-1]
    lines = ["", "Public reads, every cache off, in process, PostgreSQL (tests/perf/bench_cold.py)"]
    for size in run:
        result, meta = results[size], results[size]["meta"]
        end = f", end {result['floor_end'] * 1000:.3f}" if result["floor_end"] else ""
        how = f"built in {built[size]['total_seconds']} s" if built.get(size) else "kept database"
        lines.append(
            f"  {size:>7,} stories ({how}): big source {meta.get('source_stories')} public stories, "
            f"showcase story {meta.get('story_copies')} copies, hot claim {meta.get('hot_claim_stories')} "
            "stories"
        )
        lines.append(
            f"  {'':>15} /healthz median {result['floor'] * 1000:.3f} ms of {result['floor_runs']} runs "
            f"(start {result['floor_start'] * 1000:.3f}{end}); load average "
            f"{meta.get('load_before') or 0:.2f} → {meta.get('load_after') or 0:.2f}"
        )
    first_meta = results[run[0]]["meta"]
    lines.append(
        f"  code: {Path(first_meta.get('stories_module', '?')).parent}; caches {first_meta.get('caches')}"
    )
    lines.append("")
    lines.append(f"{'':34}" + "".join(f"|{f'{size:,} stories':^28}" for size in run) + "|")
    lines.append(
        f"{'path':34}"
        + f"|{'×hz':>8}{'ms':>8} {'KB':>6} {'st':>3} " * len(run)
        + f"|{f'{large // 1000}k/{small // 1000}k':>8}  flags"
    )
    for name in names:
        row = f"{name[:34]:34}"
        for size in run:
            row += "|" + cell(results[size]["paths"].get(name), results[size]["floor"]) + " "
        first, last = results[small]["paths"].get(name), results[large]["paths"].get(name)
        growth = ""
        if len(run) > 1 and first and last and first.get("seconds") and last.get("seconds"):
            if last["status"] == "timeout":
                growth = f">{last['seconds'] / first['seconds']:.1f}"
            elif first["status"] != last["status"]:
                growth = "n/a"  # e.g. a page past the end at the smaller size (404)
            else:
                growth = f"{last['seconds'] / first['seconds']:.1f}"
        flags = []
        if last and last.get("seconds") and last["seconds"] / results[large]["floor"] > OVER_HEALTHZ:
            flags.append(f"OVER {OVER_HEALTHZ}×hz")
        if last and (last.get("bytes") or 0) > OVER_KB * 1024:
            flags.append(f"OVER {OVER_KB} KB")
        if last and last.get("status") not in (200, 301):
            flags.append(str(last.get("status")).upper())
        row += f"|{growth:>8}  {' '.join(flags)}"
        lines.append(row)
    lines.append("")
    lines.append(
        f"×hz: median time ÷ /healthz median time; ms: median; KB: response body; st: status if not "
        f"200/301; ¹: one run only (slow warm-up). Growth: time at {large:,} ÷ time at {small:,} "
        "(n/a when the status differs). "
        f"OVER flags apply at {large:,} stories"
        + ("." if large == 100_000 else " (the largest size run; the goal is stated at 100,000).")
    )
    for size in run:
        for name, result in results[size]["paths"].items():
            if result.get("error"):
                lines.append(f"  error at {size:,}, {name}: {result['error']}")
            if result.get("status") == "timeout":
                lines.append(f"  timeout at {size:,}, {name}: {result['path']}")
    return "\n".join(lines)


def test_public_reads_with_every_cache_off_at_three_sizes():
    try:
        import psycopg

        psycopg.connect(f"{SERVER}/postgres", connect_timeout=3).close()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"PostgreSQL is not reachable at {SERVER}: {exc}")
    results, built = {}, {}
    for size in sizes():
        started = time.perf_counter()
        url, record = prepared_database(size)
        built[size] = record
        if record:
            print(f"\nbuilt {size:,} stories in {record['total_seconds']} s: {json.dumps(record)}")
        else:
            print(f"\nkept database for {size:,} stories ({time.perf_counter() - started:.1f} s to check)")
        started = time.perf_counter()
        records = measured(url)
        meta = next((r["meta"] for r in records if "meta" in r), {})
        meta["load_after"] = next((r["load_after"] for r in records if "load_after" in r), None)
        paths = {r["name"]: r for r in records if "name" in r}
        floors = {name: paths.pop(name, None) for name in ("/healthz", "/healthz (start)", "/healthz (end)")}
        floor = floors["/healthz"] or floors["/healthz (start)"]  # the start alone if the run was cut short
        if floor is None:
            pytest.fail(f"no /healthz measurement at {size:,} stories: {records}")
        results[size] = {
            "meta": meta,
            "floor": floor["seconds"],
            "floor_runs": floor["runs"],
            "floor_start": floors["/healthz (start)"]["seconds"],
            "floor_end": floors["/healthz (end)"] and floors["/healthz (end)"]["seconds"],
            "paths": paths,
        }
        print(f"measured {size:,} stories in {time.perf_counter() - started:.0f} s")
    report = table(results, built)
    print(report)
    if os.environ.get("NEWSROOM_BENCH_COLD_JSON"):
        Path(os.environ["NEWSROOM_BENCH_COLD_JSON"]).write_text(
            json.dumps({"results": results, "built": built}, indent=1)
        )
