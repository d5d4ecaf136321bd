"""Outlet resolution, the same on every path (command, API, admin), and outlets waiting for review
kept off every public query until an editor has reviewed them."""

import pytest
from django.urls import reverse

from stories.models import Claim, Source, Story
from stories.services import outlets
from stories.services.counters import claim_counts, source_counts
from stories.services.ingest import Item, ingest_item
from stories.services.merge import merge

from .admin_personas import member
from .factories import AppearanceFactory, ClaimFactory, SourceFactory, StoryFactory
from .ingesting import ingest
from .test_api_ingest import ingester  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def item(**fields):
    return Item(**{"title": "A headline", "body": "Some body text.", **fields})


@pytest.fixture
def caliber():
    return SourceFactory(name="Caliber.az", homepage="https://caliber.az/", extra_domains=["caliber.news"])


# --- resolution -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://caliber.az/en/post/1",
        "https://www.caliber.az/en/post/2",
        "https://en.caliber.az/post/3",
        "http://CALIBER.AZ:8080/post/4",
        "https://caliber.news/5",
    ],
)
def test_an_item_without_a_source_is_filed_by_its_urls_host(caliber, url):
    result = ingest_item(item(url=url))
    assert (result.story.source, result.attribution) == (caliber, "host")


def test_the_most_specific_host_wins():
    SourceFactory(name="NATO", homepage="https://www.nato.int/")
    shape = SourceFactory(name="SHAPE", homepage="https://shape.nato.int/")
    assert ingest_item(item(url="https://shape.nato.int/news/1")).story.source == shape


def test_an_unknown_host_makes_a_new_outlet_for_review():
    first = ingest_item(item(url="https://www.new-outlet.example/a"))
    source = first.story.source
    assert first.attribution == "new host"
    assert (source.name, source.homepage, source.reliability, source.kind) == (
        "new-outlet.example",
        "https://new-outlet.example/",
        "unrated",
        "other",
    )
    assert source.needs_review
    second = ingest_item(item(title="Another", body="Other text.", url="https://new-outlet.example/b"))
    assert second.story.source == source and second.attribution == "host"


def test_an_items_own_source_comes_first_then_the_chosen_one_then_the_host(caliber):
    chosen = SourceFactory(name="Chosen")
    named = ingest_item(item(source="Caliber.az", url="https://other.example/1"), source=chosen)
    assert (named.story.source, named.attribution) == (caliber, "named")
    given = ingest_item(item(title="B", body="Second.", url="https://caliber.az/2"), source=chosen)
    assert (given.story.source, given.attribution) == (chosen, "given")


def test_a_source_named_by_its_host_is_found_by_host(caliber):
    assert ingest_item(item(source="www.caliber.az")).story.source == caliber


def test_a_new_named_outlet_waits_for_review():
    source = ingest_item(item(source="Brand New Gazette")).story.source
    assert (source.name, source.needs_review, source.homepage) == ("Brand New Gazette", True, "")


def test_an_item_with_neither_source_nor_url_goes_to_unattributed_for_review():
    results = [ingest_item(item(title=f"T{n}", body=f"Body {n}.")) for n in range(2)]
    assert {r.attribution for r in results} == {"unattributed"}
    source = Source.objects.get(slug="unattributed")
    assert (source.name, source.needs_review) == ("Unattributed", True)
    assert source.stories.count() == 2


def test_the_command_says_how_many_items_went_to_unattributed(tmp_path):
    (tmp_path / "a.jsonl").write_text(
        '{"title": "One", "body": "First."}\n'
        '{"title": "Two", "body": "Second.", "url": "https://fresh.example/2"}\n'
        '{"title": "Three", "body": "Third."}\n'
    )
    out, err, failed = ingest(tmp_path / "a.jsonl")
    assert failed is None, err
    assert "3 new," in out
    assert "2 without an outlet filed under “Unattributed”, 2 new outlets to review" in out


def test_with_source_given_items_naming_none_go_there(tmp_path):
    chosen = SourceFactory(slug="chosen")
    (tmp_path / "a.jsonl").write_text('{"title": "One", "body": "First."}\n')
    out, err, failed = ingest(tmp_path / "a.jsonl", source="chosen")
    assert failed is None, err
    assert "0 without an outlet" in out
    assert Story.objects.get().source == chosen


def test_a_text_files_first_line_naming_the_outlet_is_not_the_title(tmp_path):
    nextfin = SourceFactory(name="NextFin", homepage="https://www.nextfin.ai/")
    (tmp_path / "a.txt").write_text(
        "NextFin\n\nJapan Embeds Officers in NATO Mission\n\nNextFin News - The ministry said on Friday.\n"
    )
    out, err, failed = ingest(tmp_path / "a.txt")
    assert failed is None, err
    story = Story.objects.get()
    assert (story.title, story.source) == ("Japan Embeds Officers in NATO Mission", nextfin)
    assert story.body == "NextFin News - The ministry said on Friday."


@pytest.mark.parametrize(
    "first_line, is_outlet",
    [
        ("NextFin", True),
        ("Caliber.az", True),
        ("Japan Deploys Troops to NATO to Support Ukraine", False),
        ("Breaking", False),  # not repeated in the article
        ("Japan: officers to NATO", False),
    ],
)
def test_which_first_lines_name_an_outlet(first_line, is_outlet):
    from stories.ingest import is_site_name

    rest = "Japan Deploys Troops\n\nNextFin News - a text about Japan and NATO."
    assert is_site_name(first_line, rest) is is_outlet


def test_a_header_source_and_a_first_line_repeating_it_name_the_same_outlet(tmp_path):
    (tmp_path / "a.txt").write_text("source: River Post\n\nRiver Post\n\nFlood defences tested\n\nText.\n")
    ingest(tmp_path / "a.txt")
    story = Story.objects.get()
    assert (story.title, story.source.name) == ("Flood defences tested", "River Post")


def test_the_api_resolves_the_outlet_the_same_way(client, ingester, caliber):  # noqa: F811
    body = {"title": "Officers to NSATU", "body": "Text.", "url": "https://caliber.az/en/post/9"}
    response = client.post("/api/v1/stories/", body, content_type="application/json", headers=ingester)
    assert response.status_code == 201
    assert Story.objects.get().source == caliber
    orphan = {"title": "Orphan", "body": "No outlet."}
    response = client.post("/api/v1/stories/", orphan, content_type="application/json", headers=ingester)
    assert response.status_code == 201
    assert Story.objects.get(title="Orphan").source.slug == "unattributed"


def test_the_admins_add_story_resolves_the_outlet_the_same_way(client, caliber):
    client.force_login(member("Editors", "desk-ed"))
    add = reverse("admin:stories_story_add")
    for title, url in [("From Caliber", "https://caliber.az/en/post/10"), ("No address", "")]:
        response = client.post(
            add,
            {
                "title": title,
                "slug": "",
                "url": url,
                "guid": "",
                "published_at_0": "",
                "published_at_1": "",
                "byline": "",
                "summary": "",
                "body": "Typed in.",
                "language": "en",
                "status": "new",
                "source": "",
                **inline_management(),
            },
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
    assert Story.objects.get(title="From Caliber").source == caliber
    assert Story.objects.get(title="No address").source.slug == "unattributed"
    assert Story.objects.get(title="No address").versions.get().kind == "editor"


def inline_management():
    data = {}
    for prefix in ("claim_appearances", "versions", "notes"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def test_extra_domains_are_typed_one_per_line_and_cleaned(client):
    from stories.admin.stories import SourceForm

    form = SourceForm(
        {
            "name": "Caliber",
            "slug": "caliber",
            "homepage": "https://caliber.az/",
            "extra_domains": "https://www.Caliber.news/x\nen.caliber.az, caliber.news",
            "kind": "newspaper",
            "reliability": "unrated",
            "description": "",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["extra_domains"] == ["caliber.news", "en.caliber.az"]
    bad = SourceForm({**form.data, "extra_domains": "not a host!"})
    assert not bad.is_valid() and "not a host name" in str(bad.errors["extra_domains"])


def test_the_admin_marks_outlets_reviewed(client):
    waiting = SourceFactory(needs_review=True)
    client.force_login(member("Editors", "desk-ed"))
    listing = client.get("/admin/stories/source/?needs_review__exact=1")
    assert list(listing.context["cl"].result_list) == [waiting]
    client.post("/admin/stories/source/", {"action": "mark_reviewed", "_selected_action": [waiting.pk]})
    assert not Source.objects.get(pk=waiting.pk).needs_review


# --- outlets waiting for review stay off every public query ----------------------------------------


def test_public_sources_exclude_those_waiting_for_review():
    reviewed, waiting = SourceFactory(), SourceFactory(needs_review=True)
    assert list(Source.objects.public()) == [reviewed]
    assert waiting not in Source.objects.public()


def test_public_stories_exclude_those_of_outlets_waiting_for_review():
    shown = StoryFactory()
    hidden = StoryFactory(source=SourceFactory(needs_review=True))
    assert list(Story.objects.public()) == [shown]
    assert shown.is_public and not hidden.is_public
    assert list(Story.objects.served()) == [shown]


def test_a_copy_from_an_outlet_waiting_for_review_is_not_served():
    canonical = StoryFactory()
    copy = StoryFactory(source=SourceFactory(needs_review=True))
    merge(copy, canonical, by=None, reason="copy")
    assert list(Story.objects.served()) == [canonical]


def test_a_copy_merged_into_a_story_of_an_outlet_waiting_for_review_is_not_served():
    canonical = StoryFactory(source=SourceFactory(needs_review=True))
    copy = StoryFactory()
    merge(copy, canonical, by=None, reason="copy")
    assert not Story.objects.served().exists()


def test_counts_leave_out_outlets_waiting_for_review_and_follow_their_review():
    waiting = SourceFactory(needs_review=True)
    claim = ClaimFactory()
    AppearanceFactory(claim=claim, story=StoryFactory(source=waiting))
    AppearanceFactory(claim=claim, story=StoryFactory())
    assert source_counts([waiting.pk])[waiting.pk][0] == 0
    assert claim_counts([claim.pk])[claim.pk][0] == 1
    outlets.mark_reviewed(Source.objects.get(pk=waiting.pk))
    assert Source.objects.get(pk=waiting.pk).story_count == 1  # recounted after the commit
    assert Claim.objects.get(pk=claim.pk).independent_sources == 2


def test_the_public_story_list_and_api_leave_out_stories_of_outlets_waiting_for_review(client):
    StoryFactory(title="Reviewed outlet's story")
    StoryFactory(title="Unreviewed outlet's story", source=SourceFactory(needs_review=True))
    titles = [row["title"] for row in client.get("/api/v1/stories/").json()["results"]]
    assert titles == ["Reviewed outlet's story"]
    page = client.get("/stories/").content.decode()
    assert "Reviewed outlet&#x27;s story" in page and "Unreviewed outlet" not in page


def test_a_story_of_an_outlet_waiting_for_review_has_no_public_page(client):
    hidden = StoryFactory(source=SourceFactory(needs_review=True))
    assert client.get(hidden.get_absolute_url()).status_code == 404
    outlets.mark_reviewed(hidden.source)
    assert client.get(hidden.get_absolute_url()).status_code == 200


def test_the_source_pages_and_api_leave_out_outlets_waiting_for_review(client):
    waiting = SourceFactory(name="Waiting Outlet", needs_review=True)
    assert "Waiting Outlet" not in client.get("/sources/").content.decode()
    assert client.get(waiting.get_absolute_url()).status_code == 404
    assert "Waiting Outlet" not in client.get("/api/v1/sources/").content.decode()
    assert client.get(f"/api/v1/sources/{waiting.slug}/").status_code == 404
