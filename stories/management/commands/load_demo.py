from django.core.management import call_command
from django.core.management.base import BaseCommand

from stories.models import Source, Story


class Command(BaseCommand):
    help = (
        "Load the demo coverage (fixtures/deployment.json) into an empty database. A database that "
        "already holds stories or sources is left as it is, so edits made since are never overwritten."
    )

    def handle(self, *args, **options):
        if Story.objects.exists() or Source.objects.exists():
            self.stdout.write("The database already holds coverage: the demo data was not loaded.")
            return
        call_command("loaddata", "deployment", verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"Loaded the demo coverage: {Story.objects.count()} stories."))
