"""Officers saving at the same moment: no server error, no lost edit, on the database the
suite runs on (CI runs it on SQLite and on PostgreSQL).

SQLite needs a file here: the suite's in-memory test database is one shared-cache
connection, whose table locks are not the file locks that several gunicorn workers meet.
So on SQLite the threads work on a file copy of the test database, opened with the same
settings (and so the same OPTIONS) as the app's.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from django.db import connection

from actions.models import Action, Status, Update
from actions.services import StaleEdit, record_update
from tests.databases import connected_to, copy_sqlite_test_database
from tests.factories import Q4, make_action, make_mechanism

UPDATES = 100
ACTIONS = 10
WORKERS = 10
# A save refused as stale is tried again on what is there now, as the 409 page offers;
# each attempt can only be refused because another save of the same action succeeded.
MAX_ATTEMPTS = UPDATES
STATUSES = itertools.cycle([Status.ON_TRACK, Status.COMPLETE, Status.NOT_STARTED])


class ThreadsDatabase:
    """The database the worker threads share: the test database itself on PostgreSQL; on
    SQLite a file copy of it, made by share() once the test's data is written."""

    def __init__(self, tmp_path):
        self.path = tmp_path / "threads.sqlite3"
        self.file_settings = None

    def share(self):
        if connection.vendor == "sqlite":
            self.file_settings = copy_sqlite_test_database(self.path)

    @contextmanager
    def connected(self):
        """Within it, this thread's default connection is the shared database's."""
        if self.file_settings is not None:
            with connected_to(self.file_settings):
                yield
            return
        try:
            yield
        finally:
            if threading.current_thread() is not threading.main_thread():
                connection.close()


def _save_until_acknowledged(database, *, action_id, text, status, author):
    """One officer's save: open the form (read the versions), save; on a 409, save again
    on the versions it shows."""
    with database.connected():
        action = Action.objects.get(pk=action_id)
        update = Update.objects.filter(action=action, period=Q4).first()
        seen = (action.version, update.version if update else 0)
        for _ in range(MAX_ATTEMPTS):
            try:
                record_update(
                    action_id=action_id,
                    period=Q4,
                    text=text,
                    status=status,
                    reason="",
                    next_step="",
                    author=author,
                    seen_action_version=seen[0],
                    seen_update_version=seen[1],
                )
            except StaleEdit as stale:
                seen = (stale.action.version, stale.update.version if stale.update else 0)
            else:
                return
        raise AssertionError(f"{text!r} was refused {MAX_ATTEMPTS} times")


@pytest.mark.django_db(transaction=True)
def test_a_hundred_concurrent_updates_are_all_saved_without_an_error(tmp_path, officer):
    mechanism = make_mechanism()
    actions = [make_action(f"Action {n}", mechanism=mechanism, position=n) for n in range(ACTIONS)]
    saves = [
        {
            # Ten at a time on one action, so the workers start on the same rows.
            "action_id": actions[n * ACTIONS // UPDATES].pk,
            "text": f"Update {n}",
            "status": next(STATUSES),
            "author": officer,
        }
        for n in range(UPDATES)
    ]
    database = ThreadsDatabase(tmp_path)
    database.share()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(_save_until_acknowledged, database, **save) for save in saves]
    errors = [f.exception() for f in futures if f.exception() is not None]
    assert errors == [], f"{len(errors)} of {UPDATES} saves failed, the first: {errors[0]!r}"

    with database.connected():
        per_action = Counter(save["action_id"] for save in saves)
        for action_id, count in per_action.items():
            update = Update.objects.get(action_id=action_id, period=Q4)
            texts = set(update.history.values_list("text", flat=True))
            expected = {save["text"] for save in saves if save["action_id"] == action_id}
            assert texts == expected, "every acknowledged save is in the update's history"
            # Each save was made on the version before it: none overwrote another unseen.
            assert update.version == count
            action = Action.objects.get(pk=action_id)
            assert action.status == update.status
