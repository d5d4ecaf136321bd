"""The live embed in a real browser (Debian's chromium via playwright): a partner's page on another
origin puts the oEmbed answer's iframe in its page; the timeline loads in it with no
Content-Security-Policy violation, refreshes itself with conditional GETs the server answers with
304, and shows a new entry once one is published. The rest of the site refuses to be framed."""

import json
import re
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command

from stories.models import TimelineEntry
from stories.services.timeline import publish_entry

from .factories import ClaimFactory, EntryFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Records every CSP violation in every frame, from before the page's own code runs.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture
def partner():
    """A partner's site on another origin (its own HTTP server on 127.0.0.1): `partner.show(html)`
    serves a page with `html` in its body and gives its address."""
    pages = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    class Partner:
        def show(self, html):
            path = f"/page-{len(pages)}.html"
            head = "<!doctype html><html lang='en'><title>Partner</title>"
            pages[path] = f"{head}<body><h1>Partner</h1>{html}</body></html>"
            return f"http://127.0.0.1:{server.server_address[1]}{path}"

    yield Partner()
    server.shutdown()
    server.server_close()


def csp_messages(page):
    messages = []
    page.on("console", lambda m: messages.append(m.text) if "Content Security Policy" in m.text else None)
    return messages


def test_the_embed_loads_in_another_origins_iframe_and_refreshes_with_304(
    live_server, browser, partner, settings
):
    settings.NEWSROOM_EMBED_REFRESH_SECONDS = 1
    call_command("loaddata", "deployment", verbosity=0)
    site = live_server.url.replace("localhost", "127.0.0.1")
    with urllib.request.urlopen(f"{site}/oembed?url={site}/&format=json") as answer:
        iframe = json.load(answer)["html"]
    assert site.split(":")[-1] not in partner.show("")  # another port: another origin

    context = browser.new_context()
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    messages = csp_messages(page)
    statuses = []
    page.on("response", lambda r: statuses.append(r.status) if r.url.endswith("/embed/timeline/") else None)
    page.goto(partner.show(iframe))
    frame = page.frame_locator("iframe")
    frame.locator("#embed-entries li h2").first.wait_for()
    assert frame.locator("#embed-entries > ol > li").count() == TimelineEntry.objects.public().count() > 0

    # Every second the script asks again with the ETag it holds: 304 while nothing changed.
    for _ in range(50):
        if statuses.count(304) >= 2:
            break
        page.wait_for_timeout(200)
    assert statuses[0] == 200 and statuses.count(304) >= 2, statuses

    entry = EntryFactory(title="A milestone published just now", date="2026-12-01", claims=[ClaimFactory()])
    publish_entry(entry, by=UserFactory(username="chief"))
    frame.get_by_text("A milestone published just now").wait_for(timeout=15000)
    assert 200 in statuses[1:]
    assert frame.locator(".status").inner_text().startswith("Updated at")

    embedded = page.frames[1]
    assert embedded.url == f"{site}/embed/timeline/"
    assert embedded.evaluate("window.__violations") == []
    assert page.evaluate("window.__violations") == []
    assert messages == []
    context.close()


def test_the_rest_of_the_site_refuses_to_be_framed(live_server, browser, partner):
    call_command("loaddata", "deployment", verbosity=0)
    site = live_server.url.replace("localhost", "127.0.0.1")
    context = browser.new_context()
    page = context.new_page()
    messages = csp_messages(page)
    page.goto(partner.show(f'<iframe src="{site}/" title="timeline page"></iframe>'))
    page.wait_for_load_state("networkidle")
    assert any(re.search(r"frame-ancestors", m) for m in messages), messages
    blocked = page.frames[1]  # the browser shows its own error page in the frame, nothing of ours
    assert blocked.url != f"{site}/"
    assert "verified timeline" not in blocked.evaluate("document.body ? document.body.innerText : ''")
    context.close()
