import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from stories.ingest import FORMATS, read_file
from stories.models import Source
from stories.services import outlets
from stories.services.ingest import IngestError, ingest_items


def _files(paths):
    """The files named, and every file in the folders named (hidden ones skipped); a FIFO, device
    or socket found in a folder is named too, and refused by the reader."""
    for path in map(Path, paths):
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if not p.is_dir() and not p.name.startswith("."))
        else:
            yield path


def _items(path, fmt):
    """The reader's items and refusals for the file; a reader that breaks down ends the file with
    an error naming it, never the run."""
    items = read_file(path, fmt)
    while True:
        try:
            yield next(items)
        except StopIteration:
            return
        except Exception as exc:  # noqa: BLE001  (bad input must never stop the run)
            yield IngestError(f"{path}: could not be read ({type(exc).__name__}: {str(exc)[:200]})")
            return


class Command(BaseCommand):
    help = "Ingest articles from files or folders (plain text, JSON Lines, RSS/Atom, saved HTML pages)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="A file, or a folder: every file in it.")
        parser.add_argument(
            "--source",
            metavar="SLUG",
            help="Source of items that name none (before their URL's host is looked at); without it "
            "such items go to the outlet of their URL's host, or to “Unattributed”.",
        )
        parser.add_argument("--format", choices=FORMATS, default="auto", help="Default: picked by content.")

    def handle(self, *args, paths, source=None, format="auto", **options):
        default_source = None
        if source:
            default_source = Source.objects.filter(slug=source).first()
            if default_source is None:
                raise CommandError(f"--source {source}: no source with that slug")
        files = list(_files(paths))
        counts = {"new": 0, "unchanged": 0, "updated": 0, "held": 0, "merged": 0, "failed": 0}
        suggested = unattributed = 0
        to_review = Source.objects.filter(needs_review=True).count()
        seen = {}  # story id: the item of this run that delivered it
        bar = self.stdout.isatty() and len(files) > 1
        for done, path in enumerate(files, 1):
            results = ingest_items(_items(path, format), source=default_source, seen=seen)
            for item, result in results:
                if isinstance(result, Exception):
                    counts["failed"] += 1
                    if isinstance(result, IngestError):
                        self.stderr.write(f"failed: {result}")
                    else:  # one item never stops the run
                        self.stderr.write(
                            f"failed: {item.origin}: could not be stored "
                            f"({type(result).__name__}: {str(result)[:200]})"
                        )
                    continue
                counts[result.outcome] += 1
                suggested += result.suggested
                unattributed += result.attribution == outlets.UNATTRIBUTED
                if options["verbosity"] > 1 or (result.message and result.outcome != "unchanged"):
                    self.stdout.write(
                        f"{result.outcome}: {item.origin}: “{result.story}” {result.message}".rstrip()
                    )
            if bar:
                filled = done * 30 // len(files)
                sys.stdout.write(f"\r[{'#' * filled}{' ' * (30 - filled)}] {done}/{len(files)} files")
                sys.stdout.flush()
        if bar:
            sys.stdout.write("\n")
        new_outlets = max(0, Source.objects.filter(needs_review=True).count() - to_review)
        self.stdout.write(
            f"{counts['new'] + counts['merged']} new, {counts['unchanged']} unchanged, "
            f"{counts['updated']} updated, {counts['failed']} failed "
            f"({counts['merged']} of the new merged into existing stories, "
            f"{suggested} queued as possible copies, "
            f"{counts['held']} new texts of published stories waiting for review, "
            f"{unattributed} without an outlet filed under “{outlets.UNATTRIBUTED_NAME}”, "
            f"{new_outlets} new outlets to review)"
        )
        if counts["failed"]:
            raise CommandError(f"{counts['failed']} item(s) failed; see the messages above")
