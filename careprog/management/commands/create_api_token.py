"""manage.py create_api_token USERNAME [--name NAME] [--days N]: a personal API token for a
person, printed on the last line (the only time it is shown), for a scheduled refresh set up
from the command line or by a deployment script."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from careprog.api.tokens import DEFAULT_DAYS, MAX_DAYS, issue_token


class Command(BaseCommand):
    help = "Make a personal API token for a person and print it on the last line."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="Made with create_api_token")
        parser.add_argument(
            "--days", type=int, default=DEFAULT_DAYS, help=f"1 to {MAX_DAYS} (default 90)"
        )

    def handle(self, *args, username, name, days, **options):
        person = get_user_model().objects.filter(username=username).first()
        if person is None:
            raise CommandError(f"No person has the username {username!r}.")
        if not person.is_active:
            raise CommandError(f"{username} is deactivated: their tokens would not work.")
        try:
            token, secret = issue_token(person=person, name=name, days=days)
        except ValueError as problem:
            raise CommandError(str(problem)) from None
        self.stdout.write(
            f"Token {token.name!r} for {username}, expires {token.expires_at:%Y-%m-%d %H:%M} UTC."
        )
        self.stdout.write(secret)
