"""A story's versions: every text it was seen with, and who let a new one reach readers.

DESIGN.md rule 8: published text never changes unreviewed. The story row holds the text readers
see. Each text a story is seen with is kept as a StoryVersion:

- its first text (kind "initial" or "ingest", or "editor" for a story typed in the admin);
- a new text an ingest brings (`propose`): applied at once to a story nobody reads yet (new, in
  review, rejected), but for a published story or a copy merged into another it waits, pending,
  until an editor accepts it (`accept_version`) or dismisses it (`dismiss_version`); a newer
  text supersedes the one waiting. A text the story already had, or that waits already, is
  "unchanged": re-ingesting an item changes nothing, and a feed alternating two texts does not
  flip the story back and forth;
- an editor's edit (`save_edit`): applied, accepted by that editor, and its fields recorded in
  `Story.edited_fields`, which an ingest never overwrites (the proposal keeps the editor's value;
  a text waiting for review is rebased on the edit).

Quote watch: whenever a new version is stored, each claim appearance of the story whose quote
no longer occurs in the new body or summary (normalised as stories.services.claims compares a
quote) is flagged with when and in which version; a version holding it again clears the flag.
"""

import difflib

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.db.models.signals import post_save
from django.utils import timezone

from stories.errors import EditorialError
from stories.models import TEXT_FIELDS, ClaimAppearance, Story, StoryVersion
from stories.text import normalise, text_fingerprint

from .transactions import retry_once_on_conflict

Kind, State = StoryVersion.Kind, StoryVersion.State


def text_of(obj):
    """{field: value} of the text fields of a story, a version or an ingest item."""
    return {name: getattr(obj, name) for name in TEXT_FIELDS}


def fingerprint_of(text):
    return text_fingerprint(*(text[name] for name in TEXT_FIELDS))


def _lines(name, value):
    if value is None:
        return []
    if name == "published_at":
        return [value.isoformat()]
    return str(value).split("\n")


def diff(old, new):
    """A unified diff of two texts ({field: value}), field by field; empty when they are equal."""
    parts = []
    for name in TEXT_FIELDS:
        before, after = _lines(name, old.get(name)), _lines(name, new.get(name))
        if before != after:
            parts.extend(
                difflib.unified_diff(before, after, f"{name} (before)", f"{name} (after)", lineterm="")
            )
    return "\n".join(parts)


def is_held(story):
    """Whether a new text of `story` waits for an editor: readers see it (published), or it is a
    copy whose text its canonical story serves."""
    return story.status == Story.Status.PUBLISHED or story.merged_into_id is not None


def has_pending():
    """An EXISTS expression: the story has a text waiting for review ("changed since review")."""
    return Exists(StoryVersion.objects.pending().filter(story=OuterRef("pk")))


def first_version(story, *, kind=Kind.INITIAL, origin="", by=None):
    """Record the story's current text as its first, accepted version."""
    text = text_of(story)
    return StoryVersion.objects.create(
        story=story,
        **text,
        fingerprint=fingerprint_of(text),
        kind=kind,
        state=State.ACCEPTED,
        origin=origin[:500],
        created_by=by,
        accepted_by=by if kind == Kind.EDITOR else None,
        accepted_at=timezone.now(),
    )


def ensure_versions(story_ids=None):
    """Give every story (of `story_ids`) without a version its first one; returns how many."""
    stories = Story.objects.exclude(Exists(StoryVersion.objects.filter(story=OuterRef("pk"))))
    if story_ids is not None:
        stories = stories.filter(pk__in=list(story_ids))
    made = 0
    for story in stories.iterator(chunk_size=500):
        first_version(story)
        made += 1
    return made


def _apply(story, text, *, by, reason):
    for name, value in text.items():
        setattr(story, name, value)
    story._history_user = by
    story._change_reason = reason
    story.save(update_fields=[*TEXT_FIELDS, "updated_at"])
    from stories.services import dedup

    dedup.index_story(story)


def _supersede_pending(story, keep=None):
    pending = StoryVersion.objects.pending().filter(story=story)
    if keep is not None:
        pending = pending.exclude(pk=keep.pk)
    pending.update(state=State.SUPERSEDED)


def propose(story, text, *, origin="", by=None):
    """A new text for `story` from an ingest; call inside a transaction holding the story's lock.

    `text` is {field: value} for TEXT_FIELDS; fields an editor edited keep the story's value.
    Returns (outcome, version): "unchanged" (the story has, had or is waiting with this text;
    version None), "updated" (applied: nobody reads the story yet) or "held" (a published story:
    the version waits for an editor)."""
    current = text_of(story)
    text = {name: current[name] if name in story.edited_fields else text[name] for name in TEXT_FIELDS}
    if _same(text, current):
        return "unchanged", None
    print_ = fingerprint_of(text)
    if not story.versions.exists():
        first_version(story)
    elif story.versions.filter(fingerprint=print_).exists():
        return "unchanged", None
    version = StoryVersion(
        story=story,
        **text,
        fingerprint=print_,
        kind=Kind.INGEST,
        origin=origin[:500],
        created_by=by,
        diff=diff(current, text),
    )
    if is_held(story):
        _supersede_pending(story)
        version.state = State.PENDING
        version.save()
        outcome = "held"
    else:
        _supersede_pending(story)
        version.state, version.accepted_at = State.ACCEPTED, timezone.now()
        version.save()
        _apply(story, text, by=by, reason=f"Ingest: new text from {origin or 'an update'}")
        outcome = "updated"
    watch_quotes(story, version)
    return outcome, version


def _same(one, other):
    return fingerprint_of(one) == fingerprint_of(other)


def watch_quotes(story, version):
    """Flag the story's appearances whose quote the version's body and summary no longer hold;
    clear the flag of those it holds again."""
    haystacks = [normalise(version.body), normalise(version.summary)]
    dropped, back = [], []
    for pk, quote, flagged in ClaimAppearance.objects.filter(story=story).values_list(
        "pk", "quote", "dropped_at"
    ):
        needle = normalise(quote)
        present = bool(needle) and any(needle in haystack for haystack in haystacks)
        if not present and flagged is None:
            dropped.append(pk)
        elif present and flagged is not None:
            back.append(pk)
    if dropped:
        ClaimAppearance.objects.filter(pk__in=dropped).update(dropped_at=timezone.now(), dropped_in=version)
    if back:
        ClaimAppearance.objects.filter(pk__in=back).update(dropped_at=None, dropped_in=None)


def clear_quote_flags(appearances):
    """An editor has dealt with these flagged appearances; returns how many were flagged."""
    return appearances.filter(dropped_at__isnull=False).update(dropped_at=None, dropped_in=None)


def _locked_version(version):
    story = Story.objects.select_for_update().get(pk=version.story_id)
    version = StoryVersion.objects.select_for_update().get(pk=version.pk)
    if version.state != State.PENDING:
        raise EditorialError(
            f"This text of “{story}” is no longer waiting for review "
            f"({version.get_state_display().lower()}): only the waiting text can be accepted or dismissed."
        )
    return story, version


@retry_once_on_conflict
def accept_version(version, *, by):
    """Make the waiting text `version` the story's text, recording who accepted it and when."""
    with transaction.atomic():
        story, version = _locked_version(version)
        version.state, version.accepted_by, version.accepted_at = State.ACCEPTED, by, timezone.now()
        version.save(update_fields=["state", "accepted_by", "accepted_at"])
        seen = f"{version.seen_at:%d %b %Y %H:%M}"
        _apply(story, version.text(), by=by, reason=f"Accepted the text seen {seen} ({version.origin})")
        return version


@retry_once_on_conflict
def dismiss_version(version, *, by):
    """Keep the story's text and set the waiting `version` aside; the same text arriving again is
    recognised and not proposed a second time."""
    with transaction.atomic():
        story, version = _locked_version(version)
        version.state, version.dismissed_by, version.dismissed_at = State.DISMISSED, by, timezone.now()
        version.save(update_fields=["state", "dismissed_by", "dismissed_at"])
        ClaimAppearance.objects.filter(dropped_in=version).update(dropped_at=None, dropped_in=None)
        return version


def accept_pending(story, *, by):
    """Accept the text waiting for `story`; refused when none is."""
    version = StoryVersion.objects.pending().filter(story=story).first()
    if version is None:
        raise EditorialError(f"No new text of “{story}” is waiting for review.")
    return accept_version(version, by=by)


@retry_once_on_conflict
def save_edit(story, changed, *, by, origin="admin"):
    """Save an editor's edit of `story` (a new one, or an existing one whose form changed the
    fields `changed`): the text applies at once, accepted by the editor; its text fields join
    `edited_fields`, which later ingests leave alone, and a text waiting for review keeps the
    editor's values of them."""
    edited = set(changed) & set(TEXT_FIELDS)
    story._history_user = by
    with transaction.atomic():
        if story.pk is None:
            story.edited_fields = sorted(edited)
            story._version = {"kind": Kind.EDITOR, "origin": origin, "by": by}
            story.save()
            return story
        stored = Story.objects.select_for_update().get(pk=story.pk)
        for field in Story.owned_fields():  # as a full save leaves them: the locked row's values
            setattr(story, field.attname, getattr(stored, field.attname))
        before = text_of(stored)
        edited = {name for name in edited if getattr(story, name) != before[name]}
        story.edited_fields = sorted(set(stored.edited_fields or []) | edited)
        story.save(update_fields=[*Story.unowned_field_names(), "edited_fields"])
        if not edited:
            return story
        if not story.versions.exists():
            first_version(story)
        version = StoryVersion.objects.create(
            story=story,
            **text_of(story),
            fingerprint=fingerprint_of(text_of(story)),
            kind=Kind.EDITOR,
            state=State.ACCEPTED,
            origin=origin,
            created_by=by,
            accepted_by=by,
            accepted_at=timezone.now(),
            diff=diff(before, text_of(story)),
        )
        _rebase_pending(story, edited)
        watch_quotes(story, version)
        return story


def _rebase_pending(story, edited):
    """Give the text waiting for `story` the editor's values of the `edited` fields."""
    version = StoryVersion.objects.pending().select_for_update().filter(story=story).first()
    if version is None:
        return
    for name in edited:
        setattr(version, name, getattr(story, name))
    current = text_of(story)
    if _same(version.text(), current):
        version.state = State.SUPERSEDED
        version.save(update_fields=["state"])
        return
    version.fingerprint = fingerprint_of(version.text())
    version.diff = diff(current, version.text())
    version.save(update_fields=[*edited, "fingerprint", "diff"])


# --- every story has its versions ------------------------------------------------------------


def _story_saved(sender, instance, created, raw, **kwargs):
    """A new story's text is its first version. Rows loaded by loaddata (fixtures, a restore) get
    theirs once the load commits, if the file did not bring their versions along."""
    if raw:
        from django.db import connection

        pending = getattr(connection, "newsroom_unversioned", None)
        if pending is None:
            pending = connection.newsroom_unversioned = set()
        pending.add(instance.pk)
        # Registered with every row (the first to run takes them all), so rows noted by a load
        # that rolled back, whose hooks were dropped, are versioned with the next commit.
        transaction.on_commit(_version_loaded_stories)
        return
    if created:
        how = getattr(instance, "_version", {})
        first_version(
            instance,
            kind=how.get("kind", Kind.INITIAL),
            origin=how.get("origin", ""),
            by=how.get("by", getattr(instance, "_history_user", None)),
        )


def _version_loaded_stories():
    from django.db import connection

    ids = getattr(connection, "newsroom_unversioned", None) or set()
    connection.newsroom_unversioned = None
    if ids:
        ensure_versions(ids)


def connect():
    post_save.connect(_story_saved, sender=Story, dispatch_uid="versions-first-version")
