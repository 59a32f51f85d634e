"""One name for each period a figure covers, on the dashboard, a KPI's page, its benchmark page,
its chart and the committee report: `kpis.rating.period_name`."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from careprog.periods import month_end
from kpis.models import KPI, Area, BenchmarkIndicator, BenchmarkValue, KPIValue, Origin
from kpis.rating import period_name
from tests.kpi_factories import make_kpi

Frequency, Measurement, Kind = KPI.Frequency, KPI.Measurement, BenchmarkValue.PeriodKind
D = dt.date


def measure(frequency, measurement):
    """A KPI as period_name reads one: its frequency and measurement (no database)."""
    return KPI(frequency=frequency, measurement=measurement)


@pytest.mark.parametrize(
    ("period_end", "frequency", "measurement", "name"),
    [
        # A snapshot is counted on a day: named by the day, whatever the frequency.
        (D(2025, 3, 31), Frequency.MONTHLY, Measurement.SNAPSHOT, "31 March 2025"),
        (D(2025, 1, 31), Frequency.MONTHLY, Measurement.SNAPSHOT, "31 January 2025"),
        (D(2025, 2, 1), Frequency.MONTHLY, Measurement.SNAPSHOT, "1 February 2025"),
        (D(2024, 12, 31), Frequency.QUARTERLY, Measurement.SNAPSHOT, "31 December 2024"),
        (D(2025, 3, 31), Frequency.ANNUAL, Measurement.SNAPSHOT, "31 March 2025"),
        # Over the period (discharges in a quarter): named by the period itself.
        (D(2024, 12, 31), Frequency.QUARTERLY, Measurement.IN_PERIOD, "2024-25 Q3"),
        (D(2025, 1, 31), Frequency.MONTHLY, Measurement.IN_PERIOD, "January 2025"),
        (D(2025, 3, 31), Frequency.ANNUAL, Measurement.IN_PERIOD, "2024-25"),
        (D(2025, 2, 1), Frequency.MONTHLY, Measurement.IN_PERIOD, "1 February 2025"),
        # Year to date: the quarters or months it covers, and the year at its end.
        (D(2024, 6, 30), Frequency.QUARTERLY, Measurement.YEAR_TO_DATE, "2024-25 Q1"),
        (D(2024, 12, 31), Frequency.QUARTERLY, Measurement.YEAR_TO_DATE, "2024-25 Q1 to Q3"),
        (D(2025, 3, 31), Frequency.QUARTERLY, Measurement.YEAR_TO_DATE, "2024-25"),
        (D(2024, 4, 30), Frequency.MONTHLY, Measurement.YEAR_TO_DATE, "April 2024"),
        (D(2024, 12, 31), Frequency.MONTHLY, Measurement.YEAR_TO_DATE, "April to December 2024"),
        (
            D(2025, 2, 28),
            Frequency.MONTHLY,
            Measurement.YEAR_TO_DATE,
            "April 2024 to February 2025",
        ),
        (D(2025, 3, 31), Frequency.ANNUAL, Measurement.YEAR_TO_DATE, "2024-25"),
        # Rolling 12 months: the 12 months to 31 March are the financial year.
        (
            D(2024, 12, 31),
            Frequency.QUARTERLY,
            Measurement.ROLLING_12_MONTHS,
            "12 months to December 2024",
        ),
        (D(2025, 3, 31), Frequency.QUARTERLY, Measurement.ROLLING_12_MONTHS, "2024-25"),
        # A 3-year average names its three years.
        (D(2024, 3, 31), Frequency.ANNUAL, Measurement.THREE_YEAR_AVERAGE, "2021-22 to 2023-24"),
        # DfE's school measures cover an academic year, to 31 August.
        (D(2024, 8, 31), Frequency.ANNUAL, Measurement.SNAPSHOT, "2023-24 academic year"),
        (D(2024, 8, 31), Frequency.ANNUAL, Measurement.YEAR_TO_DATE, "2023-24 academic year"),
        # Absence and exclusions: a quarterly KPI of the year to date, whose DfE figures are
        # for the academic year.
        (D(2024, 8, 31), Frequency.QUARTERLY, Measurement.YEAR_TO_DATE, "2023-24 academic year"),
        (
            D(2024, 8, 31),
            Frequency.QUARTERLY,
            Measurement.ROLLING_12_MONTHS,
            "2023-24 academic year",
        ),
        # A count on 31 August, or the months of the financial year to August, are not.
        (D(2024, 8, 31), Frequency.QUARTERLY, Measurement.SNAPSHOT, "31 August 2024"),
        (D(2024, 8, 31), Frequency.MONTHLY, Measurement.YEAR_TO_DATE, "April to August 2024"),
    ],
)
def test_a_kpis_figure_is_named_by_what_its_measurement_covers(
    period_end, frequency, measurement, name
):
    assert period_name(period_end, measure(frequency, measurement)) == name


@pytest.mark.parametrize(
    ("period_end", "kind", "name"),
    [
        (D(2025, 3, 31), Kind.SNAPSHOT_MARCH, "31 March 2025"),
        (D(2025, 3, 31), Kind.FINANCIAL_YEAR, "2024-25"),
        (D(2025, 3, 31), Kind.OUTTURN, "2024-25"),
        (D(2024, 8, 31), Kind.ACADEMIC_YEAR, "2023-24 academic year"),
        (D(2024, 12, 31), Kind.CALENDAR_YEAR, "2024"),
        (D(2024, 9, 30), Kind.END_OF_SEPTEMBER, "30 September 2024"),
        (D(2025, 1, 31), Kind.JANUARY, "January 2025"),
        (D(2016, 3, 31), Kind.THREE_YEARS, "2013-14 to 2015-16"),
        (D(2016, 12, 31), Kind.THREE_YEARS, "2014 to 2016"),
    ],
)
def test_a_dfe_figure_for_no_kpi_of_ours_is_named_by_its_kind_of_period(period_end, kind, name):
    assert period_name(period_end, kind=kind) == name


def test_dfe_figure_of_the_kpis_own_measure_is_named_as_the_kpis_figure():
    """LAIT calls the foster placements at 31 March a "Financial Year" figure; our KPI counts
    them on the day, and one figure must read one way."""
    foster = measure(Frequency.QUARTERLY, Measurement.SNAPSHOT)
    assert period_name(D(2025, 3, 31), foster, kind=Kind.FINANCIAL_YEAR) == "31 March 2025"
    # ...but DfE's 3-year figure beside a yearly measure is named as the three years it is.
    assert period_name(D(2016, 3, 31), foster, kind=Kind.THREE_YEARS) == "2013-14 to 2015-16"


MEASURES = [measure(f, m) for f in Frequency for m in Measurement]
# Month ends, the other ends DfE uses and any day: what a stored period end may be.
period_ends = st.one_of(
    st.builds(month_end, st.integers(1990, 2060), st.integers(1, 12)),
    st.dates(D(1990, 1, 1), D(2060, 12, 31)),
)


@given(st.sampled_from(MEASURES), period_ends, period_ends)
def test_two_periods_of_one_measure_never_share_a_name(kpi, one, other):
    if one != other:
        assert period_name(one, kpi) != period_name(other, kpi)


@given(st.sampled_from([*Kind]), period_ends, period_ends)
def test_two_periods_of_one_dfe_kind_never_share_a_name(kind, one, other):
    if one != other:
        assert period_name(one, kind=kind) != period_name(other, kind=kind)


@given(st.sampled_from([*MEASURES, None]), st.sampled_from(["", *Kind]), period_ends)
def test_every_name_is_words_with_its_year_and_the_same_every_time(kpi, kind, end):
    name = period_name(end, kpi, kind=kind)
    assert name == period_name(end, kpi, kind=kind)
    assert name.strip() == name and not name.startswith("at ")
    # Every name says the year its period ends in (as "2024" or as "2023-24").
    year = end.year
    assert str(year) in name or f"{year - 1}-{year % 100:02d}" in name, name


# --- One DfE figure, read the same on every page ----------------------------------------------


@pytest.fixture
def dfe_figures(db):
    """Wirral's DfE count of children in care at 31 March 2024 (LAIT's "2024", an "Annual"
    snapshot) and its KS2 result for the academic year to 31 August 2024 (LAIT's "2024"),
    each stored as DfE's figure for a KPI of ours, as kpis/lait/sync.py stores them."""
    wirral = Area.objects.create(name="Wirral", kind="la", la_number=344, region="North West")
    england = Area.objects.create(name="England", kind="england", la_number=970)
    Area.objects.create(name="North West", kind="region", la_number=983)
    kpis = {}
    for code, name, unit, frequency, kind, end, ours, whole in (
        ("LACnum", "Number of children in care", "count", "monthly", Kind.SNAPSHOT_MARCH,
         D(2024, 3, 31), 766, 83630),
        ("LAC_KS2", "CLA meeting the KS2 standard", "percentage", "annual", Kind.ACADEMIC_YEAR,
         D(2024, 8, 31), 37, 38),
    ):  # fmt: skip
        indicator = BenchmarkIndicator.objects.create(
            code=code, name=name, unit=unit, year_type="annual", polarity="none"
        )
        for area, value in ((wirral, ours), (england, whole)):
            BenchmarkValue.objects.create(
                indicator=indicator,
                area=area,
                period_label="2024",
                period_end=end,
                period_kind=kind,
                value=Decimal(value),
            )
        kpi = make_kpi(
            code.lower().replace("_", "-"),
            name=name,
            unit=unit,
            polarity="none",
            frequency=frequency,
            measurement="snapshot",
            decimal_places=0,
            benchmark_code=code,
            benchmark_relation="same",
        )
        KPIValue.objects.create(
            kpi=kpi, period_end=end, value=Decimal(ours), origin=Origin.DFE, source="DfE LAIT"
        )
        kpis[code] = kpi
    return kpis


def words(html: str) -> str:
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(
    ("code", "shown", "name"),
    [("LACnum", "766", "31 March 2024"), ("LAC_KS2", "37%", "2023-24 academic year")],
)
def test_one_dfe_figure_reads_the_same_on_the_dashboard_kpi_and_benchmark_pages(
    member_client, dfe_figures, code, shown, name
):
    kpi = dfe_figures[code]
    dashboard = words(member_client.get("/kpis/").content.decode())
    detail = words(member_client.get(kpi.get_absolute_url()).content.decode())
    benchmark_html = member_client.get(f"{kpi.get_absolute_url()}benchmark/").content.decode()
    benchmark = words(benchmark_html)

    assert f"{shown} {name}" in dashboard
    assert f"Latest {shown} {name}" in detail
    assert f"{name} {shown}" in detail  # the table's row for the period
    assert f"Wirral, {name} {shown}" in benchmark  # the summary
    assert f"by area, {name}:" in benchmark  # the bar chart's table
    # The raw LAIT label and the old "at" date are gone from all three pages.
    for page in (dashboard, detail, benchmark):
        assert f"at {name}" not in page and "at 31 August 2024" not in page
    assert not re.search(r">\s*2024\s*<", benchmark_html)  # no row named "2024"
