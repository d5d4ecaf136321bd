"""Break each rule of the design, one hand-made mutation at a time, and check that its tests notice.

    python tests/mutants.py            # every mutation (make mutants)
    python tests/mutants.py 2 10       # only the mutations of rules 2 and 10
    python tests/mutants.py --list     # say what each mutation does, run nothing

The tree is copied (the files git knows, committed or not) into a temporary folder, and every
mutation is applied there, its tests run, and the file put back, so the working tree is never
touched, whatever happens. The tests run on the database DATABASE_URL names (SQLite by default),
in one test database the copy reuses across runs (`--reuse-db`; no mutation touches a migration).

A mutation is *killed* when its tests fail, *survived* when they pass. Each mutation runs only the
tests of its rule. Before any mutation, those tests run once on the unmutated copy and must pass.
Prints each mutation's outcome, then the kill rate; exits 1 below GOAL.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL = 0.95


@dataclass(frozen=True)
class Mutant:
    rule: int
    what: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]


V = "tests/test_visibility.py::"
TIMELINE = ("tests/test_timeline_rule.py",)
PUBLISHABLE = (
    "return self.filter(pk__in=pairs).exclude(pk__in=pairs.exclude(claim__verdict__in=SUPPORTING_VERDICTS))"
)
MERGE = ("tests/test_merge.py",)
OWNED = ("tests/test_owned_fields.py",)
CACHE = ("tests/test_http_caching.py",)

MUTANTS = [
    # 1. Only published, canonical stories; merged ones redirect.
    Mutant(
        1,
        "public stories include unpublished ones",
        "stories/models/stories.py",
        "status=Story.Status.PUBLISHED, merged_into__isnull=True, source__needs_review=False",
        "merged_into__isnull=True, source__needs_review=False",
        (V + "test_public_stories_exclude_unpublished_ones",),
    ),
    Mutant(
        1,
        "public stories include merged copies",
        "stories/models/stories.py",
        "status=Story.Status.PUBLISHED, merged_into__isnull=True, source__needs_review=False",
        "status=Story.Status.PUBLISHED, source__needs_review=False",
        (V + "test_public_stories_exclude_merged_copies",),
    ),
    Mutant(
        1,
        "public stories include those of outlets waiting for review",
        "stories/models/stories.py",
        "status=Story.Status.PUBLISHED, merged_into__isnull=True, source__needs_review=False",
        "status=Story.Status.PUBLISHED, merged_into__isnull=True",
        (V + "test_an_outlet_waiting_for_review_and_its_stories_show_nowhere",),
    ),
    Mutant(
        1,
        "a rejected copy is served on its canonical story",
        "stories/models/stories.py",
        '                & ~Q(**{f"{prefix}status": rejected})\n',
        "",
        (V + "test_a_rejected_copy_shows_nowhere_on_its_canonical_story_on_the_site_or_in_the_api",),
    ),
    Mutant(
        1,
        "the API's verdict filter of stories counts a rejected copy's claims",
        "stories/api/filters.py",
        '(Q(story__merged_into=OuterRef("pk")) & Story.served_condition("story__"))',
        'Q(story__merged_into=OuterRef("pk"))',
        (V + "test_a_rejected_copy_shows_nowhere_on_its_canonical_story_on_the_site_or_in_the_api",),
    ),
    Mutant(
        1,
        "a merged copy's page no longer redirects",
        "stories/selectors.py",
        "return StoryLookup(moved_to=copy.merged_into if copy else None)",
        "return StoryLookup(moved_to=None)",
        (V + "test_merged_story_page_redirects_permanently_to_its_canonical_story",),
    ),
    # 2. A timeline entry is public only when published and every claim accurate or mostly accurate.
    Mutant(
        2,
        "unproven supports the timeline",
        "stories/models/claims.py",
        "SUPPORTING_VERDICTS = (Verdict.ACCURATE, Verdict.MOSTLY_ACCURATE)",
        "SUPPORTING_VERDICTS = (Verdict.ACCURATE, Verdict.MOSTLY_ACCURATE, Verdict.UNPROVEN)",
        TIMELINE,
    ),
    Mutant(
        2,
        "mostly accurate no longer supports the timeline",
        "stories/models/claims.py",
        "SUPPORTING_VERDICTS = (Verdict.ACCURATE, Verdict.MOSTLY_ACCURATE)",
        "SUPPORTING_VERDICTS = (Verdict.ACCURATE,)",
        TIMELINE,
    ),
    Mutant(
        2,
        "one supporting claim is enough, whatever the others",
        "stories/models/timeline.py",
        PUBLISHABLE,
        "return self.filter(pk__in=pairs.filter(claim__verdict__in=SUPPORTING_VERDICTS))",
        TIMELINE,
    ),
    Mutant(
        2,
        "an entry resting on no claim is publishable",
        "stories/models/timeline.py",
        PUBLISHABLE,
        "return self.exclude(pk__in=pairs.exclude(claim__verdict__in=SUPPORTING_VERDICTS))",
        TIMELINE,
    ),
    Mutant(
        2,
        "the public query trusts the published flag alone",
        "stories/models/timeline.py",
        "return self.filter(is_published=True).publishable()\n",
        "return self.filter(is_published=True)\n",
        TIMELINE,
    ),
    Mutant(
        2,
        "unpublished entries are public",
        "stories/models/timeline.py",
        "return self.filter(is_published=True).publishable()\n",
        "return self.publishable()\n",
        TIMELINE,
    ),
    Mutant(
        2,
        "the publish service does not check the claims",
        "stories/services/timeline.py",
        "if not TimelineEntry.objects.filter(pk=entry.pk).publishable().exists():",
        "if False:",
        TIMELINE,
    ),
    Mutant(
        2,
        "the site's timeline reads every entry",
        "stories/selectors.py",
        'entries = TimelineEntry.objects.public().order_by("date", "pk")',
        'entries = TimelineEntry.objects.all().order_by("date", "pk")',
        TIMELINE,
    ),
    # 3. Internal notes never appear in any public page, feed or API response.
    Mutant(
        3,
        "public notes include internal ones",
        "stories/models/notes.py",
        "return self.filter(visibility=EditorialNote.Visibility.PUBLIC)",
        "return self.all()",
        (
            V + "test_public_notes_queryset_excludes_internal_notes",
            V + "test_internal_notes_appear_on_no_public_page",
        ),
    ),
    Mutant(
        3,
        "the read model's corrections include internal notes",
        "stories/selectors.py",
        "return EditorialNote.objects.public().filter(**on)",
        "return EditorialNote.objects.filter(**on)",
        (V + "test_internal_notes_appear_on_no_public_page",),
    ),
    Mutant(
        3,
        "notes are public unless said otherwise",
        "stories/models/notes.py",
        "default=Visibility.INTERNAL",
        "default=Visibility.PUBLIC",
        ("tests/test_notes.py",),
    ),
    # 4. Ingesting the same item twice changes nothing.
    Mutant(
        4,
        "the fingerprint no longer recognises a copy under another URL",
        "stories/services/ingest.py",
        'same = Story.objects.filter(fingerprint=print_).order_by("pk").first()',
        "same = None",
        ("tests/test_ingest.py", "-k", "twice or fingerprint or guid"),
    ),
    Mutant(
        4,
        "a guid no longer recognises an item",
        "stories/services/ingest.py",
        "    if item.guid:\n        story = Story.objects.filter(guid=item.guid, source=source)",
        "    if False:\n        story = Story.objects.filter(guid=item.guid, source=source)",
        ("tests/test_ingest.py", "-k", "twice or fingerprint or guid"),
    ),
    Mutant(
        4,
        "a text the story had before is proposed again",
        "stories/services/versions.py",
        '    elif story.versions.filter(fingerprint=print_).exists():\n        return "unchanged", None\n',
        "",
        ("tests/test_versions.py", "-k", "dismissed or reverts or flip"),
    ),
    # 5. Bad input: a clear error naming the item and line, nothing half-written.
    Mutant(
        5,
        "an item is no longer stored atomically",
        "stories/services/ingest.py",
        "        with transaction.atomic():\n            story_source, attribution",
        "        if True:\n            story_source, attribution",
        ("tests/test_bad_input.py", "-k", "fails_only_its_item or fails_its_file"),
    ),
    Mutant(
        5,
        "errors no longer name the item",
        "stories/services/ingest.py",
        'return f"{item.origin}: " if item.origin else ""',
        'return ""',
        ("tests/test_ingest.py", "-k", "bad_input or refuses"),
    ),
    Mutant(
        5,
        "a date in the future is accepted",
        "stories/services/ingest.py",
        'raise IngestError(f"{where}published date {parsed:%Y-%m-%d} is in the future")',
        "pass",
        ("tests/test_bad_input.py", "-k", "dates_outside"),
    ),
    Mutant(
        5,
        "an empty title is accepted",
        "stories/services/ingest.py",
        '    if not item.title:\n        _fail(item, "empty title")',
        '    if not item.title:\n        item.title = "Untitled"',
        ("tests/test_ingest.py", "-k", "bad_input or refuses"),
    ),
    # 6. Merges lose no data and leave no chain or cycle; owned fields only by their service.
    Mutant(
        6,
        "a cycle is not refused",
        "stories/services/merge.py",
        "        if target.pk == dup.pk:\n",
        "        if False:\n",
        MERGE,
    ),
    Mutant(
        6,
        "merging into a copy makes a chain",
        "stories/services/merge.py",
        "        if target.merged_into_id:  # flatten",
        "        if False:  # flatten",
        MERGE,
    ),
    Mutant(
        6,
        "the duplicate's own copies are not repointed (a chain)",
        "stories/services/merge.py",
        "repointed = [s for s in locked.values() if s.merged_into_id == dup.pk]",
        "repointed = []",
        MERGE,
    ),
    Mutant(
        6,
        "a story already merged is merged again",
        "stories/services/merge.py",
        "        if dup.merged_into_id:\n            raise",
        "        if False:\n            raise",
        MERGE,
    ),
    Mutant(
        6,
        "a published story is merged into an unpublished one (taken off the site)",
        "stories/services/merge.py",
        "if dup.status == Story.Status.PUBLISHED and target.status != Story.Status.PUBLISHED:",
        "if False:",
        MERGE,
    ),
    Mutant(
        6,
        "undo does not check later merges",
        "stories/services/merge.py",
        "            if story.merged_into_id != record.canonical_id:",
        "            if False:",
        MERGE,
    ),
    Mutant(
        6,
        "undo leaves the repointed copies on the canonical story",
        "stories/services/merge.py",
        "            copy.merged_into = dup\n",
        "            copy.merged_into = copy.merged_into\n",
        MERGE,
    ),
    Mutant(
        6,
        "undo runs twice",
        "stories/services/merge.py",
        "        if record.undone_at is not None:",
        "        if False:",
        MERGE,
    ),
    Mutant(
        6,
        "a stale full save writes the fields a service owns",
        "stories/models/owned.py",
        "            if self._refresh_owned_fields(using):",
        "            if False:",
        OWNED,
    ),
    # 7. Stored HTML sanitised; hidden markup is markup; everything else escaped.
    Mutant(
        7,
        "scripts in a feed item's HTML keep their text",
        "stories/services/ingest.py",
        'clean_content_tags={"script", "style"}',
        "clean_content_tags=set()",
        ("tests/test_ingest.py", "-k", "without_their_scripts or no_script_survives"),
    ),
    Mutant(
        7,
        "markup in full-width characters is not markup",
        "stories/services/ingest.py",
        'plain = unicodedata.normalize("NFKC", html.unescape(text))',
        "plain = html.unescape(text)",
        ("tests/test_bad_input.py", "-k", "hidden_in_entities"),
    ),
    Mutant(
        7,
        "markup in HTML entities is not markup",
        "stories/services/ingest.py",
        'plain = unicodedata.normalize("NFKC", html.unescape(text))',
        'plain = unicodedata.normalize("NFKC", text)',
        ("tests/test_bad_input.py", "-k", "hidden_in_entities"),
    ),
    Mutant(
        7,
        "JSON-LD can leave its script element",
        "stories/jsonld.py",
        '_SCRIPT_SAFE = {ord("<"): "\\\\u003C", ord(">"): "\\\\u003E", ord("&"): "\\\\u0026"}',
        "_SCRIPT_SAFE = {}",
        ("tests/test_claimreview.py::test_jsonld_cannot_break_out_of_its_script_element",),
    ),
    Mutant(
        7,
        "a story's title is not escaped",
        "templates/stories/story_detail.html",
        "<h1>{{ story.title }}</h1>",
        "<h1>{{ story.title|safe }}</h1>",
        (V + "test_hostile_text_is_escaped",),
    ),
    # 8. Published text never changes unreviewed; only the story's own outlet updates it.
    Mutant(
        8,
        "a published story's new text applies at once",
        "stories/services/versions.py",
        "    if is_held(story):\n        _supersede_pending(story)",
        "    if False:\n        _supersede_pending(story)",
        ("tests/test_versions.py", "-k", "waits_for_an_editor or readers_do_not_see"),
    ),
    Mutant(
        8,
        "another outlet's item updates a story at its URL",
        "stories/services/ingest.py",
        "if story is not None and story.source_id != source.pk:",
        "if False:",
        ("tests/test_versions.py", "-k", "does_not_rewrite or cannot_rewrite"),
    ),
    Mutant(
        8,
        "a guid names an item across outlets",
        "stories/services/ingest.py",
        "story = Story.objects.filter(guid=item.guid, source=source)",
        "story = Story.objects.filter(guid=item.guid)",
        ("tests/test_versions.py", "-k", "guid_names"),
    ),
    Mutant(
        8,
        "an ingest overwrites the fields an editor edited",
        "stories/services/versions.py",
        "text = {name: current[name] if name in story.edited_fields else text[name] for name in TEXT_FIELDS}",
        "text = {name: text[name] for name in TEXT_FIELDS}",
        ("tests/test_versions.py", "-k", "editors_fields or never_reverts or rebased"),
    ),
    Mutant(
        8,
        "a copy merged into a published story takes a new text at once",
        "stories/services/versions.py",
        "return story.status == Story.Status.PUBLISHED or story.merged_into_id is not None",
        "return story.status == Story.Status.PUBLISHED",
        ("tests/test_versions.py", "-k", "merge or copy"),
    ),
    # 9. A verdict is public only once reviewed.
    Mutant(
        9,
        "unreviewed claims are public",
        "stories/models/claims.py",
        "return self.exclude(verdict=Verdict.UNREVIEWED)",
        "return self.all()",
        (
            V + "test_public_claims_are_the_reviewed_ones",
            V + "test_unreviewed_claim_page_is_not_found",
        ),
    ),
    Mutant(
        9,
        "a verdict without an explanation is accepted",
        "stories/services/claims.py",
        'if verdict != Verdict.UNREVIEWED and not (explanation or "").strip():',
        "if False:",
        ("tests/test_admin_claims.py", "-k", "explanation"),
    ),
    # 10. One read model; public caches invalidated after commit, only by changes readers see.
    *(
        Mutant(
            10,
            f"a change to {model} no longer invalidates public pages",
            "stories/invalidation.py",
            f"    models.{model}: {rule},\n",
            "",
            CACHE,
        )
        for model, rule in [
            ("Evidence", "_evidence"),
            ("Tag", "_always"),
            ("ClaimAppearance", "_appearance"),
            ("TimelineEntry", "_entry"),
            ("EditorialNote", "_note"),
            ("Source", "_source"),
        ]
    ),
    Mutant(
        10,
        "a claim added to or removed from an entry no longer invalidates",
        "stories/invalidation.py",
        "        note(public=published)\n",
        "        pass\n",
        CACHE,
    ),
    Mutant(
        10,
        "a public note made internal does not invalidate",
        "stories/invalidation.py",
        'return {"public": note.visibility == shown or before.get("visibility") == shown}',
        'return {"public": note.visibility == shown}',
        CACHE,
    ),
    Mutant(
        10,
        "an unpublished entry's edits invalidate",
        "stories/invalidation.py",
        'return {"public": entry.is_published or bool(before.get("is_published"))}',
        'return {"public": True}',
        CACHE,
    ),
    Mutant(
        10,
        "every change invalidates, readers' or not",
        "stories/invalidation.py",
        "        if pending.public:\n",
        "        if True:\n",
        CACHE,
    ),
    Mutant(
        10,
        "invalidation runs before the commit",
        "stories/invalidation.py",
        "    transaction.on_commit(_committed, robust=True)\n",
        "    _committed()\n",
        CACHE,
    ),
    Mutant(
        10,
        "a kept page is served whatever the site version",
        "stories/caching.py",
        "        if stored_version == version:\n",
        "        if True:\n",
        CACHE,
    ),
    Mutant(
        10,
        "made-up parameter values are kept",
        "stories/caching.py",
        'if response.status_code == 200 and (not request.GET or getattr(request, "values_known", False)):',
        "if response.status_code == 200:",
        CACHE,
    ),
]


def tracked_files():
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    return [name for name in listed.decode().split("\0") if name and (ROOT / name).is_file()]


def copy_tree(into):
    for name in tracked_files():
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)


def union(selections):
    """The files and the one `-k` expression that select every test of `selections` (each: paths,
    node ids `path::test`, and an optional `-k EXPRESSION` for its paths), for one pytest run."""
    files, terms = set(), set()
    for selection in selections:
        args = list(selection)
        expression = None
        if "-k" in args:
            at = args.index("-k")
            expression = args[at + 1]
            del args[at : at + 2]
        for arg in args:
            path, _, name = arg.partition("::")
            files.add(path)
            module = Path(path).stem
            condition = name or (f"({expression})" if expression else "")
            terms.add(f"({module} and {condition})" if condition else module)
    return sorted(files), " or ".join(sorted(terms))


def run_tests(tree, tests, env):
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--reuse-db", *tests]
    result = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True)
    return result.returncode, result.stdout + result.stderr


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rules", nargs="*", type=int, help="only the mutations of these rules")
    parser.add_argument("--list", action="store_true", help="list the mutations and run nothing")
    options = parser.parse_args()
    chosen = [m for m in MUTANTS if not options.rules or m.rule in options.rules]
    if options.list:
        for number, mutant in enumerate(chosen, 1):
            print(
                f"{number:3}. rule {mutant.rule:2}: {mutant.what} ({mutant.path}; {', '.join(mutant.tests)})"
            )
        return 0

    for mutant in chosen:  # a mutation that no longer applies is a defect of this list
        found = (ROOT / mutant.path).read_text().count(mutant.old)
        if found != 1:
            print(f"rule {mutant.rule}: {mutant.what}: its text occurs {found} times in {mutant.path}")
            return 2

    with tempfile.TemporaryDirectory(prefix="newsroom-mutants-") as folder:
        tree = Path(folder)
        copy_tree(tree)
        env = {**os.environ, "DJANGO_TEST_DB_NAME": str(tree / "test-db.sqlite3")}
        if env.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
            env["DJANGO_TEST_DB_NAME"] = os.environ.get("DJANGO_TEST_DB_NAME", "test_mutants")
        files, keywords = union(mutant.tests for mutant in chosen)
        print(f"Unmutated: the tests of every mutation ({len(files)} files)...", flush=True)
        status, output = run_tests(tree, ["--create-db", *files, "-k", keywords], env)
        if status != 0:
            print(output[-3000:])
            print("The tests fail without any mutation: fix them first.")
            return 2

        killed, survived = 0, []
        for number, mutant in enumerate(chosen, 1):
            path = tree / mutant.path
            original = path.read_text()
            started = time.monotonic()
            try:
                path.write_text(original.replace(mutant.old, mutant.new, 1))
                status, output = run_tests(tree, mutant.tests, env)
            finally:
                path.write_text(original)
            seconds = time.monotonic() - started
            if status == 1:
                outcome = "killed"
                killed += 1
            else:  # 0: every test passed; anything else (a collection error...) killed nothing
                outcome = "SURVIVED" if status == 0 else f"ERROR (pytest exit {status})"
                survived.append(mutant)
            print(f"{number:3}. rule {mutant.rule:2}: {mutant.what}: {outcome} ({seconds:.0f} s)", flush=True)
            if status not in (0, 1):
                print(output[-1500:])

    rate = killed / len(chosen)
    print(f"\nKilled {killed} of {len(chosen)} mutations: kill rate {rate:.1%} (goal {GOAL:.0%}).")
    for mutant in survived:
        print(
            f"  survived: rule {mutant.rule}: {mutant.what} ({mutant.path}; tests {', '.join(mutant.tests)})"
        )
    return 0 if rate >= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
