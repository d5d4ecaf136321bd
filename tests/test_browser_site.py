"""A reader in a real browser (Debian's chromium via playwright), at desktop and phone widths."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def demo():
    call_command("loaddata", "deployment", verbosity=0)


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_reader_follows_the_timeline_to_a_claim_and_a_story(live_server, page, screenshot_dir, demo):
    page.goto(live_server.url + "/")
    entries = page.locator("ol.timeline > li")
    assert entries.count() == 7
    assert "Russia criticises" not in page.content()
    page.screenshot(path=screenshot_dir / "timeline-desktop.png", full_page=True)

    dispatch = page.locator(
        "li", has=page.get_by_role("heading", name="29 May 2026 Japan to send four officers")
    )
    dispatch.get_by_role("link", name="Japan will send four Self-Defense Force personnel").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Japan will send four")
    assert page.locator(".verdict-line .verdict").inner_text().lower() == "accurate"
    assert page.locator('script[type="application/ld+json"]').count() == 1
    page.screenshot(path=screenshot_dir / "claim.png", full_page=True)

    page.get_by_role("link", name="Japan Embeds Military Officers in NATO Ukraine Mission").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Also published at").is_visible()
    assert "Read the original at NextFin" in page.content()
    page.screenshot(path=screenshot_dir / "story.png", full_page=True)


@pytest.mark.parametrize("path", ["/", "/stories/", "/claims/", "/sources/", "/search/?q=officers"])
def test_pages_fit_a_360_pixel_phone_without_horizontal_scroll(
    live_server, browser, screenshot_dir, demo, path
):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True
    )
    phone = context.new_page()
    phone.goto(live_server.url + path)
    assert no_horizontal_scroll(phone), f"{path} scrolls sideways at 360 px"
    if path == "/":
        phone.screenshot(path=screenshot_dir / "timeline-phone.png", full_page=False)
    context.close()


def test_the_skip_link_leads_to_the_main_content(live_server, page, demo):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
