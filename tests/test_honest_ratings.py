"""A figure is rated only against a target of the same standing, and a real figure is never
displaced by an invented one: what a councillor sees."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from careprog.periods import month_end, months_before
from kpis.models import KPIRank, KPIValue, Origin
from kpis.rating import RAG
from kpis.readings import TREND_POINTS, kpi_for_page, rating_counts, readings
from tests.kpi_factories import make_kpi, make_target, make_value

ILLUSTRATIVE = Origin.ILLUSTRATIVE
MARCH_2025 = dt.date(2025, 3, 31)


def read(code):
    return next(r for r in readings() if r.kpi.code == code)


def test_a_real_figure_against_an_illustrative_target_is_not_rated(db):
    adopted = make_kpi("adopted", unit="percentage", polarity="higher", frequency="annual")
    make_value(adopted, MARCH_2025, "7.0", origin=Origin.DFE)
    make_target(adopted, 2024, 51, origin=ILLUSTRATIVE)

    reading = read("adopted")

    assert reading.rating.rag is RAG.NONE
    assert reading.rating.explanation.startswith("Not rated: no agreed target for this year.")
    assert reading.target is None and reading.target_text == "No agreed target"
    assert not reading.rating_is_real


def test_a_real_figure_against_an_agreed_target_is_rated(db):
    adopted = make_kpi("adopted", unit="percentage", polarity="higher", frequency="annual")
    make_value(adopted, MARCH_2025, "7.0", origin=Origin.DFE)
    make_target(adopted, 2024, 10, origin=Origin.PUBLISHED)

    reading = read("adopted")

    assert reading.rating.rag is RAG.RED and reading.rating_is_real


def test_an_illustrative_target_still_rates_an_illustrative_figure_which_is_not_counted(db):
    visits = make_kpi("visits", unit="percentage", polarity="higher")
    make_value(visits, MARCH_2025, 80, origin=ILLUSTRATIVE)
    make_target(visits, 2024, 75, origin=ILLUSTRATIVE)

    reading = read("visits")

    assert reading.rating.rag is RAG.GREEN and not reading.rating_is_real
    assert rating_counts([reading]) == {RAG.GREEN: 0, RAG.AMBER: 0, RAG.RED: 0, RAG.NONE: 1}


def test_the_dashboard_counts_real_ratings_only_and_says_so(member_client, db):
    real = make_kpi("real", polarity="higher")
    make_value(real, MARCH_2025, 50)
    make_target(real, 2024, 75)  # agreed: off target, counted
    invented = make_kpi("invented", polarity="higher")
    make_value(invented, MARCH_2025, 10, origin=ILLUSTRATIVE)
    make_target(invented, 2024, 75, origin=ILLUSTRATIVE)  # off target, illustrative
    unagreed = make_kpi("unagreed", polarity="higher")
    make_value(unagreed, MARCH_2025, 10)
    make_target(unagreed, 2024, 75, origin=ILLUSTRATIVE)  # no agreed target

    html = member_client.get("/kpis/").content.decode()

    summary = html[html.index(">Summary<") :]
    assert "3</span> measures shown" in summary
    assert '1</span><span aria-hidden="true">■</span> off target' in summary
    assert '2</span><span aria-hidden="true">○</span> not rated' in summary
    assert "Counts are of real figures rated against agreed targets" in summary
    assert "1 illustrative rating is counted as not rated" in summary


def test_a_later_illustrative_value_never_displaces_a_real_latest_value(db):
    residential = make_kpi("residential", unit="count", polarity="lower")
    make_value(residential, dt.date(2026, 3, 31), 74)
    make_value(residential, dt.date(2026, 2, 28), 70)
    for month in range(4, 12):  # invented figures for the months since
        make_value(residential, month_end(2026, month), 14, origin=ILLUSTRATIVE)
    KPIRank.objects.create(
        kpi=residential, period_end=dt.date(2026, 3, 31), rank=40, out_of=150, band="B"
    )

    for reading in (read("residential"), kpi_for_page("residential")[1]):
        assert reading.latest.value == 74 and reading.latest.period_end == dt.date(2026, 3, 31)
        assert [v.value for v in reading.series] == [70, 74]  # no invented figure read
        assert reading.vs_previous.explanation.startswith("Worsening: up 4 from 70")
        assert reading.rank.band == "B"  # the rank of the real latest period


def test_a_kpi_with_only_illustrative_figures_reads_them_marked(db):
    visits = make_kpi("visits")
    make_value(visits, dt.date(2025, 2, 28), 60, origin=ILLUSTRATIVE)
    make_value(visits, MARCH_2025, 61, origin=ILLUSTRATIVE)

    reading = read("visits")

    assert reading.latest.value == 61 and reading.latest.is_illustrative


def _values_read(as_at=None) -> int:
    """How many value rows the dashboard's read fetches."""
    with CaptureQueriesContext(connection) as captured:
        result = readings(as_at=as_at)
    assert len(captured) == 4  # the measures, values, targets, comparators
    return sum(len(r.series) for r in result)


@pytest.mark.parametrize("frequency", ["monthly", "quarterly", "annual"])
def test_the_dashboard_reads_only_the_periods_a_line_draws_however_long_the_history(db, frequency):
    kpi = make_kpi("long", frequency=frequency)
    months = {"monthly": 1, "quarterly": 3, "annual": 12}[frequency]
    days = sorted(months_before(MARCH_2025, n * months) for n in range(40))
    KPIValue.objects.bulk_create(
        KPIValue(kpi=kpi, period_end=d, value=Decimal(50), origin=Origin.RETURN) for d in days
    )
    assert KPIValue.objects.count() > TREND_POINTS
    assert _values_read() == TREND_POINTS
    trend = read("long").trend
    assert trend[-1].period_end == max(days) and len(trend) == TREND_POINTS
