"""`manage.py generate_demo_kpis` writes a plausible, clearly illustrative KPI history for demos,
and never touches a real figure."""

import calendar
import datetime as dt
import math
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis.management.commands.generate_demo_kpis import SOURCE
from kpis.models import KPI, ComparatorValue, KPITarget, KPIValue, Origin
from kpis.readings import readings
from tests.kpi_factories import make_catalogue, make_kpi, make_target, make_value

TODAY = dt.date(2025, 5, 15)  # 2025-26 Q1; the last complete month is April 2025
ILLUSTRATIVE = Origin.ILLUSTRATIVE


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(
        "kpis.management.commands.generate_demo_kpis.timezone.localdate", lambda: TODAY
    )


def generate(*args):
    call_command("generate_demo_kpis", *args, verbosity=0)


def snapshot():
    """Everything the command can write, as plain tuples."""
    return (
        list(KPIValue.objects.order_by("kpi__code", "period_end", "origin").values_list(
            "kpi__code", "period_end", "value", "origin"
        )),
        list(KPITarget.objects.order_by("kpi__code", "financial_year").values_list(
            "kpi__code", "financial_year", "value", "amber_tolerance", "tolerance_kind", "origin"
        )),
        list(ComparatorValue.objects.order_by("kpi__code", "comparator", "period_end").values_list(
            "kpi__code", "comparator", "period_end", "value", "origin"
        )),
    )  # fmt: skip


@pytest.fixture
def catalogue(db):
    """Every unit with every polarity, at each frequency: 54 KPIs."""
    return make_catalogue(54, frequencies=("monthly", "quarterly", "annual"))


def month_ends(*pairs):
    return [dt.date(y, m, calendar.monthrange(y, m)[1]) for y, m in pairs]


# --- What it writes --------------------------------------------------------------------------


def test_every_kpi_gets_a_history_all_marked_illustrative(catalogue, capsys):
    call_command("generate_demo_kpis")
    for kpi in catalogue:
        values = list(kpi.values.all())
        assert values, kpi.code
        assert {(v.origin, v.source) for v in values} == {(ILLUSTRATIVE, SOURCE)}
    assert not KPIValue.objects.exclude(origin=ILLUSTRATIVE).exists()
    assert set(ComparatorValue.objects.values_list("origin", "source")) == {(ILLUSTRATIVE, SOURCE)}
    assert set(KPITarget.objects.values_list("origin", "note")) == {(ILLUSTRATIVE, SOURCE)}
    # 18 KPIs at each frequency: 36 months, 12 quarters, 6 years.
    values = 18 * (36 + 12 + 6)
    targets = 36 * 3  # two thirds have a polarity; three financial years each
    assert capsys.readouterr().out == (
        f"Wrote {values:,} illustrative values, {targets} targets and "
        f"{values * 3:,} comparator values for 54 KPIs.\n"
    )


def test_periods_follow_each_kpis_frequency_and_end_with_the_last_complete_month(db):
    monthly = make_kpi("monthly", frequency="monthly")
    quarterly = make_kpi("quarterly", frequency="quarterly")
    annual = make_kpi("annual", frequency="annual")
    generate()

    def ends(kpi):
        return list(kpi.values.order_by("period_end").values_list("period_end", flat=True))

    assert len(ends(monthly)) == 36
    assert ends(monthly)[0] == dt.date(2022, 5, 31)
    assert ends(monthly)[-12:] == month_ends(*[(2024, m) for m in range(5, 13)], *[
        (2025, m) for m in range(1, 5)
    ])  # fmt: skip
    assert ends(quarterly) == sorted(
        month_ends(*[(y, m) for y in (2022, 2023, 2024) for m in (6, 9, 12)])
        + month_ends(*[(y, 3) for y in (2023, 2024, 2025)])
    )
    assert ends(annual) == [dt.date(year, 3, 31) for year in range(2020, 2026)]
    for kpi in (monthly, quarterly, annual):
        comparators = kpi.comparator_values.values_list("comparator", "period_end")
        assert sorted(comparators) == sorted(
            (c, day) for c in ("england", "neighbours", "region") for day in ends(kpi)
        )


@pytest.mark.parametrize(
    ("today", "monthly_last", "quarterly_last", "annual_last"),
    [
        # On the last day of a month that month is not yet complete.
        (dt.date(2025, 3, 31), dt.date(2025, 2, 28), dt.date(2024, 12, 31), dt.date(2024, 3, 31)),
        (dt.date(2025, 4, 1), dt.date(2025, 3, 31), dt.date(2025, 3, 31), dt.date(2025, 3, 31)),
        (dt.date(2025, 1, 10), dt.date(2024, 12, 31), dt.date(2024, 12, 31), dt.date(2024, 3, 31)),
    ],
)
def test_the_last_period_is_the_last_complete_one(
    db, monkeypatch, today, monthly_last, quarterly_last, annual_last
):
    monkeypatch.setattr(
        "kpis.management.commands.generate_demo_kpis.timezone.localdate", lambda: today
    )
    for frequency, last in [
        ("monthly", monthly_last),
        ("quarterly", quarterly_last),
        ("annual", annual_last),
    ]:
        kpi = make_kpi(frequency, frequency=frequency)
        generate()
        assert kpi.values.latest("period_end").period_end == last


def test_months_sets_how_far_back_it_goes(db):
    kpis = [make_kpi(f, frequency=f) for f in ("monthly", "quarterly", "annual")]
    generate("--months", "12")
    assert [kpi.values.count() for kpi in kpis] == [12, 4, 2]


@pytest.mark.parametrize("months", ["0", "-3", "601"])
def test_months_must_be_sensible(db, months):
    with pytest.raises(CommandError, match="--months"):
        generate("--months", months)


def test_values_are_plausible_for_their_unit(catalogue):
    generate()
    for kpi in KPI.objects.all():
        step = Decimal(1).scaleb(-kpi.decimal_places)
        figures = [
            *kpi.values.values_list("value", flat=True),
            *kpi.comparator_values.values_list("value", flat=True),
            *kpi.targets.values_list("value", flat=True),
        ]
        for value in figures:
            assert value == value.quantize(step), (kpi.code, value)  # at the KPI's places
            if kpi.unit == KPI.Unit.PERCENTAGE:
                assert 0 <= value <= 100, (kpi.code, value)
            else:
                assert value > 0, (kpi.code, value)


def test_a_history_moves_gently(catalogue):
    generate()
    for kpi in KPI.objects.all():
        series = list(kpi.values.order_by("period_end").values_list("value", flat=True))
        level = sum(series) / len(series)
        for earlier, later in zip(series, series[1:], strict=False):
            jump = abs(later - earlier)
            if kpi.unit == KPI.Unit.PERCENTAGE:
                assert jump <= 15, (kpi.code, earlier, later)
            else:
                assert jump <= level * Decimal("0.35") + 1, (kpi.code, earlier, later)


def test_year_to_date_counts_build_up_through_the_financial_year(db):
    kpi = make_kpi("adoptions-ytd", unit="count", polarity="higher", measurement="ytd")
    generate()
    by_day = dict(kpi.values.values_list("period_end", "value"))
    for year in (2022, 2023, 2024):
        assert by_day[dt.date(year + 1, 3, 31)] > by_day[dt.date(year, 6, 30)] > 0


def test_targets_cover_this_financial_year_and_the_two_before_with_a_tolerance(catalogue):
    generate()
    for kpi in KPI.objects.all():
        years = sorted(kpi.targets.values_list("financial_year", flat=True))
        if kpi.polarity == KPI.Polarity.NONE:
            assert years == []  # never rated, so no target
        else:
            assert years == [2023, 2024, 2025]
    assert not KPITarget.objects.filter(amber_tolerance__lte=0).exists()


def test_the_dashboard_rates_every_kpi_with_a_polarity(catalogue):
    generate()
    for reading in readings():
        assert reading.latest is not None and reading.latest.is_illustrative
        assert reading.any_illustrative
        assert set(reading.comparators) == {"neighbours", "region", "england"}
        rated = reading.rating.rag.key != "none"
        assert rated == (reading.kpi.polarity != KPI.Polarity.NONE), reading.kpi.code


def test_bulk_writes_record_no_history(catalogue):
    """Documented: django-simple-history does not see bulk_create; these are demo figures."""
    generate()
    assert not KPIValue.history.exists()
    assert not KPITarget.history.exists()


# --- Deterministic and idempotent ------------------------------------------------------------


def test_running_twice_gives_the_same_figures_and_no_duplicates(catalogue):
    generate()
    first = snapshot()
    generate()
    assert snapshot() == first
    assert KPIValue.objects.count() == len(first[0])


def test_the_seed_decides_the_figures(catalogue):
    generate("--seed", "7")
    seven = snapshot()
    generate()
    default = snapshot()
    generate("--seed", "7")
    assert snapshot() == seven != default


def test_a_kpis_figures_do_not_depend_on_the_rest_of_the_catalogue(db):
    kpi = make_kpi("cla-rate", unit="rate_10000", polarity="lower")
    generate()
    alone = list(kpi.values.values_list("period_end", "value"))
    make_catalogue(10)
    generate()
    assert list(kpi.values.values_list("period_end", "value")) == alone


# --- Real figures are never touched ----------------------------------------------------------


def test_a_real_value_survives_and_wins(db):
    kpi = make_kpi("care-leavers-eet", unit="percentage", polarity="higher")
    real = make_value(kpi, dt.date(2025, 4, 30), "63.0", origin=Origin.PUBLISHED, source="Q4")
    generate()
    generate()
    real.refresh_from_db()
    assert (real.value, real.origin, real.source) == (Decimal("63.0"), Origin.PUBLISHED, "Q4")
    same_period = kpi.values.filter(period_end=real.period_end)
    assert set(same_period.values_list("origin", flat=True)) == {Origin.PUBLISHED, ILLUSTRATIVE}
    series = list(kpi.values.preferred().order_by("period_end"))
    assert len(series) == 36
    assert series[-1] == real and not series[-1].is_illustrative
    assert all(v.is_illustrative for v in series[:-1])


@pytest.mark.parametrize(
    ("unit", "polarity", "real"),
    [
        ("count", "lower", "681"),  # children in care: never a random 14 or 4,000
        ("percentage", "higher", "7.0"),  # % adopted: never a random 51%
        ("percentage", "higher", "70.0"),  # foster placements: never a random 18%
        ("currency", "lower", "4531000"),
    ],
)
def test_illustrative_targets_sit_near_the_real_level(db, unit, polarity, real):
    kpi = make_kpi("real-level", unit=unit, polarity=polarity)
    make_value(kpi, dt.date(2025, 3, 31), real, origin=Origin.DFE)
    generate()
    level = Decimal(real)
    for target in kpi.targets.all():
        if unit == "percentage":
            assert abs(target.value - level) <= 10, target  # within ten points
        else:
            assert level * Decimal("0.75") <= target.value <= level * Decimal("1.25"), target


def test_a_real_target_is_not_replaced(db):
    kpi = make_kpi("placement-stability", unit="percentage", polarity="lower")
    real = make_target(kpi, 2024, "10.0", amber_tolerance=Decimal("1"))
    generate()
    generate()
    targets = {t.financial_year: t for t in kpi.targets.all()}
    assert targets[2024] == real
    assert (targets[2024].value, targets[2024].origin) == (Decimal("10.0"), Origin.PUBLISHED)
    assert targets[2023].origin == targets[2025].origin == ILLUSTRATIVE


def test_illustrative_figures_from_elsewhere_are_left_alone(db):
    kpi = make_kpi("a20", unit="days", polarity="lower")
    other = make_value(kpi, dt.date(2025, 4, 30), "412", origin=ILLUSTRATIVE, source="Workshop")
    generate()
    other.refresh_from_db()
    assert other.source == "Workshop"
    assert kpi.values.filter(period_end=other.period_end).count() == 1
    assert kpi.values.count() == 36


def test_clear_removes_only_illustrative_data(db, capsys):
    kpi = make_kpi("a10", unit="days", polarity="lower")
    real_value = make_value(kpi, dt.date(2025, 3, 31), "480")
    real_target = make_target(kpi, 2025, "426")
    real_comparator = ComparatorValue.objects.create(
        kpi=kpi, comparator="england", period_end=dt.date(2025, 3, 31), value=Decimal("450")
    )
    make_value(kpi, dt.date(2019, 3, 31), "500", origin=ILLUSTRATIVE, source="Workshop")
    generate()
    capsys.readouterr()
    call_command("generate_demo_kpis", "--clear")
    assert capsys.readouterr().out == (
        "Removed 37 illustrative values, 2 targets and 108 comparator values.\n"
    )
    assert list(KPIValue.objects.all()) == [real_value]
    assert list(KPITarget.objects.all()) == [real_target]
    assert list(ComparatorValue.objects.all()) == [real_comparator]


def test_an_empty_catalogue_writes_nothing(db, capsys):
    call_command("generate_demo_kpis")
    assert capsys.readouterr().out == "No KPIs in the catalogue: nothing written.\n"


# --- Fast ------------------------------------------------------------------------------------


def _queries(kpi_count):
    make_catalogue(kpi_count)
    with CaptureQueriesContext(connection) as context:
        generate()
    sql = [q["sql"] for q in context.captured_queries]
    inserts = [s for s in sql if s.startswith("INSERT")]
    return len(sql) - len(inserts), len(inserts), KPIValue.objects.count()


@pytest.mark.django_db(transaction=True)
def test_queries_do_not_grow_with_the_catalogue():
    few_other, few_inserts, _ = _queries(5)
    KPI.objects.all().delete()
    many_other, many_inserts, rows = _queries(50)
    # Reads, deletes and transaction control: the same for 5 KPIs as for 50.
    assert many_other == few_other <= 12
    # Inserts come in batches (SQLite takes at most 999 parameters a statement), never a row
    # at a time: 50 KPIs x 36 months is 1,800 values and 5,400 comparators.
    assert rows == 50 * 36
    assert many_inserts <= math.ceil(rows * 4 / 100)


def test_a_failed_run_leaves_the_previous_figures_in_place(catalogue, monkeypatch):
    generate()
    before = snapshot()

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ComparatorValue.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        generate("--seed", "7")
    assert snapshot() == before
