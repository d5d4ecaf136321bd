"""Matching runs after each ingest that stored a new story or a new text, once it has committed."""

import logging

from django.conf import settings
from django.db import transaction

from stories.signals import story_ingested

logger = logging.getLogger(__name__)

# Ingest outcomes whose story text is new to matching.
NEW_TEXT = {"new", "updated"}


def after_ingest(story_id):
    """Match one stored story (the work a background job would do)."""
    from stories.models import Story

    from .services import match_story

    story = Story.objects.filter(pk=story_id).first()
    if story is not None:
        match_story(story)


def _ingested(sender, result, **kwargs):
    if not settings.NEWSROOM_MATCHING_ON_INGEST or result.outcome not in NEW_TEXT:
        return
    story_id = result.story.pk
    # robust: a failure to match is logged and never undoes or fails the ingest that committed.
    transaction.on_commit(lambda: after_ingest(story_id), robust=True)


def connect():
    story_ingested.connect(_ingested, dispatch_uid="matching.after_ingest")
