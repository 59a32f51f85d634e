"""A KPI as one line (kpis/dashboard_rows.py): which sentences on travel it keeps, and how the
dashboard's filters and sorts order lines. Pure rules on unsaved objects: no database."""

import datetime as dt
from decimal import Decimal

import pytest

from kpis.dashboard_rows import SORT_BY_KEY, KPILine, chosen, in_order
from kpis.models import KPI, KPITarget, KPIValue
from kpis.readings import rate_kpi

MARCH = [dt.date(year, 3, 31) for year in range(2021, 2026)]
QUARTER_ENDS = [dt.date(2024, 3, 31), dt.date(2024, 6, 30), dt.date(2024, 9, 30)]
QUARTER_ENDS += [dt.date(2024, 12, 31), dt.date(2025, 3, 31)]


def line_for(days, values, *, frequency="annual", polarity="higher", target=None, band=""):
    kpi = KPI(code="k", name="A measure", unit="count", polarity=polarity, frequency=frequency)
    series = [
        KPIValue(kpi=kpi, period_end=d, value=Decimal(v)) for d, v in zip(days, values, strict=True)
    ]
    targets = [KPITarget(kpi=kpi, financial_year=2024, value=Decimal(target))] if target else []
    if band:  # as `readings.with_latest_rank` annotates a KPI
        kpi.latest_rank_period_end, kpi.latest_rank_rank = days[-1], 3
        kpi.latest_rank_out_of, kpi.latest_rank_band = 153, band
    return KPILine(rate_kpi(kpi, series, targets), None)


def sentences(line):
    return [direction.explanation for direction in line.directions]


def test_an_annual_measure_says_its_change_since_the_year_before_once():
    line = line_for(MARCH[-2:], [10, 12])
    assert sentences(line) == ["Improving: up 2 from 10, a year before (31 March 2024)."]


def test_an_annual_measure_with_a_missing_year_says_both_what_it_was_and_that_a_year_is_missing():
    line = line_for([MARCH[0], MARCH[-1]], [10, 12])  # 2020-21, then 2024-25
    assert sentences(line) == [
        "Improving: up 2 from 10, the previous figure (31 March 2021).",
        "No figure for a year before (31 March 2024) to compare with.",
    ]


def test_a_quarterly_measure_says_both_since_the_previous_quarter_and_a_year_before():
    line = line_for(QUARTER_ENDS, [20, 21, 22, 23, 19], frequency="quarterly")
    assert sentences(line) == [
        "Worsening: down 4 from 23, the previous figure (31 December 2024).",
        "Worsening: down 1 from 20, a year before (31 March 2024).",
    ]


def test_a_measure_with_one_figure_says_once_there_is_nothing_to_compare_with():
    assert sentences(line_for(MARCH[-1:], [10])) == [
        "No figure for the previous figure to compare with."
    ]


def test_a_measure_without_figures_has_no_direction():
    line = line_for([], [])
    assert line.travel is None and line.directions == []


def test_the_line_shows_the_direction_since_the_previous_figure():
    line = line_for(QUARTER_ENDS, [20, 21, 22, 23, 24], frequency="quarterly", polarity="lower")
    assert line.travel.travel.key == "worsening"


@pytest.fixture
def lines():
    """Five lines in catalogue order: (rating, direction since the previous figure, band)."""
    return {
        "green-improving-B": line_for(MARCH[-2:], [10, 12], target=11, band="B"),
        "red-worsening-D": line_for(MARCH[-2:], [12, 10], target=15, band="D"),
        "none-changed": line_for(MARCH[-2:], [10, 12], polarity="none"),
        "red-improving-A": line_for(MARCH[-2:], [8, 9], target=15, band="A"),
        "no-data": line_for([], []),
    }


def names(lines, chosen_lines):
    by_id = {id(line): name for name, line in lines.items()}
    return [by_id[id(line)] for line in chosen_lines]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("group", ["green-improving-B", "red-worsening-D", "none-changed", "red-improving-A"]),
        ("rating", ["red-worsening-D", "red-improving-A", "green-improving-B", "none-changed"]),
        ("direction", ["red-worsening-D", "green-improving-B", "red-improving-A", "none-changed"]),
        ("band", ["red-worsening-D", "green-improving-B", "red-improving-A", "none-changed"]),
    ],
)
def test_each_sort_puts_the_worst_first_and_keeps_the_catalogue_order_for_ties(
    lines, sort, expected
):
    ordered = names(lines, in_order(list(lines.values()), SORT_BY_KEY[sort]))
    assert ordered == [*expected, "no-data"]  # a measure without figures comes last


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"rag": "red"}, ["red-worsening-D", "red-improving-A"]),
        ({"travel": "improving"}, ["green-improving-B", "red-improving-A"]),
        ({"band": "D"}, ["red-worsening-D"]),
        ({"rag": "red", "travel": "improving"}, ["red-improving-A"]),
        ({"travel": "changed", "band": "A"}, []),
        (
            {},
            ["green-improving-B", "red-worsening-D", "none-changed", "red-improving-A", "no-data"],
        ),
    ],
)
def test_filters_keep_the_lines_matching_every_one_given(lines, filters, expected):
    assert names(lines, chosen(lines.values(), **filters)) == expected


def test_the_line_gives_rank_and_band_in_few_words():
    assert line_for(MARCH[-2:], [10, 12], target=11, band="B").rank_short == "3 of 153 (B)"
