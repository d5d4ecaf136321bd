"""schema.org ClaimReview for a claim page, from the verdict table."""

import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from stories.models.claims import BEST_RATING, WORST_RATING

# Keep the JSON inert inside <script>: no "</script>", no HTML comment, no entity.
_SCRIPT_SAFE = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
CLAIM_REVIEWED_MAX = 74


def _creative_work(request, appearance):
    story = appearance.story
    work = {
        "@type": "CreativeWork",
        "url": story.url or request.build_absolute_uri(story.canonical.get_absolute_url()),
        "headline": story.title,
        "author": {"@type": "Organization", "name": story.source.name},
    }
    if story.published_at:
        work["datePublished"] = story.published_at.date().isoformat()
    return work


def claim_review(request, claim, appearances):
    """The ClaimReview object as a safe string for <script type="application/ld+json">."""
    rating = claim.rating
    data = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": request.build_absolute_uri(claim.get_absolute_url()),
        "claimReviewed": Truncator(claim.text).chars(CLAIM_REVIEWED_MAX),
        "author": {
            "@type": "Organization",
            "name": settings.NEWSROOM_SITE_NAME,
            "url": request.build_absolute_uri("/"),
        },
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": rating.value,
            "bestRating": BEST_RATING,
            "worstRating": WORST_RATING,
            "alternateName": rating.label,
        },
        "itemReviewed": {"@type": "Claim"},
    }
    if claim.reviewed_at:
        data["datePublished"] = claim.reviewed_at.date().isoformat()
    if appearances:
        data["itemReviewed"]["appearance"] = [_creative_work(request, a) for a in appearances]
        data["itemReviewed"]["firstAppearance"] = _creative_work(request, appearances[0])
    return mark_safe(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_SAFE))
