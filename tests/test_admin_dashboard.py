import pytest

from stories.models import DuplicateCandidate, Verdict

from .admin_personas import member
from .factories import CandidateFactory, ClaimFactory, EntryFactory


@pytest.mark.django_db
def test_the_admin_index_counts_the_work_waiting_and_links_to_it(client):
    CandidateFactory.create_batch(3)
    CandidateFactory(state=DuplicateCandidate.State.DISMISSED)
    unreviewed = ClaimFactory(verdict=Verdict.UNREVIEWED)
    ClaimFactory(verdict=Verdict.UNREVIEWED)
    EntryFactory(claims=[unreviewed])
    EntryFactory(claims=[ClaimFactory(verdict=Verdict.ACCURATE)])
    client.force_login(member("Editors", "ed"))
    response = client.get("/admin/")
    assert response.status_code == 200
    page = " ".join(response.content.decode().split())
    rows = {
        "/admin/stories/duplicatecandidate/": ("Pending duplicates", 3),
        "/admin/stories/claim/?verdict__exact=unreviewed": ("Unreviewed claims", 2),
        "/admin/stories/timelineentry/?readiness=waiting": ("Entries waiting for verdicts", 1),
        "/admin/stories/timelineentry/?readiness=ready": ("Entries ready to publish", 1),
    }
    for url, (label, count) in rows.items():
        expected = f'<a href="{url}">{label}</a></th> <td class="worklist-count"'
        assert expected in page
        assert f'{expected} style="text-align:right; font-weight:bold">{count}</td>' in page
