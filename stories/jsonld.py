"""schema.org ClaimReview for a claim page, from the verdict table.

The fields are those Google's fact-check tools read (ClaimReview: `claimReviewed`, `reviewRating`,
`url`, `author`, `datePublished`, `itemReviewed`; the Claim: `author`, `datePublished`,
`appearance`, `firstAppearance`; the Rating: `alternateName`, `ratingValue`, `bestRating`,
`worstRating`), plus `ratingExplanation` and `inLanguage`.
"""

import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from stories.models.claims import BEST_RATING, WORST_RATING

# Keep the JSON inert inside <script>: no "</script>", no HTML comment, no entity.
_SCRIPT_SAFE = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
CLAIM_REVIEWED_MAX = 74


def _outlet(source):
    outlet = {"@type": "Organization", "name": source.name}
    if source.homepage:
        outlet["url"] = source.homepage
    return outlet


def _creative_work(request, appearance):
    story = appearance.story
    work = {
        "@type": "CreativeWork",
        "url": story.url or request.build_absolute_uri(story.canonical.get_absolute_url()),
        "headline": story.title,
        "author": _outlet(story.source),
    }
    if story.published_at:
        work["datePublished"] = story.published_at.date().isoformat()
    return work


def _claim(request, appearances):
    """The claim as it was made: by the outlet of its first appearance, on that story's date."""
    claim = {"@type": "Claim"}
    if appearances:
        first = _creative_work(request, appearances[0])
        claim["author"] = first["author"]
        if "datePublished" in first:
            claim["datePublished"] = first["datePublished"]
        claim["firstAppearance"] = first
        claim["appearance"] = [_creative_work(request, a) for a in appearances]
    return claim


def claim_review(request, claim, appearances):
    """The ClaimReview object as a safe string for <script type="application/ld+json">.
    `appearances`: the claim's appearances readers see, oldest first (the first one is where the
    claim was first made)."""
    rating = claim.rating
    review_rating = {
        "@type": "Rating",
        "ratingValue": rating.value,
        "bestRating": BEST_RATING,
        "worstRating": WORST_RATING,
        "alternateName": rating.label,
        "name": rating.label,
    }
    if claim.explanation:
        review_rating["ratingExplanation"] = claim.explanation
    data = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": request.build_absolute_uri(claim.get_absolute_url()),
        "name": Truncator(claim.text).chars(110),
        "claimReviewed": Truncator(claim.text).chars(CLAIM_REVIEWED_MAX),
        "inLanguage": settings.LANGUAGE_CODE,
        "author": {
            "@type": "Organization",
            "name": settings.NEWSROOM_SITE_NAME,
            "url": request.build_absolute_uri("/"),
        },
        "reviewRating": review_rating,
        "itemReviewed": _claim(request, appearances),
    }
    if claim.reviewed_at:
        data["datePublished"] = claim.reviewed_at.date().isoformat()
    return mark_safe(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_SAFE))
