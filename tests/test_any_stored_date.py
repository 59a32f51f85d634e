"""Every page answers for any date a figure can be stored at: Python's calendar, 1 January
of year 1 to 31 December 9999. A figure dated before 1900 once made the dashboard a 500
(careprog.periods refused quarters before 1900, and its arithmetic stepped off the calendar's
ends); the periods now stop at the calendar's first and last days instead."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from careprog.periods import FIRST_DAY, LAST_DAY, ReportingPeriod, financial_year_of
from kpis.models import BenchmarkValue, ComparatorValue, KPIGroup, KPIValue, Origin
from tests.kpi_factories import make_kpi, make_target
from tests.test_kpi_benchmark import lait  # noqa: F401  (DfE's figures for the benchmark page)

CODE = "any-date"


@pytest.fixture
def measure(seed_programme, lait):  # noqa: F811
    """A measure of the seed programme with a DfE benchmark, one ordinary figure, and one
    target, so that a figure on any date is read beside others."""
    kpi = make_kpi(
        CODE,
        frequency="quarterly",
        unit="rate_10000",
        group=KPIGroup.objects.create(name="Vision", position=1),
        benchmark_code="CLA_rate",
        benchmark_relation="same",
    )
    seed_programme.objectives.first().kpis.add(kpi)
    KPIValue.objects.create(
        kpi=kpi, period_end=dt.date(2024, 3, 31), value=Decimal(140), origin=Origin.RETURN
    )
    make_target(kpi, 2024, 130)
    return kpi


def _figures_on(kpi, day: dt.date, lait) -> None:  # noqa: F811
    """A value, a comparator, a target for the day's financial year and a benchmark figure."""
    KPIValue.objects.filter(kpi=kpi, period_end=day).delete()
    KPIValue.objects.create(kpi=kpi, period_end=day, value=Decimal(7), origin=Origin.RETURN)
    ComparatorValue.objects.create(
        kpi=kpi,
        comparator=ComparatorValue.Comparator.ENGLAND,
        period_end=day,
        value=Decimal(9),
        origin=Origin.RETURN,
    )
    kpi.targets.filter(financial_year=financial_year_of(day)).delete()
    make_target(kpi, financial_year_of(day), 8)
    BenchmarkValue.objects.create(
        indicator=lait["indicator"],
        area=lait["wirral"],
        period_label=str(day.year),
        period_end=day,
        period_kind=BenchmarkValue.PeriodKind.SNAPSHOT_MARCH,
        value=Decimal(11),
        status="published",
    )


def _pages(programme, day: dt.date) -> list[str]:
    quarter = ReportingPeriod.containing(day).slug
    return [
        "/",
        "/kpis/",
        f"/kpis/?as_at={quarter}",
        f"/kpis/{CODE}/",
        f"/kpis/{CODE}/?as_at={quarter}",
        f"/kpis/{CODE}/benchmark/",
        f"/kpis/{CODE}/enter/",
        "/kpis/mine/",
        "/kpis/entries/",
        f"/programmes/{programme.slug}/report/",
        f"/programmes/{programme.slug}/attention/",
        "/api/kpi-values/?format=csv",
        f"/api/kpi-values/?kpi={CODE}",
    ]


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(day=st.dates(min_value=FIRST_DAY, max_value=LAST_DAY))
@example(day=FIRST_DAY)
@example(day=dt.date(1, 3, 31))
@example(day=dt.date(1899, 12, 31))
@example(day=dt.date(9999, 3, 31))
@example(day=LAST_DAY)
def test_every_page_answers_for_a_figure_on_any_date(
    client,
    superuser,
    seed_programme,
    measure,
    lait,  # noqa: F811
    day,
):
    client.force_login(superuser)
    with transaction.atomic():
        _figures_on(measure, day, lait)
        for url in _pages(seed_programme, day):
            response = client.get(url, follow=True)
            # 404: a KPI page as at a quarter not yet begun; 403: the superuser owns no measure.
            assert response.status_code in {200, 403, 404}, (url, response.status_code)
            assert response.status_code == 200 or "?as_at=" in url or "/enter/" in url, url
        transaction.set_rollback(True)


def test_a_figure_from_the_year_1_is_offered_no_further_back_than_five_years(
    member_client, measure
):
    KPIValue.objects.create(
        kpi=measure, period_end=FIRST_DAY, value=Decimal(3), origin=Origin.RETURN
    )
    html = member_client.get("/kpis/").content.decode()
    current = ReportingPeriod.current()
    oldest = ReportingPeriod(current.year - 5, current.quarter)
    assert f'<option value="{oldest.slug}"' in html
    assert f'<option value="{oldest.previous().slug}"' not in html
    assert 'value="0000-01-q4"' not in html
    response = member_client.get("/kpis/", {"as_at": "0000-01-q4"})
    assert response.status_code == 200
    assert f"Choose a quarter from {oldest.label} to {current.label}" in response.content.decode()


def test_a_figure_on_the_calendar_s_last_day_has_its_quarter_named(member_client, measure):
    KPIValue.objects.create(
        kpi=measure, period_end=LAST_DAY, value=Decimal(3), origin=Origin.RETURN
    )
    response = member_client.get(f"/kpis/{CODE}/")
    assert response.status_code == 200
    assert "December 9999" in response.content.decode()
