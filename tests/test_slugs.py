import pytest

from stories.models import Story
from stories.text import unique_slug

from .factories import StoryFactory

pytestmark = pytest.mark.django_db


def test_stories_with_the_same_title_get_distinct_slugs(django_assert_num_queries):
    first = StoryFactory(title="Japan sends officers")
    second = StoryFactory(title="Japan sends officers")
    assert (first.slug, second.slug) == ("japan-sends-officers", "japan-sends-officers-2")
    with django_assert_num_queries(1):
        assert unique_slug(Story, "Japan sends officers") == "japan-sends-officers-3"


def test_a_long_title_is_cut_to_fit_with_its_suffix():
    title = "word " * 60
    slugs = {StoryFactory(title=title).slug for _ in range(3)}
    assert len(slugs) == 3
    assert all(len(slug) <= 100 for slug in slugs)
