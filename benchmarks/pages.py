"""Server time and HTML size of the pages a councillor reads, at the seed's size, with ten
times the stored KPI history and with 10 and 100 programmes, beside a raw-SQL fetch of
everything each page shows: its floor.

    .venv/bin/python benchmarks/pages.py [--database sqlite|postgres] [--repeat 7]
        [--history 10] [--programmes 10,100]

Runs in one process on throwaway databases (SQLite files under /tmp, or PostgreSQL databases
`careprog_pages_<pid>_*` made from the first with CREATE DATABASE ... TEMPLATE and dropped at the
end), loaded by `setup_demo` (DEBUG on only then: the seed programme, its published paper, the
KPI catalogue, DfE's shipped extract and the illustrative history; off, with no query log, while
measuring). Each page is fetched through Django's test client as a committee member, in --repeat
rounds after one warm-up round, every size in each round, so load on the machine hits all alike;
medians are shown. One process serves, so the readings and the pages' bodies are kept in its
memory (READINGS_CACHE_IN_PROCESS=1), as `make run` keeps them and as Redis keeps them for
several (careprog.page_cache). Each page is fetched twice in a row: "fresh" with the caches
emptied first (the first request after any change to what it shows), then "kept".

"Raw SQL" is the hand-written queries fetching every row the page shows (its actions, measures,
figures, targets, record of changes), with no ORM, templates or rating: the floor a page could
approach. The sizes: the seed; a copy in which every KPI's values and comparators are copied
back in time until the store holds --history times as many; and, for each N in --programmes, a
copy holding N programmes (the seed's carried forward year after year: N-1 copies of its
structure and actions), where home, the programme list and the action list are measured too.
Exits 1 if a page is not 200. See benchmarks/README.md.
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


def _configure(database: str, url: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="careprog.settings",
        DATABASE_URL=url,
        DEBUG="1",
        STATIC_MANIFEST="0",
        READINGS_CACHE_IN_PROCESS="1",
        TASKS_RUN="manual",
    )
    import django

    django.setup()


def _load_demo() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("setup_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


def _raw_rows(sql: str, params=()) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return len(cursor.fetchall())


# The rows each page shows, fetched by hand: names and figures, nothing rated or rendered.
# Each page's floor is everything it shows: the report's measures and their figures as well as
# its rows, a KPI's page's record of changes, what it evidences and any figure awaiting.
_LATEST_13 = """SELECT kpi_id, period_end, value FROM (
             SELECT kpi_id, period_end, value, ROW_NUMBER() OVER (
               PARTITION BY kpi_id ORDER BY (origin = 'illustrative'), period_end DESC) AS n
             FROM kpis_kpivalue WHERE period_end <= {date} {only}) AS v WHERE n <= 13"""
_PROGRAMMES_MEASURES = """AND kpi_id IN (SELECT ok.kpi_id FROM actions_objective_kpis ok
             JOIN actions_objective o ON o.id = ok.objective_id
             WHERE o.programme_id = %(programme)s)"""
RAW = {
    "dashboard": [
        """SELECT k.code, k.name, g.name FROM kpis_kpi k JOIN kpis_kpigroup g ON g.id = k.group_id
           ORDER BY g.position, k.position""",
        _LATEST_13.format(date="%(today)s", only=""),
        "SELECT kpi_id, financial_year, value FROM kpis_kpitarget",
    ],
    "kpi": [
        "SELECT period_end, value, origin FROM kpis_kpivalue WHERE kpi_id = %(kpi)s",
        "SELECT comparator, period_end, value FROM kpis_comparatorvalue WHERE kpi_id = %(kpi)s",
        "SELECT financial_year, value FROM kpis_kpitarget WHERE kpi_id = %(kpi)s",
    ]
    + [
        f"""SELECT h.*, u.first_name, u.last_name FROM kpis_historical{model} h
            LEFT JOIN auth_user u ON u.id = h.history_user_id WHERE h.{column} = %(kpi)s
            ORDER BY h.history_date DESC"""
        for model, column in (("kpi", "id"), ("kpivalue", "kpi_id"), ("kpitarget", "kpi_id"))
    ]
    + [
        """SELECT o.title, p.name, p.slug FROM actions_objective_kpis ok
           JOIN actions_objective o ON o.id = ok.objective_id
           JOIN actions_programme p ON p.id = o.programme_id WHERE ok.kpi_id = %(kpi)s""",
        """SELECT period_end, value FROM kpis_kpientry WHERE kpi_id = %(kpi)s
           AND state = 'awaiting' ORDER BY period_end DESC LIMIT 1""",
    ],
    "report": [
        """SELECT o.title, r.text, m.text, a.title, u.status, u.text
           FROM actions_action a
           JOIN actions_mechanism m ON m.id = a.mechanism_id
           JOIN actions_requirement r ON r.id = m.requirement_id
           JOIN actions_objective o ON o.id = r.objective_id
           LEFT JOIN actions_update u ON u.action_id = a.id AND u.period = %(period)s
           WHERE o.programme_id = %(programme)s ORDER BY o.position, r.position, m.position""",
        # The measures under each objective, their figures as at the quarter's end and targets.
        """SELECT ok.objective_id, k.code, k.name FROM actions_objective_kpis ok
           JOIN actions_objective o ON o.id = ok.objective_id JOIN kpis_kpi k ON k.id = ok.kpi_id
           WHERE o.programme_id = %(programme)s""",
        _LATEST_13.format(date="%(as_at)s", only=_PROGRAMMES_MEASURES),
        "SELECT kpi_id, financial_year, value FROM kpis_kpitarget WHERE 1 = 1 "
        + _PROGRAMMES_MEASURES,
        # The paper published for the quarter, whose record the page compares with.
        """SELECT snapshot FROM actions_paper WHERE programme_id = %(programme)s
           AND period = %(period)s AND published_at IS NOT NULL""",
    ],
}
RAW["attention"] = RAW["report"][:1] + RAW["dashboard"][1:]
# The lists show a page (or, on home, a few) of programmes or actions.
RAW["home"] = ["SELECT name, slug FROM actions_programme ORDER BY name LIMIT 11"]
RAW["programmes"] = ["SELECT name, slug FROM actions_programme ORDER BY name LIMIT 26"]
RAW["actions"] = [
    """SELECT a.title, a.status, a.due_date, o.title, p.name FROM actions_action a
       JOIN actions_mechanism m ON m.id = a.mechanism_id
       JOIN actions_requirement r ON r.id = m.requirement_id
       JOIN actions_objective o ON o.id = r.objective_id
       JOIN actions_programme p ON p.id = o.programme_id
       WHERE a.retired_at IS NULL ORDER BY p.name, o.position, a.position LIMIT 25""",
]


class Databases:
    """The throwaway databases: SQLite files in ``folder``, or PostgreSQL databases made from
    the first as a template. ``use(name)`` points the default connection at one."""

    def __init__(self, kind: str, folder: Path, postgres_url: str):
        self.kind, self.folder, self.made = kind, folder, []
        self.server = postgres_url.rsplit("/", 1)[0]
        self.prefix = f"careprog_pages_{os.getpid()}"

    def url(self, name: str) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{self.folder / name}.sqlite3"
        return f"{self.server}/{self.prefix}_{name}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"{self.server}/postgres", autocommit=True) as admin:
            admin.execute(sql)

    def create_first(self, name: str) -> None:
        if self.kind == "postgres":
            self._admin(f"CREATE DATABASE {self.prefix}_{name}")
        self.made.append(name)

    def copy(self, source: str, name: str) -> None:
        from django.db import connections

        connections.close_all()
        if self.kind == "sqlite":
            shutil.copyfile(self.folder / f"{source}.sqlite3", self.folder / f"{name}.sqlite3")
        else:
            self._admin(f"CREATE DATABASE {self.prefix}_{name} TEMPLATE {self.prefix}_{source}")
        self.made.append(name)

    def use(self, name: str) -> None:
        from django.db import connections

        connections["default"].close()
        settings = connections["default"].settings_dict
        settings["NAME"] = (
            str(self.folder / f"{name}.sqlite3")
            if self.kind == "sqlite"
            else f"{self.prefix}_{name}"
        )

    def drop_all(self) -> None:
        from django.db import connections

        connections.close_all()
        if self.kind == "postgres":
            for name in self.made:
                self._admin(f"DROP DATABASE IF EXISTS {self.prefix}_{name}")


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


def _add_programmes(count: int) -> None:
    """Carry the seed programme forward year after year until there are ``count``
    programmes, each with the seed's structure and its actions not complete."""
    from actions.carry import carry_programme, proposed_name, proposed_slug
    from actions.models import Programme

    programme = Programme.objects.get(slug=PROGRAMME)
    while Programme.objects.count() < count:
        programme = carry_programme(
            programme=programme, name=proposed_name(programme), slug=proposed_slug(programme)
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--history", type=int, default=10)
    parser.add_argument(
        "--programmes",
        default="10,100",
        help="also measure copies with these numbers of programmes, and the lists ('' for none)",
    )
    args = parser.parse_args()
    programme_sizes = [int(n) for n in args.programmes.split(",") if n.strip()]

    with tempfile.TemporaryDirectory(prefix="careprog-pages-") as folder:
        databases = Databases(args.database, Path(folder), args.postgres_url)
        try:
            return _measure(databases, args, programme_sizes)
        finally:
            databases.drop_all()


def _measure(databases: Databases, args, programme_sizes: list[int]) -> int:
    started = time.perf_counter()
    databases.create_first("seed")
    _configure(args.database, databases.url("seed"))
    _load_demo()
    print(f"Demo loaded on {args.database} in {time.perf_counter() - started:.1f} s", flush=True)

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

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
        "attention": reverse("actions:attention", args=[programme.slug, period]),
    }
    params = {
        "kpi": KPI.objects.get(code=KPI_CODE).pk,
        "period": ReportingPeriodField().get_prep_value(period),  # as it is stored
        "programme": programme.pk,
        "as_at": period.end,
        "today": timezone.localdate(),
    }

    sizes = {"seed": "seed"}
    databases.copy("seed", "long")
    databases.use("long")
    _lengthen_history(args.history)
    sizes[f"{args.history}x history"] = "long"
    lists = {
        "home": reverse("home"),
        "programmes": reverse("actions:programme_list"),
        "actions": reverse("actions:action_list"),
    }
    for count in programme_sizes:
        databases.copy("seed", f"p{count}")
        databases.use(f"p{count}")
        started = time.perf_counter()
        _add_programmes(count)
        print(f"{count} programmes in {time.perf_counter() - started:.1f} s", flush=True)
        sizes[f"{count} programmes"] = f"p{count}"
    if programme_sizes:
        urls |= lists

    # Interleaved: each round fetches every page at every size, so a busy spell on the
    # machine slows all alike; one warm-up round first.
    keys = [(size, name) for size in sizes for name in urls]
    fresh, kept, raw = ({key: [] for key in keys} for _ in range(3))
    html, rows, counts = {}, {}, {}
    for round_ in range(args.repeat + 1):
        for size, database in sizes.items():
            databases.use(database)
            counts[size] = (KPIValue.objects.count(), ComparatorValue.objects.count())
            for name, url in urls.items():
                cache.clear()  # another database, or the first request after a change
                fresh_ms, html[(size, name)] = _time_page(client, url)
                kept_ms, _ = _time_page(client, url)
                raw_ms, rows[(size, name)] = _time_raw(RAW[name], params)
                if round_:
                    fresh[(size, name)].append(fresh_ms)
                    kept[(size, name)].append(kept_ms)
                    raw[(size, name)].append(raw_ms)

    print(f"\n{args.database}, medians of {args.repeat} interleaved rounds (ms):")
    for size in sizes:
        values, comparators = counts[size]
        print(f"\n{size}: {values:,} KPI values, {comparators:,} comparator values")
        heads = (
            "fresh ms",
            "kept ms",
            "HTML KB",
            "raw SQL ms",
            "rows",
            "fresh/floor",
            "kept/floor",
        )
        print(f"{'page':<10} " + " ".join(f"{h:>{len(h) + 1}}" for h in heads))
        for name in urls:
            if (size, name) not in html:
                continue
            f_ms, k_ms = median(fresh[(size, name)]), median(kept[(size, name)])
            r_ms = median(raw[(size, name)])
            print(
                f"{name:<10} {f_ms:>9.1f} {k_ms:>8.1f} {html[(size, name)] / 1024:>8.1f} "
                f"{r_ms:>11.2f} {rows[(size, name)]:>5} {f_ms / r_ms:>12.1f} {k_ms / r_ms:>11.1f}"
            )
    for size in list(sizes)[1:]:
        print(f"\n{size} / seed: server time fresh, kept; raw SQL")
        for name in urls:
            if (size, name) not in html or ("seed", name) not in html:
                continue
            ratio = [
                median(m[(size, name)]) / median(m[("seed", name)]) for m in (fresh, kept, raw)
            ]
            print(f"  {name:<10} {ratio[0]:.2f}, {ratio[1]:.2f}; {ratio[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
