"""Undoing a 50,000-value KPI import, beside the import of the same file in the same process.

    .venv/bin/python benchmarks/undo_import.py [--rows 50000] [--repeat 3]
        [--postgres postgres://postgres@127.0.0.1:5432/postgres] [--debug 0]

The return is import_kpis.py's synthetic one (500 monthly count KPIs × 100 month ends, long
layout, written with xlsxwriter). Two cases, each measured in a fresh Python process on a fresh
database (an SQLite file under /tmp; with --postgres, or DATABASE_URL naming a PostgreSQL
server, also a PostgreSQL database cloned for the run from a migrated template, all named
careprog_undo_<pid>_* and dropped at the end):

- new: import the file into an empty value table (the baseline), then undo it: 50,000
  values deleted, each with its history record;
- changed: the file is imported once (setup), then a second file with every value one more
  is imported (the baseline: 50,000 values changed), then that import is undone: 50,000
  values put back, each with its history record.

The import is ``preview_return`` + ``store_upload`` + ``apply_return``, what ``manage.py
import_kpis`` does, and ``approve_import``, a head of service's approval of its figures (so
the undo has values to take back); the undo is ``undo_import``, what the import page's button
does. The production gunicorn command (docs/operating.md) keeps gunicorn's default 30-second
worker timeout: the undo must finish well inside it. Times are medians over --repeat
processes, run interleaved; the script checks the values, their history records and the batch
after every step and exits 1 if a check fails. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import import_kpis as house  # noqa: E402  (the return, databases, children)

GUNICORN_TIMEOUT = 30  # seconds: gunicorn's default, which docs/operating.md keeps
RESULT = "RESULT "
CASES = ("new", "changed")


def write_changed(path: Path, rows: int) -> int:
    """The same return with every value one more; returns the sum of its values."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Returns")
    sheet.write_row(0, 0, house.HEADERS)
    total = 0
    for number, (code, period, value, note) in enumerate(house.return_rows(rows), start=1):
        sheet.write_row(number, 0, [code, period, value + 1] + ([note] if note else []))
        total += value + 1
    workbook.close()
    return total


# --- The child: one case, timed ------------------------------------------------------------


def state() -> dict:
    """What the database holds: values, their sum, history records by type, batches."""
    from django.db.models import Count, Sum

    from kpis.models import ImportBatch, KPIValue

    values = KPIValue.objects.aggregate(rows=Count("pk"), total=Sum("value"))
    history = dict(KPIValue.history.values_list("history_type").annotate(n=Count("pk")).order_by())
    return {
        "values": values["rows"],
        "total": int(values["total"] or 0),
        "history": history,
        "batches": dict(ImportBatch.objects.values_list("pk", "status")),
    }


def timed_import(path: Path):
    """An import and the approval of its figures: what an undo then takes back."""
    from kpis.importing.apply import apply_return, approve_import, store_upload
    from kpis.importing.preview import preview_return

    head = house.approver()
    started = time.perf_counter()
    data = path.read_bytes()
    preview = preview_return(data)
    if not preview.can_confirm:
        raise SystemExit(f"the preview refused {path.name}: {preview.problems[:3]}")
    batch = store_upload(data=data, file_name=path.name, user=None)
    apply_return(batch=batch, user=None, preview=preview)
    approve_import(batch=batch, user=head)
    return batch, time.perf_counter() - started


def child(args) -> dict:
    house.django_setup()
    import kpis.importing.apply  # noqa: F401  (imported before the clock starts)
    from kpis.importing.apply import undo_import

    states = {}
    if args.case == "changed":
        timed_import(Path(args.file))  # the values the changing import replaces
        states["before"] = state()
        batch, import_seconds = timed_import(Path(args.changed_file))
    else:
        batch, import_seconds = timed_import(Path(args.file))
    states["imported"] = state()
    started = time.perf_counter()
    undo_import(batch=batch, user=None)
    undo_seconds = time.perf_counter() - started
    states["undone"] = state()
    return {"import": import_seconds, "undo": undo_seconds, "batch": batch.pk, **states}


def run_child(args, case: str, url: str) -> dict:
    command = [sys.executable, __file__, "--child", "--case", case, "--rows", str(args.rows)]
    command += ["--file", str(args.file), "--changed-file", str(args.changed_file)]
    completed = subprocess.run(
        command,
        cwd=ROOT,
        env=house.child_env(url, args.debug),
        capture_output=True,
        text=True,
        timeout=900,
    )
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith(RESULT):
            return json.loads(line[len(RESULT) :])
    raise RuntimeError(
        f"the {case} case failed (exit {completed.returncode}):\n{completed.stderr[-3000:]}"
    )


def run_prepare(args, url: str) -> str:
    command = [sys.executable, house.__file__, "--child", "prepare", "--rows", str(args.rows)]
    command += ["--file", str(args.file)]
    completed = subprocess.run(
        command, cwd=ROOT, env=house.child_env(url, args.debug), capture_output=True, text=True
    )
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith(house.RESULT):
            return json.loads(line[len(house.RESULT) :])["server"]
    raise RuntimeError(f"preparing the database failed:\n{completed.stderr[-3000:]}")


# --- Checks --------------------------------------------------------------------------------


def check(case: str, run: dict, rows: int, total: int, changed_total: int) -> list[str]:
    problems = []

    def expect(what, found, wanted):
        if found != wanted:
            problems.append(f"{what}: {found!r}, not {wanted!r}")

    imported, undone, batch = run["imported"], run["undone"], str(run["batch"])
    if case == "new":
        expect("values after the import", (imported["values"], imported["total"]), (rows, total))
        expect("history after the import", imported["history"], {"+": rows})
        expect("values after the undo", undone["values"], 0)
        expect("history after the undo", undone["history"], {"+": rows, "-": rows})
    else:
        before = run["before"]
        expect("values before", (before["values"], before["total"]), (rows, total))
        expect(
            "values after the import",
            (imported["values"], imported["total"]),
            (rows, changed_total),
        )
        expect("history after the import", imported["history"], {"+": rows, "~": rows})
        expect("values after the undo", (undone["values"], undone["total"]), (rows, total))
        expect("history after the undo", undone["history"], {"+": rows, "~": 2 * rows})
    expect("the batch after the undo", undone["batches"].get(batch), "undone")
    return problems


# --- The parent ----------------------------------------------------------------------------


@dataclass
class Case:
    case: str
    store: object
    server: str
    runs: list[dict] = field(default_factory=list)

    def median(self, key: str) -> float:
        return median(run[key] for run in self.runs)


def postgres_url(given: str | None) -> str | None:
    if given:
        return given
    env = os.environ.get("DATABASE_URL", "")
    if env.startswith(("postgres://", "postgresql://")):
        return urlunsplit(urlsplit(env)._replace(path="/postgres"))
    return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000, help="values in the return")
    parser.add_argument("--repeat", type=int, default=3, help="processes per case and database")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="a maintenance database on a PostgreSQL server (default: DATABASE_URL's server, "
        "if it is PostgreSQL); throwaway databases are made on it",
    )
    parser.add_argument("--debug", choices=("0", "1"), default="0", help="DEBUG in the children")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--case", choices=CASES, help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--changed-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        print(RESULT + json.dumps(child(args), default=str), flush=True)
        return 0

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="careprog-undo-") as folder:
        folder = Path(folder)
        args.file, args.changed_file = folder / "return.xlsx", folder / "changed.xlsx"
        expected = house.write_return(args.file, args.rows)
        changed_total = write_changed(args.changed_file, args.rows)
        print(
            f"Undo benchmark: {expected.rows:,} values ({expected.kpis:,} monthly count KPIs), "
            f"{expected.file_bytes / 1e6:.2f} MB .xlsx · DEBUG={args.debug} · {args.repeat} "
            f"fresh processes per case, interleaved, median shown · load {house.load()}"
        )
        print(house.versions())
        stores = [house.SQLiteDatabases(folder)]
        admin = postgres_url(args.postgres)
        if admin:
            stores.append(house.PostgresDatabases(admin))
            stores[-1].prefix = f"careprog_undo_{os.getpid()}"
            stores[-1].template = f"{stores[-1].prefix}_template"
        cases: list[Case] = []
        try:
            for store in stores:
                server = run_prepare(args, store.create_template())
                cases += [Case(case, store, server) for case in CASES]
            for _ in range(args.repeat):
                for case in cases:
                    url = case.store.fresh()
                    try:
                        case.runs.append(run_child(args, case.case, url))
                    finally:
                        case.store.drop(url)
        finally:
            for store in stores:
                store.close()

    failed = False
    print(f"\n{'case':<52} {'import':>8} {'undo':>8} {'undo/import':>12} {'of 30 s':>8}  check")
    for case in cases:
        problems = sorted(
            {
                problem
                for run in case.runs
                for problem in check(case.case, run, expected.rows, expected.total, changed_total)
            }
        )
        failed = failed or bool(problems)
        imported, undone = case.median("import"), case.median("undo")
        what = {
            "new": f"{expected.rows:,} values added, then removed",
            "changed": f"{expected.rows:,} values changed, then put back",
        }[case.case]
        print(
            f"{what + ' (' + case.server + ')':<52} {imported:>6.2f} s {undone:>6.2f} s "
            f"{undone / imported:>12.2f} {undone / GUNICORN_TIMEOUT:>8.1%}  "
            + ("ok" if not problems else "FAILED: " + "; ".join(problems))
        )
        runs = ", ".join(f"{run['import']:.2f}/{run['undo']:.2f}" for run in case.runs)
        print(f"{'':<6}runs (import/undo, s): {runs}")
    print(
        f"\nload average at the end {house.load()} · whole benchmark: "
        f"{time.perf_counter() - started:.0f} s"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
