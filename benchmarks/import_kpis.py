"""Importing a long-format KPI return: ours end to end against django-import-export and the floor.

    .venv/bin/python benchmarks/import_kpis.py [--rows 50000] [--databases sqlite,postgres]

One synthetic return (.xlsx, columns "KPI code", "Period", "Value", "Note") for a synthetic
catalogue of monthly count KPIs, 100 month ends each, is written once; then every measurement
runs in a fresh Python process of its own, so that its time and peak memory (the process's
``ru_maxrss``) are its own:

- floor: bare ``openpyxl.load_workbook(read_only=True)`` iteration over every cell's value;
- our reader alone: ``kpis.importing.reader`` rows consumed fully (for information);
- ours: ``preview_return`` + ``store_upload`` + ``apply_return(preview=...)``, what
  ``manage.py import_kpis`` does (the figures then await approval), and ``approve_import``,
  what a head of service's "Approve" does, into an empty value table: the figures stored;
- peer: django-import-export, a ModelResource for KPIValue loaded from the same file by tablib,
  as its documentation advises for large imports (see peer_resource), and the same with
  ``force_init_instance`` (insert-only: the peer at its fastest, not the same import).

Each database measurement gets a fresh throwaway database (SQLite file under /tmp, or a
PostgreSQL database cloned from a migrated template with the catalogue in it), dropped
afterwards. Times are medians over --repeat processes, run interleaved (the peer runs once);
nothing is hard-coded. If ours is slower than the floor it is profiled (cProfile) in one more
process. The script exits non-zero if a correctness check fails. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import calendar
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MONTHS = 100  # month ends per KPI
LAST_PERIOD = dt.date(2024, 12, 31)  # a fixed past month end: the file is the same every run
SEED = 2025
HEADERS = ["KPI code", "Period", "Value", "Note"]
NOTE = "Provisional: to be confirmed at year end"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
RESULT = "RESULT "  # the line a child prints its measurement on, as JSON


# --- The synthetic return ------------------------------------------------------------------


def month_ends(count: int, last: dt.date) -> list[dt.date]:
    year, month, ends = last.year, last.month, []
    for _ in range(count):
        ends.append(dt.date(year, month, calendar.monthrange(year, month)[1]))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return ends[::-1]


def kpi_count(rows: int) -> int:
    return -(-rows // MONTHS)


def kpi_code(n: int) -> str:
    return f"bench-{n:04d}"


@dataclass
class Expected:
    rows: int
    kpis: int
    cells: int  # non-empty cells, header included
    total: int  # the sum of every value
    first_period: str
    last_period: str
    file_bytes: int = 0
    generator: str = ""
    generate_seconds: float = 0.0


def return_rows(rows: int):
    """(code, "Mon YYYY", value, note or None): per KPI a random walk of counts, steps of at
    most 6%, so the import's large-move warnings stay rare as in a real return."""
    rng = random.Random(SEED)
    periods = month_ends(MONTHS, LAST_PERIOD)
    produced = 0
    for n in range(kpi_count(rows)):
        value = rng.randint(50, 5000)
        for period in periods:
            if produced == rows:
                return
            value = max(1, round(value * rng.uniform(0.94, 1.06)))
            note = NOTE if produced % 10 == 9 else None
            yield kpi_code(n), period.strftime("%b %Y"), value, note
            produced += 1


def write_return(path: Path, rows: int) -> Expected:
    """The return, written with xlsxwriter: 2-3 times faster here than openpyxl's write-only
    mode, and, as Excel does, it keeps text in the shared-string table."""
    import xlsxwriter

    started = time.perf_counter()
    total = cells = 0
    periods = set()
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Returns")
    sheet.write_row(0, 0, HEADERS)
    cells += len(HEADERS)
    for number, (code, period, value, note) in enumerate(return_rows(rows), start=1):
        sheet.write_string(number, 0, code)
        sheet.write_string(number, 1, period)
        sheet.write_number(number, 2, value)
        cells += 3
        if note:
            sheet.write_string(number, 3, note)
            cells += 1
        total += value
        periods.add(period)
    workbook.close()
    used = sorted(dt.datetime.strptime(p, "%b %Y").date() for p in periods)
    return Expected(
        rows=rows,
        kpis=kpi_count(rows),
        cells=cells,
        total=total,
        first_period=str(month_ends(1, used[0])[0]),
        last_period=str(month_ends(1, used[-1])[0]),
        file_bytes=path.stat().st_size,
        generator=f"xlsxwriter {metadata.version('xlsxwriter')}",
        generate_seconds=time.perf_counter() - started,
    )


# --- Child processes: one measurement each -------------------------------------------------


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def django_setup():
    import django

    django.setup()
    from django.db import connection

    connection.ensure_connection()  # a server's connection is open before a request comes
    return connection


def child_prepare(args) -> dict:
    """Migrate the fresh database and create the catalogue (a template for the measurements)."""
    connection = django_setup()
    from django.core.management import call_command

    import kpis.importing.apply  # noqa: F401  (compiled now, not in the first measurement)
    from kpis.models import KPI, KPIGroup

    call_command("migrate", verbosity=0, interactive=False)
    group = KPIGroup.objects.create(name="Benchmark measures", position=1)
    KPI.objects.bulk_create(
        KPI(
            code=kpi_code(n),
            name=f"Benchmark measure {n}",
            group=group,
            position=n,
            unit=KPI.Unit.COUNT,
            polarity=KPI.Polarity.HIGHER_IS_BETTER,
            frequency=KPI.Frequency.MONTHLY,
            decimal_places=0,
        )
        for n in range(kpi_count(args.rows))
    )
    if connection.vendor == "sqlite":
        import sqlite3

        server = f"SQLite {sqlite3.sqlite_version}"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            server = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    return {"server": server}


def child_floor(args) -> dict:
    from openpyxl import load_workbook

    path = Path(args.file)
    before = peak_mb()
    started = time.perf_counter()
    workbook = load_workbook(path, read_only=True)
    cells = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                if value is not None:
                    cells += 1
    workbook.close()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_mb": peak_mb(), "base_mb": before, "cells": cells}


def child_reader(args) -> dict:
    from kpis.importing.gate import upload_limits
    from kpis.importing.reader import open_workbook

    path = Path(args.file)
    limits = upload_limits()  # reads the settings: before the clock and the memory baseline
    before = peak_mb()
    started = time.perf_counter()
    workbook = open_workbook(path.read_bytes(), limits)
    cells = 0
    for name in workbook.sheet_names:
        for _, row in workbook.sheet(name).rows():
            cells += len(row)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_mb": peak_mb(), "base_mb": before, "cells": cells}


def stored_values() -> dict:
    from django.db.models import Count, Max, Min, Sum

    from kpis.models import KPIValue

    found = KPIValue.objects.aggregate(
        rows=Count("pk"),
        kpis=Count("kpi", distinct=True),
        total=Sum("value"),
        first=Min("period_end"),
        last=Max("period_end"),
    )
    total = found["total"] or Decimal(0)
    return {
        "rows": found["rows"],
        "kpis": found["kpis"],
        "total": int(total) if total == int(total) else str(total),
        "first_period": str(found["first"]),
        "last_period": str(found["last"]),
    }


def timers(targets) -> dict[str, float]:
    """Wrap steps of an import in timers; ``targets`` is [(object, attribute, label)]; returns
    label -> seconds, filled as they run. Ours: a handful of calls, no measurable cost; the
    peer's per-row lookup: 50,000 calls, some 0.02 s in all."""
    spent: dict[str, float] = {}
    for owner, name, label in targets:
        original = getattr(owner, name)
        spent[label] = 0.0

        def timed(*args, _original=original, _label=label, **kwargs):
            started = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_label] += time.perf_counter() - started

        setattr(owner, name, timed)
    return spent


def approver():
    """A head of service, who approves an import's figures (made before any clock starts)."""
    from django.contrib.auth.models import Group, User

    from careprog import roles

    user, made = User.objects.get_or_create(username="benchmark-approver")
    if made:
        user.groups.add(Group.objects.get(name=roles.HEADS_OF_SERVICE))
    user.has_perm("kpis.approve_kpientry")  # its permissions, read once
    return user


def import_ours(path: Path) -> dict:
    """What `manage.py import_kpis PATH` does, less its printed report, then the approval of
    every figure it brought."""
    from kpis.importing import preview as previewing
    from kpis.importing.apply import apply_return, approve_import, store_upload

    head = approver()
    spent = timers(
        [
            (previewing, "open_workbook", "gate"),
            (previewing, "read_return", "read+check"),
            (previewing, "_large_moves", "warnings"),
        ]
    )
    started = time.perf_counter()
    data = path.read_bytes()
    preview = previewing.preview_return(data)
    previewed = time.perf_counter()
    if not preview.can_confirm:
        raise SystemExit(f"our preview refused the file: {preview.problems[:3]}")
    batch = store_upload(data=data, file_name=path.name, user=None)
    stored = time.perf_counter()
    apply_return(batch=batch, user=None, preview=preview)
    applied = time.perf_counter()
    approve_import(batch=batch, user=head)
    finished = time.perf_counter()
    preview_rest = previewed - started - spent["gate"] - spent["read+check"] - spent["warnings"]
    apply_rest = applied - stored
    return {
        "seconds": finished - started,
        "phases": {
            "gate": spent["gate"],
            "read+check": spent["read+check"],
            "compare": preview_rest,
            "warnings": spent["warnings"],
            "store": stored - previewed,
            "entries awaiting approval": apply_rest,
            "approve": finished - applied,
        },
        "new": len(preview.new),
        "warnings": len(preview.warnings),
        "batch": batch.pk,
    }


def child_ours(args) -> dict:
    django_setup()
    import kpis.importing.apply  # noqa: F401  (imported before the clock and the memory baseline)
    from kpis.models import ImportBatch, ImportedValue

    before = peak_mb()
    measured = import_ours(Path(args.file))
    measured.update(peak_mb=peak_mb(), base_mb=before, stored=stored_values())
    batch = ImportBatch.objects.get(pk=measured.pop("batch"))
    measured["audit_rows"] = ImportedValue.objects.filter(batch=batch).count()
    measured["batch_status"] = batch.status
    return measured


def child_profile(args) -> dict:
    """Ours under cProfile: the functions that take the time, by own time and cumulative."""
    django_setup()
    import kpis.importing.apply  # noqa: F401  (not profiled)

    profiler = cProfile.Profile()
    profiler.enable()
    measured = import_ours(Path(args.file))
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    total = stats.total_tt
    entries = []
    for (filename, line, function), (_, calls, own, cumulative, _) in stats.stats.items():
        short = filename.replace(str(ROOT) + "/", "").split("site-packages/")[-1]
        entries.append((f"{short}:{line}({function})", calls, own, cumulative))
    by_own = sorted(entries, key=lambda e: -e[2])[: args.top]
    passing = ("contextlib.py", "manager.py:85", "backends/utils.py", "import_kpis.py")
    kept = [e for e in entries if not any(wrapper in e[0] for wrapper in passing)]
    by_cumulative = sorted(kept, key=lambda e: -e[3])[: args.top * 2]
    ours_only = sorted((e for e in entries if e[0].startswith("kpis/")), key=lambda e: -e[3])
    return {
        "seconds_unprofiled_equivalent": measured["seconds"],
        "profiled_total": total,
        "phases": measured["phases"],
        "own": by_own,
        "cumulative": by_cumulative,
        "kpis": ours_only[: args.top],
    }


def peer_resource(insert_only: bool = False):
    """django-import-export configured as its documentation advises for a large import.

    - ``import_id_fields = ("kpi", "period_end")``: a row updates the stored value for its KPI
      and period, or creates one, as our import does (a return may correct figures already
      stored). So ``force_init_instance`` stays off, and ``CachedInstanceLoader`` (one field
      only) does not apply: the default ModelInstanceLoader looks each row up.
    - ``use_bulk = True`` with the default ``batch_size`` of 1000 ("setting this to None always
      resulted in worse performance"); ``skip_diff = True`` (no diff is wanted), which also
      makes ``skip_unchanged`` moot.
    - The KPI code through a ForeignKeyWidget subclass that reads the KPI table once, as the
      bulk-import caveats advise, and the period ("Jan 2025") through a DateWidget with that
      format, moved to the month end.
    """
    from import_export import fields, resources, widgets

    from kpis.models import KPI, KPIValue

    class CachedForeignKeyWidget(widgets.ForeignKeyWidget):
        cache: dict | None = None

        def get_instance_by_lookup_fields(self, value, row, **kwargs):
            if self.cache is None:
                queryset = self.get_queryset(value, row, **kwargs)
                self.cache = {getattr(obj, self.field): obj for obj in queryset}
            try:
                return self.cache[value]
            except KeyError:
                raise self.model.DoesNotExist(f"{value!r} is not a KPI code") from None

    class MonthEndWidget(widgets.DateWidget):
        def clean(self, value, row=None, **kwargs):
            day = super().clean(value, row, **kwargs)
            if day is None:
                return None
            return day.replace(day=calendar.monthrange(day.year, day.month)[1])

    class KPIValueResource(resources.ModelResource):
        kpi = fields.Field(
            attribute="kpi",
            column_name="KPI code",
            widget=CachedForeignKeyWidget(KPI, field="code"),
        )
        period_end = fields.Field(
            attribute="period_end", column_name="Period", widget=MonthEndWidget(format="%b %Y")
        )
        value = fields.Field(attribute="value", column_name="Value", widget=widgets.DecimalWidget())
        note = fields.Field(attribute="note", column_name="Note", widget=widgets.CharWidget())

        class Meta:
            model = KPIValue
            fields = ("kpi", "period_end", "value", "note")
            import_id_fields = ("kpi", "period_end")
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            force_init_instance = insert_only

    return KPIValueResource()


def child_peer(args) -> dict:
    django_setup()
    import tablib
    import tablib.formats._xlsx  # noqa: F401  (tablib imports it, and openpyxl, on first use)

    peer = peer_resource(insert_only=args.child == "peer_insert_only")
    spent = timers([(peer, "get_instance", "row lookups"), (peer, "bulk_create", "bulk inserts")])
    path = Path(args.file)
    before = peak_mb()
    started = time.perf_counter()
    dataset = tablib.Dataset().load(path.read_bytes(), format="xlsx")
    loaded = time.perf_counter()
    result = peer.import_data(dataset, dry_run=False, use_transactions=True)
    finished = time.perf_counter()
    rest = finished - loaded - spent["row lookups"] - spent["bulk inserts"]
    errors = [str(error.error) for _, row_errors in result.row_errors() for error in row_errors]
    errors += [str(error.error) for error in result.base_errors]
    invalid = [str(row.error) for row in result.invalid_rows]
    return {
        "seconds": finished - started,
        "phases": {"tablib load": loaded - started, **spent, "rows through widgets": rest},
        "peak_mb": peak_mb(),
        "base_mb": before,
        "new": result.totals.get("new", 0),
        "errors": (errors + invalid)[:3],
        "stored": stored_values(),
    }


CHILDREN = {
    "prepare": child_prepare,
    "floor": child_floor,
    "reader": child_reader,
    "ours": child_ours,
    "peer": child_peer,
    "peer_insert_only": child_peer,
    "profile": child_profile,
}


# --- Databases -----------------------------------------------------------------------------


class SQLiteDatabases:
    label = "SQLite"

    def __init__(self, folder: Path):
        self.folder = folder
        self.template = folder / "template.sqlite3"
        self.made = 0

    def url(self, path: Path) -> str:
        return f"sqlite:///{path}"

    def create_template(self) -> str:
        return self.url(self.template)

    def fresh(self) -> str:
        self.made += 1
        path = self.folder / f"run-{self.made}.sqlite3"
        shutil.copyfile(self.template, path)
        return self.url(path)

    def drop(self, url: str):
        Path(urlsplit(url).path[1:]).unlink(missing_ok=True)

    def close(self):
        self.template.unlink(missing_ok=True)


class PostgresDatabases:
    """Throwaway databases on the local server: a migrated template, and a clone of it for
    each measurement (CREATE DATABASE ... TEMPLATE), all dropped at the end."""

    label = "PostgreSQL"

    def __init__(self, admin_url: str):
        import psycopg

        self.admin_url = admin_url
        self.admin = psycopg.connect(admin_url, autocommit=True)
        self.prefix = f"careprog_bench_{os.getpid()}"
        self.template = f"{self.prefix}_template"
        self.made = 0
        self.names: list[str] = []

    def url(self, name: str) -> str:
        parts = urlsplit(self.admin_url)
        return urlunsplit(parts._replace(path=f"/{name}"))

    def _create(self, name: str, template: str | None = None):
        sql = f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
        self.admin.execute(sql)
        self.names.append(name)

    def create_template(self) -> str:
        self._create(self.template)
        return self.url(self.template)

    def fresh(self) -> str:
        self.made += 1
        name = f"{self.prefix}_run{self.made}"
        self._create(name, self.template)
        return self.url(name)

    def drop(self, url: str):
        name = urlsplit(url).path[1:]
        self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if name in self.names:
            self.names.remove(name)

    def close(self):
        for name in list(self.names):
            self.drop(self.url(name))
        self.admin.close()


# --- The parent: orchestration and the table -----------------------------------------------


@dataclass
class Measurement:
    label: str
    kind: str
    store: object = None  # SQLiteDatabases | PostgresDatabases | None
    runs: list[dict] = field(default_factory=list)
    error: str = ""

    @property
    def median_run(self) -> dict:
        """The run whose time is the median (the lower middle one for an even count)."""
        ordered = sorted(self.runs, key=lambda run: run["seconds"])
        return ordered[(len(ordered) - 1) // 2] if ordered else {}

    @property
    def median(self) -> float:
        return self.median_run.get("seconds", float("nan"))

    @property
    def peak_mb(self) -> float:
        return max((run["peak_mb"] for run in self.runs), default=float("nan"))

    @property
    def added_mb(self) -> float:
        return max((run["peak_mb"] - run["base_mb"] for run in self.runs), default=float("nan"))


def child_env(database_url: str | None, debug: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="careprog.settings",
        DEBUG=debug,
        SECRET_KEY="benchmark-only-secret-key-not-for-any-deployment",
        LOG_LEVEL="WARNING",
        PYTHONHASHSEED="0",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def run_child(kind: str, args, *, database_url: str | None = None, timeout: float = 900) -> dict:
    command = [sys.executable, __file__, "--child", kind, "--file", str(args.file)]
    command += ["--rows", str(args.rows), "--top", str(args.top)]
    completed = subprocess.run(
        command,
        cwd=ROOT,
        env=child_env(database_url, args.debug),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith(RESULT):
            return json.loads(line[len(RESULT) :])
    raise RuntimeError(
        f"the {kind} measurement failed (exit {completed.returncode}):\n"
        f"{completed.stderr[-3000:]}{completed.stdout[-1000:]}"
    )


def run_once(measurement: Measurement, args, timeout: float = 900.0):
    """One more process for a measurement, on a fresh database if it needs one."""
    if measurement.error:
        return
    store = measurement.store
    url = store.fresh() if store else None
    try:
        measurement.runs.append(
            run_child(measurement.kind, args, database_url=url, timeout=timeout)
        )
    except subprocess.TimeoutExpired:
        measurement.error = f"did not finish within {timeout:.0f} s"
    finally:
        if url:
            store.drop(url)


def check(measurement: Measurement, expected: Expected) -> list[str]:
    """What is wrong with what a measurement read or stored; [] if it is right."""
    if measurement.error:
        return [measurement.error]
    problems = []
    for run in measurement.runs:
        if "cells" in run and run["cells"] != expected.cells:
            problems.append(f"read {run['cells']} cells, not {expected.cells}")
        if "stored" in run:
            want = {
                "rows": expected.rows,
                "kpis": expected.kpis,
                "total": expected.total,
                "first_period": expected.first_period,
                "last_period": expected.last_period,
            }
            for key, value in want.items():
                if run["stored"][key] != value:
                    problems.append(f"stored {key} {run['stored'][key]!r}, not {value!r}")
        if "audit_rows" in run and run["audit_rows"] != expected.rows:
            problems.append(f"{run['audit_rows']} ImportedValue rows, not {expected.rows}")
        if run.get("batch_status", "applied") != "applied":
            problems.append(f"the batch is {run['batch_status']}")
        if run.get("errors"):
            problems.append(f"errors: {run['errors']}")
    return sorted(set(problems))


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value == value else "—"


def print_table(measurements: list[Measurement], expected: Expected):
    print()
    print(
        f"{'measurement':<44} {'median':>8} {'cpu':>7} {'runs':>4} {'peak RSS':>9} "
        f"{'+RSS':>7}  check"
    )
    for m in measurements:
        problems = check(m, expected)
        verdict = "ok" if not problems else "FAILED: " + "; ".join(problems)
        if not m.runs:
            print(f"{m.label:<44} {'—':>8} {'':>7} {'':>4} {'':>9} {'':>7}  {verdict}")
            continue
        run = m.median_run
        print(
            f"{m.label:<44} {seconds(m.median):>8} {run['cpu']:>5.2f} s {len(m.runs):>4} "
            f"{m.peak_mb:>6.0f} MB {m.added_mb:>4.0f} MB  {verdict}"
        )
        if "phases" in run:
            phases = " · ".join(f"{k} {v:.2f}" for k, v in run["phases"].items())
            print(f"{'':<6}seconds: {phases}")


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b and a == a and b == b else "—"


def print_profile(profile: dict, label: str):
    total = profile["profiled_total"]
    print(f"\nProfile of ours on {label}: cProfile, {total:.2f} s profiled (it inflates")
    print("Python-heavy code about 2-3 times); the same steps as above, profiled:")
    print("  " + " · ".join(f"{k} {v:.2f}" for k, v in profile["phases"].items()))
    print("  by own time:")
    for name, calls, own, cumulative in profile["own"]:
        print(f"    {own / total:6.1%} own {cumulative / total:6.1%} cum {calls:>9,} calls  {name}")
    for title, key in (("by cumulative time:", "cumulative"), ("our code (kpis/):", "kpis")):
        print(f"  {title}")
        for name, calls, own, cumulative in profile[key]:
            shares = f"{cumulative / total:6.1%} cum {own / total:6.1%} own"
            print(f"    {shares} {calls:>9,} calls  {name}")


def versions() -> str:
    names = ["Django", "openpyxl", "xlsxwriter", "django-import-export", "tablib", "psycopg"]
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return f"Python {sys.version.split()[0]} · " + " · ".join(found)


def load() -> str:
    return "/".join(f"{n:.2f}" for n in os.getloadavg())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000, help="rows in the return")
    parser.add_argument("--databases", default="sqlite,postgres", help="sqlite, postgres or both")
    parser.add_argument(
        "--repeat", type=int, default=3, help="processes per measurement (the peer: 1)"
    )
    parser.add_argument(
        "--debug",
        choices=("0", "1"),
        default="1",
        help="DEBUG for the measured processes (1 keeps a log of every query, as in development)",
    )
    parser.add_argument("--skip-peer", action="store_true", help="leave out django-import-export")
    parser.add_argument(
        "--peer-timeout", type=float, default=600, help="seconds before the peer is given up"
    )
    parser.add_argument(
        "--profile", action="store_true", help="profile ours even if it is faster than the floor"
    )
    parser.add_argument("--top", type=int, default=15, help="functions listed in a profile")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES, help="a maintenance database")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        before = time.process_time()
        measured = CHILDREN[args.child](args)
        measured["cpu"] = time.process_time() - before  # setup included: an upper bound
        print(RESULT + json.dumps(measured, default=str), flush=True)
        return 0

    names = [name.strip() for name in args.databases.split(",") if name.strip()]
    unknown = set(names) - {"sqlite", "postgres"}
    if unknown:
        parser.error(f"unknown databases: {', '.join(sorted(unknown))}")
    if not args.skip_peer:
        try:
            metadata.version("django-import-export")
            metadata.version("tablib")
        except metadata.PackageNotFoundError:
            parser.error("install the peer first: .venv/bin/pip install -e '.[benchmark]'")

    started = time.perf_counter()
    stores: dict[str, SQLiteDatabases | PostgresDatabases] = {}
    with tempfile.TemporaryDirectory(prefix="careprog-bench-") as folder:
        folder = Path(folder)
        args.file = folder / "kpi-return.xlsx"
        expected = write_return(args.file, args.rows)
        print(
            f"KPI import benchmark: {expected.rows:,} rows ({expected.kpis:,} monthly count KPIs "
            f"× up to {MONTHS} month ends, {expected.first_period} to {expected.last_period}), "
            f"{expected.file_bytes / 1e6:.2f} MB .xlsx written with {expected.generator} "
            f"in {expected.generate_seconds:.2f} s"
        )
        print(versions())
        print(
            f"DEBUG={args.debug} · {args.repeat} fresh processes per measurement, interleaved, "
            f"median shown (the peer: one run) · load average at start {load()}"
        )
        try:
            servers = {}
            for name in names:
                store = SQLiteDatabases(folder) if name == "sqlite" else None
                stores[name] = store or PostgresDatabases(args.postgres_url)
                template = stores[name].create_template()
                servers[name] = run_child("prepare", args, database_url=template)["server"]

            floor = Measurement("floor: openpyxl read_only, every cell", "floor")
            reader = Measurement("our reader alone (kpis.importing.reader)", "reader")
            ours = {
                name: Measurement(f"ours end to end ({servers[name]})", "ours", stores[name])
                for name in names
            }
            for _ in range(args.repeat):  # interleaved, so that a busy spell hits all alike
                for measurement in [floor, reader, *ours.values()]:
                    run_once(measurement, args)

            peers, insert_only = {}, {}
            if not args.skip_peer:
                for name in names:
                    label = f"django-import-export ({servers[name]})"
                    peers[name] = Measurement(label, "peer", stores[name])
                    run_once(peers[name], args, timeout=args.peer_timeout)
                    label = f"  same, insert-only ({servers[name]})"
                    insert_only[name] = Measurement(label, "peer_insert_only", stores[name])
                    run_once(insert_only[name], args, timeout=args.peer_timeout)

            profiles = []
            for name in names:
                if args.profile or ours[name].median > floor.median:
                    url = stores[name].fresh()
                    try:
                        profiles.append(
                            (servers[name], run_child("profile", args, database_url=url))
                        )
                    finally:
                        stores[name].drop(url)
        finally:
            for store in stores.values():
                store.close()

        table = [floor, reader]
        for name in names:
            table += [ours[name]] + ([peers[name], insert_only[name]] if name in peers else [])
        print_table(table, expected)
        print(
            f"\nour reader/floor {ratio(reader.median, floor.median)} "
            f"(reader {seconds(reader.median)}, floor {seconds(floor.median)})"
        )
        for name in names:
            line = (
                f"ours ({servers[name]}) {seconds(ours[name].median)} · floor "
                f"{seconds(floor.median)} · ours/floor {ratio(ours[name].median, floor.median)}"
            )
            phases = ours[name].median_run.get("phases", {})
            preview = sum(phases.get(k, 0.0) for k in ("gate", "read+check", "compare", "warnings"))
            line += f" · our preview alone {preview:.2f} s (/floor {ratio(preview, floor.median)})"
            if name in peers:
                for peer, what in ((peers[name], "peer"), (insert_only[name], "insert-only peer")):
                    found = peer.error or ratio(peer.median, ours[name].median)
                    line += f" · {what}/ours {found}"
            print(line)
        for server, profile in profiles:
            print_profile(profile, server)
        failed = any(check(m, expected) for m in table)

    print(
        f"\nload average at the end {load()} · "
        f"whole benchmark: {time.perf_counter() - started:.0f} s"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
