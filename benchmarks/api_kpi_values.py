"""A full paginated read of 100,000 KPI figures from /api/kpi-values/, beside a raw SQL read
of the same rows.

    .venv/bin/python benchmarks/api_kpi_values.py [--kpis 100] [--periods 1000]
        [--page-size 1000] [--repeat 3] [--profile]

Each database is measured in a fresh Python process: a throwaway SQLite file under /tmp, and,
when DATABASE_URL names a PostgreSQL server (or --postgres gives one), a throwaway database
``careprog_apibench_<pid>`` made on it and dropped at the end. The child migrates, then writes
with bulk_create: --kpis monthly measures × --periods month ends (100,000 figures), targets for
every financial year of half the measures, the three comparators and a rank for each measure's
last 120 periods, and an approved entry for each measure's last 12; then a committee member's
token.

Measured, --repeat rounds each, interleaved, medians shown (DEBUG off while measuring, so no
query log):

- the API: every page of ``/api/kpi-values/?page_size=N`` through Django's test client with
  the token, following ``next`` until it is null (the client's JSON parsing is not timed);
- the floor: one ``cursor.execute`` of the same rows, the figures joined to their measure, in
  the same order, ``fetchall()``.

Afterwards it checks that the API's rows are the floor's (count, ids in order, the sum of the
values) and exits 1 if not. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESULT = "RESULT "

FLOOR_SQL = """
    SELECT v.id, k.code, k.name, v.period_end, v.value, v.numerator, v.denominator,
           v.local_value, v.origin, v.source, v.note, v.commentary, v.dfe_published_on
    FROM kpis_kpivalue v
    JOIN kpis_kpi k ON k.id = v.kpi_id
    JOIN kpis_kpigroup g ON g.id = k.group_id
    ORDER BY g.position, g.name, k.position, k.code, v.period_end, v.id
"""


def month_ends(count: int, last: dt.date) -> list[dt.date]:
    days, year, month = [], last.year, last.month
    for _ in range(count):
        following = dt.date(year + (month == 12), month % 12 + 1, 1)
        days.append(following - dt.timedelta(days=1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return sorted(days)


def make_data(kpis: int, periods: int) -> str:
    """The figures and what the API joins to them; returns a committee member's token."""
    from decimal import Decimal

    from django.contrib.auth.models import Group, User
    from django.utils import timezone

    from careprog import roles
    from careprog.api.tokens import issue_token
    from careprog.periods import financial_year_of
    from kpis.models import (
        KPI,
        ComparatorValue,
        KPIEntry,
        KPIGroup,
        KPIRank,
        KPITarget,
        KPIValue,
        Origin,
    )

    groups = KPIGroup.objects.bulk_create(
        KPIGroup(name=f"Group {n}", position=n) for n in range(1, 11)
    )
    measures = KPI.objects.bulk_create(
        KPI(
            code=f"kpi-{n:03d}",
            name=f"Measure {n}",
            group=groups[n % len(groups)],
            position=n,
            unit=KPI.Unit.PERCENTAGE,
            polarity=KPI.Polarity.HIGHER_IS_BETTER if n % 3 else KPI.Polarity.LOWER_IS_BETTER,
            frequency=KPI.Frequency.MONTHLY,
            decimal_places=1,
        )
        for n in range(kpis)
    )
    days = month_ends(periods, dt.date(2025, 3, 31))
    recent = days[-120:]
    batch = 2000
    KPIValue.objects.bulk_create(
        (
            KPIValue(
                kpi=kpi,
                period_end=day,
                value=Decimal(50 + (i * 7 + n) % 50) / 2,
                origin=Origin.RETURN if i % 10 else Origin.PUBLISHED,
                source="Benchmark return",
            )
            for n, kpi in enumerate(measures)
            for i, day in enumerate(days)
        ),
        batch_size=batch,
    )
    years = sorted({financial_year_of(day) for day in days})
    KPITarget.objects.bulk_create(
        (
            KPITarget(kpi=kpi, financial_year=year, value=Decimal(40), amber_tolerance=Decimal(2))
            for kpi in measures[::2]
            for year in years
        ),
        batch_size=batch,
    )
    ComparatorValue.objects.bulk_create(
        (
            ComparatorValue(kpi=kpi, comparator=kind, period_end=day, value=Decimal("41.5"))
            for kpi in measures
            for day in recent
            for kind in ComparatorValue.Comparator
        ),
        batch_size=batch,
    )
    KPIRank.objects.bulk_create(
        (
            KPIRank(kpi=kpi, period_end=day, rank=30, out_of=152, band="A")
            for kpi in measures
            for day in recent
        ),
        batch_size=batch,
    )
    approver = User.objects.create_user("bench-approver", first_name="Ann", last_name="Prover")
    now = timezone.now()
    KPIEntry.objects.bulk_create(
        (
            KPIEntry(
                kpi=kpi,
                period_end=day,
                value=Decimal(1),
                state=KPIEntry.State.APPROVED,
                entered_at=now,
                decided_by=approver,
                decided_at=now,
            )
            for kpi in measures
            for day in days[-12:]
        ),
        batch_size=batch,
    )
    reader = User.objects.create_user("bench-reader")
    reader.groups.add(Group.objects.get(name=roles.COMMITTEE_MEMBERS))
    return issue_token(person=reader, name="benchmark")[1]


def read_api(client, token: str, page_size: int) -> tuple[float, list[bytes]]:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    url, bodies = f"/api/kpi-values/?page_size={page_size}", []
    started = time.perf_counter()
    while url:
        response = client.get(url, **headers)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code} {response.content[:300]!r}")
        bodies.append(response.content)
        following = response.headers.get("Link", "")
        url = None
        for link in following.split(", "):
            if link.endswith('rel="next"'):
                url = link[1 : link.index(">")].removeprefix("http://testserver")
    return time.perf_counter() - started, bodies


def read_floor() -> tuple[float, list[tuple]]:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL)
        rows = cursor.fetchall()
    return time.perf_counter() - started, rows


def child(args) -> dict:
    os.environ["API_RATE_LIMIT"] = "10000000/minute"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    made = time.perf_counter()
    token = make_data(args.kpis, args.periods)
    made = time.perf_counter() - made
    settings.DEBUG = False  # no query log while measuring
    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client()
    read_api(client, token, args.page_size)  # warm-up: imports, the token's last use
    api_times, floor_times = [], []
    for _ in range(args.repeat):
        seconds, bodies = read_api(client, token, args.page_size)
        api_times.append(seconds)
        seconds, floor_rows = read_floor()
        floor_times.append(seconds)
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        read_api(client, token, args.page_size)
        profile.disable()
        stats = pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative")
        stats.print_stats(30)
        stats.sort_stats("tottime").print_stats(20)
    rows = [row for body in bodies for row in json.loads(body)["results"]]
    problems = []
    if [row["id"] for row in rows] != [row[0] for row in floor_rows]:
        problems.append("the API's ids are not the floor's, in the floor's order")
    api_sum = round(sum(row["value"] for row in rows), 4)
    floor_sum = round(float(sum(row[4] for row in floor_rows)), 4)
    if api_sum != floor_sum:
        problems.append(f"sum of values: API {api_sum}, floor {floor_sum}")
    return {
        "server": django.db.connection.vendor,
        "rows": len(rows),
        "pages": len(bodies),
        "bytes": sum(len(body) for body in bodies),
        "made": made,
        "api": api_times,
        "floor": floor_times,
        "problems": problems,
    }


def run_child(args, url: str) -> dict:
    command = [sys.executable, __file__, "--child", "--kpis", str(args.kpis)]
    command += ["--periods", str(args.periods), "--page-size", str(args.page_size)]
    command += ["--repeat", str(args.repeat)] + (["--profile"] if args.profile else [])
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="careprog.settings",
        DATABASE_URL=url,
        DEBUG="1",  # for the settings' development defaults; off while measuring
        LOG_LEVEL="WARNING",
    )
    completed = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600
    )
    if args.profile:
        print(completed.stderr[-20000:])
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith(RESULT):
            return json.loads(line[len(RESULT) :])
    raise RuntimeError(f"the child failed ({completed.returncode}):\n{completed.stderr[-3000:]}")


def postgres_url(given: str | None) -> str | None:
    if given:
        return given
    env = os.environ.get("DATABASE_URL", "")
    if env.startswith(("postgres://", "postgresql://")):
        return urlunsplit(urlsplit(env)._replace(path="/postgres"))
    return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kpis", type=int, default=100)
    parser.add_argument("--periods", type=int, default=1000, help="month ends per measure")
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", metavar="URL", help="a maintenance database on a server")
    parser.add_argument("--profile", action="store_true", help="cProfile one more API read")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(RESULT + json.dumps(child(args)), flush=True)
        return 0

    print(
        f"/api/kpi-values/: {args.kpis * args.periods:,} figures ({args.kpis} measures × "
        f"{args.periods} month ends), page_size={args.page_size}, {args.repeat} rounds, "
        f"median shown · load {'/'.join(f'{n:.2f}' for n in os.getloadavg())}"
    )
    results = []
    with tempfile.TemporaryDirectory(prefix="careprog-apibench-") as folder:
        results.append(run_child(args, f"sqlite:///{Path(folder) / 'bench.sqlite3'}"))
    admin = postgres_url(args.postgres)
    if admin:
        import psycopg

        name = f"careprog_apibench_{os.getpid()}"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
            try:
                results.append(run_child(args, urlunsplit(urlsplit(admin)._replace(path=name))))
            finally:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    failed = False
    heading = ("database", "rows", "pages", "MB", "API", "floor", "ratio")
    print("\n{:<12} {:>8} {:>6} {:>6} {:>9} {:>9} {:>7}".format(*heading))
    for result in results:
        api, floor = median(result["api"]), median(result["floor"])
        failed = failed or bool(result["problems"])
        print(
            f"{result['server']:<12} {result['rows']:>8,} {result['pages']:>6} "
            f"{result['bytes'] / 1e6:>6.1f} {api:>7.2f} s {floor:>7.3f} s {api / floor:>6.1f}×  "
            + ("ok" if not result["problems"] else "FAILED: " + "; ".join(result["problems"]))
        )
        rounds = ", ".join(
            f"{a:.2f}/{f:.3f}" for a, f in zip(result["api"], result["floor"], strict=True)
        )
        print(f"{'':<12} rounds (API/floor, s): {rounds}; data written in {result['made']:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
