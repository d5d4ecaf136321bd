"""Rules 1 and 3: only published, canonical stories are public; merged ones redirect;
internal notes appear nowhere public."""

import pytest
from django.urls import reverse

from stories.models import Claim, EditorialNote, Story, Verdict
from stories.services.merge import merge

from .factories import AppearanceFactory, ClaimFactory, NoteFactory, SourceFactory, StoryFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", [Story.Status.NEW, Story.Status.IN_REVIEW, Story.Status.REJECTED])
def test_public_stories_exclude_unpublished_ones(status):
    StoryFactory(status=status)
    assert not Story.objects.public().exists()


def test_public_stories_exclude_merged_copies():
    canonical, copy = StoryFactory(), StoryFactory()
    merge(copy, canonical, by=None, reason="")
    assert list(Story.objects.public()) == [canonical]


@pytest.mark.parametrize("status", [Story.Status.NEW, Story.Status.IN_REVIEW, Story.Status.REJECTED])
def test_unpublished_story_page_is_not_found(client, status):
    story = StoryFactory(status=status)
    assert client.get(story.get_absolute_url()).status_code == 404


def test_merged_story_page_redirects_permanently_to_its_canonical_story(client):
    canonical, copy = StoryFactory(), StoryFactory()
    merge(copy, canonical, by=None, reason="")
    response = client.get(copy.get_absolute_url())
    assert response.status_code == 301
    assert response["Location"] == canonical.get_absolute_url()


def test_canonical_story_shows_its_copies_claims_and_urls(client):
    canonical, copy = StoryFactory(), StoryFactory(url="https://mirror.example/copy")
    appearance = AppearanceFactory(story=copy, quote="a quote only the copy carries")
    merge(copy, canonical, by=None, reason="")
    page = client.get(canonical.get_absolute_url()).text
    assert "https://mirror.example/copy" in page
    assert appearance.claim.text in page
    assert "a quote only the copy carries" in page


def test_internal_notes_appear_on_no_public_page(client):
    story = StoryFactory()
    claim = ClaimFactory()
    AppearanceFactory(story=story, claim=claim)
    NoteFactory(story=story, visibility=EditorialNote.Visibility.INTERNAL, body="SECRET-STORY-NOTE")
    NoteFactory(claim=claim, visibility=EditorialNote.Visibility.INTERNAL, body="SECRET-CLAIM-NOTE")
    NoteFactory(story=story, visibility=EditorialNote.Visibility.PUBLIC, body="Public correction text")
    pages = [
        reverse("stories:timeline"),
        story.get_absolute_url(),
        claim.get_absolute_url(),
        reverse("stories:claim-list"),
        story.source.get_absolute_url(),
    ]
    bodies = [client.get(url) for url in pages]
    assert all(response.status_code == 200 for response in bodies)
    text = "".join(response.text for response in bodies)
    assert "Public correction text" in text
    assert "SECRET-STORY-NOTE" not in text and "SECRET-CLAIM-NOTE" not in text


def test_public_notes_queryset_excludes_internal_notes():
    story = StoryFactory()
    public = NoteFactory(story=story, visibility=EditorialNote.Visibility.PUBLIC)
    NoteFactory(story=story, visibility=EditorialNote.Visibility.INTERNAL)
    assert list(EditorialNote.objects.public()) == [public]


def test_public_claims_are_the_reviewed_ones():
    reviewed = ClaimFactory()
    ClaimFactory(verdict=Verdict.UNREVIEWED)
    assert list(Claim.objects.public()) == [reviewed]


def test_a_rejected_copy_shows_nowhere_on_its_canonical_story_on_the_site_or_in_the_api(client):
    canonical = StoryFactory()
    copy = StoryFactory(url="https://mirror.example/rejected", title="Rejected copy title")
    AppearanceFactory(story=copy, quote="words only the rejected copy has")
    NoteFactory(story=copy, visibility=EditorialNote.Visibility.PUBLIC, body="Note on the rejected copy")
    merge(copy, canonical, by=None, reason="")
    copy.status = Story.Status.REJECTED
    copy.save()
    claim = copy.claim_appearances.get().claim
    addresses = [
        canonical.get_absolute_url(),
        claim.get_absolute_url(),
        f"/api/v1/stories/{canonical.slug}/",
        "/api/v1/stories/",
        f"/api/v1/claims/{claim.slug}/",
        "/api/v1/claims/",
        f"/api/v1/claims/{claim.slug}/appearances/",
    ]
    for address in addresses:
        response = client.get(address)
        assert response.status_code == 200, address
        for text in [
            "https://mirror.example/rejected",
            "Rejected copy title",
            "words only the rejected copy",
            "Note on the rejected copy",
        ]:
            assert text not in response.text, (address, text)
    assert not Story.objects.served().filter(pk=copy.pk).exists()


def test_a_copy_readers_see_shows_on_its_canonical_story_on_the_site_and_in_the_api(client):
    """The other side of the rule above, so that hiding every copy cannot pass it."""
    canonical = StoryFactory()
    copy = StoryFactory(url="https://mirror.example/served", status=Story.Status.NEW)
    AppearanceFactory(story=copy, quote="words only the served copy has")
    NoteFactory(story=copy, visibility=EditorialNote.Visibility.PUBLIC, body="Note on the served copy")
    merge(copy, canonical, by=None, reason="")
    site = client.get(canonical.get_absolute_url()).text
    api = client.get(f"/api/v1/stories/{canonical.slug}/").json()
    for text in ["https://mirror.example/served", "words only the served copy", "Note on the served copy"]:
        assert text in site
    assert api["also_published_at"] == ["https://mirror.example/served"]
    assert [c["quote"] for c in api["claims"]] == ["words only the served copy has"]
    assert [c["text"] for c in api["corrections"]] == ["Note on the served copy"]


def test_claim_page_answers_404_for_an_id_in_other_digits(client):
    assert client.get("/claims/%C2%B2/").status_code == 404


def test_claim_made_only_in_a_merged_copy_is_public_through_its_canonical_story():
    canonical, copy = StoryFactory(), StoryFactory(status=Story.Status.NEW)
    claim = AppearanceFactory(story=copy).claim
    merge(copy, canonical, by=None, reason="")
    assert list(Claim.objects.public()) == [claim]


def test_unreviewed_claim_page_is_not_found(client):
    claim = AppearanceFactory(claim=ClaimFactory(verdict=Verdict.UNREVIEWED)).claim
    assert client.get(claim.get_absolute_url()).status_code == 404


def test_claim_page_answers_by_slug_and_redirects_from_its_id(client):
    claim = AppearanceFactory().claim
    by_slug = client.get(reverse("stories:claim-detail", args=[claim.slug]))
    by_id = client.get(reverse("stories:claim-detail", args=[claim.pk]))
    assert by_slug.status_code == 200 and claim.text in by_slug.text
    assert by_id.status_code == 301 and by_id["Location"] == claim.get_absolute_url()


def test_hostile_text_is_escaped(client):
    story = StoryFactory(title="<script>alert(1)</script>", summary="<img src=x onerror=alert(2)>")
    page = client.get(story.get_absolute_url()).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page


def test_an_outlet_waiting_for_review_and_its_stories_show_nowhere(client):
    waiting = SourceFactory(name="Host-named outlet", needs_review=True)
    story = StoryFactory(source=waiting, title="Story from the waiting outlet")
    reviewed = StoryFactory(title="Story from a reviewed outlet")
    pages = "".join(
        client.get(url).text for url in ["/sources/", "/stories/", "/api/v1/sources/", "/api/v1/stories/"]
    )
    assert "Host-named outlet" not in pages and "Story from the waiting outlet" not in pages
    assert reviewed.source.name in pages and "Story from a reviewed outlet" in pages
    assert client.get(waiting.get_absolute_url()).status_code == 404
    assert client.get(story.get_absolute_url()).status_code == 404
    assert client.get(f"/api/v1/sources/{waiting.slug}/").status_code == 404
