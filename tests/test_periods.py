"""Reporting periods are quarters of the UK financial year (1 April to 31 March)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from careprog.periods import InvalidPeriod, ReportingPeriod

Q3_2024_25 = ReportingPeriod(2024, 3)


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (dt.date(2024, 4, 1), "2024-25 Q1"),
        (dt.date(2024, 6, 30), "2024-25 Q1"),
        (dt.date(2024, 7, 1), "2024-25 Q2"),
        (dt.date(2024, 10, 1), "2024-25 Q3"),
        (dt.date(2024, 12, 31), "2024-25 Q3"),
        (dt.date(2025, 1, 1), "2024-25 Q4"),
        (dt.date(2025, 3, 31), "2024-25 Q4"),
        (dt.date(2014, 2, 15), "2013-14 Q4"),
        (dt.date(1999, 12, 31), "1999-00 Q3"),
    ],
)
def test_a_date_falls_in_its_financial_quarter(day, label):
    assert ReportingPeriod.containing(day).label == label


def test_2024_25_q3_is_october_to_december_2024():
    assert Q3_2024_25.start == dt.date(2024, 10, 1)
    assert Q3_2024_25.end == dt.date(2024, 12, 31)
    assert Q3_2024_25.months == "October to December 2024"
    assert ReportingPeriod(2024, 4).months == "January to March 2025"


@pytest.mark.parametrize("text", ["2024-25-q3", "2024-25 Q3", "2024/25 q3", " 2024-25-Q3 "])
def test_the_url_form_and_the_label_both_parse(text):
    assert ReportingPeriod.parse(text) == Q3_2024_25
    assert Q3_2024_25.slug == "2024-25-q3"


@pytest.mark.parametrize(
    "text", ["", "2024-26 Q3", "2024-25 Q5", "2024-25 Q0", "2024 Q3", "Q3 2024-25", "24-25 Q3"]
)
def test_text_that_is_not_a_financial_quarter_is_refused(text):
    with pytest.raises(InvalidPeriod):
        ReportingPeriod.parse(text)


def test_periods_run_across_the_year_end():
    assert ReportingPeriod(2024, 4).next() == ReportingPeriod(2025, 1)
    assert ReportingPeriod(2025, 1).previous() == ReportingPeriod(2024, 4)
    labels = [p.label for p in ReportingPeriod(2024, 3).until(ReportingPeriod(2025, 2))]
    assert labels == ["2024-25 Q3", "2024-25 Q4", "2025-26 Q1", "2025-26 Q2"]


periods = st.builds(ReportingPeriod, st.integers(1901, 9000), st.integers(1, 4))


@given(periods)
def test_every_period_round_trips_through_its_slug_and_label(period):
    assert ReportingPeriod.parse(period.slug) == period
    assert ReportingPeriod.parse(period.label) == period


@given(periods)
def test_every_day_of_a_period_belongs_to_it_and_the_next_day_does_not(period):
    assert ReportingPeriod.containing(period.start) == period
    assert ReportingPeriod.containing(period.end) == period
    assert ReportingPeriod.containing(period.end + dt.timedelta(days=1)) == period.next()
    assert 90 <= (period.end - period.start).days + 1 <= 92


@given(periods, periods)
def test_slugs_sort_in_time_order_as_the_database_compares_them(a, b):
    assert (a < b) == (a.slug < b.slug)


@given(st.text(max_size=30))
def test_the_parser_never_fails_with_anything_but_invalid_period(text):
    try:
        ReportingPeriod.parse(text)
    except InvalidPeriod:
        pass


def test_a_year_on_is_the_same_quarter_of_the_next_financial_year():
    assert ReportingPeriod.parse("2024-25-q1").a_year_on() == ReportingPeriod.parse("2025-26-q1")
    assert ReportingPeriod.parse("2024-25-q4").a_year_on() == ReportingPeriod.parse("2025-26-q4")
