"""A KPI's chart and the benchmark's two charts are written as the JSON plotly.js reads, no
longer through plotly.py's figure objects; the figure a reader's browser draws must be the very
same: every trace, name, colour, hover text, axis, annotation and the template. Each is compared
with what the plotly.py builder (kept in tests/plotly_charts.py) gives for the same data."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from kpis import benchmarks, charts
from kpis import readings as kpi_readings
from kpis.models import KPI, ComparatorValue, Origin
from tests import plotly_charts
from tests.kpi_factories import make_kpi, make_target, make_value
from tests.test_kpi_benchmark import kpi, lait  # noqa: F401 (fixtures)

MONTHS = [
    dt.date(2024, 1, 31),
    dt.date(2024, 2, 29),
    dt.date(2024, 3, 31),
    dt.date(2024, 4, 30),
    dt.date(2024, 5, 31),
    dt.date(2024, 6, 30),
    dt.date(2024, 7, 31),
]


def both_figures(code: str):
    """The figure as the page builds it now, and as plotly.py built it (parsed JSON)."""
    _, reading, comparators, targets = kpi_readings.kpi_for_page(code)
    return (
        charts.kpi_figure(reading, comparators, targets),
        plotly_charts.kpi_figure(reading, comparators, targets),
    )


def assert_same(new, old):
    # Exactly the parsed JSON plotly.py wrote, and it stays so through the page's encoder.
    assert new == old
    assert json.loads(json.dumps(new)) == old


def comparators(measure, kinds, ends, base):
    ComparatorValue.objects.bulk_create(
        ComparatorValue(kpi=measure, comparator=kind, period_end=end, value=base * (i + 1) + n)
        for i, kind in enumerate(kinds)
        for n, end in enumerate(ends)
    )


ALL_COMPARATORS = ("neighbours", "region", "england")


@pytest.mark.django_db
def test_a_percentage_with_targets_comparators_and_a_missing_month_draws_the_same_chart():
    measure = make_kpi("foster", unit="percentage", polarity="higher", decimal_places=1)
    for n, end in enumerate(MONTHS):
        if end != dt.date(2024, 3, 31):  # a gap: the line is dotted across it and crossed
            make_value(measure, end, f"{60 + n}.5")
    make_target(measure, 2023, 65)
    make_target(measure, 2024, 70)
    comparators(measure, ALL_COMPARATORS, MONTHS[::3], 20)
    new, old = both_figures("foster")
    assert "Target" in {trace["name"] for trace in new["data"]}
    assert "No figure for our measure (×)" in {trace["name"] for trace in new["data"]}
    assert_same(new, old)


@pytest.mark.django_db
def test_a_count_with_the_regions_and_englands_totals_draws_the_same_two_panels():
    measure = make_kpi("leavers", unit="count", polarity="none")
    for n, end in enumerate(MONTHS):
        make_value(measure, end, 600 + n)
    comparators(measure, ALL_COMPARATORS, MONTHS, 40_000)
    new, old = both_figures("leavers")
    assert new["layout"]["yaxis2"]["title"]["text"] == "Count (total)"
    assert_same(new, old)


@pytest.mark.parametrize(
    ("unit", "polarity", "frequency", "ends"),
    [
        ("rate_10000", "lower", "quarterly", [dt.date(2023, 12, 31), dt.date(2024, 6, 30)]),
        ("currency", "lower", "annual", [dt.date(2023, 3, 31), dt.date(2024, 3, 31)]),
        ("days", "lower", "monthly", MONTHS),
        ("score", "higher", "annual", [dt.date(2024, 3, 31)]),
    ],
)
@pytest.mark.django_db
def test_rates_money_days_and_scores_lower_or_higher_is_better_draw_the_same_chart(
    unit, polarity, frequency, ends
):
    measure = make_kpi("measure", unit=unit, polarity=polarity, frequency=frequency)
    for n, end in enumerate(ends):
        make_value(measure, end, 450_000 * (n + 1) if unit == "currency" else 40 + 3 * n)
    make_target(measure, 2023, 4_000_000 if unit == "currency" else 42)
    comparators(measure, ("england",), ends, 35)
    assert_same(*both_figures("measure"))


@pytest.mark.django_db
def test_illustrative_figures_draw_the_same_chart_marked_illustrative():
    measure = make_kpi("demo", unit="percentage", decimal_places=0)
    for n, end in enumerate(MONTHS):
        make_value(measure, end, 30 + n, origin=Origin.ILLUSTRATIVE)
    make_target(measure, 2024, 35, origin=Origin.ILLUSTRATIVE)
    new, old = both_figures("demo")
    assert new["data"][0]["text"][0].endswith("(illustrative)")
    assert_same(new, old)


@pytest.mark.django_db
def test_a_measure_with_no_figures_has_no_chart_either_way():
    make_kpi("empty", unit="count")
    assert both_figures("empty") == (None, None)


@pytest.mark.django_db
def test_every_measure_of_the_demo_catalogue_draws_the_same_chart():
    call_command("loaddata", "cla_strategy_2022_25", verbosity=0)
    call_command("generate_demo_kpis", months=36, verbosity=0, stdout=io.StringIO())
    codes = list(KPI.objects.values_list("code", flat=True))
    assert len(codes) == 51
    for code in codes:
        new, old = both_figures(code)
        assert new == old, code


@pytest.mark.parametrize("unit", ["rate_10000", "count"])
def test_the_benchmarks_bars_and_trend_are_the_same_charts(kpi, lait, unit):  # noqa: F811
    kpi.unit = unit
    kpi.save()
    page = benchmarks.benchmark_for_page(kpi.code)
    assert_same(charts.benchmark_bars(page), plotly_charts.benchmark_bars(page))
    trend = charts.benchmark_trend(page)
    assert_same(trend, plotly_charts.benchmark_trend(page))
    assert ("yaxis2" in trend["layout"]) is (unit == "count")
