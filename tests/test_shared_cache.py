"""Two app servers sharing Redis: pages are cached in Redis, and a save seen through one server
is seen through the other at once."""

import subprocess
import sys
import urllib.request

import pytest
import redis

from tests.perf.server import ROOT, gunicorn, prepared_database, production_env

REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_answers():
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        return False


pytestmark = pytest.mark.skipif(not redis_answers(), reason="needs the Redis server at 127.0.0.1:6379")


def page(url):
    # Both servers stand behind one public name, as behind a load balancer.
    request = urllib.request.Request(url, headers={"Host": "localhost"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode()


def test_two_servers_share_the_cache_and_see_a_save_at_once():
    store = redis.Redis.from_url(REDIS_URL)
    store.flushdb()
    with prepared_database(stories=0, claims=0, entries=0) as database_url:
        with (
            gunicorn(database_url, workers=1, REDIS_URL=REDIS_URL) as one,
            gunicorn(database_url, workers=1, REDIS_URL=REDIS_URL) as two,
        ):
            assert "Japan to send four officers to NSATU" in page(one + "/")
            assert any(b"page:" in key for key in store.keys("*")), "the page was not cached in Redis"
            assert page(two + "/") == page(one + "/")

            rename = (
                "import django; django.setup();"
                "from stories.models import TimelineEntry;"
                "e = TimelineEntry.objects.get(title='Japan to send four officers to NSATU');"
                "e.title = 'Four SDF officers to join NSATU'; e.save()"
            )
            env = production_env(database_url)
            subprocess.run([sys.executable, "-c", rename], cwd=ROOT, env=env, check=True)

            for base in (two, one):
                body = page(base + "/")
                assert "Four SDF officers to join NSATU" in body
                assert "Japan to send four officers to NSATU" not in body
    store.flushdb()
