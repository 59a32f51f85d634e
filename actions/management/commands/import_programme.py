"""manage.py import_programme: a council's progress table (.docx or .xlsx) as a new programme,
with the same checks as the service. Exit status 0 only when it imported (or, dry run, would)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from actions.table_import.create import ImportRefused, create_programme, unmatched_leads
from actions.table_import.reading import read_table
from actions.table_import.tree import TableRejected
from careprog.periods import InvalidPeriod, ReportingPeriod


class _DryRun(Exception):
    """Raised inside the transaction to undo a dry run's writes, every check having passed."""


class Command(BaseCommand):
    help = (
        "Import a progress table (Word .docx as the committee's Appendix C, or Excel .xlsx) as a "
        "new programme. "
        "Exit status 0 only when it was imported (or, with --dry-run, would be)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--name", required=True, help="the programme's name")
        parser.add_argument("--slug", required=True, help="its short name in addresses")
        parser.add_argument("--first-period", required=True, help="e.g. 2024-25-q1")
        parser.add_argument("--last-period", required=True, help="e.g. 2024-25-q4")
        parser.add_argument(
            "--updates-period", help="the quarter the table's update column reports on"
        )
        parser.add_argument("--user", help="username to record as the updates' author")
        parser.add_argument("--dry-run", action="store_true", help="check and report, save nothing")

    def handle(self, *args, path: Path, dry_run: bool, user: str | None, **options):
        periods = {
            name: self._period(options[f"{name}_period"], name)
            for name in ("first", "last", "updates")
        }
        author = None
        if user:
            author = get_user_model().objects.filter(username=user).first()
            if author is None:
                raise CommandError(f"There is no user called {user!r}.")
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        try:
            parsed = read_table(data, path.name)
        except TableRejected as refusal:
            raise CommandError(f"{refusal} Nothing was imported.") from None
        counts = parsed.counts()
        self.stdout.write(
            f"{path.name}: {counts['objectives']} objectives, {counts['requirements']} "
            f"requirements, {counts['mechanisms']} mechanisms, {counts['actions']} actions"
        )
        for problem in parsed.problems:
            self.stderr.write(f"  {problem}")
        for name in unmatched_leads(parsed):
            self.stdout.write(f"  lead not matched to anyone (left without a lead): {name}")
        try:
            with transaction.atomic():
                programme = create_programme(
                    parsed=parsed,
                    name=options["name"],
                    slug=options["slug"],
                    first_period=periods["first"],
                    last_period=periods["last"],
                    updates_period=periods["updates"],
                    author=author,
                    source=path.name,
                )
                if dry_run:
                    raise _DryRun()
        except ImportRefused as refusal:
            raise CommandError(str(refusal)) from None
        except _DryRun:
            self.stdout.write(
                self.style.SUCCESS("Dry run: the table would be imported. Nothing saved.")
            )
            return
        self.stdout.write(
            self.style.SUCCESS(f"Imported {path.name} as {programme.name} ({programme.slug}).")
        )

    def _period(self, text: str | None, name: str) -> ReportingPeriod | None:
        if text is None:
            return None
        try:
            return ReportingPeriod.parse(text)
        except InvalidPeriod as error:
            raise CommandError(f"--{name}-period: {error}") from None
