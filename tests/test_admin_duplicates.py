"""The duplicate queue, merging from the story list, the merge banners and undo, in the admin."""

import pytest

from stories.admin.diff import side_by_side
from stories.models import DuplicateCandidate, MergeRecord, Story
from stories.services.merge import merge

from .admin_personas import member
from .factories import CandidateFactory, StoryFactory

QUEUE = "/admin/stories/duplicatecandidate/"


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def ed(client, db):
    user = member("Editors", "ed")
    client.force_login(user)
    return user


@pytest.fixture
def pair(db):
    left = StoryFactory(
        title="Japan sends officers to NATO", body="Japan will send four officers to Germany."
    )
    right = StoryFactory(
        title="Japan dispatches officers", body="Japan will send 4 officers to Germany soon."
    )
    return CandidateFactory(story_a=left, story_b=right, score=0.92)


def compare_url(candidate):
    return f"{QUEUE}{candidate.pk}/compare/"


def test_the_queue_lists_pending_pairs_best_score_first(client, ed, pair):
    low = CandidateFactory(score=0.61)
    CandidateFactory(score=0.99, state=DuplicateCandidate.State.DISMISSED)
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [pair, low]
    page = response.content.decode()
    assert "Japan sends officers to NATO" in page and "Japan dispatches officers" in page
    assert str(pair.story_a.source) in page and "0.92" in page


def test_decided_pairs_are_one_filter_away(client, ed, pair):
    dismissed = CandidateFactory(state=DuplicateCandidate.State.DISMISSED)
    response = client.get(QUEUE, {"state": "dismissed"})
    assert list(response.context["cl"].result_list) == [dismissed]


def test_the_compare_page_shows_both_texts_with_the_differences_marked(client, ed, pair):
    response = client.get(compare_url(pair))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<del class="diff">four</del>' in page
    assert '<ins class="diff">4</ins>' in page
    assert '<ins class="diff">soon.</ins>' in page or "Germany.</del>" in page
    assert "Merge into the left story" in page and "Dismiss" in page


def test_the_side_by_side_text_is_escaped():
    left, right = side_by_side("<script>alert(1)</script> same", "same <b>bold</b>")
    assert "<script>" not in left and "&lt;script&gt;" in left
    assert "<b>" not in right and "&lt;b&gt;bold&lt;/b&gt;" in right


def test_merge_into_the_left_story_from_the_queue(client, ed, pair):
    response = client.post(compare_url(pair), {"decision": "left"}, follow=True)
    assert response.redirect_chain[-1] == (QUEUE, 302)
    assert any(m.startswith("Merged: “Japan dispatches officers” merged into") for m in messages_of(response))
    assert Story.objects.get(pk=pair.story_b.pk).merged_into == pair.story_a
    pair.refresh_from_db()
    assert pair.state == DuplicateCandidate.State.MERGED and pair.decided_by == ed
    record = MergeRecord.objects.get()
    assert (record.duplicate, record.canonical, record.merged_by, record.score) == (
        pair.story_b,
        pair.story_a,
        ed,
        0.92,
    )
    assert pair not in client.get(QUEUE).context["cl"].result_list


def test_merge_into_the_right_story_from_the_queue(client, ed, pair):
    client.post(compare_url(pair), {"decision": "right"})
    assert Story.objects.get(pk=pair.story_a.pk).merged_into == pair.story_b
    assert Story.objects.get(pk=pair.story_b.pk).merged_into is None


def test_dismissing_a_pair_takes_it_off_the_queue_for_good(client, ed, pair, other_editor):
    response = client.post(compare_url(pair), {"decision": "dismiss"}, follow=True)
    assert "Dismissed: these two are not the same story." in messages_of(response)
    pair.refresh_from_db()
    assert pair.state == DuplicateCandidate.State.DISMISSED and pair.decided_by == ed
    assert pair not in client.get(QUEUE).context["cl"].result_list
    # Dismissed stays dismissed: deciding again is refused, dismissing again changes nothing.
    refused = client.post(compare_url(pair), {"decision": "left"}, follow=True)
    assert any("was already dismissed" in m for m in messages_of(refused))
    assert not MergeRecord.objects.exists()
    client.force_login(other_editor)
    client.post(QUEUE, {"action": "dismiss_selected", "_selected_action": [pair.pk]})
    pair.refresh_from_db()
    assert pair.state == DuplicateCandidate.State.DISMISSED and pair.decided_by == ed


def test_bulk_dismiss_selected_pairs(client, ed, pair):
    other = CandidateFactory(score=0.7)
    response = client.post(
        QUEUE, {"action": "dismiss_selected", "_selected_action": [pair.pk, other.pk]}, follow=True
    )
    assert "2 pairs dismissed." in messages_of(response)
    assert set(DuplicateCandidate.objects.values_list("state", flat=True)) == {"dismissed"}


def test_a_refused_queue_merge_shows_the_reason_and_changes_nothing(client, ed, pair):
    elsewhere = StoryFactory()
    merge(pair.story_b, elsewhere, ed, "copy of another story")
    response = client.post(compare_url(pair), {"decision": "left"}, follow=True)
    assert any("is already merged into" in m for m in messages_of(response))
    pair.refresh_from_db()
    assert pair.state == DuplicateCandidate.State.PENDING
    assert MergeRecord.objects.count() == 1


# Merging from the story list.


def test_the_merge_action_asks_which_story_to_keep_and_why(client, ed, pair):
    ids = [pair.story_a.pk, pair.story_b.pk]
    response = client.post("/admin/stories/story/", {"action": "merge_selected", "_selected_action": ids})
    assert response.status_code == 200
    assert response.templates[0].name == "admin/stories/story/merge_confirmation.html"
    assert 'name="canonical"' in response.content.decode() and 'name="reason"' in response.content.decode()
    assert not MergeRecord.objects.exists()


def test_confirming_the_merge_merges_the_others_into_the_chosen_story(client, ed):
    keep, copy1, copy2 = StoryFactory(), StoryFactory(), StoryFactory()
    response = client.post(
        "/admin/stories/story/",
        {
            "action": "merge_selected",
            "_selected_action": [keep.pk, copy1.pk, copy2.pk],
            "confirm": "yes",
            "canonical": keep.pk,
            "reason": "Same wire copy.",
        },
        follow=True,
    )
    assert f"Merged 2 stories into “{keep}”." in messages_of(response)
    assert set(Story.objects.filter(merged_into=keep)) == {copy1, copy2}
    assert set(MergeRecord.objects.values_list("reason", "merged_by")) == {("Same wire copy.", ed.pk)}


def test_a_merge_without_a_reason_is_refused(client, ed, pair):
    response = client.post(
        "/admin/stories/story/",
        {
            "action": "merge_selected",
            "_selected_action": [pair.story_a.pk, pair.story_b.pk],
            "confirm": "yes",
            "canonical": pair.story_a.pk,
            "reason": "  ",
        },
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not MergeRecord.objects.exists()


def test_a_refused_merge_of_several_stories_writes_nothing(client, ed):
    keep, fresh, merged_elsewhere, elsewhere = StoryFactory(), StoryFactory(), StoryFactory(), StoryFactory()
    merge(merged_elsewhere, elsewhere, ed, "earlier")
    response = client.post(
        "/admin/stories/story/",
        {
            "action": "merge_selected",
            "_selected_action": [keep.pk, fresh.pk, merged_elsewhere.pk],
            "confirm": "yes",
            "canonical": keep.pk,
            "reason": "Same story.",
        },
    )
    assert response.status_code == 200
    assert f"“{merged_elsewhere}” is already merged into “{elsewhere}”" in response.content.decode()
    assert Story.objects.get(pk=fresh.pk).merged_into is None
    assert MergeRecord.objects.count() == 1


def test_merging_a_single_story_asks_for_two(client, ed):
    story = StoryFactory()
    response = client.post(
        "/admin/stories/story/", {"action": "merge_selected", "_selected_action": [story.pk]}, follow=True
    )
    assert "Select at least two stories to merge." in messages_of(response)


# Banners and undo.


def test_a_merged_story_links_to_its_canonical_story_and_the_canonical_lists_its_copies(client, ed, pair):
    merge(pair.story_b, pair.story_a, ed, "same")
    copy_page = client.get(f"/admin/stories/story/{pair.story_b.pk}/change/").content.decode()
    assert 'id="merged-banner"' in copy_page
    assert f'href="/admin/stories/story/{pair.story_a.pk}/change/"' in copy_page
    canonical_page = client.get(f"/admin/stories/story/{pair.story_a.pk}/change/").content.decode()
    assert 'id="copies-banner"' in canonical_page
    assert f'href="/admin/stories/story/{pair.story_b.pk}/change/">{pair.story_b.title}</a>' in canonical_page


def test_undo_from_the_merge_record_restores_the_pair(client, ed, pair):
    client.post(compare_url(pair), {"decision": "left"})
    record = MergeRecord.objects.get()
    assert b"Undo this merge" in client.get(f"/admin/stories/mergerecord/{record.pk}/change/").content
    response = client.post(f"/admin/stories/mergerecord/{record.pk}/undo/", follow=True)
    assert f"Undone: {record}." in messages_of(response)
    record.refresh_from_db()
    pair.refresh_from_db()
    assert record.undone_by == ed
    assert Story.objects.get(pk=pair.story_b.pk).merged_into is None
    assert pair.state == DuplicateCandidate.State.PENDING
    assert pair in client.get(QUEUE).context["cl"].result_list


def test_undo_from_the_story_page_restores_the_pair(client, ed, pair):
    merge(pair.story_b, pair.story_a, ed, "same")
    response = client.post(f"/admin/stories/story/{pair.story_b.pk}/undo-merge/", follow=True)
    assert response.redirect_chain[-1] == (f"/admin/stories/story/{pair.story_b.pk}/change/", 302)
    assert Story.objects.get(pk=pair.story_b.pk).merged_into is None
    assert 'id="merged-banner"' not in response.content.decode()


def test_undoing_twice_shows_the_refusal(client, ed, pair):
    record = merge(pair.story_b, pair.story_a, ed, "same")
    client.post(f"/admin/stories/mergerecord/{record.pk}/undo/")
    response = client.post(f"/admin/stories/mergerecord/{record.pk}/undo/", follow=True)
    assert any(m.startswith("This merge was already undone") for m in messages_of(response))


def test_merge_and_undo_are_in_the_admin_history_with_who_did_them(client, ed, pair):
    client.post(compare_url(pair), {"decision": "left"})
    record = MergeRecord.objects.get()
    client.post(f"/admin/stories/mergerecord/{record.pk}/undo/")
    assert [h.history_user for h in record.history.all()] == [ed, ed]
    story_history = Story.history.filter(id=pair.story_b.pk, history_user=ed)
    assert story_history.count() == 2  # merged, then restored
    page = client.get(f"/admin/stories/mergerecord/{record.pk}/history/").content.decode()
    assert page.count(">ed</a>") == 2  # the "Changed by" column of both rows


def test_past_versions_cannot_be_restored_from_the_history_page(client, ed, pair):
    record = merge(pair.story_b, pair.story_a, ed, "same")
    version = Story.history.filter(id=pair.story_b.pk).earliest("history_date")
    url = f"/admin/stories/story/{pair.story_b.pk}/history/{version.history_id}/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"title": "x"}).status_code == 403
    assert Story.objects.get(pk=pair.story_b.pk).merged_into_id == record.canonical_id
