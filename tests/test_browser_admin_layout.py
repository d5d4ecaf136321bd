"""The admin's layout at the widths editors use (768, 1280, 1440 and 1920 px), in Debian's chromium:
no action button lies under another element, and no page or list is wider than the window."""

import pytest
from django.core.management import call_command

from stories.models import Evidence, MergeRecord, Source, Story, TimelineEntry
from stories.services.candidates import merge_stories

from .admin_personas import PASSWORD, member
from .factories import AppearanceFactory, ClaimFactory, EntryFactory, StoryFactory

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = [1280, 1440, 1920, 768]
LONG_URL = (
    "https://www.example-agency.org/en/news/2026/05/29/japan-to-dispatch-four-self-defense-force-"
    "officers-to-nato-security-assistance-and-training-for-ukraine-command-in-wiesbaden-germany"
    "?utm_source=partner-feed&utm_medium=syndication&utm_campaign=nsatu-coverage"
)

# Whether the element's centre shows the element itself (or something inside it), after
# scrolling it into the middle of the window: what a click there would reach. A link wrapped
# over several lines is taken at the centre of its first line.
ON_TOP = """el => {
    el.scrollIntoView({block: "center", inline: "center"});
    const box = el.getClientRects()[0];
    const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
    if (hit === el || el.contains(hit)) return null;
    return hit ? `${hit.tagName.toLowerCase()}.${[...hit.classList].join(".")}` : "nothing";
}"""

# Everything wider than it may be: the page itself, and any box that scrolls sideways
# (Django's result list scrolls inside .results instead of widening the page).
OVERFLOW = """() => {
    const found = [];
    const root = document.documentElement;
    if (root.scrollWidth > window.innerWidth) found.push(`page ${root.scrollWidth}px`);
    for (const el of document.querySelectorAll("#content *")) {
        if (["TEXTAREA", "INPUT", "SELECT"].includes(el.tagName)) continue;
        const x = getComputedStyle(el).overflowX;
        if ((x === "auto" || x === "scroll") && el.scrollWidth > el.clientWidth + 1) {
            const name = `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}`;
            found.push(`${name} ${el.scrollWidth}px in ${el.clientWidth}px`);
        }
    }
    return found;
}"""


# The object tools (History, View on site) lying over a banner of the page (merged, copies merged,
# publication), even where the banner has no button under them.
OVER_BANNERS = r"""() => {
    const overlap = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    const found = [];
    for (const tool of document.querySelectorAll(".object-tools a")) {
        for (const banner of document.querySelectorAll("#content ul.messagelist li")) {
            if (overlap(tool.getBoundingClientRect(), banner.getBoundingClientRect())) {
                const text = banner.textContent.replace(/\s+/g, " ").trim().slice(0, 40);
                found.push(`${tool.textContent.trim()} lies over the banner “${text}…”`);
            }
        }
    }
    return found;
}"""


@pytest.fixture
def desk():
    """The demo coverage, a chief editor, and the long titles, names, quotes and addresses real
    coverage brings: a publishable entry, a merged pair, a claim with a long quote and evidence."""
    call_command("loaddata", "deployment", verbosity=0)
    chief = member("Chief editors", "chief")
    source = Source.objects.create(
        name="SHAPE (NATO Allied Command Operations), Supreme Headquarters Allied Powers Europe",
        slug="shape-long",
    )
    canonical = StoryFactory(
        source=source,
        title="NATO Security Assistance and Training for Ukraine (NSATU) welcomes the first "
        "officers from Japan's Self-Defense Forces to its headquarters in Wiesbaden, Germany",
        url=LONG_URL,
    )
    copy = StoryFactory(source=source, title=canonical.title + " (syndicated copy)", url=LONG_URL + "&copy=1")
    merge_stories(canonical, [canonical, copy], by=chief, reason="The same dispatch, syndicated.")
    claim = ClaimFactory(
        text="Japan will send four Self-Defense Force officers to NATO's NSATU command in Wiesbaden, "
        "Germany, the first time it takes part in a NATO command structure for Ukraine."
    )
    AppearanceFactory(claim=claim, story=canonical, quote=LONG_URL)
    Evidence.objects.create(claim=claim, url=LONG_URL, publisher=source.name, title=canonical.title)
    entry = EntryFactory(
        title="Japan's Defence Ministry names the four officers going to NSATU in Wiesbaden", claims=[claim]
    )
    assert TimelineEntry.objects.publishable().filter(pk=entry.pk, is_published=False).exists()
    merged = Story.objects.get(pk=6)  # the demo's syndicated NextFin copy, merged into story 5
    assert merged.merged_into_id == 5 and MergeRecord.objects.active().filter(duplicate=merged).exists()
    return {"entry": entry, "claim": claim, "canonical": canonical, "copy": copy, "merged": merged}


def log_in(page, live_server):
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/admin/"), page.url


SAVE = "input[type=submit][name=_save]"
PUBLISH = 'input[type=submit][value="Publish"]'
UNDO = 'input[type=submit][value="Undo this merge"]'
DECIDE = ".decide input[type=submit]"  # merge into the left, merge into the right, dismiss


def pages(data):
    """(address, selectors of the controls that must be clickable)."""
    return [
        (f"/admin/stories/timelineentry/{data['entry'].pk}/change/", [PUBLISH, SAVE]),
        ("/admin/stories/timelineentry/9/change/", [PUBLISH, SAVE]),  # waiting for a verdict
        (f"/admin/stories/story/{data['merged'].pk}/change/", [f"#merged-banner {UNDO}", SAVE]),
        (f"/admin/stories/story/{data['copy'].pk}/change/", [f"#merged-banner {UNDO}", SAVE]),
        ("/admin/stories/story/5/change/", ["#copies-banner a", SAVE]),
        (f"/admin/stories/story/{data['canonical'].pk}/change/", ["#copies-banner a", SAVE]),
        ("/admin/stories/mergerecord/1/change/", [UNDO]),
        ("/admin/stories/duplicatecandidate/", ["#result_list a.button"]),
        ("/admin/stories/duplicatecandidate/1/compare/", [DECIDE]),
        ("/admin/stories/story/", ["#result_list tbody a"]),
        ("/admin/stories/claim/", ["#result_list tbody a"]),
        ("/admin/stories/timelineentry/", ["#result_list tbody a"]),
        ("/admin/stories/mergerecord/", ["#result_list tbody a"]),
        (f"/admin/stories/claim/{data['claim'].pk}/change/", [SAVE]),
        ("/admin/stories/claim/2/change/", [SAVE]),
        ("/admin/", ["#worklist a"]),
    ]


@pytest.mark.parametrize("width", WIDTHS)
def test_every_action_can_be_clicked_and_nothing_is_wider_than_the_window(
    live_server, page, screenshot_dir, desk, width
):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server)
    problems = []
    for address, selectors in pages(desk):
        page.goto(live_server.url + address)
        assert page.locator("#content").count(), f"{address} did not open"
        for selector in selectors:
            controls = page.locator(selector).all()
            if not controls:
                problems.append(f"{address}: no {selector}")
            for control in controls:
                covered_by = control.evaluate(ON_TOP)
                if covered_by:
                    label = control.get_attribute("value") or control.inner_text()
                    problems.append(f"{address}: “{label.strip()[:40]}” ({selector}) is under {covered_by}")
        problems += [f"{address}: {overlap}" for overlap in page.evaluate(OVER_BANNERS)]
        if width >= 1280:
            problems += [f"{address}: {too_wide}" for too_wide in page.evaluate(OVERFLOW)]
    page.goto(live_server.url + "/admin/")
    page.screenshot(path=screenshot_dir / f"admin-layout-{width}-dashboard.png")
    page.goto(f"{live_server.url}/admin/stories/story/{desk['canonical'].pk}/change/")
    page.screenshot(path=screenshot_dir / f"admin-layout-{width}-story.png")
    assert problems == [], f"at {width} px:\n" + "\n".join(problems)


@pytest.mark.parametrize("width", [1280, 1440, 1920])
def test_list_columns_are_readable(live_server, page, desk, width):
    """The main column of each list gets room to be read (titles wrap instead of squeezing), and
    long values are cut to a few lines with the whole text a hover away."""
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server)
    for address, column in [
        ("/admin/stories/story/", "title"),
        ("/admin/stories/claim/", "text"),
        ("/admin/stories/timelineentry/", "title"),
    ]:
        page.goto(live_server.url + address)
        header = page.locator(f"#result_list thead th.column-{column}")
        assert header.bounding_box()["width"] >= 200, f"{address}: the {column} column is squeezed"
    page.goto(live_server.url + "/admin/stories/story/")
    row = page.locator("#result_list tbody tr", has_text=desk["copy"].title)
    merged_into = row.locator("td.field-merged_into_clipped [title]")
    assert merged_into.get_attribute("title") == desk["canonical"].title
