from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from stories.models import Story


class Command(BaseCommand):
    help = "Load a file written by `manage.py backup` into an empty, migrated database (atomically)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The JSON file written by `manage.py backup`.")

    def handle(self, path, **options):
        if Story.objects.exists():
            raise CommandError(
                "The database already holds stories: restore only into an empty database "
                "(create a new one and run `manage.py migrate` first)."
            )
        call_command("loaddata", path, verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"Restored {path}"))
