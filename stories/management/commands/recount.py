from django.core.management.base import BaseCommand, CommandError

from stories.models import Claim, Source
from stories.services.counters import CLAIM_COUNTS, SOURCE_COUNTS, claim_counts, recount_all, source_counts


class Command(BaseCommand):
    help = (
        "Recount every stored count (claims' independent sources, stories and evidence; sources' "
        "stories and track records) from scratch. Run it after loading data in bulk."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Only report counts that differ; change nothing."
        )

    def handle(self, *args, check=False, **options):
        if not check:
            recount_all()
            self.stdout.write("Every count recounted.")
            return
        claims = {pk: tuple(rest) for pk, *rest in Claim.objects.values_list("pk", *CLAIM_COUNTS)}
        sources = {pk: tuple(rest) for pk, *rest in Source.objects.values_list("pk", *SOURCE_COUNTS)}
        wrong_claims = [pk for pk, counts in claim_counts().items() if tuple(counts) != claims[pk]]
        wrong_sources = [pk for pk, counts in source_counts().items() if tuple(counts) != sources[pk]]
        self.stdout.write(
            f"{len(wrong_claims)} claims and {len(wrong_sources)} sources have counts that differ."
        )
        if wrong_claims or wrong_sources:
            raise CommandError("Run `manage.py recount` to correct them.")
