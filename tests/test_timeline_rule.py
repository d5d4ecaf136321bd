"""Rule 2: an entry is public only when published and every claim it rests on is accurate or
mostly accurate. The publish service refuses otherwise, and the public query filters anyway."""

import pytest
from django.urls import reverse

from stories.errors import EditorialError
from stories.models import TimelineEntry, Verdict
from stories.services.timeline import publish_entry, unpublish_entry

from .factories import ClaimFactory, EntryFactory, approved_verdict

pytestmark = pytest.mark.django_db


def test_publish_entry_refuses_naming_every_claim_at_fault(editor):
    good = ClaimFactory(verdict=Verdict.ACCURATE)
    unreviewed = ClaimFactory(text="Officers arrived in May.", verdict=Verdict.UNREVIEWED)
    misleading = ClaimFactory(text="Japan deploys troops.", verdict=Verdict.MISLEADING)
    entry = EntryFactory(claims=[good, unreviewed, misleading])
    with pytest.raises(EditorialError) as refusal:
        publish_entry(entry, by=editor)
    message = str(refusal.value)
    assert "“Officers arrived in May.” (unreviewed)" in message
    assert "“Japan deploys troops.” (misleading)" in message
    assert good.text not in message
    entry.refresh_from_db()
    assert not entry.is_published


def test_publish_entry_refuses_an_entry_resting_on_no_claim(editor):
    entry = EntryFactory()
    with pytest.raises(EditorialError, match="rests on no claim"):
        publish_entry(entry, by=editor)


@pytest.mark.parametrize("verdict", [Verdict.ACCURATE, Verdict.MOSTLY_ACCURATE])
def test_publish_entry_accepts_accurate_and_mostly_accurate_claims(editor, verdict):
    entry = EntryFactory(claims=[ClaimFactory(verdict=verdict)])
    publish_entry(entry, by=editor)
    entry.refresh_from_db()
    assert entry.is_published and entry.published_by == editor and entry.published_at
    assert list(TimelineEntry.objects.public()) == [entry]


@pytest.mark.parametrize(
    "verdict", [Verdict.UNREVIEWED, Verdict.MISLEADING, Verdict.INACCURATE, Verdict.UNPROVEN]
)
def test_public_entries_exclude_a_published_entry_resting_on_a_weak_claim(verdict):
    # Inconsistent data on purpose: published directly, bypassing the service.
    entry = EntryFactory(claims=[ClaimFactory(), ClaimFactory(verdict=verdict)])
    TimelineEntry.objects.filter(pk=entry.pk).update(is_published=True)
    assert not TimelineEntry.objects.public().exists()


def test_public_entries_exclude_a_published_entry_without_claims():
    entry = EntryFactory()
    TimelineEntry.objects.filter(pk=entry.pk).update(is_published=True)
    assert not TimelineEntry.objects.public().exists()


def test_public_entries_exclude_unpublished_entries():
    EntryFactory(claims=[ClaimFactory()])
    assert not TimelineEntry.objects.public().exists()


def test_a_published_entry_leaves_the_timeline_when_its_claim_is_downgraded(editor, client):
    claim = ClaimFactory(verdict=Verdict.ACCURATE)
    entry = EntryFactory(title="Officers announced", claims=[claim])
    publish_entry(entry, by=editor)
    assert "Officers announced" in client.get(reverse("stories:timeline")).text
    approved_verdict(claim, Verdict.UNPROVEN, "No record confirms it yet.", by=editor)
    assert "Officers announced" not in client.get(reverse("stories:timeline")).text


def test_home_page_hides_a_published_entry_on_an_unreviewed_claim(client):
    shown = EntryFactory(title="Verified milestone", claims=[ClaimFactory()])
    hidden = EntryFactory(title="Rumoured milestone", claims=[ClaimFactory(verdict=Verdict.UNREVIEWED)])
    TimelineEntry.objects.filter(pk__in=[shown.pk, hidden.pk]).update(is_published=True)
    page = client.get(reverse("stories:timeline")).text
    assert "Verified milestone" in page
    assert "Rumoured milestone" not in page


def test_unpublish_takes_an_entry_off_the_timeline_and_records_who(editor, other_editor):
    entry = EntryFactory(claims=[ClaimFactory()])
    publish_entry(entry, by=editor)
    unpublish_entry(entry, by=other_editor)
    entry.refresh_from_db()
    assert not entry.is_published
    assert not TimelineEntry.objects.public().exists()
    history = list(entry.history.order_by("history_id").values_list("is_published", "history_user_id"))
    assert history[-2:] == [(True, editor.pk), (False, other_editor.pk)]


@pytest.mark.parametrize(
    ("precision", "given", "stored", "shown"),
    [
        ("day", "2026-05-29", "2026-05-29", "29 May 2026"),
        ("month", "2024-12-17", "2024-12-01", "December 2024"),
        ("year", "2026-07-04", "2026-01-01", "2026"),
    ],
)
def test_entry_date_is_stored_and_shown_at_its_precision(precision, given, stored, shown):
    import datetime

    entry = EntryFactory(date=datetime.date.fromisoformat(given), precision=precision)
    entry.refresh_from_db()
    assert entry.date.isoformat() == stored
    assert entry.display_date == shown
