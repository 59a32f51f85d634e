"""The seed programme loaded once for a module's consecutive tests that only read it, as
Django's `TestCase.setUpTestData` does, instead of once per test (43 KB of `loaddata` each).

An outer transaction, opened just before the first such test's own (pytest-django's `db`),
holds the loaded seed; each test runs inside it in a savepoint that is rolled back after the
test, as before, and the outer transaction is rolled back when the run of tests ends: before
the next test that does not ask for the seed (so a test that expects an empty database never
sees it), before any test that needs committed data (`transactional_db`, `live_server`), and
when the module ends (so no module-scoped fixture of the next module writes inside it).

What a test sees is what `loaddata` gave it: the same rows with the same primary keys; on
SQLite the rolled-back savepoint restores the next ids, and on PostgreSQL, whose sequences a
rollback leaves alone, the seed's sequences are reset at each test as `loaddata` resets them.
A test that cannot share it (a transactional one) loads the seed itself, as before.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models.signals import post_save
from pytest_django.fixtures import validate_django_db

SEED_FIXTURE = "care_programme_2024_25"
TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server", "django_db_reset_sequences"}


def can_share(item: pytest.Item) -> bool:
    """Whether ``item`` asks for the seed and runs inside pytest-django's `TestCase`
    transaction (not a transactional test, whose data must be committed)."""
    names = set(getattr(item, "fixturenames", ()))
    if "seed_programme" not in names or names & TRANSACTIONAL_FIXTURES:
        return False
    marker = item.get_closest_marker("django_db")
    if marker:
        transactional, reset_sequences, *_ = validate_django_db(marker)
        return not (transactional or reset_sequences)
    return True


class SharedSeed:
    def __init__(self):
        self._atomic = None
        self._module = None
        self._blocker = None
        self.models: set[type] = set()
        self.loads = 0

    def holds(self, item: pytest.Item) -> bool:
        return self._atomic is not None and self._module is getattr(item, "module", None)

    def open(self, item: pytest.Item, blocker) -> None:
        """Load the seed in a transaction of its own; called just before ``item``'s own
        transaction opens (so that one becomes a savepoint inside it)."""
        with blocker.unblock():
            if connection.in_atomic_block:
                return  # not ours to wrap: the test loads the seed itself
            atomic = transaction.atomic()
            atomic.__enter__()
            loaded = set()

            def note(sender, raw=False, **kwargs):
                if raw:
                    loaded.add(sender)

            post_save.connect(note, weak=False)
            try:
                call_command("loaddata", SEED_FIXTURE, verbosity=0)
            except BaseException:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
                raise
            finally:
                post_save.disconnect(note)
        self._atomic, self._module, self._blocker = atomic, item.module, blocker
        self.models = loaded
        self.loads += 1
        item.getparent(pytest.Module).addfinalizer(self.close)

    def reset_sequences(self) -> None:
        """What `loaddata` does after loading: the seed's tables' next ids follow their
        largest (PostgreSQL only; SQLite's were restored by the rollback)."""
        statements = connection.ops.sequence_reset_sql(no_style(), self.models)
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)

    def close(self) -> None:
        if self._atomic is None:
            return
        atomic, self._atomic, self._module = self._atomic, None, None
        with self._blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
