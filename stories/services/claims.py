"""Tagging claims in stories and giving them verdicts.

A claim is tagged in a story by the story's own words: the quote must occur in the story's
text, its summary or a quote already tagged in it (stories of the curated fixtures carry only
a summary and short quotes), compared after normalising whitespace, quotes and case.
"""

from django.db import transaction
from django.utils import timezone

from stories.errors import EditorialError
from stories.models import Claim, ClaimAppearance, Story, Verdict
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


# What set_verdict writes besides the fields a claim's form edits.
VERDICT_FIELDS = ["verdict", "reviewed_by", "reviewed_at"]


@retry_once_on_conflict
def set_verdict(claim, verdict, explanation, *, by):
    """Give `claim` a verdict and its public explanation, recording who reviewed it and when.

    Any other field already set on `claim` (e.g. by an admin form) is saved with it, so the
    change is one entry in the claim's history. The verdict and reviewer are taken from the
    locked row, not from `claim` (which may have been read long before): the reviewer changes
    only when the verdict does. The stored counts are left to their own service.
    """
    check_verdict(verdict, explanation)
    with transaction.atomic():
        previous = None
        if claim.pk:
            stored = (
                Claim.objects.select_for_update()
                .values_list("verdict", "reviewed_by", "reviewed_at")
                .get(pk=claim.pk)
            )
            previous, claim.reviewed_by_id, claim.reviewed_at = stored
        claim.verdict = verdict
        claim.explanation = explanation.strip()
        if verdict != previous:
            if verdict == Verdict.UNREVIEWED:
                claim.reviewed_by, claim.reviewed_at = None, None
            else:
                claim.reviewed_by, claim.reviewed_at = by, timezone.now()
            before = Verdict(previous).label if previous else "new"
            claim._change_reason = f"Verdict: {before} → {Verdict(verdict).label}"
        claim._history_user = by
        if previous is None:
            claim.save()
        else:
            claim.save(update_fields=[*Claim.unowned_field_names(), *VERDICT_FIELDS])
        return claim
