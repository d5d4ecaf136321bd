"""The queue "repeats a checked claim" and the story page's repeats, in the admin."""

from importlib import import_module

import pytest
from django.apps import apps

from matching.models import ClaimMatch
from stories.models import ClaimAppearance, Verdict

from .admin_personas import desk_groups, member
from .factories import ClaimFactory, StoryFactory

QUEUE = "/admin/matching/claimmatch/"
permissions_migration = import_module("matching.migrations.0002_desk_permissions")

BODY = (
    "Tokyo confirmed the plan on Tuesday. Reports say Japan is to send four officers to a NATO command "
    "near Wiesbaden. The opposition asked for a debate."
)
SENTENCE = "Reports say Japan is to send four officers to a NATO command near Wiesbaden."


@pytest.fixture
def ed(client, db):
    desk_groups()
    permissions_migration.add_to_groups(apps)  # as the migration does, should a test have reset the groups
    user = member("Editors", "ed")
    client.force_login(user)
    return user


def make_match(story=None, claim=None, score=0.8, **fields):
    story = story or StoryFactory(title="Japan to send officers", body=BODY)
    claim = claim or ClaimFactory(text="Japan will send four officers to the NATO command in Wiesbaden.")
    start = story.body.index(SENTENCE)
    return ClaimMatch.objects.create(
        story=story,
        claim=claim,
        field="body",
        start=start,
        end=start + len(SENTENCE),
        sentence=SENTENCE,
        score=score,
        method=ClaimMatch.Method.LEXICAL,
        language="en",
        claim_language="en",
        **fields,
    )


def test_editors_may_work_the_queue_after_the_migration(db):
    groups = desk_groups()
    permissions_migration.add_to_groups(apps)
    codenames = set(groups["Editors"].permissions.values_list("codename", flat=True))
    assert {"view_claimmatch", "change_claimmatch"} <= codenames


def test_the_queue_shows_pending_repeats_with_the_sentence_highlighted_and_the_verdict(client, ed):
    match = make_match()
    make_match(story=StoryFactory(body=BODY), state=ClaimMatch.State.DISMISSED)
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [match]
    page = response.content.decode()
    assert "Repeats a checked claim" in page
    assert f"<mark>{SENTENCE}</mark>" in page
    assert "Tokyo confirmed the plan on Tuesday." in page  # the text around it
    assert match.claim.text in page and Verdict(match.claim.verdict).label in page


def test_the_review_page_highlights_the_sentence_in_the_whole_text(client, ed):
    match = make_match()
    response = client.get(f"{QUEUE}{match.pk}/review/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"<mark>{SENTENCE}</mark> The opposition asked for a debate." in page
    assert "Accept: tag the claim with this sentence" in page


def test_markup_in_a_story_is_escaped_around_the_highlight(client, ed):
    story = StoryFactory(body="<b>bold</b> words. " + SENTENCE)
    match = make_match(story=story)
    page = client.get(f"{QUEUE}{match.pk}/review/").content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "<b>bold</b>" not in page


def test_accepting_from_the_review_page_tags_the_claim_with_the_sentence(client, ed):
    match = make_match()
    response = client.post(f"{QUEUE}{match.pk}/review/", {"decision": "accept"})
    assert response.status_code == 302
    match.refresh_from_db()
    assert (match.state, match.decided_by) == (ClaimMatch.State.ACCEPTED, ed)
    assert ClaimAppearance.objects.get(story=match.story, claim=match.claim).quote == SENTENCE


def test_dismissing_from_the_review_page_leaves_the_story_untagged(client, ed):
    match = make_match()
    client.post(f"{QUEUE}{match.pk}/review/", {"decision": "dismiss"})
    match.refresh_from_db()
    assert match.state == ClaimMatch.State.DISMISSED and not ClaimAppearance.objects.exists()


def test_repeats_are_accepted_or_dismissed_in_bulk(client, ed):
    one, two = make_match(), make_match(story=StoryFactory(body=BODY))
    three = make_match(story=StoryFactory(body=BODY))
    client.post(QUEUE, {"action": "accept_selected", "_selected_action": [one.pk, two.pk]})
    client.post(QUEUE, {"action": "dismiss_selected", "_selected_action": [three.pk]})
    states = dict(ClaimMatch.objects.values_list("pk", "state"))
    assert states == {one.pk: "accepted", two.pk: "accepted", three.pk: "dismissed"}
    assert ClaimAppearance.objects.count() == 2


def test_a_reader_without_the_permission_cannot_decide(client, db):
    match = make_match()
    reader = member("Editors", "reader")
    reader.groups.clear()
    client.force_login(reader)
    assert client.post(f"{QUEUE}{match.pk}/review/", {"decision": "accept"}).status_code == 403
    assert not ClaimAppearance.objects.exists()


def test_the_story_page_lists_its_repeats_with_the_sentence_highlighted(client, ed):
    match = make_match()
    page = client.get(f"/admin/stories/story/{match.story.pk}/change/").content.decode()
    assert "repeats of checked claims" in page.lower()
    assert f"<mark>{SENTENCE}</mark>" in page and match.claim.text in page


def test_saving_a_story_form_needs_nothing_of_its_repeats(client, ed):
    match = make_match()
    change = client.get(f"/admin/stories/story/{match.story.pk}/change/").content.decode()
    assert "claim_matches-TOTAL_FORMS" in change
    assert "claim_matches-TOTAL_FORMS" not in client.get("/admin/stories/story/add/").content.decode()
