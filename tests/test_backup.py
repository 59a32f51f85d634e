"""The README's backup and restore commands, run as written on the database the suite runs
on (CI runs it on SQLite and on PostgreSQL): what is restored is what was backed up.

Each round trip restores over a database that has since lost data, as a restore after an
accident does, and the restored database takes new rows (PostgreSQL's sequences come back).
"""

import datetime as dt
import os
import shutil
import subprocess
import uuid

import pytest
from django.db import connection

from actions.models import Status, Update
from actions.services import record_update
from careprog.periods import ReportingPeriod
from kpis.models import KPIGroup, KPIValue
from tests.conftest import RISK_MATRIX, seed_action
from tests.databases import connected_to, copy_sqlite_test_database, every_row
from tests.kpi_factories import make_kpi, make_value


def _tool(name):
    path = shutil.which(name)
    assert path, f"the README's backup uses {name}: install it (Debian: apt-get install {name})"
    return path


def _run(*command):
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{' '.join(map(str, command))}\n{result.stdout}{result.stderr}"


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
    sqlite3_cli = _tool("sqlite3")
    live = tmp_path / "db.sqlite3"
    backup = tmp_path / "careprog-2025-01-31.sqlite3"
    live_settings = copy_sqlite_test_database(live)
    with connected_to(live_settings):
        before = every_row()
    _run(sqlite3_cli, str(live), f".backup '{backup}'")
    with connected_to(live_settings):
        _lose_data()
        assert every_row() != before
    _run(sqlite3_cli, str(live), f".restore '{backup}'")
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
    pg_dump, pg_restore = _tool("pg_dump"), _tool("pg_restore")
    source = connection.settings_dict
    backup = tmp_path / "careprog-2025-01-31.dump"
    restored_name = f"{source['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    restored_settings = {**source, "NAME": restored_name}
    restored_url = _postgres_url(source, restored_name)
    before = every_row()

    source_url = _postgres_url(source, source["NAME"])
    _run(pg_dump, "--format=custom", "--no-owner", f"--file={backup}", source_url)
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{restored_name}"')
    try:
        # A first restore gives the database in use; then an accident; then the restore.
        restore = (
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            f"--dbname={restored_url}",
            backup,
        )
        _run(*restore)
        with connected_to(restored_settings):
            assert every_row() == before
            _lose_data()
            assert every_row() != before
        _run(*restore)
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
