from .claims import SUPPORTING_VERDICTS, VERDICT_RATINGS, Claim, ClaimAppearance, Evidence, Tag, Verdict
from .dedup import SignatureBand, StorySignature
from .notes import EditorialNote
from .reviews import ClaimReview
from .site import SiteVersion
from .sources import Source
from .stories import DuplicateCandidate, MergeRecord, Story
from .timeline import ENTRY_CONTENT_FIELDS, EntryRevision, Timeline, TimelineEntry
from .tracking import RemembersLoadedState
from .versions import TEXT_FIELDS, StoryVersion

__all__ = [
    "SUPPORTING_VERDICTS",
    "VERDICT_RATINGS",
    "Claim",
    "ClaimAppearance",
    "ClaimReview",
    "DuplicateCandidate",
    "ENTRY_CONTENT_FIELDS",
    "EditorialNote",
    "EntryRevision",
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
