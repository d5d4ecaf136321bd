from django.core.management.base import BaseCommand, CommandError

from stories.services.dedup import find_duplicates


class Command(BaseCommand):
    help = (
        "Sign every story not yet signed for its current text, then recheck all canonical stories: "
        "merge near copies at or above the auto-link threshold and queue those from the suggest threshold."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--threshold", type=float, metavar="T", help="Suggest threshold for this run (default: settings)."
        )

    def handle(self, *args, threshold=None, **options):
        if threshold is not None and not 0 < threshold <= 1:
            raise CommandError(f"--threshold {threshold}: give a similarity between 0 and 1")
        report = find_duplicates(suggest=threshold)
        for refusal in report.refused:
            self.stderr.write(f"not merged: {refusal}")
        self.stdout.write(
            f"{report.signed} signed, {report.candidates} candidate pairs checked, "
            f"{report.merged} merged, {report.suggested} queued for review"
            + (f", {len(report.refused)} refused (see above)" if report.refused else "")
        )
