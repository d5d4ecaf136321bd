"""The admin login lockout behind the TLS proxy: it counts failures per user name and per client,
the client being the address the trusted proxy reports, so nobody can lock an editor out from
elsewhere, and a client cannot dodge its own lockout by writing X-Forwarded-For itself."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]

PROXY = "10.0.0.2"  # every request reaches the app from the proxy's address
ATTACKER, EDITOR = "203.0.113.7", "198.51.100.20"
PASSWORD = "right-horse-battery"


@pytest.fixture
def lockout(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    get_user_model().objects.create_user("chief", password=PASSWORD, is_staff=True)
    return settings


def log_in(client, password, forwarded_for=None, remote=PROXY):
    """A login through the proxy: it appends the address it got the request from to whatever
    X-Forwarded-For the client sent."""
    extra = {"REMOTE_ADDR": remote}
    if forwarded_for:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    client.cookies.clear()
    return client.post(reverse("admin:login"), {"username": "chief", "password": password}, **extra)


def fail_until_locked(client, forwarded_for, remote=PROXY):
    for _ in range(3):
        assert log_in(client, "wrong", forwarded_for, remote).status_code in (200, 429)
    assert log_in(client, PASSWORD, forwarded_for, remote).status_code == 429


def test_an_attacker_behind_the_proxy_does_not_lock_the_editor_out(client, lockout):
    lockout.NEWSROOM_NUM_PROXIES = 1
    fail_until_locked(client, forwarded_for=ATTACKER)
    assert log_in(client, PASSWORD, forwarded_for=EDITOR).status_code == 302


def test_the_client_cannot_pass_for_someone_else_by_writing_the_header(client, lockout):
    lockout.NEWSROOM_NUM_PROXIES = 1
    # The attacker writes the editor's address; the proxy appends the attacker's own.
    fail_until_locked(client, forwarded_for=f"{EDITOR}, {ATTACKER}")
    assert log_in(client, PASSWORD, forwarded_for=ATTACKER).status_code == 429
    assert log_in(client, PASSWORD, forwarded_for=f"{ATTACKER}, {ATTACKER}").status_code == 429
    assert log_in(client, PASSWORD, forwarded_for=EDITOR).status_code == 302


def test_two_proxies_the_client_is_the_second_address_from_the_right(client, lockout):
    lockout.NEWSROOM_NUM_PROXIES = 2
    fail_until_locked(client, forwarded_for=f"{EDITOR}, {ATTACKER}, 10.0.0.1")
    assert log_in(client, PASSWORD, forwarded_for=f"{EDITOR}, 10.0.0.1").status_code == 302


def test_without_proxies_the_header_is_ignored(client, lockout):
    lockout.NEWSROOM_NUM_PROXIES = 0
    for number in range(3):  # a fresh made-up address each time does not help
        log_in(client, "wrong", forwarded_for=f"192.0.2.{number}", remote=ATTACKER)
    assert log_in(client, PASSWORD, forwarded_for="192.0.2.99", remote=ATTACKER).status_code == 429
    assert log_in(client, PASSWORD, remote=EDITOR).status_code == 302


def test_the_proxy_count_comes_from_the_environment_as_for_the_api():
    env = {**os.environ, "DJANGO_NUM_PROXIES": "2", "DJANGO_SETTINGS_MODULE": "newsroom.settings"}
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.NEWSROOM_NUM_PROXIES, s.REST_FRAMEWORK['NUM_PROXIES'], s.AXES_CLIENT_IP_CALLABLE.__name__)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.stdout.split() == ["2", "2", "client_address"], result.stderr
