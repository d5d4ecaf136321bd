from .claims import SUPPORTING_VERDICTS, VERDICT_RATINGS, Claim, ClaimAppearance, Evidence, Tag, Verdict
from .dedup import SignatureBand, StorySignature
from .notes import EditorialNote
from .reviews import ClaimReview
from .site import SiteVersion
from .sources import Source
from .stories import DuplicateCandidate, MergeRecord, Story
from .timeline import Timeline, TimelineEntry
from .tracking import RemembersLoadedState
from .versions import TEXT_FIELDS, StoryVersion

__all__ = [
    "SUPPORTING_VERDICTS",
    "VERDICT_RATINGS",
    "Claim",
    "ClaimAppearance",
    "ClaimReview",
    "DuplicateCandidate",
    "EditorialNote",
    "Evidence",
    "MergeRecord",
    "SignatureBand",
    "RemembersLoadedState",
    "SiteVersion",
    "Source",
    "Story",
    "StorySignature",
    "StoryVersion",
    "TEXT_FIELDS",
    "Tag",
    "Timeline",
    "TimelineEntry",
    "Verdict",
]
