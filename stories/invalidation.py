"""What a committed change means for readers.

Signal handlers note, per transaction, the rows a save or delete touched and whether it can
alter public output at all: an internal note, a story nobody reads yet or an unreviewed claim
cannot. Once the transaction commits (`transaction.on_commit`), the stored counts of the rows
touched are recounted (stories.services.counters) and, if anything public changed, the site
version moves (stories.models.SiteVersion): one statement in its own transaction, so no writing
transaction ever waits on it. A rolled-back transaction changes nothing.
"""

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save

from stories import models
from stories.services import counters


class Pending:
    """The changes of one transaction, noted on its connection until it commits."""

    def __init__(self):
        self.stories, self.claims, self.sources = set(), set(), set()
        self.public = False


def _committed():
    pending = getattr(connection, "newsroom_pending", None)
    if pending is None:
        return
    connection.newsroom_pending = None
    try:
        if pending.stories or pending.claims or pending.sources:
            counters.recount(*counters.affected(pending.stories, pending.claims, pending.sources))
    finally:
        if pending.public:
            models.SiteVersion.bump()


def note(*, public, stories=(), claims=(), sources=()):
    """Note a change of this transaction. The hook is registered with every note (the first to
    run flushes them all), so notes left by a rolled-back transaction, whose hooks were dropped,
    are flushed with the next commit: recounting more rows than needed is harmless."""
    pending = getattr(connection, "newsroom_pending", None)
    if pending is None:
        pending = connection.newsroom_pending = Pending()
    pending.public |= bool(public)
    pending.stories.update(s for s in stories if s)
    pending.claims.update(c for c in claims if c)
    pending.sources.update(s for s in sources if s)
    transaction.on_commit(_committed, robust=True)


# Whether a change to a row can alter public output, given the row and its state before the save.


def _changed(instance, before, fields):
    """Whether the row was created or deleted (nothing `before`) or its `fields` changed."""
    return not before or any(before.get(name) != getattr(instance, name) for name in fields)


def _story(story, before):
    shown = models.Story.Status.PUBLISHED
    public = (
        story.status == shown
        or before.get("status") == shown
        or story.merged_into_id is not None
        or before.get("merged_into_id") is not None
    )
    if not _changed(story, before, ("status", "merged_into_id", "source_id")):
        return {"public": public}  # an edit of its text: no count moves
    sources = {story.source_id, before.get("source_id")}
    return {"public": public, "stories": [story.pk], "sources": sources}


def _claim(claim, before):
    unreviewed = models.Verdict.UNREVIEWED
    public = claim.verdict != unreviewed or before.get("verdict", unreviewed) != unreviewed
    # Its verdict moves the track records of the sources whose stories make it.
    return {"public": public, "claims": [claim.pk] if _changed(claim, before, ("verdict",)) else []}


def _appearance(appearance, before):
    claim = models.Claim.objects.filter(pk=appearance.claim_id).values_list("verdict", flat=True).first()
    return {
        "public": claim not in (None, models.Verdict.UNREVIEWED),
        "claims": [appearance.claim_id],
        "stories": [appearance.story_id],
    }


def _evidence(evidence, before):
    claim = models.Claim.objects.filter(pk=evidence.claim_id).values_list("verdict", flat=True).first()
    return {"public": claim not in (None, models.Verdict.UNREVIEWED), "claims": [evidence.claim_id]}


def _note(note, before):
    shown = models.EditorialNote.Visibility.PUBLIC
    return {"public": note.visibility == shown or before.get("visibility") == shown}


def _entry(entry, before):
    return {"public": entry.is_published or bool(before.get("is_published"))}


def _source(source, before):
    """An outlet still waiting for review is not public; reviewing it (or sending it back to
    review) shows or hides its stories: their sources' and claims' counts move."""
    if not before:
        return {"public": not source.needs_review}
    flipped = before.get("needs_review", source.needs_review) != source.needs_review
    if not flipped:
        return {"public": not source.needs_review}
    claims = models.ClaimAppearance.objects.filter(
        Q(story__source=source.pk) | Q(story__merged_into__source=source.pk)
    ).values_list("claim_id", flat=True)
    copies = models.Story.objects.filter(merged_into__source=source.pk).values_list("source_id", flat=True)
    return {"public": True, "sources": {source.pk, *copies}, "claims": set(claims)}


def _always(instance, before):
    return {"public": True}


RULES = {
    models.Story: _story,
    models.Claim: _claim,
    models.ClaimAppearance: _appearance,
    models.Evidence: _evidence,
    models.EditorialNote: _note,
    models.TimelineEntry: _entry,
    models.Source: _source,
    models.Tag: _always,
    models.Timeline: _always,
}


def _saved(sender, instance, **kwargs):
    before = instance.loaded_state() if isinstance(instance, models.RemembersLoadedState) else {}
    note(**RULES[sender](instance, before))
    if isinstance(instance, models.RemembersLoadedState):
        instance.remember_saved_state()


def _deleted(sender, instance, **kwargs):
    note(**RULES[sender](instance, {}))


def _entry_claims_changed(sender, instance, action, **kwargs):
    if action.startswith("post_"):
        published = instance.is_published if isinstance(instance, models.TimelineEntry) else True
        note(public=published)


def _claim_tags_changed(sender, instance, action, **kwargs):
    if action.startswith("post_"):
        reviewed = (
            instance.verdict != models.Verdict.UNREVIEWED if isinstance(instance, models.Claim) else True
        )
        note(public=reviewed)


def connect():
    for model in RULES:
        name = model.__name__
        post_save.connect(_saved, sender=model, dispatch_uid=f"invalidation-save-{name}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"invalidation-delete-{name}")
    m2m_changed.connect(
        _entry_claims_changed,
        sender=models.TimelineEntry.claims.through,
        dispatch_uid="invalidation-entry-claims",
    )
    m2m_changed.connect(
        _claim_tags_changed, sender=models.Claim.tags.through, dispatch_uid="invalidation-claim-tags"
    )
