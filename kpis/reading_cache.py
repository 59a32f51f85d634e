"""Readings kept in Django's cache, and forgotten whenever a figure, target or the catalogue
changes.

Reading the catalogue (kpis.readings.readings) is most of the dashboard's, the report's and
"Needs attention"'s time, yet its inputs change a few times a day. So a page's readings are
kept in the "default" cache (Redis shared by every machine when ``CACHE_URL`` is set; this
process's memory only when READINGS_CACHE_IN_PROCESS says one process serves), keyed by the
KPIs asked for, the "as at" date and a version number.
Every change that can alter a reading calls `figures_changed`, which bumps the version once the
change commits: old entries are then never read again (they expire), so no page shows a stale
figure, and a transaction that rolls back bumps nothing.

Where changes are made:

- saves and deletes of the models a reading is made of, in the app and in the admin, through
  the signals connected in `connect_signals` (kpis.apps; actions connects a programme's choice of
  measures, which decides which KPIs a programme's page reads);
- the bulk writes, which send no signals, call `figures_changed` themselves: approval
  (kpis.approval.approve_entries), an import applied, returned or undone (kpis.importing.apply),
  DfE's sync (kpis.lait.sync.sync) and the demo generator.

What is cached is the list of `KPIReading`s itself: model instances (a KPI with its group and
annotations, its values, targets, comparators, rank) pickled as Django pickles any instance.
They are safe here because they are read-only snapshots taken under a version number: every
relation a page touches is fetched before they are cached (the group through select_related),
and no page saves them. A change to the readings' shape (new fields) must bump FORMAT.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save

from careprog import page_cache

FORMAT = 1  # bump when KPIReading or what it holds changes shape
VERSION_KEY = f"kpis:readings:{FORMAT}:version"
_PENDING = "careprog_readings_changed"  # set on a connection with an uncommitted change


def _version() -> int:
    return page_cache.read_version(VERSION_KEY)


def _bump() -> None:
    page_cache.bump_version(VERSION_KEY)
    setattr(connection, _PENDING, False)


def figures_changed(**_signal) -> None:
    """What pages read has changed: forget the cached readings once the change commits.
    Takes (and ignores) a signal's arguments, so that it can be a receiver itself."""
    if connection.in_atomic_block:
        # Until it commits, this connection sees a change no other does: it reads fresh.
        setattr(connection, _PENDING, True)
    transaction.on_commit(_bump)


def _reads_fresh() -> bool:
    """True while this connection holds an uncommitted change to figures: its own reads
    must show it, and what it reads must not be cached for others who cannot see it yet."""
    if not getattr(connection, _PENDING, False):
        return False
    if not connection.in_atomic_block:  # the transaction ended without committing
        setattr(connection, _PENDING, False)
        return False
    return True


def _both_versions() -> str:
    return f"{_version()}.{page_cache.version()}"


def _key(kpis: QuerySet, as_at: dt.date | None, version: str) -> str:
    """The KPIs asked for, by their query's SQL (the same page asks the same query), the
    date and the version: short, whatever the number of KPIs."""
    sql, params = kpis.values("pk").query.sql_with_params()
    asked = hashlib.sha256(repr((sql, params)).encode()).hexdigest()[:32]
    return f"kpis:readings:{FORMAT}:{version}:{as_at.isoformat() if as_at else 'latest'}:{asked}"


def cached_readings(kpis: QuerySet, as_at: dt.date | None, read: Callable[[], list]) -> list:
    """``read()``'s readings, from the cache when this version holds them: no query then,
    and two cache round trips (the version, the readings); else ``read()``'s queries and
    one more round trip to keep them."""
    if _reads_fresh() or page_cache.reads_fresh() or not page_cache.may_cache():
        return read()
    # Any write to a table a page shows (careprog.page_cache) forgets the readings too, however
    # it was made (a bulk update, raw SQL): the signals below are a second line, not the only.
    key = _key(kpis, as_at, _both_versions())
    found = cache.get(key)
    if found is None:
        found = read()
        cache.set(key, found, timeout=page_cache.timeout())
    return found


def connect_signals(*models, m2m=()) -> None:
    """Forget the readings whenever one of ``models`` is saved or deleted, or one of the
    ``m2m`` through tables changes (dispatch_uid: connecting twice connects once)."""
    for model in models:
        uid = f"kpis-readings-{model._meta.label}"
        post_save.connect(figures_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(figures_changed, sender=model, dispatch_uid=f"{uid}-delete")
    for through in m2m:
        uid = f"kpis-readings-{through._meta.label}-m2m"
        m2m_changed.connect(figures_changed, sender=through, dispatch_uid=uid)


def forget_pending(connection) -> None:
    """Forget that ``connection`` held an uncommitted change (for tests, whose transactions
    are rolled back rather than ended)."""
    setattr(connection, _PENDING, False)


def current_version() -> int:
    """The version cached readings are kept under now."""
    return _version()


def cached_count() -> int:
    """How many readings this version holds, in this process's memory or in Redis: for tests."""
    prefix = f"kpis:readings:{FORMAT}:{_both_versions()}:"
    store = getattr(cache, "_cache", None)
    if isinstance(store, dict):  # LocMemCache
        return sum(1 for key in store if prefix in key)
    return len(store.get_client().keys(f"*{prefix}*"))  # RedisCache
