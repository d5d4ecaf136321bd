"""Security headers, the Content-Security-Policy, admin login lockout, deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.urls import path, reverse

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "k3y-" + "8fQz1Lr0pW5tYv9Xc2Bn7Md4Hs6Ja" * 2,
    "DJANGO_ALLOWED_HOSTS": "news.example.org",
    "DJANGO_SECURE_PROXY_SSL_HEADER": "1",
    "DJANGO_SECURE_SSL_REDIRECT": "1",
    "DJANGO_SECURE_COOKIES": "1",
    "DJANGO_SECURE_HSTS_SECONDS": "31536000",
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "DJANGO_SECURE_HSTS_PRELOAD": "1",
}


def test_public_pages_send_the_security_headers(client):
    response = client.get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "unsafe-eval" not in policy and "unsafe-inline" not in policy


@pytest.mark.parametrize("address", ["/admin/login/", "/admin/does-not-exist/", "/api/docs/"])
def test_only_the_admin_and_the_api_docs_allow_inline_style_which_they_write(client, address):
    policy = client.get(address)["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "script-src 'self';" in policy or policy.endswith("script-src 'self'")


urlpatterns = [path("plain/", lambda request: HttpResponse("plain"))]


def test_a_site_without_the_admin_still_gets_the_strict_policy(client, settings):
    settings.ROOT_URLCONF = __name__
    response = client.get("/plain/")
    assert response.status_code == 200
    assert "style-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_check_deploy_is_clean_with_the_documented_production_environment():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(PRODUCTION_ENV)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_repeated_failed_admin_logins_lock_the_account_out(client, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    user = get_user_model().objects.create_user("chief", password="right-horse-battery", is_staff=True)
    login = reverse("admin:login")
    for _ in range(3):
        response = client.post(login, {"username": "chief", "password": "wrong"})
        assert response.status_code in (200, 429)
    locked = client.post(login, {"username": "chief", "password": "right-horse-battery"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another user from the same address is not locked out.
    get_user_model().objects.create_user("other", password="other-horse-battery", is_staff=True)
    ok = client.post(login, {"username": "other", "password": "other-horse-battery"})
    assert ok.status_code == 302
    assert user.pk != int(client.session["_auth_user_id"])


def test_a_correct_admin_login_works_with_the_lockout_on(client, settings):
    settings.AXES_ENABLED = True
    get_user_model().objects.create_user("editor", password="right-horse-battery", is_staff=True)
    response = client.post(reverse("admin:login"), {"username": "editor", "password": "right-horse-battery"})
    assert response.status_code == 302


def test_non_staff_users_cannot_reach_the_admin(client):
    user = get_user_model().objects.create_user("reader", password="x")
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
