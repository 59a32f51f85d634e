"""How a return's cells are read: periods in every form administrators use, and values."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpis.importing.cells import (
    CellProblem,
    check_range,
    parse_number,
    parse_period,
)
from kpis.importing.reader import excel_datetime
from kpis.models import KPI


@pytest.mark.parametrize(
    ("value", "period_end"),
    [
        (dt.datetime(2025, 1, 31, 0, 0), dt.date(2025, 1, 31)),
        (dt.date(2025, 1, 31), dt.date(2025, 1, 31)),
        (45688, dt.date(2025, 1, 31)),  # Excel serial
        (45688.0, dt.date(2025, 1, 31)),
        ("2025-01-31", dt.date(2025, 1, 31)),
        ("2025-01-31T00:00:00", dt.date(2025, 1, 31)),
        ("2025-01", dt.date(2025, 1, 31)),
        ("31/01/2025", dt.date(2025, 1, 31)),
        ("Jan 2025", dt.date(2025, 1, 31)),
        ("january 2025", dt.date(2025, 1, 31)),
        ("  Feb   2024 ", dt.date(2024, 2, 29)),
        ("Sept 2024", dt.date(2024, 9, 30)),
        ("Jan-25", dt.date(2025, 1, 31)),
        ("2024-25 Q3", dt.date(2024, 12, 31)),
        ("2024/25 q4", dt.date(2025, 3, 31)),
        ("Q1 2024-25", dt.date(2024, 6, 30)),
        ("2024-25", dt.date(2025, 3, 31)),
        ("2024/25", dt.date(2025, 3, 31)),
    ],
)
def test_a_period_is_understood_in_every_form_a_return_uses(value, period_end):
    assert parse_period(value) == period_end


@pytest.mark.parametrize(
    "value", ["n/a", "", "Q5 2024-25", "2024-26", "2025-13", "31/02/2025", "Smarch 2025", True, -5]
)
def test_text_that_is_not_a_period_is_a_clear_problem(value):
    with pytest.raises(CellProblem):
        parse_period(value)


def test_excel_serial_dates_follow_both_date_systems():
    assert excel_datetime(1).date() == dt.date(1900, 1, 1)
    assert excel_datetime(61).date() == dt.date(1900, 3, 1)  # after Excel's fictional 29 Feb 1900
    assert excel_datetime(0, date1904=True).date() == dt.date(1904, 1, 1)
    assert parse_period(44227, date1904=True) == dt.date(2025, 2, 1)


@pytest.mark.parametrize("serial", [1, 59, 60, 61, 45382, 45382.75, 45688.99999999, 2957003])
@pytest.mark.parametrize("date1904", [False, True])
def test_a_serial_period_is_the_date_the_reader_gives_a_date_formatted_cell(serial, date1904):
    assert parse_period(serial, date1904=date1904) == excel_datetime(serial, date1904).date()


@pytest.mark.parametrize(
    ("serial", "date1904"),
    [(0, False), (0.5, False), (2958466, False), (float("nan"), False), (1e300, False),
     (2958465, True)],  # past 31 December 9999 counted from 1904
)  # fmt: skip
def test_a_serial_that_is_no_day_excel_shows_is_not_a_period(serial, date1904):
    with pytest.raises(CellProblem, match="is not a date"):
        parse_period(serial, date1904=date1904)


@given(st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(9000, 12, 31)))
def test_any_date_survives_each_of_its_written_forms(day):
    assert parse_period(day.isoformat()) == day
    assert parse_period(f"{day.day:02d}/{day.month:02d}/{day.year}") == day
    serial = (day - dt.date(1899, 12, 30)).days
    assert parse_period(serial) == day


@given(st.text(max_size=25))
def test_the_period_parser_only_ever_says_problem(text):
    try:
        parse_period(text)
    except CellProblem:
        pass


@pytest.mark.parametrize(
    ("day", "frequency", "fits"),
    [
        (dt.date(2025, 1, 31), "monthly", True),
        (dt.date(2025, 2, 1), "monthly", False),
        (dt.date(2024, 12, 31), "quarterly", True),
        (dt.date(2025, 1, 31), "quarterly", False),
        (dt.date(2025, 3, 31), "annual", True),
        (dt.date(2024, 12, 31), "annual", False),
    ],
)
def test_a_period_must_fit_the_kpis_frequency(day, frequency, fits):
    assert KPI(frequency=frequency).accepts_period_end(day) is fits


@pytest.mark.parametrize(
    ("value", "kind", "percent", "unit", "number"),
    [
        (63, "number", False, "percentage", Decimal("63")),
        ("63%", "text", False, "percentage", Decimal("63")),
        (" 63 % ", "text", False, "percentage", Decimal("63")),
        (0.63, "number", True, "percentage", Decimal("63")),
        (0.635, "number", True, "percentage", Decimal("63.5")),
        ("1,234", "text", False, "count", Decimal("1234")),
        ("£4,531,000", "text", False, "currency", Decimal("4531000")),
        ("-£1,200", "text", False, "currency", Decimal("-1200")),
        ("12.5", "text", False, "days", Decimal("12.5")),
        (699, "number", False, "count", Decimal("699")),
    ],
)
def test_values_are_read_in_the_kpis_unit(value, kind, percent, unit, number):
    assert parse_number(value, kind=kind, percent_format=percent, unit=unit) == number


@pytest.mark.parametrize(
    ("value", "kind", "percent", "unit", "message"),
    [
        ("n/a", "text", False, "count", "'n/a' is not a number"),
        ("", "text", False, "count", "is empty"),
        (None, "text", False, "count", "is empty"),
        ("#DIV/0!", "error", False, "count", "is an Excel error"),
        (None, "formula_without_value", False, "count", "formula with no saved result"),
        (True, "bool", False, "count", "is not a number"),
        ("63%", "text", False, "count", "is a percentage but this measure is not one"),
        (0.5, "number", True, "days", "formatted as a percentage"),
        ("1.2.3", "text", False, "count", "is not a number"),
    ],
)
def test_a_value_that_is_not_a_number_says_why(value, kind, percent, unit, message):
    with pytest.raises(CellProblem, match=message):
        parse_number(value, kind=kind, percent_format=percent, unit=unit)


@pytest.mark.parametrize(
    ("number", "unit", "message"),
    [
        (Decimal(-1), "count", "negative"),
        (Decimal(-3), "days", "negative"),
        (Decimal("100.5"), "percentage", "outside 0 to 100"),
        (Decimal(-1), "percentage", "outside 0 to 100"),
    ],
)
def test_impossible_values_are_refused(number, unit, message):
    with pytest.raises(CellProblem, match=message):
        check_range(number, unit)


def test_negative_money_and_scores_are_allowed():
    check_range(Decimal(-4531000), "currency")
    check_range(Decimal("-0.4"), "score")
