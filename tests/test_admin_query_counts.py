"""The admin lists editors work in all day cost the same number of queries for 3 rows or 15."""

import pytest

from stories.services.merge import merge

from .admin_personas import member
from .factories import AppearanceFactory, CandidateFactory, ClaimFactory, EntryFactory, StoryFactory


def fill(size, by):
    for _ in range(size):
        story, claim = StoryFactory(), ClaimFactory(reviewed_by=by)
        AppearanceFactory(claim=claim, story=story)
        merge(StoryFactory(), story, by, "copy")
        EntryFactory(claims=[claim])
        CandidateFactory()


@pytest.fixture
def ed(client, db):
    user = member("Editors", "ed")
    client.force_login(user)
    return user


@pytest.mark.parametrize("size", [3, 15])
def test_the_story_list_costs_the_same_queries_for_any_number_of_rows(
    client, ed, size, django_assert_num_queries
):
    fill(size, ed)
    # session, user, the user's permissions, the group's permissions, the sources of the source
    # filter, the count of the filtered rows, the count of all rows, the page of stories with
    # their sources and canonical stories (one join), the date range and the years of the date
    # hierarchy.
    with django_assert_num_queries(10):
        response = client.get("/admin/stories/story/")
    assert len(response.context["cl"].result_list) == 4 * size  # canonical stories, copies, queue pairs


@pytest.mark.parametrize("size", [3, 15])
def test_the_claim_list_costs_the_same_queries_for_any_number_of_rows(
    client, ed, size, django_assert_num_queries
):
    fill(size, ed)
    # session, user, the user's permissions, the group's permissions, the tags of the tag filter,
    # the two counts, the page of claims with their reviewer and independent sources (a subquery).
    with django_assert_num_queries(8):
        response = client.get("/admin/stories/claim/")
    assert [c.independent_sources for c in response.context["cl"].result_list] == [1] * size


@pytest.mark.parametrize("size", [3, 15])
def test_the_entry_list_and_the_queue_cost_the_same_queries_for_any_number_of_rows(
    client, ed, size, django_assert_num_queries
):
    fill(size, ed)
    # session, user, two permission reads, the timelines of the filter, two counts, the page of
    # entries with whether each is publishable (an EXISTS subquery).
    with django_assert_num_queries(8):
        assert len(client.get("/admin/stories/timelineentry/").context["cl"].result_list) == size
    # session, user, two permission reads, two counts, the page of pairs with both stories and sources.
    with django_assert_num_queries(7):
        assert len(client.get("/admin/stories/duplicatecandidate/").context["cl"].result_list) == size
