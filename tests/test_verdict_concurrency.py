"""Rule 9 with several editors at once, each on their own PostgreSQL connection: approvals and
proposals of the same claim meet, again and again, and leave one consistent state: at most one
proposal waiting, each proposal approved at most once and never by its proposer, and the claim's
public verdict that of the last approval."""

import threading
from functools import partial

import pytest
from django.db import connection, connections

from stories.errors import EditorialError
from stories.models import Claim, ClaimReview, Verdict
from stories.services.claims import approve_verdict, propose_verdict

from .factories import ClaimFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises all writers and ignores SELECT ... FOR UPDATE; run with DATABASE_URL "
        "pointing at PostgreSQL to exercise row locks",
    ),
]

RUNS = 15


def at_once(*actions):
    """Run each action in its own thread and connection, released together; [(result or error)]."""
    start = threading.Barrier(len(actions))
    results = [None] * len(actions)

    def run(i, action):
        try:
            start.wait(10)
            results[i] = action()
        except Exception as error:  # noqa: BLE001 - reported to the test
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads), "an editor is still waiting: a lock never freed"
    return results


def assert_consistent(claim):
    claim.refresh_from_db()
    reviews = list(claim.reviews.all())
    assert sum(r.state == ClaimReview.State.PENDING for r in reviews) <= 1
    approved = [r for r in reviews if r.state == ClaimReview.State.APPROVED]
    approved.sort(key=lambda r: r.approved_at)
    for review in approved:
        assert review.approved_by_id not in (None, review.proposed_by_id), review.pk
    if approved:
        last = approved[-1]
        assert (claim.verdict, claim.explanation, claim.reviewed_by_id) == (
            last.verdict,
            last.explanation,
            last.approved_by_id,
        )
    else:
        assert claim.verdict == Verdict.UNREVIEWED
    history = claim.history.order_by("-history_id").first()
    assert (history.verdict, history.explanation) == (claim.verdict, claim.explanation)


def test_two_editors_approving_the_same_proposal_at_once_publish_it_once():
    proposer, first, second = (UserFactory(username=name) for name in ("p", "a1", "a2"))
    for run in range(RUNS):
        claim = ClaimFactory(verdict=Verdict.UNREVIEWED, explanation="")
        review = propose_verdict(claim, Verdict.ACCURATE, f"Checked, run {run}.", by=proposer)
        results = at_once(
            partial(approve_verdict, review, by=first), partial(approve_verdict, review, by=second)
        )
        approved = [r for r in results if isinstance(r, ClaimReview)]
        refused = [r for r in results if isinstance(r, EditorialError)]
        assert (len(approved), len(refused)) == (1, 1), results
        assert "no longer waiting" in str(refused[0])
        assert_consistent(claim)
        assert Claim.objects.get(pk=claim.pk).verdict == Verdict.ACCURATE
        assert claim.history.filter(history_change_reason__startswith="Verdict:").count() == 1


def test_two_editors_proposing_at_once_leave_one_proposal_waiting():
    first, second = UserFactory(username="p1"), UserFactory(username="p2")
    for run in range(RUNS):
        claim = ClaimFactory(verdict=Verdict.UNREVIEWED, explanation="")
        results = at_once(
            partial(propose_verdict, claim, Verdict.ACCURATE, f"Accurate, run {run}.", by=first),
            partial(propose_verdict, claim, Verdict.INACCURATE, f"Inaccurate, run {run}.", by=second),
        )
        assert all(isinstance(r, ClaimReview) for r in results), results
        assert claim.reviews.filter(state=ClaimReview.State.PENDING).count() == 1
        assert claim.reviews.filter(state=ClaimReview.State.SUPERSEDED).count() == 1
        assert_consistent(claim)


def test_a_proposal_and_an_approval_at_once_leave_a_consistent_claim():
    proposer, approver, other = (UserFactory(username=name) for name in ("q", "r", "s"))
    outcomes = set()
    for run in range(RUNS):
        claim = ClaimFactory(verdict=Verdict.UNREVIEWED, explanation="")
        review = propose_verdict(claim, Verdict.MOSTLY_ACCURATE, f"Mostly, run {run}.", by=proposer)
        results = at_once(
            partial(approve_verdict, review, by=approver),
            partial(propose_verdict, claim, Verdict.MISLEADING, f"Misleading, run {run}.", by=other),
        )
        assert not [r for r in results if not isinstance(r, ClaimReview | EditorialError)], results
        outcomes.add("approved first" if isinstance(results[0], ClaimReview) else "replaced first")
        assert_consistent(claim)
        assert claim.reviews.filter(state=ClaimReview.State.PENDING).get().verdict == Verdict.MISLEADING
    print(f"outcomes over {RUNS} runs: {sorted(outcomes)}")
