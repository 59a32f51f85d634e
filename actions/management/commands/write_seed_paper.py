"""Write the seed papers' snapshots into their fixtures: the Care Programme's committee paper
(fixtures/care_programme_paper_2025_03.json), the Staying Safe Strategy Group's update to the
Children's Trust Board (staying_safe_board_update_2013_14.json, seed 001) and the Cabinet
Member Update of 30 January 2024 (cabinet_member_update_2024_01_30.json, seed 002).

Each fixture's own rows (committee, meeting, paper, sections, sign-off events, quarter lock,
and for 001 its programme, template and risks) are the published paper as typed from its text,
and are the source: this command never changes them. What it writes is what careprog derives
from them, the paper's ``snapshot`` and ``snapshot_sha256``, built exactly as publishing builds
them (actions.papers.content.build) on a database holding only the migrations, the fixtures the
paper needs (SEED_PAPERS) and those rows. So the Care Programme paper's key performance data
holds only the figures the paper itself quotes, never later ones.

Run it after a change to what a snapshot holds (content.FORMAT, the progress or KPI appendix):

    DEBUG=1 .venv/bin/python manage.py write_seed_paper

It migrates a throwaway SQLite database in a temporary directory and runs itself there with
``--into-empty-database``, once per fixture; the database in your settings is never touched.
The output is the same bytes for the same code and fixtures.
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

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
# Each seed paper's fixture, and the fixtures loaded before it (what its rows refer to).
SEED_PAPERS = {
    "care_programme_paper_2025_03": ["care_programme_2024_25"],
    "staying_safe_board_update_2013_14": [],
    "cabinet_member_update_2024_01_30": [],
}


class Command(BaseCommand):
    help = (
        "Rebuild the seed papers' snapshots and SHA-256 in their fixtures, in a throwaway "
        "SQLite database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--paper",
            choices=sorted(SEED_PAPERS),
            help="Only this seed paper's fixture (default: every one)",
        )
        parser.add_argument(
            "--output",
            type=Path,
            help="Where to write (with --paper; default: the fixture itself)",
        )
        parser.add_argument(
            "--into-empty-database",
            action="store_true",
            help="Build in the configured database, which must hold no programme or paper "
            "(used by the command itself on its throwaway database, and by the tests)",
        )

    def handle(self, *args, paper: str | None, output: Path | None, into_empty_database, **options):
        if output is not None and paper is None:
            raise CommandError("--output writes one paper's fixture: name it with --paper.")
        for name in [paper] if paper else list(SEED_PAPERS):
            written = output or FIXTURES / f"{name}.json"
            if into_empty_database:
                self._build_here(name, written)
            else:
                self._build_in_throwaway_database(name, written)
            self.stdout.write(f"Wrote {written}")

    def _build_in_throwaway_database(self, name: str, output: Path):
        manage = str(Path(settings.BASE_DIR) / "manage.py")
        with tempfile.TemporaryDirectory(prefix="careprog-seed-paper-") as tmp:
            env = {
                **os.environ,
                "DATABASE_URL": f"sqlite:///{Path(tmp) / 'seed.sqlite3'}",
                "DEBUG": "1",
            }
            for step in (
                ["migrate", "--noinput", "-v0"],
                [
                    "write_seed_paper",
                    "--into-empty-database",
                    "--paper",
                    name,
                    "--output",
                    str(output.resolve()),
                ],
            ):
                result = subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
                    [sys.executable, manage, *step], env=env, capture_output=True, text=True
                )
                if result.returncode:
                    raise CommandError(f"manage.py {step[0]} failed:\n{result.stderr}")

    @transaction.atomic
    def _build_here(self, name: str, output: Path):
        if Programme.objects.exists() or Paper.objects.exists():
            raise CommandError(
                "This database already holds programmes or papers: run write_seed_paper without "
                "--into-empty-database, and it builds in a throwaway database."
            )
        rows = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
        for needed in SEED_PAPERS[name]:
            call_command("loaddata", needed, verbosity=0)
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
