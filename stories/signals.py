"""Signals other apps listen to, so that they follow the stories without the stories knowing them."""

from django.dispatch import Signal

# Sent by stories.services.ingest inside an item's transaction, once it is stored, with
# `result` (its IngestResult). A receiver that works on the story defers its work until the
# transaction commits (transaction.on_commit).
story_ingested = Signal()
