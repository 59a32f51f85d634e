"""The operator's guide's backup and restore commands (docs/operating.md, "Backup and
restore"), read from the guide and run as written on the database the suite runs on (CI runs
it on SQLite and on PostgreSQL): what is restored is what was backed up.

Each round trip restores over a database that has since lost data, as a restore after an
accident does, and the restored database takes new rows (PostgreSQL's sequences come back).
The guide's backup names its file by today's date and its restore names an example date: the
file made today is kept under that name, as an operator chooses the file to restore.
"""

import datetime as dt
import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from django.db import connection

from actions.models import Status, Update
from actions.services import record_update
from careprog.periods import ReportingPeriod
from kpis.models import KPIGroup, KPIValue
from tests.conftest import RISK_MATRIX, seed_action
from tests.databases import connected_to, copy_sqlite_test_database, every_row
from tests.kpi_factories import make_kpi, make_value

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "operating.md"


def documented_commands(marker: str) -> tuple[str, str]:
    """The backup and the restore line of the guide's fenced block after `marker`."""
    lines = GUIDE.read_text(encoding="utf-8").splitlines()
    start = next((n for n, line in enumerate(lines) if marker in line), None)
    assert start is not None, f"{GUIDE.name} has no line holding {marker!r}"
    fences = [n for n in range(start + 1, len(lines)) if lines[n].startswith("```")][:2]
    assert len(fences) == 2, f"no fenced block after {marker!r} in {GUIDE.name}"
    block = [line for line in lines[fences[0] + 1 : fences[1]] if line.strip()]
    assert len(block) == 2, f"{marker!r}: a backup line then a restore line, not {block}"
    return block[0], block[1]


def restored_file(restore: str) -> str:
    """The file a restore line names, e.g. careprog-2025-01-31.dump."""
    found = re.search(r"careprog-\d{4}-\d{2}-\d{2}\.\w+", restore)
    assert found, f"the restore names no dated file: {restore}"
    return found.group(0)


def _tool(name):
    path = shutil.which(name)
    assert path, f"the guide's backup uses {name}: install it (Debian: apt-get install {name})"
    return path


def _run_as_written(command, cwd, **env):
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", command],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}{result.stderr}"


def _back_up_as_written(backup, restore, cwd, **env):
    """Run the backup line, then keep the file it made under the name the restore line reads."""
    before = set(cwd.glob("careprog-*"))
    _run_as_written(backup, cwd, **env)
    made = set(cwd.glob("careprog-*")) - before
    assert len(made) == 1, f"the backup made {sorted(p.name for p in made)}, not one file"
    (made_file,) = made
    kept = cwd / restored_file(restore)
    if made_file != kept:
        made_file.rename(kept)


@pytest.fixture
def live_data(seed_programme, officer):
    """Every kind of row an operator would lose: programme, updates and their history,
    users and roles, KPI figures."""
    action = seed_action(RISK_MATRIX)
    record_update(
        action_id=action.pk,
        period=ReportingPeriod(2024, 4),
        text="Matrix agreed with partners — “quoted” text, and an emoji 📋",
        status=Status.ON_TRACK,
        reason="",
        next_step="",
        author=officer,
        seen_action_version=action.version,
        seen_update_version=0,
    )
    make_value(make_kpi("cla-foster"), dt.date(2025, 3, 31), "63.5")


def _lose_data():
    """An accident after the backup."""
    Update.objects.all().delete()
    KPIValue.objects.all().delete()


def _sqlite_round_trip(tmp_path):
    backup, restore = documented_commands("backup-sqlite:")
    _tool(backup.split()[0])
    assert "db.sqlite3" in backup and "db.sqlite3" in restore
    live = tmp_path / "db.sqlite3"  # the file the guide's commands name
    live_settings = copy_sqlite_test_database(live)
    with connected_to(live_settings):
        before = every_row()
    _back_up_as_written(backup, restore, tmp_path)
    with connected_to(live_settings):
        _lose_data()
        assert every_row() != before
    _run_as_written(restore, tmp_path)
    with connected_to(live_settings):
        assert every_row() == before
        KPIGroup.objects.create(name="After the restore", position=99)


def _postgres_url(settings_dict, name):
    user = settings_dict["USER"] or os.environ.get("USER", "postgres")
    password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    host = settings_dict["HOST"] or "localhost"
    port = settings_dict["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{name}"


def _postgres_round_trip(tmp_path):
    backup, restore = documented_commands("backup-postgresql:")
    _tool(backup.split()[0])
    _tool(restore.split()[0])
    source = connection.settings_dict
    restored_name = f"{source['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    restored_settings = {**source, "NAME": restored_name}
    restored_url = _postgres_url(source, restored_name)
    before = every_row()

    _back_up_as_written(
        backup, restore, tmp_path, DATABASE_URL=_postgres_url(source, source["NAME"])
    )
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{restored_name}"')
    try:
        # A first restore gives the database in use; then an accident; then the restore.
        _run_as_written(restore, tmp_path, DATABASE_URL=restored_url)
        with connected_to(restored_settings):
            assert every_row() == before
            _lose_data()
            assert every_row() != before
        _run_as_written(restore, tmp_path, DATABASE_URL=restored_url)
        with connected_to(restored_settings):
            assert every_row() == before
            KPIGroup.objects.create(name="After the restore", position=99)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_every_row_after_data_was_lost(live_data, tmp_path):
    if connection.vendor == "sqlite":
        _sqlite_round_trip(tmp_path)
    elif connection.vendor == "postgresql":
        _postgres_round_trip(tmp_path)
    else:
        raise AssertionError(f"no documented backup for {connection.vendor}")
    assert Update.objects.filter(period=ReportingPeriod(2024, 4)).exists(), (
        "the accident happened to the backed-up database, not to the suite's"
    )
