from django.core.management import call_command
from django.core.management.base import BaseCommand

# Rebuilt by `migrate` on the target (content types, permissions) or not worth keeping.
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "admin.logentry", "axes"]


class Command(BaseCommand):
    help = "Write every row of the database to a JSON file (natural keys), for `manage.py restore`."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The JSON file to write.")

    def handle(self, path, **options):
        call_command(
            "dumpdata",
            natural_foreign=True,
            natural_primary=True,
            exclude=EXCLUDED,
            output=path,
            verbosity=0,
        )
        self.stdout.write(self.style.SUCCESS(f"Backed up to {path}"))
