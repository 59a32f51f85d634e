"""Write the seed committee paper's snapshot into fixtures/care_programme_paper_2025_03.json.

The fixture's own rows (committee, meeting, paper, sections, sign-off events, quarter lock) are
the published paper as typed from its text, and are the source: this command never changes
them. What it writes is what careprog derives from them, the paper's ``snapshot`` and
``snapshot_sha256``, built exactly as publishing builds them (actions.papers.content.build) on a
database holding only the migrations, the Care Programme fixture and those rows. So the key
performance data holds only the figures the paper itself quotes, never later ones.

Run it after a change to what a snapshot holds (content.FORMAT, the progress or KPI appendix):

    DEBUG=1 .venv/bin/python manage.py write_seed_paper

It migrates a throwaway SQLite database in a temporary directory and runs itself there with
``--into-empty-database``; the database in your settings is never touched. The output is the
same bytes for the same code and fixtures.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from actions.models import Paper, Programme
from actions.papers import content
from actions.papers.queries import paper_for_page

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "care_programme_paper_2025_03.json"


class Command(BaseCommand):
    help = (
        "Rebuild the seed committee paper's snapshot and SHA-256 in "
        "fixtures/care_programme_paper_2025_03.json, in a throwaway SQLite database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=FIXTURE, help="Where to write")
        parser.add_argument(
            "--into-empty-database",
            action="store_true",
            help="Build in the configured database, which must hold no programme or paper "
            "(used by the command itself on its throwaway database, and by the tests)",
        )

    def handle(self, *args, output: Path, into_empty_database: bool, **options):
        if into_empty_database:
            self._build_here(output)
        else:
            self._build_in_throwaway_database(output)
        self.stdout.write(f"Wrote {output}")

    def _build_in_throwaway_database(self, output: Path):
        manage = str(Path(settings.BASE_DIR) / "manage.py")
        with tempfile.TemporaryDirectory(prefix="careprog-seed-paper-") as tmp:
            env = {
                **os.environ,
                "DATABASE_URL": f"sqlite:///{Path(tmp) / 'seed.sqlite3'}",
                "DEBUG": "1",
            }
            for step in (
                ["migrate", "--noinput", "-v0"],
                ["write_seed_paper", "--into-empty-database", "--output", str(output.resolve())],
            ):
                result = subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
                    [sys.executable, manage, *step], env=env, capture_output=True, text=True
                )
                if result.returncode:
                    raise CommandError(f"manage.py {step[0]} failed:\n{result.stderr}")

    @transaction.atomic
    def _build_here(self, output: Path):
        if Programme.objects.exists() or Paper.objects.exists():
            raise CommandError(
                "This database already holds programmes or papers: run write_seed_paper without "
                "--into-empty-database, and it builds in a throwaway database."
            )
        rows = json.loads(FIXTURE.read_text(encoding="utf-8"))
        call_command("loaddata", "care_programme_2024_25", verbosity=0)
        (paper_row,) = [row for row in rows if row["model"] == "actions.paper"]
        for loaded in serializers.deserialize("json", json.dumps(rows)):
            if isinstance(loaded.object, Paper):
                # A stand-in until the build: the build never reads the paper's own snapshot,
                # and a published paper must hold one.
                loaded.object.snapshot, loaded.object.snapshot_sha256 = {}, "pending"
            loaded.save()
        snapshot = content.build(paper_for_page(paper_row["pk"]))
        paper_row["fields"]["snapshot"] = snapshot
        paper_row["fields"]["snapshot_sha256"] = content.sha256(snapshot)
        output.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        transaction.set_rollback(True)
