"""The site and the admin work under the Content-Security-Policy: no violation in a real browser."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SITE = ["/", "/stories/", "/claims/", "/sources/", "/search/?q=officers", "/how-we-verify/", "/api/docs/"]
ADMIN = [
    "/admin/",
    "/admin/stories/story/",
    "/admin/stories/story/5/change/",
    "/admin/stories/claim/",
    "/admin/stories/claim/2/change/",
    "/admin/stories/timelineentry/",
    "/admin/stories/timelineentry/add/",
]


def visit(page, url):
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    return response, violations


@pytest.fixture
def demo():
    call_command("loaddata", "deployment", verbosity=0)


@pytest.mark.parametrize("path", SITE)
def test_site_pages_raise_no_csp_violation(live_server, page, demo, path):
    response, violations = visit(page, live_server.url + path)
    assert response.status == 200
    assert violations == []


def test_admin_pages_raise_no_csp_violation(live_server, page, demo):
    get_user_model().objects.create_superuser("chief", password="right-horse-battery")
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", "right-horse-battery")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    for path in ADMIN:
        response, violations = visit(page, live_server.url + path)
        assert response.status == 200, path
        assert violations == [], (path, violations)
