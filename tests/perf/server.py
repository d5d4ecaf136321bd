"""Start Newsroom under gunicorn with production settings on loopback, and measure it with wrk."""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(database_url, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DJANGO_SECRET_KEY="bench-only-" + "x" * 40,
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        DJANGO_LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


@contextmanager
def prepared_database(stories=1000, claims=200, entries=30):
    """A fresh SQLite file holding the demo data and a generated data set; yields its URL.
    NEWSROOM_BENCH_DATABASE_URL names another (scratch!) database to use instead: it is flushed."""
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("NEWSROOM_BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
        env = production_env(url)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "flush", "--noinput", "-v0")
        manage(env, "loaddata", "deployment", "-v0")
        code = (
            "import django; django.setup(); from tests.perf.dataset import build; "
            f"build({stories}, {claims}, {entries})"
        )
        subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=env, check=True)
        manage(env, "collectstatic", "--noinput", "-v0")
        yield url


@contextmanager
def gunicorn(database_url, workers=2, **extra_env):
    """gunicorn with the project's gunicorn.conf.py on a free loopback port; yields its base URL.
    workers=None keeps the configuration's default (two per core, plus one)."""
    with gunicorn_process(database_url, workers, **extra_env) as (base, _process):
        yield base


@contextmanager
def gunicorn_process(database_url, workers=2, **extra_env):
    """The same, yielding (base URL, the master process)."""
    port = free_port()
    env = production_env(database_url, NEWSROOM_BIND=f"127.0.0.1:{port}", NEWSROOM_ACCESS_LOG="", **extra_env)
    if workers is not None:
        env["WEB_CONCURRENCY"] = str(workers)
    command = [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield base, process
    finally:
        process.terminate()
        process.wait(10)


def require_wrk():
    if not shutil.which("wrk"):
        import pytest

        pytest.skip("wrk is not installed (apt-get install wrk): benchmark skipped")


def wrk(url, seconds=5, connections=16, threads=2, headers=(), script=None):
    """Run wrk against a loopback URL; return requests/s, p50 and p99 in ms, and errors."""
    assert url.startswith("http://127.0.0.1:"), "benchmarks only load this machine's loopback"
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    for header in headers:
        command += ["-H", header]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script or "")
    if script:
        command += ["-s", lua.name]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    os.unlink(lua.name)

    def latency(pct):
        value, unit = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency(50),
        "p99": latency(99),
        "errors": errors + (int(non_2xx.group(1)) if non_2xx else 0),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
    }


def uncached_script(path):
    """A wrk script giving every request a different, unknown query parameter: the page cache
    never keeps such an answer, so each one is built."""
    return f'request = function() return wrk.format(nil, "{path}?n=" .. math.random(1, 1000000000)) end\n'
