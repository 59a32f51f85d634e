"""Reaching a database other than the suite's own test database from inside a test: a
file copy of the in-memory SQLite test database, or a PostgreSQL database restored from a
dump. Django's ORM always asks for the "default" connection, so these swap it, per thread.
"""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.db import connection, connections


def copy_sqlite_test_database(path: Path) -> dict:
    """Write the (in-memory) SQLite test database to the file ``path`` with SQLite's backup
    API, and return connection settings for that file: the suite's own, OPTIONS included.
    Only committed data is copied: use it in a ``transactional_db`` test."""
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    return {**connection.settings_dict, "NAME": str(path)}


def snapshot_sqlite_test_database() -> sqlite3.Connection:
    """A copy, in memory, of the SQLite test database as committed now, for
    ``restore_sqlite_test_database``: SQLite's backup API copies it page by page in
    milliseconds."""
    connection.ensure_connection()
    copy = sqlite3.connect(":memory:", check_same_thread=False)
    connection.connection.backup(copy)
    return copy


def restore_sqlite_test_database(copy: sqlite3.Connection) -> None:
    """Make the SQLite test database again what ``copy`` holds, every table and row with its
    id; in a ``transactional_db`` test (it replaces committed data). Content types are cached
    by id in the process: the cache is cleared, as a flush's post_migrate clears it."""
    from django.contrib.contenttypes.models import ContentType

    connection.ensure_connection()
    copy.backup(connection.connection)
    ContentType.objects.clear_cache()


@contextmanager
def connected_to(settings_dict: dict):
    """Within it, this thread's default connection is a new one made with ``settings_dict``."""
    original = connections["default"]
    connections["default"] = type(original)(dict(settings_dict), "default")
    try:
        yield
    finally:
        connections["default"].close()
        connections["default"] = original


def every_row() -> dict[str, tuple[int, str]]:
    """Each table's row count and a digest of all its rows, in primary-key order, read
    through the default connection: two databases with equal results hold the same data."""
    contents = {}
    for model in apps.get_models(include_auto_created=True):
        rows = model._base_manager.order_by("pk").values_list()
        digest = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
        contents[model._meta.label] = (rows.count(), digest)
    return contents
