"""Production faults: the database going away and coming back, a gunicorn worker killed.

These start gunicorn with production settings on loopback, against a PostgreSQL database reached
through a small TCP relay run by the test: closing the relay is the database going down."""

import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid

import psycopg
import pytest

from tests.perf.server import free_port, gunicorn, gunicorn_process, manage, production_env

PG = "postgres://postgres@127.0.0.1:5432/"


def postgres_answers():
    try:
        psycopg.connect(PG + "postgres", connect_timeout=2).close()
        return True
    except psycopg.Error:
        return False


pytestmark = pytest.mark.skipif(
    not postgres_answers(), reason="needs the PostgreSQL server at 127.0.0.1:5432"
)


class Relay:
    """Forwards a loopback port to PostgreSQL; down() refuses and cuts every connection."""

    def __init__(self, target=("127.0.0.1", 5432)):
        self.target, self.port = target, free_port()
        self.listener, self.pairs, self.lock = None, [], threading.Lock()

    def up(self):
        self.listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def down(self):
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        except OSError:
            pass
        self.listener.close()
        with self.lock:
            for sock in self.pairs:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self.pairs.clear()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            with self.lock:
                self.pairs += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.close()
                except OSError:
                    pass


@pytest.fixture(scope="module")
def database():
    name = f"newsroom_faults_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG + "postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env = production_env(PG + name)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "loaddata", "deployment", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    yield name
    with psycopg.connect(PG + "postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for(predicate, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_database_outage_gives_friendly_503s_and_the_site_recovers(database):
    relay = Relay()
    relay.up()
    with gunicorn(f"postgres://postgres@127.0.0.1:{relay.port}/{database}", workers=2) as base:
        assert get(base + "/")[0] == 200
        relay.down()
        status, body = get(base + "/healthz")
        assert status == 503 and "database unavailable" in body
        for path in ["/", "/stories/", "/claims/"]:
            status, body = get(base + path)
            assert status == 503, path
            assert "temporarily unavailable" in body and "Traceback" not in body
        assert get(base + "/healthz")[0] == 503
        relay.up()
        assert wait_for(lambda: get(base + "/healthz")[0] == 200), "the site did not recover"
        status, body = get(base + "/")
        assert status == 200 and "Japan to send four officers to NSATU" in body
    relay.down()


def worker_pids(master_pid):
    out = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True).stdout
    return {int(pid) for pid in out.split()}


def test_a_killed_worker_is_replaced_and_only_the_request_in_flight_can_fail(database):
    database_url = PG + database
    with gunicorn_process(database_url, workers=2) as (base, process):
        master = process.pid
        before = worker_pids(master)
        assert len(before) == 2
        results, stop = [], threading.Event()

        def client():
            while not stop.is_set():
                try:
                    results.append(get(base + "/stories/")[0])
                except OSError:
                    results.append("error")

        thread = threading.Thread(target=client)
        thread.start()
        time.sleep(1)
        victim = sorted(before)[0]
        os.kill(victim, signal.SIGKILL)
        assert wait_for(lambda: len(worker_pids(master)) == 2 and victim not in worker_pids(master))
        time.sleep(1)
        stop.set()
        thread.join(20)
    failures = [r for r in results if r != 200]
    assert len(results) > 20
    assert len(failures) <= 1, failures
