"""An editor and a chief editor in a real browser (Debian's chromium via playwright), from the
demo coverage to a published timeline entry, without leaving the admin."""

import re

import pytest
from django.core.management import call_command

from stories.models import Claim, MergeRecord, Story, TimelineEntry, Verdict

from .admin_personas import PASSWORD, member

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo():
    call_command("loaddata", "deployment", verbosity=0)


def log_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state()


def success_message(page):
    page.wait_for_load_state()
    if not page.locator("ul.messagelist li.success").count():
        page.screenshot(path="/tmp/failed.png", full_page=True)
    return page.locator("ul.messagelist li.success").first.inner_text(timeout=5000)


def test_an_editor_takes_the_coverage_to_a_published_timeline_entry(live_server, page, screenshot_dir, demo):
    member("Editors", "editor")
    member("Chief editors", "chief")
    blocked = []  # anything the Content-Security-Policy refused on these pages
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    log_in(page, live_server, "editor")
    assert page.locator("#worklist").is_visible()
    page.screenshot(path=screenshot_dir / "admin-dashboard.png", full_page=True)

    # The duplicate queue: compare the pending pair, merge it into the left story.
    page.get_by_role("link", name="Pending duplicates").click()
    page.get_by_role("link", name="Compare and decide").first.click()
    assert page.locator("del.diff, ins.diff").count() > 0
    page.screenshot(path=screenshot_dir / "admin-compare.png", full_page=True)
    page.get_by_role("button", name="Merge into the left story").click()
    assert success_message(page).startswith("Merged:")
    left, right = Story.objects.get(pk=4), Story.objects.get(pk=7)
    assert right.merged_into == left and left.merged_into is None
    page.screenshot(path=screenshot_dir / "admin-merged.png", full_page=True)

    # Undo it from the merge record.
    page.get_by_role("link", name="Undo it from the merge record").click()
    page.get_by_role("button", name="Undo this merge").click()
    assert success_message(page).startswith("Undone:")
    assert Story.objects.get(pk=7).merged_into is None
    assert MergeRecord.objects.get(duplicate_id=7).undone_by.username == "editor"
    page.screenshot(path=screenshot_dir / "admin-undone.png", full_page=True)

    # Tag a claim from a quote of the story's summary, creating the claim in the same step.
    story = Story.objects.get(pk=11)
    quote = " ".join(story.summary.split()[:8])
    page.goto(f"{live_server.url}/admin/stories/story/{story.pk}/change/")
    page.get_by_role("link", name="Tag a claim").click()
    page.fill("#id_quote", quote)
    page.fill("#id_text", "Caliber.az reports that four SDF officers are going to NSATU.")
    page.screenshot(path=screenshot_dir / "admin-tag-claim.png", full_page=True)
    page.get_by_role("button", name="Tag the claim").click()
    assert success_message(page).startswith("Tagged the claim")
    claim = Claim.objects.get(text__startswith="Caliber.az reports")
    assert claim.appearances.get().story == story

    # A new timeline entry resting on that claim, picked by autocomplete.
    page.goto(live_server.url + "/admin/stories/timelineentry/add/")
    page.fill("#id_date", "2026-05-30")
    page.fill("#id_title", "Regional press relays the dispatch")
    page.locator(".field-claims .select2-selection").click()
    page.keyboard.type("Caliber.az reports")
    page.locator(".select2-results__option", has_text="Caliber.az reports").click()
    page.get_by_role("button", name="Save and continue editing").click()
    assert "was added successfully" in success_message(page)
    entry = TimelineEntry.objects.get(title="Regional press relays the dispatch")
    assert list(entry.claims.all()) == [claim]
    assert "Publish" not in [b.get_attribute("value") for b in page.locator("input[type=submit]").all()]

    # The verdict, with its explanation for readers, proposed by the editor...
    page.goto(f"{live_server.url}/admin/stories/claim/{claim.pk}/change/")
    page.get_by_label("Accurate", exact=True).check()
    explanation = "The Defence Ministry's release of 29 May 2026 names four officers."
    page.fill("#id_proposed_explanation", explanation)
    page.get_by_role("button", name="Save and continue editing").click()
    assert "was changed successfully" in success_message(page)
    claim.refresh_from_db()
    assert claim.verdict == Verdict.UNREVIEWED and claim.reviews.pending().exists()
    assert page.get_by_role("button", name="Approve this verdict").count() == 0
    page.screenshot(path=screenshot_dir / "admin-verdict.png", full_page=True)

    # ...and approved by a second editor, the chief, who then publishes the entry.
    log_in(page, live_server, "chief")
    page.goto(f"{live_server.url}/admin/stories/claim/{claim.pk}/change/")
    page.get_by_role("button", name="Approve this verdict").click()
    assert "is now accurate for readers" in success_message(page)
    claim.refresh_from_db()
    assert claim.verdict == Verdict.ACCURATE and claim.reviewed_by.username == "chief"
    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("link", name="Entries ready to publish").click()
    page.get_by_role("link", name="Regional press relays the dispatch").click()
    page.get_by_role("button", name="Publish", exact=True).click()
    assert success_message(page) == "Published “Regional press relays the dispatch” on the timeline."
    page.screenshot(path=screenshot_dir / "admin-published.png", full_page=True)
    entry.refresh_from_db()
    assert entry.is_published and entry.published_by.username == "chief"

    page.goto(live_server.url + "/")
    assert re.search("Regional press relays the dispatch", page.content())
    assert blocked == []
