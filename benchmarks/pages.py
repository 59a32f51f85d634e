"""Server time and HTML size of the pages a councillor reads, at the seed's size and with ten
times the stored KPI history, beside a raw-SQL fetch of the rows each page shows.

    .venv/bin/python benchmarks/pages.py [--repeat 15] [--history 10] [--programmes 100]

Runs in one process on a throwaway SQLite database under /tmp (DEBUG on only while
`setup_demo` loads the demo: the seed programme, its published paper, the KPI catalogue,
DfE's shipped extract and the illustrative history; off, with no query log, while measuring).
Each page is fetched through Django's test client as a committee member, in --repeat rounds
after one warm-up round, at both sizes in turn (two database files), so load on the machine
hits both alike; medians are shown. "Raw SQL" is one hand-written query (or a few) fetching the
rows the page shows, with no ORM, templates or rating: the floor a page could approach.

The second size is a copy of the database in which every KPI's values and comparators are
copied back in time until the store holds --history times as many (older periods of the same
frequency). A page that reads only what it draws takes about as long with the longer history;
one that loads every stored value grows with it. With --programmes N, a third copy holds N
programmes: the seed's and N - 1 others whose objectives choose the same measures (objectives
and measures only), so that a page reading one programme's measures shows whether it grows with
the others. Exits 1 if a page is not 200.
See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PROGRAMME = "care-programme-2024-25"
KPI_CODE = "cp-children-in-care"  # a monthly measure with DfE's figures beside it


def _setup(database: Path) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="careprog.settings",
        DATABASE_URL=f"sqlite:///{database}",
        DEBUG="1",
        STATIC_MANIFEST="0",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("setup_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


def _raw_rows(sql: str, params=()) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return len(cursor.fetchall())


# The rows each page shows, fetched by hand: names and figures, nothing rated or rendered.
RAW = {
    "dashboard": [
        """SELECT k.code, k.name, g.name FROM kpis_kpi k JOIN kpis_kpigroup g ON g.id = k.group_id
           ORDER BY g.position, k.position""",
        """SELECT kpi_id, period_end, value FROM (
             SELECT kpi_id, period_end, value, ROW_NUMBER() OVER (
               PARTITION BY kpi_id ORDER BY (origin = 'illustrative'), period_end DESC) AS n
             FROM kpis_kpivalue) WHERE n <= 13""",
        "SELECT kpi_id, financial_year, value FROM kpis_kpitarget",
    ],
    "kpi": [
        "SELECT period_end, value, origin FROM kpis_kpivalue WHERE kpi_id = %(kpi)s",
        "SELECT comparator, period_end, value FROM kpis_comparatorvalue WHERE kpi_id = %(kpi)s",
        "SELECT financial_year, value FROM kpis_kpitarget WHERE kpi_id = %(kpi)s",
    ],
    "report": [
        """SELECT o.title, r.text, m.text, a.title, u.status, u.text
           FROM actions_action a
           JOIN actions_mechanism m ON m.id = a.mechanism_id
           JOIN actions_requirement r ON r.id = m.requirement_id
           JOIN actions_objective o ON o.id = r.objective_id
           LEFT JOIN actions_update u ON u.action_id = a.id AND u.period = %(period)s
           WHERE o.programme_id = %(programme)s ORDER BY o.position, r.position, m.position""",
    ],
}
RAW["attention"] = RAW["report"] + RAW["dashboard"][1:]


def _use(database: Path) -> None:
    """Point the default connection at ``database`` (closed now, opened on the next query)."""
    from django.db import connections

    connections["default"].close()
    connections["default"].settings_dict["NAME"] = str(database)


def _time_page(client, url: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed * 1000, len(response.content)


def _time_raw(statements: list[str], params: dict) -> tuple[float, int]:
    started = time.perf_counter()
    rows = sum(_raw_rows(sql, params) for sql in statements)
    return (time.perf_counter() - started) * 1000, rows


def _lengthen_history(times: int) -> None:
    """Copy every KPI's values and comparators back in time, period by period, until the
    store holds ``times`` as many: the same figures, older periods of the same frequency."""
    from careprog.periods import months_before
    from kpis.models import KPI, ComparatorValue, KPIValue
    from kpis.readings import MONTHS_PER_PERIOD

    step = dict(KPI.objects.values_list("pk", "frequency"))
    for model in (KPIValue, ComparatorValue):
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        rows = list(model.objects.order_by("period_end").values(*fields))
        copies = []
        by_kpi: dict[int, list[dict]] = {}
        for row in rows:
            by_kpi.setdefault(row["kpi_id"], []).append(row)
        # Each copy shifts a whole series back by its own length, so periods stay unique.
        for kpi_id, series in by_kpi.items():
            months = MONTHS_PER_PERIOD[step[kpi_id]]
            ends = [r["period_end"] for r in series]
            first, last = min(ends), max(ends)
            span = (last.year - first.year) * 12 + last.month - first.month + months
            for copy in range(1, times):
                for row in series:
                    back = span * copy
                    copies.append(
                        model(**(row | {"period_end": months_before(row["period_end"], back)}))
                    )
        model.objects.bulk_create(copies, batch_size=500)


def _add_programmes(total: int) -> None:
    """Copies of the seed programme, to ``total`` in all: each copy's objectives choose the
    same measures as the seed's (their actions are not copied)."""
    from actions.models import Objective, Programme

    seed = Programme.objects.get(slug=PROGRAMME)
    objectives = list(seed.objectives.prefetch_related("kpis"))
    for number in range(2, total + 1):
        copy = Programme.objects.create(
            name=f"{seed.name} (copy {number})",
            slug=f"{seed.slug}-copy-{number}",
            first_period=seed.first_period,
            last_period=seed.last_period,
        )
        for objective in objectives:
            made = Objective.objects.create(
                programme=copy,
                position=objective.position,
                title=objective.title,
                statement=objective.statement,
            )
            made.kpis.set(objective.kpis.all())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--history", type=int, default=10)
    parser.add_argument("--programmes", type=int, default=0, help="also measure N programmes")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="careprog-pages-") as folder:
        started = time.perf_counter()
        _setup(Path(folder) / "pages.sqlite3")
        print(f"Demo loaded in {time.perf_counter() - started:.1f} s", flush=True)

        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.test import Client
        from django.urls import NoReverseMatch, reverse

        from actions.models import Programme
        from careprog.fields import ReportingPeriodField
        from kpis.models import KPI, ComparatorValue, KPIValue

        settings.DEBUG = False  # no query log while measuring
        settings.ALLOWED_HOSTS = ["testserver"]
        programme = Programme.objects.get(slug=PROGRAMME)
        period = programme.current_period()
        client = Client()
        client.force_login(get_user_model().objects.get(username="councillor"))
        urls = {
            "report": reverse("actions:report", args=[programme.slug, period]),
            "dashboard": reverse("kpis:dashboard"),
            "kpi": reverse("kpis:kpi_detail", args=[KPI_CODE]),
        }
        try:
            urls["attention"] = reverse("actions:attention", args=[programme.slug, period])
        except NoReverseMatch:
            print("No attention page in this checkout: not measured.")
        params = {
            "kpi": KPI.objects.get(code=KPI_CODE).pk,
            "period": ReportingPeriodField().get_prep_value(period),  # as it is stored
            "programme": programme.pk,
        }

        seed_db = Path(folder) / "pages.sqlite3"
        long_db = Path(folder) / "pages-long.sqlite3"
        _use(seed_db)
        shutil.copyfile(seed_db, long_db)
        _use(long_db)
        _lengthen_history(args.history)
        sizes = {"seed": seed_db, f"{args.history}x history": long_db}
        if args.programmes > 1:
            many_db = Path(folder) / "pages-programmes.sqlite3"
            _use(seed_db)
            shutil.copyfile(seed_db, many_db)
            _use(many_db)
            _add_programmes(args.programmes)
            sizes[f"{args.programmes} programmes"] = many_db

        # Interleaved: each round fetches every page at both sizes, so a busy spell on the
        # machine slows both alike; one warm-up round first.
        # Each page twice: with the readings' cache emptied first (kpis.reading_cache: the
        # first request after a change to figures), then again at once (every other request).
        # The cache is emptied when the database changes too: its keys do not name the file.
        from django.core.cache import cache

        samples = {(size, name): [] for size in sizes for name in urls}
        cached = {(size, name): [] for size in sizes for name in urls}
        raw = {(size, name): [] for size in sizes for name in urls}
        html, rows, counts = {}, {}, {}
        for round_ in range(args.repeat + 1):
            for size, database in sizes.items():
                _use(database)
                counts[size] = (KPIValue.objects.count(), ComparatorValue.objects.count())
                for name, url in urls.items():
                    cache.clear()
                    ms, html[(size, name)] = _time_page(client, url)
                    warm_ms, _ = _time_page(client, url)
                    raw_ms, rows[(size, name)] = _time_raw(RAW[name], params)
                    if round_:
                        samples[(size, name)].append(ms)
                        cached[(size, name)].append(warm_ms)
                        raw[(size, name)].append(raw_ms)

        for size in sizes:
            values, comparators = counts[size]
            print(f"\n{size}: {values:,} KPI values, {comparators:,} comparator values")
            heads = ("server ms", "cached ms", "HTML KB", "raw SQL ms", "rows", "ratio", "cached")
            print(f"{'page':<10} " + " ".join(f"{h:>{len(h) + 1}}" for h in heads))
            for name in urls:
                ms, raw_ms = median(samples[(size, name)]), median(raw[(size, name)])
                warm_ms = median(cached[(size, name)])
                print(
                    f"{name:<10} {ms:>10.1f} {warm_ms:>10.1f} {html[(size, name)] / 1024:>8.1f} "
                    f"{raw_ms:>11.2f} {rows[(size, name)]:>5} {ms / raw_ms:>6.0f} "
                    f"{warm_ms / raw_ms:>7.0f}"
                )
        for larger in list(sizes)[1:]:
            print(f"\n{larger} / seed (medians of {args.repeat} interleaved rounds):")
            for name in urls:
                page = median(samples[(larger, name)]) / median(samples[("seed", name)])
                warm = median(cached[(larger, name)]) / median(cached[("seed", name)])
                sql = median(raw[(larger, name)]) / median(raw[("seed", name)])
                print(f"  {name:<10} server time {page:.2f}, cached {warm:.2f}, raw SQL {sql:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
