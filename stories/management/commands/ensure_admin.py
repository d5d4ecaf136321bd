import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create or update a superuser from NEWSROOM_ADMIN_USER (default 'admin') and "
        "NEWSROOM_ADMIN_PASSWORD. Does nothing when no password is set."
    )

    def handle(self, *args, **options):
        password = os.environ.get("NEWSROOM_ADMIN_PASSWORD", "")
        if not password:
            self.stdout.write("No NEWSROOM_ADMIN_PASSWORD set: no admin account created.")
            return
        username = os.environ.get("NEWSROOM_ADMIN_USER", "admin")
        user, created = get_user_model().objects.get_or_create(username=username)
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} superuser {username!r}; log in at /admin/."))
