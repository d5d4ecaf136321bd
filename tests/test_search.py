"""Search over public stories and claims: full text on PostgreSQL, a fallback elsewhere."""

import pytest
from django.db import connection
from django.urls import reverse

from stories.models import Claim, EditorialNote, Story, Verdict
from stories.selectors import search_claims, search_stories
from stories.services.search import highlight

from .factories import AppearanceFactory, ClaimFactory, NoteFactory, StoryFactory

pytestmark = pytest.mark.django_db


def test_search_finds_public_stories_by_title_summary_and_body():
    by_title = StoryFactory(title="Officers head to Wiesbaden", body="")
    by_summary = StoryFactory(summary="The command in Wiesbaden coordinates aid.", body="")
    by_body = StoryFactory(body="NSATU sits in Wiesbaden, Germany.")
    StoryFactory(title="Unrelated", body="Nothing about it.")
    assert set(search_stories("wiesbaden")) == {by_title, by_summary, by_body}


def test_search_never_returns_unpublished_or_merged_stories():
    public = StoryFactory(title="Wiesbaden public")
    StoryFactory(title="Wiesbaden draft", status=Story.Status.NEW)
    StoryFactory(title="Wiesbaden copy", merged_into=public)
    assert list(search_stories("wiesbaden")) == [public]


def test_search_finds_only_public_claims():
    shown = AppearanceFactory(claim=ClaimFactory(text="Four officers go to NSATU.")).claim
    AppearanceFactory(claim=ClaimFactory(text="Four officers arrived already.", verdict=Verdict.UNREVIEWED))
    assert list(search_claims("officers")) == [shown]


def test_every_word_must_match():
    both = StoryFactory(title="Japan sends officers", body="")
    StoryFactory(title="Japan alone", body="")
    assert list(search_stories("japan officers")) == [both]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stemming needs PostgreSQL full-text search")
def test_postgresql_search_matches_word_forms_and_ranks_titles_first():
    in_body = StoryFactory(title="A report", body="Japan is deploying liaison officers.")
    in_title = StoryFactory(title="Japan deploys officers", body="")
    assert list(search_stories("deployed")) == [in_title, in_body]


def test_search_page_highlights_matches_and_escapes_text(client):
    StoryFactory(title="<b>Wiesbaden</b> & the officers", summary="They work in Wiesbaden.")
    page = client.get(reverse("stories:search"), {"q": "wiesbaden"}).text
    assert "&lt;b&gt;<mark>Wiesbaden</mark>&lt;/b&gt; &amp; the officers" in page
    assert "They work in <mark>Wiesbaden</mark>." in page


def test_search_page_has_an_empty_state_and_a_no_match_state(client):
    assert "Type a word or two" in client.get(reverse("stories:search")).text
    assert "Nothing matches" in client.get(reverse("stories:search"), {"q": "zzzzqqq"}).text


def test_search_page_never_shows_internal_notes(client):
    story = StoryFactory(title="Wiesbaden story", summary="Officers in Wiesbaden.")
    NoteFactory(story=story, body="Wiesbaden desk-only-remark", visibility=EditorialNote.Visibility.INTERNAL)
    page = client.get(reverse("stories:search"), {"q": "wiesbaden"}).text
    assert "Officers in <mark>Wiesbaden</mark>." in page
    assert "desk-only-remark" not in page


def test_highlight_cuts_long_text_around_the_first_match():
    text = "word " * 200 + "Wiesbaden" + " word" * 200
    snippet = str(highlight(text, "wiesbaden", width=60))
    assert "<mark>Wiesbaden</mark>" in snippet
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert len(snippet) < 120


def _plan(queryset):
    """PostgreSQL's plan for `queryset` with sequential scans priced out, so a plan that can use an
    index does: what is left is what the query cannot do without a scan."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index exists on PostgreSQL only")
def test_site_search_and_api_q_use_the_gin_index_without_a_correlated_subplan(rf):
    from rest_framework.request import Request

    from stories.api.filters import StoryFilter
    from stories.selectors import stories

    source = StoryFactory(title="Officers head to Wiesbaden").source
    Story.objects.bulk_create(  # enough other stories that the planner has a choice to make
        Story(
            source=source,
            title=f"Other story {i}",
            slug=f"other-{i}",
            body=f"Officers of the Self-Defense Forces, dispatch number {i}, report to NATO in Tokyo.",
            status=Story.Status.PUBLISHED,
        )
        for i in range(2000)
    )
    ClaimFactory(text="Four officers go to NSATU in Wiesbaden.")
    Claim.objects.bulk_create(
        Claim(text=f"Claim {i}: officers report to NATO.", slug=f"claim-{i}", verdict=Verdict.ACCURATE)
        for i in range(2000)
    )
    with connection.cursor() as cursor:
        # As autovacuum would have by then: new rows merged into the index, statistics gathered.
        for table in ("stories_story", "stories_claim"):
            cursor.execute(f"SELECT gin_clean_pending_list('{table}_search_idx')")
            cursor.execute(f"ANALYZE {table}")
    api = StoryFilter(Request(rf.get("/api/v1/stories/", {"q": "Wiesbaden"})).query_params, stories()).qs
    plans = {
        "site stories": _plan(search_stories("Wiesbaden")),
        "site claims": _plan(search_claims("Wiesbaden")),
        "API ?q=": _plan(api),
    }
    for name, plan in plans.items():
        assert "SubPlan" not in plan, f"{name}: correlated subplan\n{plan}"
        assert "Seq Scan on stories_story" not in plan, f"{name}: scans every story\n{plan}"
        assert "_search_idx" in plan, f"{name}: does not use the search index\n{plan}"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stored vectors exist on PostgreSQL only")
def test_search_vectors_are_kept_inside_their_rows():
    """Ranking reads every match's vector: out of line (TOAST) that is a second lookup per match."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attrelid::regclass::text, attstorage FROM pg_attribute"
            " WHERE attname = 'search_vector'"
            " AND attrelid IN ('stories_story'::regclass, 'stories_claim'::regclass)"
        )
        storage = dict(cursor.fetchall())
    assert storage == {"stories_story": "m", "stories_claim": "m"}
