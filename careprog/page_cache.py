"""The rendered body of a heavy page (the report, "Needs attention", the dashboard, a KPI's
page), kept in Django's cache until anything it could show changes.

These pages read many tables (a programme's hierarchy and updates, the catalogue's figures,
targets, comparators, people) that change a few times a day, yet a committee reads them again
and again around a meeting. Rendering one costs 20 to 35 ms of CPU; serving its kept body
costs what the page's frame does (sign-in, the programme's name).

**Never stale.** Every statement that writes to a table a page could show (anything but the
sessions, sign-in attempts, throttle counts, API tokens' last use and the queue: `UNWATCHED`) is
seen where it is executed, on every connection (`watch_writes`, connected to
`connection_created`), so Django's bulk writes, raw SQL and the admin are caught as surely as a
model's save: once the writing transaction commits, a version number in the cache is bumped,
and bodies kept under an older number are never read again. A connection holding an
uncommitted write reads fresh and keeps nothing (no one else can see its change yet). A body is
also keyed by the day (overdue actions, "due" figures and ratings as at today move with the
date), by the person (what one may see or do, another may not), and by the page's path and
query string.

**Where it is kept.** As the KPI readings are (kpis.reading_cache): in the shared "default"
cache when ``CACHE_URL`` names Redis, so every process and machine hears of every change; in
this process's memory only when READINGS_CACHE_IN_PROCESS says one process serves (another
process would not hear of a change there); otherwise not at all.

Query cost: none for a kept body; two cache round trips (the version, the body), and one more to
keep a body that was not there.
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.backends.signals import connection_created
from django.utils import timezone

FORMAT = 1  # bump when what a kept body depends on changes shape
VERSION_KEY = f"careprog:pages:{FORMAT}:version"
SHARED_TIMEOUT = 24 * 60 * 60  # seconds: unread bodies of old versions expire
LOCAL_TIMEOUT = 60

# Tables written by reading a page, by signing in or by the queue's bookkeeping: what they hold
# is never shown on a page kept here, so writing them keeps the bodies.
UNWATCHED = re.compile(
    r"^(django_session|axes_|django_cache|careprog_throttle|careprog_apitoken"
    r"|django_tasks_database_|django_admin_log)"
)
# Signing in stamps the person's last sign-in, which no kept page shows.
_LAST_LOGIN = re.compile(r'^UPDATE "auth_user" SET "last_login" = %s WHERE "auth_user"."id" = %s$')
_WRITE = re.compile(
    r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?([\w.]+)"?', re.IGNORECASE
)


def may_cache() -> bool:
    """A process's own memory never hears of a change made in another process, so pages and
    readings are kept there only when the operator says one process serves
    (READINGS_CACHE_IN_PROCESS); otherwise only in a shared cache (CACHE_URL)."""
    return not _in_process_memory() or settings.READINGS_CACHE_IN_PROCESS


def _in_process_memory() -> bool:
    return settings.CACHES["default"]["BACKEND"].endswith(".LocMemCache")


def read_version(key: str) -> int:
    """The version number kept at ``key`` (this module's, or the KPI readings'), started at
    1 if there is none yet: add(), not set(), so two processes starting at once agree."""
    found = cache.get(key)
    if found is None:
        cache.add(key, 1, timeout=None)
        found = cache.get(key, 1)
    return found


def bump_version(key: str) -> None:
    """Moves the version at ``key`` on: what was kept under the old one is never read again."""
    try:
        cache.incr(key)
    except ValueError:  # no version yet (or evicted): any new number will do
        cache.set(key, time.time_ns() // 1000, timeout=None)  # an int: incr() works next


def timeout() -> int:
    """How long to keep a body or a reading: a day in a shared cache (unread old versions
    expire), a minute in a process's own memory (a belt for an operator who runs several)."""
    return LOCAL_TIMEOUT if _in_process_memory() else SHARED_TIMEOUT


def version() -> int:
    return read_version(VERSION_KEY)


def _bump() -> None:
    bump_version(VERSION_KEY)


def _writes_to_watched_table(sql: str) -> bool:
    found = _WRITE.match(sql)
    if not found or UNWATCHED.match(found.group(1).rsplit(".", 1)[-1]):
        return False
    return not _LAST_LOGIN.match(sql)


class _BumpOnCommit:
    """The bump one transaction's writes wait for: one per transaction, run once."""

    ran = False

    def __call__(self) -> None:
        self.ran = True
        _bump()


def _pending(connection) -> bool:
    """Whether this transaction has written to a watched table: a bump not yet run waits
    among the callbacks it runs on commit (Django drops those of a savepoint rolled back, so a
    write after a rollback queues one again)."""
    return any(
        isinstance(callback, _BumpOnCommit) and not callback.ran
        for _, callback, _ in connection.run_on_commit
    )


def _on_execute(connection):
    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if isinstance(sql, str) and _writes_to_watched_table(sql):
            if not connection.in_atomic_block:  # autocommit: the write is already committed
                _bump()
            elif not _pending(connection):
                transaction.on_commit(_BumpOnCommit(), using=connection.alias)
        return result

    return wrapper


def watch_writes(sender, connection, **kwargs) -> None:
    """Installed on every new connection (careprog.apps): see each write as it executes."""
    if not any(getattr(w, "careprog_pages", False) for w in connection.execute_wrappers):
        wrapper = _on_execute(connection)
        wrapper.careprog_pages = True
        connection.execute_wrappers.append(wrapper)


def connect() -> None:
    connection_created.connect(watch_writes, dispatch_uid="careprog_page_cache")
    from django.db import connections

    for alias in connections:  # connections opened before the app was ready
        existing = connections[alias]
        if existing.connection is not None:
            watch_writes(None, existing)


def reads_fresh() -> bool:
    """True while this connection holds an uncommitted write: its own reads must show it, and
    what it reads must not be kept for others, who cannot see it yet."""
    from django.db import connection

    return connection.in_atomic_block and _pending(connection)


def forget_pending(connection) -> None:
    """Take this connection's uncommitted writes as committed without bumping (the tests'
    transactions are rolled back rather than committed: what a test set up is its start)."""
    for _, callback, _ in connection.run_on_commit:
        if isinstance(callback, _BumpOnCommit):
            callback.ran = True


@functools.cache
def _build() -> str:
    """This deployment's code, templates and settings, so that a shared cache never serves a
    body rendered by another release or configuration (a council's name, its LA number): a
    digest of every source file's path and content (the same on every machine of a release)
    and of every plain setting's value. Read once a process."""
    root = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for folder in ("careprog", "actions", "kpis", "templates"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in {".py", ".html", ".txt", ".json"}:
                digest.update(f"{path.relative_to(root)}:".encode())
                digest.update(path.read_bytes())
    for name in sorted(dir(settings)):
        value = getattr(settings, name, None) if name.isupper() else None
        if isinstance(value, str | int | float | bool):
            digest.update(f"{name}={value!r};".encode())
    return digest.hexdigest()[:16]


def _key(request, name: str, version: int) -> str:
    asked = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    today = timezone.localdate().isoformat()
    return f"careprog:pages:{FORMAT}:{_build()}:{version}:{name}:{today}:{request.user.pk}:{asked}"


def kept(request, name: str, render):
    """``render()``'s HTML (or any value that pickles) for this page, person, day and version:
    kept, or made now and kept when it may be (see the module's docstring)."""
    if not may_cache() or reads_fresh():
        return render()
    key = _key(request, name, version())
    found = cache.get(key)
    if found is None:
        found = render()
        if not reads_fresh():
            cache.set(key, found, timeout=timeout())
    return found
