"""Translated copies: a story and its translation into another language, found by their whole-story
embeddings (the mean of their sentences' embeddings, matching.models.StoryIndex.vector) and queued
in the duplicate queue marked "translation", never merged automatically.

Only stories in different languages are compared (copies in one language are the near-duplicate
detector's work, stories.services.dedup), only canonical, unrejected ones, and only with the
semantic extra. A new story is paired with its closest story in another language when their cosine
reaches NEWSROOM_TRANSLATION_SUGGEST and the new story is, in turn, the closest of its language to
that one (mutual nearest neighbours: every story of this coverage is about one event, so a
threshold alone would pair stories that only share the subject). A pair is queued once: a pair
with a row in the queue, in any state, is never queued again.
"""

import numpy as np
from django.conf import settings

from stories.models import Story
from stories.services.candidates import queue_translation

from . import embedding
from .models import StoryIndex


def _vectors(**filters):
    rows = list(
        StoryIndex.objects.filter(vector__isnull=False, story__merged_into__isnull=True, **filters)
        .exclude(story__status=Story.Status.REJECTED)
        .values_list("story_id", "language", "vector")
    )
    return rows, embedding.matrix(raw for _, _, raw in rows)


def find_translations(story, index):
    """Queue the story in another language that `story` (indexed as `index`) is a translation of,
    if any; returns the new rows (none or one)."""
    if index.vector is None:
        return []
    others, matrix = _vectors()
    own = embedding.from_bytes(index.vector)
    scores = matrix @ own if len(others) else np.zeros(0)
    other_language = [n for n, (pk, language, _) in enumerate(others) if language != index.language]
    if not other_language:
        return []
    best = max(other_language, key=lambda n: scores[n])
    if scores[best] < settings.NEWSROOM_TRANSLATION_SUGGEST:
        return []
    # Mutual: among the stories in this story's language, the other one is closest to this story.
    theirs = matrix @ matrix[best]
    same_language = [n for n, (_, language, _) in enumerate(others) if language == index.language]
    if max(same_language, key=lambda n: theirs[n]) != next(
        n for n, (pk, _, _) in enumerate(others) if pk == story.pk
    ):
        return []
    row = queue_translation(story, Story(pk=others[best][0]), round(float(scores[best]), 4))
    return [row] if row is not None else []
