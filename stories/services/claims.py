"""Tagging claims in stories and giving them verdicts.

A verdict is public only when the configured number of editors agree (DESIGN.md rule 9,
NEWSROOM_VERDICT_REVIEWS): one editor proposes it (a ClaimReview), a different one approves it,
and only then are the claim's verdict and explanation, which every public surface reads,
written. A chief editor may publish one at once with a recorded reason.

A claim is tagged in a story by the story's own words: the quote must occur in the story's
text, its summary or a quote already tagged in it (stories of the curated fixtures carry only
a summary and short quotes), compared after normalising whitespace, quotes and case.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from stories.errors import EditorialError
from stories.models import Claim, ClaimAppearance, ClaimReview, Story, Verdict
from stories.text import normalise

from .transactions import retry_once_on_conflict

CLAIM_TEXT_MAX = Claim._meta.get_field("text").max_length


def quote_occurs_in(story, quote):
    """Whether `quote` occurs, normalised, in the story's body, summary or existing quotes."""
    needle = normalise(quote)
    if not needle:
        return False
    haystacks = [story.body, story.summary, *story.claim_appearances.values_list("quote", flat=True)]
    return any(needle in normalise(text) for text in haystacks)


@retry_once_on_conflict
def tag_claim(story, quote, claim=None, text=None, *, by):
    """Record that `story` makes a claim, in the words `quote`.

    Link the existing `claim`, or create one from `text` in the same step (exactly one of the
    two). Refused when the quote is not the story's own words or the claim is already tagged.
    """
    quote = (quote or "").strip()
    text = (text or "").strip()
    if not quote:
        raise EditorialError(f"Paste the words of “{story}” that make the claim: the quote is empty.")
    if (claim is None) == (not text):
        raise EditorialError("Choose an existing claim or write a new one, not both and not neither.")
    if len(text) > CLAIM_TEXT_MAX:
        raise EditorialError(f"The new claim is {len(text)} characters long; keep it under {CLAIM_TEXT_MAX}.")
    with transaction.atomic():
        story = Story.objects.select_for_update().get(pk=story.pk)
        if not quote_occurs_in(story, quote):
            raise EditorialError(
                f"The quote “{quote[:120]}” does not occur in the text, summary or quotes of “{story}”. "
                "Paste the story's exact words (spacing, quote marks and case do not matter)."
            )
        if claim is None:
            claim = Claim(text=text)
            claim._history_user = by
            claim.save()
        elif ClaimAppearance.objects.filter(claim=claim, story=story).exists():
            raise EditorialError(f"“{story}” is already tagged with the claim “{claim}”.")
        return ClaimAppearance.objects.create(claim=claim, story=story, quote=quote)


def check_verdict(verdict, explanation):
    """Refuse a verdict readers could not understand: a reviewed verdict needs an explanation."""
    if verdict not in Verdict.values:
        raise EditorialError(f"“{verdict}” is not a verdict; choose one of: {', '.join(Verdict.values)}.")
    if verdict != Verdict.UNREVIEWED and not (explanation or "").strip():
        label = Verdict(verdict).label.lower()
        raise EditorialError(f"Explain to readers why the claim is {label}: the explanation is empty.")


# What publishing a verdict writes on the claim (a full save writes none of them).
VERDICT_FIELDS = ["verdict", "explanation", "reviewed_by", "reviewed_at", "updated_at"]
OVERRIDE_PERMISSION = "stories.override_verdict"


def required_reviews():
    """How many editors must agree on a verdict before it is public (NEWSROOM_VERDICT_REVIEWS)."""
    return settings.NEWSROOM_VERDICT_REVIEWS


def review_state(claim_id):
    """A token of the claim's verdict reviews as they stand: it changes whenever a verdict is
    proposed, approved or overridden. A form carries the token it was loaded with, so a change
    made from it after another editor's is refused instead of undoing theirs."""
    latest = ClaimReview.objects.filter(claim_id=claim_id).order_by("-pk").values_list("pk", "state").first()
    verdict = Claim.objects.filter(pk=claim_id).values_list("verdict", flat=True).first()
    return f"{verdict}:{latest[0]}:{latest[1]}" if latest else f"{verdict}:-"


def _lock(claim, seen):
    """The claim's row, locked: every write of its reviews and verdict holds it first, so they
    run one after another. Refused when `seen` is given and the reviews changed since."""
    locked = Claim.objects.select_for_update().get(pk=claim.pk)
    if seen is not None and seen != review_state(claim.pk):
        raise EditorialError(
            f"Another editor changed the verdict of “{locked}” since you opened it (it is now "
            f"{Verdict(locked.verdict).label.lower()}). Reload the page to see their change, then "
            "propose yours again if it still stands."
        )
    return locked


def _supersede_pending(claim):
    ClaimReview.objects.filter(claim=claim, state=ClaimReview.State.PENDING).update(
        state=ClaimReview.State.SUPERSEDED
    )


def _publish(claim, review, by):
    """Make `review`'s verdict and explanation the claim's public ones; its history says who
    proposed and who approved."""
    before = Verdict(claim.verdict).label
    claim.verdict, claim.explanation = review.verdict, review.explanation
    if review.verdict == Verdict.UNREVIEWED:
        claim.reviewed_by, claim.reviewed_at = None, None
    else:
        claim.reviewed_by, claim.reviewed_at = by, review.approved_at
    proposer = review.proposed_by or "nobody"
    if review.state == ClaimReview.State.OVERRIDDEN:
        how = f"published by {by} overriding: {review.override_reason}"
    elif review.proposed_by_id == getattr(by, "pk", None):
        how = f"proposed and published by {proposer} (one-person desk)"
    else:
        how = f"proposed by {proposer}, approved by {by}"
    claim._change_reason = f"Verdict: {before} → {Verdict(review.verdict).label}, {how}"[:100]
    claim._history_user = by
    claim.save(update_fields=VERDICT_FIELDS)


@retry_once_on_conflict
def propose_verdict(claim, verdict, explanation, *, by, seen=None):
    """Propose `verdict`, with its public `explanation`, for `claim`; it replaces a proposal still
    waiting. It becomes public once a second editor approves it (`approve_verdict`), or at once
    on a one-person desk (NEWSROOM_VERDICT_REVIEWS=1). Proposing the public verdict as it stands
    withdraws the waiting proposal. `seen`: the `review_state` the editor's form was loaded with.
    Returns the review (None when nothing waits)."""
    check_verdict(verdict, explanation)
    explanation = (explanation or "").strip()
    with transaction.atomic():
        claim = _lock(claim, seen)
        _supersede_pending(claim)
        if (verdict, explanation) == (claim.verdict, claim.explanation):
            return None
        review = ClaimReview.objects.create(
            claim=claim, verdict=verdict, explanation=explanation, proposed_by=by
        )
        if required_reviews() <= 1:
            review.state, review.approved_by, review.approved_at = (
                ClaimReview.State.APPROVED,
                by,
                timezone.now(),
            )
            review.save(update_fields=["state", "approved_by", "approved_at"])
            _publish(claim, review, by)
        return review


@retry_once_on_conflict
def approve_verdict(review, *, by):
    """Approve a proposed verdict as a second editor: it becomes the claim's public verdict.
    Refused to its own proposer and for a proposal no longer waiting."""
    with transaction.atomic():
        claim = _lock(review.claim, None)
        review = ClaimReview.objects.select_for_update().get(pk=review.pk)
        if review.state != ClaimReview.State.PENDING:
            raise EditorialError(
                f"The proposed verdict for “{claim}” is no longer waiting: "
                f"{review.get_state_display().lower()}."
            )
        if by is None or review.proposed_by_id == by.pk:
            raise EditorialError(
                f"You proposed this verdict for “{claim}”: another editor must approve it before readers "
                "see it."
            )
        review.state, review.approved_by, review.approved_at = ClaimReview.State.APPROVED, by, timezone.now()
        review.save(update_fields=["state", "approved_by", "approved_at"])
        _publish(claim, review, by)
        return review


@retry_once_on_conflict
def override_verdict(claim, verdict, explanation, reason, *, by, seen=None):
    """Publish `verdict` for `claim` at once, without a second editor: a chief editor's override
    (the permission stories.override_verdict), recorded with its `reason`. Replaces a waiting
    proposal."""
    check_verdict(verdict, explanation)
    reason = (reason or "").strip()
    if by is None or not by.has_perm(OVERRIDE_PERMISSION):
        raise EditorialError("Only a chief editor may publish a verdict without a second editor.")
    if not reason:
        raise EditorialError("Say why this verdict cannot wait for a second editor: the reason is empty.")
    with transaction.atomic():
        claim = _lock(claim, seen)
        _supersede_pending(claim)
        review = ClaimReview.objects.create(
            claim=claim,
            verdict=verdict,
            explanation=(explanation or "").strip(),
            proposed_by=by,
            state=ClaimReview.State.OVERRIDDEN,
            approved_by=by,
            approved_at=timezone.now(),
            override_reason=reason,
        )
        _publish(claim, review, by)
        return review
