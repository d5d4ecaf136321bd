from django.core.management.base import BaseCommand, CommandError

from matching import embedding
from matching.services import match_story, stories_to_match
from stories.models import Story


class Command(BaseCommand):
    help = (
        "Match stories' sentences against the claims the desk has checked: suggest each repeat to "
        "editors, and accept the surest ones in the claims' own language. Without options, the stories "
        "never matched."
    )

    def add_arguments(self, parser):
        parser.add_argument("--story", metavar="SLUG", help="Match this one story (again).")
        parser.add_argument("--all", action="store_true", help="Match every canonical story again.")

    def handle(self, *args, story=None, all=False, **options):
        if story and all:
            raise CommandError("Give --story SLUG or --all, not both.")
        if story:
            found = Story.objects.filter(slug=story).first()
            if found is None:
                raise CommandError(f"No story has the slug “{story}”.")
            stories = [found]
        else:
            stories = stories_to_match(everything=all)
        how = (
            "semantic" if embedding.available() else "lexical (the semantic extra is not installed or is off)"
        )
        self.stdout.write(f"Matching by {how}.")
        matched = suggested = accepted = 0
        for one in stories.iterator() if hasattr(stories, "iterator") else stories:
            report = match_story(one)
            if report.skipped:
                if story:
                    self.stdout.write(f"“{one}” not matched: {report.skipped}.")
                continue
            matched += 1
            suggested += len(report.suggested)
            accepted += len(report.accepted)
            for row in report.suggested + report.accepted:
                self.stdout.write(
                    f"{row.get_state_display()}: “{one}” repeats “{row.claim}” ({row.score:.2f}): "
                    f"“{row.sentence[:120]}”"
                )
        self.stdout.write(f"{matched} stories matched, {suggested} repeats suggested, {accepted} accepted.")
