"""The API docs page works in a real browser under the site's Content-Security-Policy, with every
asset from this site (no CDN), and lists the API's operations."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_api_docs_render_every_operation_from_local_assets_without_csp_violations(live_server, page):
    violations, requests = [], []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("request", lambda request: requests.append(request.url))
    response = page.goto(live_server.url + "/api/docs/")
    assert response.status == 200
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    paths = set(page.locator(".opblock-summary-path").all_inner_texts())
    assert {"/api/v1/stories/", "/api/v1/claims/", "/api/v1/timeline.json"} <= {p.strip() for p in paths}
    assert violations == []
    assert requests and all(url.startswith(live_server.url) for url in requests), requests
