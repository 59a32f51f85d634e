from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from actions.models import Programme

DEMO_PROGRAMME = "care-programme-2024-25"
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "careprog-demo"  # noqa: S105 - printed on purpose; refused outside DEBUG


class Command(BaseCommand):
    help = "Load the seed programme (once) and a demo sign-in, then print the sign-in. DEBUG only."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo data and sign-ins are for local use only: set DEBUG=1.")
        if Programme.objects.filter(slug=DEMO_PROGRAMME).exists():
            self.stdout.write("Seed programme already loaded; leaving its data as it is.")
        else:
            call_command("loaddata", "care_programme_2024_25", verbosity=0)
            self.stdout.write("Loaded the Care Programme 2024-25 from fixtures/.")

        user, _ = get_user_model().objects.get_or_create(username=DEMO_USERNAME)
        user.is_staff = user.is_superuser = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        self.stdout.write(
            self.style.SUCCESS(
                "\nDemo sign-in (local use only)\n"
                f"  address:  http://127.0.0.1:8000/\n"
                f"  username: {DEMO_USERNAME}\n"
                f"  password: {DEMO_PASSWORD}\n"
            )
        )
