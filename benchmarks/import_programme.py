"""Importing a 430-action progress table from Word as a new programme, against a floor.

    .venv/bin/python benchmarks/import_programme.py [--repeat 3] [--copies 10] [--debug 0]

The table is the seed's Appendix C (43 actions, built as tests/table_files.py builds it: a bold
heading above each objective's table, merged cells, the header repeated on each page) written
--copies times, each copy's objectives retitled: 40 objectives, 90 requirements, 160 mechanisms,
430 actions with 390 updates. Each measurement is a fresh Python process on a fresh, migrated
SQLite file under /tmp; imports, django.setup() and the migration come before the clock starts,
reading the file's bytes after. Runs are interleaved; medians are shown.

| measurement | what runs |
| floor | python-docx opens the file and reads every table cell's text (any Word reader's least) |
| reader | actions.table_import.reading.read_table: the gate, python-docx, the tree |
| import | read_table + create_programme with Q3 updates, what `manage.py import_programme` does |

It checks that the import holds 430 actions and 390 updates, and exits 1 if not. See
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # tests.table_files builds the table
RESULT = "RESULT "
KINDS = ("floor", "reader", "import")


def child_env(database_url: str, debug: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="careprog.settings",
        DEBUG=debug,
        SECRET_KEY="benchmark-only-secret-key-not-for-any-deployment",
        LOG_LEVEL="WARNING",
        DATABASE_URL=database_url,
        PYTHONHASHSEED="0",
    )
    return env


def write_table(path: Path, copies: int) -> None:
    from tests.table_files import appendix_c_docx
    from tests.test_seed_fixture import SOURCE, parse_appendix_c

    appendix_c = parse_appendix_c(SOURCE.read_text(encoding="utf-8"))
    objectives = [
        [f"{title} ({copy + 1})", statement, requirements]
        for copy in range(copies)
        for title, statement, requirements in appendix_c
    ]
    path.write_bytes(appendix_c_docx(objectives))


def child(kind: str, path: Path, copies: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    if kind == "write":
        write_table(path, copies)
        return {}
    call_command("migrate", verbosity=0, interactive=False)
    import io

    from docx import Document

    from actions.models import Action, Update
    from actions.table_import.create import create_programme
    from actions.table_import.reading import read_table
    from careprog.periods import ReportingPeriod

    start = time.perf_counter()
    data = path.read_bytes()
    if kind == "floor":
        cells = sum(
            len(cell.text) >= 0
            for table in Document(io.BytesIO(data)).tables
            for row in table.rows
            for cell in row.cells
        )
        return {"seconds": time.perf_counter() - start, "cells": cells}
    parsed = read_table(data, path.name)
    if kind == "reader":
        return {"seconds": time.perf_counter() - start, "actions": parsed.counts()["actions"]}
    create_programme(
        parsed=parsed,
        name="Benchmark programme",
        slug="benchmark",
        first_period=ReportingPeriod(2024, 1),
        last_period=ReportingPeriod(2024, 4),
        updates_period=ReportingPeriod(2024, 3),
        source=path.name,
    )
    seconds = time.perf_counter() - start
    actions, updates = Action.objects.count(), Update.objects.count()
    return {"seconds": seconds, "actions": actions, "updates": updates}


def run_child(kind: str, args, tmp: Path, number: int) -> dict:
    database = tmp / f"bench-{kind}-{number}.sqlite3"
    completed = subprocess.run(  # noqa: S603 - this script, fixed arguments
        [
            sys.executable,
            __file__,
            "--child",
            kind,
            "--file",
            str(args.file),
            "--copies",
            str(args.copies),
        ],
        cwd=ROOT,
        env=child_env(f"sqlite:///{database}", args.debug),
        capture_output=True,
        text=True,
        timeout=600,
    )
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith(RESULT):
            return json.loads(line[len(RESULT) :])
    raise RuntimeError(f"{kind} failed (exit {completed.returncode}):\n{completed.stderr[-3000:]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--debug", choices=("0", "1"), default="0")
    parser.add_argument("--child", choices=(*KINDS, "write"))
    parser.add_argument("--file", type=Path)
    args = parser.parse_args()
    if args.child:
        print(RESULT + json.dumps(child(args.child, args.file, args.copies)))
        return 0
    with tempfile.TemporaryDirectory(prefix="careprog-bench-programme-") as folder:
        tmp = Path(folder)
        args.file = tmp / "table.docx"
        run_child("write", args, tmp, 0)
        runs: dict[str, list[dict]] = {kind: [] for kind in KINDS}
        for number in range(args.repeat):
            for kind in KINDS:
                runs[kind].append(run_child(kind, args, tmp, number))
        size = args.file.stat().st_size
    expected = 43 * args.copies
    failures = [
        f"{kind} run {n}: {run}"
        for kind in ("reader", "import")
        for n, run in enumerate(runs[kind])
        if run["actions"] != expected or run.get("updates", 39 * args.copies) != 39 * args.copies
    ]
    floor = median(run["seconds"] for run in runs["floor"])
    print(
        f"{expected}-action table, {size / 1e3:.0f} kB .docx, DEBUG={args.debug}, "
        f"median of {args.repeat}:"
    )
    for kind in KINDS:
        seconds = median(run["seconds"] for run in runs[kind])
        print(f"  {kind:<7} {seconds * 1000:8.1f} ms  {seconds / floor:5.1f} x floor")
    for failure in failures:
        print(f"  WRONG: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
