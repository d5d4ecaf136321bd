"""An ingest killed half-way (SIGKILL) leaves only whole items: each story that exists has its
complete text and its duplicate-detection signature, and running the ingest again completes it."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

from tests.perf.server import ROOT, manage, production_env

ITEMS = 800


def body(i):
    return " ".join(
        f"Paragraph {i}.{p}: officers liaison command Wiesbaden word{i * 7 + p}." for p in range(40)
    )


def test_an_ingest_killed_half_way_leaves_only_whole_items(tmp_path):
    database = tmp_path / "ingest.sqlite3"
    env = production_env(f"sqlite:///{database}")
    # What is measured is the ingest's atomicity: claim matching, which runs after each item's
    # commit in the same process, is left out so the run reaches its 50th item in time.
    env["NEWSROOM_MATCHING_ON_INGEST"] = "0"
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "loaddata", "deployment", "-v0")
    feed = tmp_path / "items.jsonl"
    with feed.open("w") as out:
        for i in range(ITEMS):
            item = {"title": f"Item {i} on the dispatch", "body": body(i), "url": f"https://wire.example/{i}"}
            out.write(json.dumps(item) + "\n")

    command = [sys.executable, "manage.py", "ingest", str(feed), "--source", "nextfin"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )

    def ingested():
        with sqlite3.connect(database, timeout=30) as db:
            return db.execute(
                "SELECT count(*) FROM stories_story WHERE url LIKE 'https://wire.example/%'"
            ).fetchone()[0]

    deadline = time.monotonic() + 120
    while ingested() < 50 and time.monotonic() < deadline:
        time.sleep(0.2)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the ingest finished before it could be interrupted"

    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT s.url, s.body, s.title, "
            "(SELECT count(*) FROM stories_storysignature g WHERE g.story_id = s.id) "
            "FROM stories_story s WHERE s.url LIKE 'https://wire.example/%'"
        ).fetchall()
    assert 50 <= len(rows) < ITEMS
    for url, text, title, signatures in rows:
        i = int(url.rsplit("/", 1)[1])
        assert title == f"Item {i} on the dispatch"
        assert text == body(i), f"item {i} is partial"
        assert signatures == 1, f"item {i} has no duplicate-detection signature"

    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    assert ingested() == ITEMS
