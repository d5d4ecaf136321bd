from stories.models import VERDICT_RATINGS, Verdict


def test_every_verdict_has_a_claimreview_rating():
    assert set(VERDICT_RATINGS) == set(Verdict)


def test_ratings_rank_verdicts_from_best_to_worst():
    values = [
        VERDICT_RATINGS[v].value
        for v in [
            Verdict.ACCURATE,
            Verdict.MOSTLY_ACCURATE,
            Verdict.UNPROVEN,
            Verdict.MISLEADING,
            Verdict.INACCURATE,
        ]
    ]
    assert values == [5, 4, 3, 2, 1]
    assert VERDICT_RATINGS[Verdict.UNREVIEWED].value is None
