"""Importing DfE's full LAIT data set with `manage.py import_lait`, against the floor.

    .venv/bin/python benchmarks/import_lait.py [--data-dir /work/shared/data/lait]
        [--databases sqlite,postgres] [--postgres postgres://postgres@127.0.0.1:5432/postgres]
        [--repeat 1]

The data set is the gzipped CSV (641,070 rows), the data dictionary, the statistical
neighbours workbook and the LA code list, from --data-dir. Every measurement is a process of
its own, timed from outside (wall clock) with its peak memory taken from the kernel
(``ru_maxrss`` of that child, through os.wait4):

- floor: Python reading the same file and nothing more (gzip + csv.reader over every row);
- for each database, on a fresh one (an SQLite file under /tmp, or a PostgreSQL database
  created for the run and dropped afterwards; trust authentication), after ``migrate``:
  the first import of all four files, then the same command again, which must change
  nothing: the script checks that its report says created 0, updated 0, deleted 0 for
  every file and that a SHA-256 of every row of the four tables is the same before and after.

Both imports include Django's start-up (about half a second), as a user running the command
sees it. Times are medians over --repeat fresh databases. The script exits non-zero if a
check fails. DEBUG is off in the children, as in production.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = Path("/work/shared/data/lait")
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
FILES = ["bds_long.csv.gz", "lait_data_dictionary.csv", "sn_may_2025.xlsx", "la_code_list.xlsx"]

FLOOR = """
import csv, gzip, sys
rows = 0
with gzip.open(sys.argv[1], "rt", encoding="utf-8-sig", newline="") as stream:
    for _ in csv.reader(stream):
        rows += 1
print(rows - 1)
"""

FINGERPRINT = """
import hashlib
from kpis.models import Area, BenchmarkIndicator, BenchmarkValue, StatisticalNeighbour
digest = hashlib.sha256()
for model in (Area, StatisticalNeighbour, BenchmarkIndicator, BenchmarkValue):
    for row in model.objects.order_by("pk").values_list().iterator(chunk_size=20000):
        digest.update(repr(row).encode())
print("FINGERPRINT", BenchmarkValue.objects.count(), digest.hexdigest())
"""

COUNTS = re.compile(r"created (\d+), updated (\d+), unchanged (\d+)(?:, deleted (\d+))?")


@dataclass
class Run:
    seconds: float
    peak_mb: float
    stdout: str
    stderr: str


@dataclass
class Result:
    label: str
    runs: list[Run] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r.peak_mb for r in self.runs)


def child_env(database_url: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DEBUG", None)
    env.update(
        DJANGO_SETTINGS_MODULE="careprog.settings",
        SECRET_KEY="benchmark-only-secret-key-not-for-any-deployment",
        LOG_LEVEL="WARNING",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def measure(command: list[str], database_url: str | None = None) -> Run:
    """Run `command`, return its wall time and the peak resident memory of that process."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=ROOT, env=child_env(database_url), stdout=out, stderr=err
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        run = Run(seconds, usage.ru_maxrss / 1024, out.read(), err.read())  # Linux: KB
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{run.stderr}")
    return run


def manage(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), *args]


class SQLiteStore:
    name = "SQLite"

    def __init__(self):
        self.folder = tempfile.TemporaryDirectory(prefix="lait-bench-")
        self.count = 0

    def fresh(self) -> str:
        self.count += 1
        return f"sqlite:///{self.folder.name}/bench{self.count}.sqlite3"

    def drop(self, url: str) -> None:
        Path(urlsplit(url).path).unlink(missing_ok=True)


class PostgresStore:
    name = "PostgreSQL"

    def __init__(self, admin_url: str):
        import psycopg

        self.psycopg = psycopg
        self.admin_url = admin_url
        self.count = 0

    def _admin(self):
        return self.psycopg.connect(self.admin_url, autocommit=True)

    def fresh(self) -> str:
        self.count += 1
        name = f"lait_bench_{os.getpid()}_{self.count}"
        with self._admin() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
        parts = urlsplit(self.admin_url)
        return urlunsplit(parts._replace(path=f"/{name}"))

    def drop(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        with self._admin() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fingerprint(url: str) -> str:
    run = measure(manage("shell", "-c", FINGERPRINT), url)
    return next(line for line in run.stdout.splitlines() if line.startswith("FINGERPRINT"))


def no_changes(report: str) -> list[str]:
    """The lines of an import's report that say it changed something."""
    problems = []
    for line in report.splitlines():
        if match := COUNTS.search(line):
            created, updated, _, deleted = match.groups()
            if int(created) or int(updated) or int(deleted or 0):
                problems.append(line.strip())
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="an admin connection URL")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    paths = [args.data_dir / name for name in FILES]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"Missing: {', '.join(missing)} (set --data-dir).", file=sys.stderr)
        return 2
    data = str(paths[0])
    import_command = manage("import_lait", *map(str, paths))

    floor = Result("floor: gzip + csv over every row")
    startup = Result("Django start-up (manage.py check)")
    for _ in range(args.repeat):
        floor.runs.append(measure([sys.executable, "-c", FLOOR, data]))
        startup.runs.append(measure(manage("check")))
    rows = int(floor.runs[0].stdout.strip())

    stores = []
    for name in args.databases.split(","):
        stores.append(SQLiteStore() if name.strip() == "sqlite" else PostgresStore(args.postgres))

    results: list[Result] = []
    failures: list[str] = []
    first_reports: dict[str, str] = {}
    for store in stores:
        first = Result(f"{store.name}: first import")
        second = Result(f"{store.name}: second import (no change)")
        for _ in range(args.repeat):
            url = store.fresh()
            try:
                measure(manage("migrate", "--noinput", "-v0"), url)
                first.runs.append(measure(import_command, url))
                before = fingerprint(url)
                second.runs.append(measure(import_command, url))
                after = fingerprint(url)
            finally:
                store.drop(url)
            if before != after:
                failures.append(f"{store.name}: the second import changed rows")
            for line in no_changes(second.runs[-1].stdout):
                failures.append(f"{store.name}: the second import reported a change: {line}")
        first_reports[store.name] = first.runs[-1].stdout + first.runs[-1].stderr
        print(f"{store.name}, second import: {second.runs[-1].stdout.splitlines()[-1]}")
        print(f"  rows before and after: {before.split(' ', 1)[1]} / {after.split(' ', 1)[1]}")
        results += [first, second]

    print(f"\nLAIT import of {rows:,} data rows plus the dictionary, neighbours and LA list")
    print(f"(median of {args.repeat}; peak = the child's ru_maxrss)\n")
    print(f"{'':44} {'wall s':>8} {'peak MB':>8} {'x floor':>8}")
    for result in [floor, startup, *results]:
        ratio = result.seconds / floor.seconds
        print(f"{result.label:44} {result.seconds:8.2f} {result.peak_mb:8.0f} {ratio:8.1f}")
    for name, report in first_reports.items():
        print(f"\n{name}, first import's report:\n{report.rstrip()}")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
