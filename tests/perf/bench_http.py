"""Newsroom under load: gunicorn with production settings (gunicorn.conf.py) on loopback, the
demo data plus 1,000 generated stories, 200 claims and 30 timeline entries, driven by wrk from a
separate process. Prints, from one run, req/s and p50/p99 latency of each path as a ratio to
/healthz (the floor: one query through the whole middleware stack), with 1 worker and with the
default worker count, then a 2-minute run at 50 connections.

Goals: `/` page cache missed >= 0.5 and cached >= 0.9 of the floor, the 304 path >= 0.9, the
story API list >= 0.4, default workers / 1 worker >= 1.6, no error in the long run.

"/ page cache missed" asks for a new query string each time, so the page cache never hits and
the page is rendered around the cached timeline fragment. "/ cold" is a server with caching
switched off (NEWSROOM_PAGE_CACHE_SECONDS=0): each request reads the database and renders it all.
"/api/v1/stories/ (kept)" is answered from the API's cache under the site version, as readers
get it between saves; "built" adds an unknown parameter, so each answer is queried and serialised.
"""

import os
import re
import urllib.request

from .server import gunicorn, prepared_database, require_wrk, uncached_script, wrk

SECONDS = int(os.environ.get("NEWSROOM_BENCH_SECONDS", "5"))
SOAK_SECONDS = int(os.environ.get("NEWSROOM_BENCH_SOAK_SECONDS", "120"))


def paths(base):
    home = urllib.request.urlopen(base + "/")
    etag = home.headers["ETag"]
    css = re.search(r'href="(/static/css/[^"]+)"', home.read().decode()).group(1)
    story = "/stories/japan-embeds-military-officers-in-nato-ukraine-mission/"
    api = "/api/v1/stories/"
    runs = [
        ("static file (whitenoise)", base + css, {}),
        ("/healthz (floor)", base + "/healthz", {}),
        ("/ page cache missed", base + "/", {"script": uncached_script("/")}),
        ("/ cached", base + "/", {}),
        ("/ 304 (If-None-Match)", base + "/", {"headers": [f"If-None-Match: {etag}"]}),
        ("a story page (cached)", base + story, {}),
        ("/api/v1/stories/ (kept)", base + api, {}),
        ("/api/v1/stories/ built", base + api, {"script": uncached_script(api)}),
    ]
    return runs


def measure(base):
    for url in (base + "/healthz", base + "/"):
        wrk(url, seconds=2)  # warm every worker up
    return {name: wrk(url, seconds=SECONDS, **options) for name, url, options in paths(base)}


def table(title, runs):
    floor = runs["/healthz (floor)"]["rps"]
    print(f"\n{title}\n{'path':30} {'req/s':>9} {'÷ healthz':>10} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, run in runs.items():
        rps, ratio, p50, p99 = run["rps"], run["rps"] / floor, run["p50"], run["p99"]
        print(f"{name:30} {rps:9.0f} {ratio:10.2f} {p50:8.1f} {p99:8.1f} {run['errors']:7d}")


# One load generator on one address would hit the anonymous API throttle and measure 429s.
UNTHROTTLED = {"NEWSROOM_API_ANON_RATE": ""}


def test_http_throughput_ratios_scaling_and_soak():
    require_wrk()
    with prepared_database() as database_url:
        with gunicorn(database_url, workers=1, **UNTHROTTLED) as base:
            single = measure(base)
        with gunicorn(database_url, workers=None, **UNTHROTTLED) as base:
            default = measure(base)
            soak = wrk(base + "/", seconds=SOAK_SECONDS, connections=50, script=uncached_script("/"))
        with gunicorn(database_url, workers=None, NEWSROOM_PAGE_CACHE_SECONDS="0", **UNTHROTTLED) as base:
            default["/ cold (no cache at all)"] = wrk(base + "/", seconds=SECONDS)
    table("1 worker", single)
    table(f"default workers ({os.cpu_count()} cores × 2 + 1)", default)
    print("\nscaling, default workers ÷ 1 worker:")
    for name in single:
        print(f"  {name:30} {default[name]['rps'] / single[name]['rps']:6.2f}")
    print(
        f"\n{SOAK_SECONDS} s at 50 connections on `/` (page cache missed): {soak['requests']} requests, "
        f"{soak['rps']:.0f} req/s, p50 {soak['p50']:.1f} ms, p99 {soak['p99']:.1f} ms, "
        f"{soak['errors']} errors"
    )
    assert soak["errors"] == 0
    assert all(run["errors"] == 0 for run in [*single.values(), *default.values()])
