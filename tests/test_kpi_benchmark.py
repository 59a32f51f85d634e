"""A KPI beside its statistical neighbours, region and England, from DfE's LAIT figures."""

import datetime as dt
import json
import re
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis.models import (
    KPI,
    Area,
    BenchmarkIndicator,
    BenchmarkValue,
    KPIGroup,
    KPIRank,
    KPIValue,
    Origin,
    StatisticalNeighbour,
)

NEIGHBOURS = [
    "Sefton",
    "St. Helens",
    "Wigan",
    "Halton",
    "Stockton-On-Tees",
    "Darlington",
    "Redcar and Cleveland",
    "Calderdale",
    "Telford and Wrekin",
    "Wakefield",
]
LATEST = dt.date(2024, 3, 31)


def year_end(year):
    return dt.date(year, 3, 31)


def add_years(indicator, areas, first, last, value_for):
    """One figure per area and year, made with one query; value_for(area, year) may be None
    (suppressed)."""
    rows = []
    for year in range(first, last + 1):
        for area in areas:
            value = value_for(area, year)
            rows.append(
                BenchmarkValue(
                    indicator=indicator,
                    area=area,
                    period_label=f"{year - 1}-{year % 100:02d}",
                    period_end=year_end(year),
                    period_kind=BenchmarkValue.PeriodKind.SNAPSHOT_MARCH,
                    value=value,
                    status="published" if value is not None else "suppressed",
                )
            )
    BenchmarkValue.objects.bulk_create(rows)


@pytest.fixture
def lait(db):
    """Wirral, its ten neighbours, the North West, England and one council that is none of
    those, with DfE's rate of children looked after (lower is better) from 2012."""
    wirral = Area.objects.create(name="Wirral", kind="la", la_number=344, region="North West")
    neighbours = [
        Area.objects.create(name=name, kind="la", la_number=800 + i, region="North West")
        for i, name in enumerate(NEIGHBOURS)
    ]
    StatisticalNeighbour.objects.bulk_create(
        StatisticalNeighbour(area=wirral, neighbour=n, position=i)
        for i, n in enumerate(neighbours, 1)
    )
    region = Area.objects.create(name="North West", kind="region", la_number=983)
    england = Area.objects.create(name="England", kind="england", la_number=970)
    stranger = Area.objects.create(name="Cornwall", kind="la", la_number=908, region="South West")
    Area.objects.create(name="South West", kind="region", la_number=986)
    indicator = BenchmarkIndicator.objects.create(
        code="CLA_rate",
        name="Children looked after rate, per 10,000 children aged under 18",
        topic="Children looked after",
        unit="Rate per 10,000",
        definition="Children looked after at 31 March per 10,000 children under 18.",
        polarity="low",
        decimal_places=0,
        year_type="annual",
        source="SSDA903",
        last_update=dt.date(2024, 11, 14),
        next_update=dt.date(2025, 11, 13),
    )
    figures = {wirral: 140, region: 100, england: 70, stranger: 5}
    figures |= {n: 60 + 10 * i for i, n in enumerate(neighbours)}  # Sefton 60 … Wakefield 150

    def value_for(area, year):
        if area == wirral and year == 2019:
            return None  # a suppressed year: the line breaks, the table says so
        if area.name == "Halton" and year == 2024:
            return None  # suppressed in the latest year: listed, not drawn
        return Decimal(figures[area] + (year - 2024))

    add_years(indicator, [wirral, *neighbours, region, england, stranger], 2012, 2024, value_for)
    # The latest period has no published Wirral figure yet.
    add_years(
        indicator,
        [wirral, england],
        2025,
        2025,
        lambda area, year: None if area == wirral else Decimal(69),
    )
    return {"indicator": indicator, "wirral": wirral, "neighbours": neighbours}


@pytest.fixture
def kpi(lait):
    group = KPIGroup.objects.create(name="Vision", position=1)
    kpi = KPI.objects.create(
        code="cla-rate",
        name="Children looked after per 10,000",
        group=group,
        unit="rate_10000",
        polarity="lower",
        frequency="annual",
        benchmark_code="CLA_rate",
        benchmark_relation="same",
    )
    KPIValue.objects.create(kpi=kpi, period_end=LATEST, value=Decimal(140), origin=Origin.DFE)
    KPIRank.objects.create(kpi=kpi, period_end=LATEST, rank=134, out_of=152, band="D")
    KPIRank.objects.create(kpi=kpi, period_end=year_end(2023), rank=130, out_of=151, band="D")
    return kpi


URL = "/kpis/cla-rate/benchmark/"


def figure(html, name):
    found = re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def table(html, css_class):
    start = html.index(f'class="govuk-table {css_class}"')
    return html[start : html.index("</table>", start)]


def test_the_bars_are_the_latest_published_year_sorted_best_first_by_polarity(member_client, kpi):
    html = member_client.get(URL).content.decode()
    bars = figure(html, "benchmark-bars-data")["data"][0]
    assert bars["orientation"] == "h"
    labels = [re.sub(r"</?b>", "", label) for label in bars["y"]]
    # Wirral has no figure at 31 March 2025, so its latest published one is shown, named as
    # the KPI (a snapshot) names it.
    assert "Wirral, 31 March 2024" in html
    # Lower is better: the lowest first; Halton is suppressed and not drawn (never as 0).
    assert labels == [
        "Sefton",  # 60
        "St. Helens",  # 70; on a tie, in the order home, neighbours, region, England
        "England",
        "Wigan",
        "Stockton-On-Tees",  # 100
        "North West (region)",
        "Darlington",
        "Redcar and Cleveland",
        "Calderdale",
        "Wirral (this council)",  # 140
        "Telford and Wrekin",
        "Wakefield",
    ]
    assert bars["x"] == sorted(bars["x"])
    assert 0 not in bars["x"] and "Cornwall" not in html
    assert bars["text"][0] == "60 per 10,000"


def test_higher_is_better_sorts_the_highest_first(member_client, kpi, lait):
    lait["indicator"].polarity = "high"
    lait["indicator"].save()
    html = member_client.get(URL).content.decode()
    bars = figure(html, "benchmark-bars-data")["data"][0]
    assert bars["x"] == sorted(bars["x"], reverse=True)
    assert re.sub(r"</?b>", "", bars["y"][0]) == "Wakefield"
    assert "Best first: higher is better." in html


def test_the_home_council_is_marked_in_words_and_pattern_not_colour_alone(member_client, kpi):
    html = member_client.get(URL).content.decode()
    bars = figure(html, "benchmark-bars-data")["data"][0]
    home = bars["y"].index("<b>Wirral (this council)</b>")
    shapes, colours = bars["marker"]["pattern"]["shape"], bars["marker"]["color"]
    assert shapes[home] == "/" and shapes.count("/") == 1
    assert colours.count(colours[home]) == 1
    areas = table(html, "app-benchmark-areas")
    assert "<strong>Wirral (this council)</strong>" in areas
    chart = re.search(
        r'data-chart-figure="benchmark-bars-data" role="img" aria-label="([^"]+)"', html
    )
    assert "Wirral (this council): 140 per 10,000, 10th of 12" in chart.group(1)
    assert "Not published: Halton" in chart.group(1)


def test_a_suppressed_figure_is_listed_as_not_published(member_client, kpi):
    html = member_client.get(URL).content.decode()
    areas = table(html, "app-benchmark-areas")
    halton = areas[areas.index('data-area="Halton"') :]
    assert "not published" in halton[: halton.index("</tr>")]
    trend = table(html, "app-benchmark-trend")
    row_2019 = trend[trend.index(">31 March 2019<") :]
    assert "not published" in row_2019[: row_2019.index("</tr>")]


def test_the_tables_give_rank_band_neighbour_mean_and_the_indicator(member_client, kpi):
    html = member_client.get(URL).content.decode()
    assert "Ranked 134 of 152, band D" in html
    assert "band A is the best quarter of councils" in html
    # Nine neighbours had a 2023-24 figure (Halton suppressed): their mean, said so.
    mean = (sum(60 + 10 * i for i in range(10)) - 90) / 9
    assert f"{mean:.0f} per 10,000" in html
    assert "(mean of 9 neighbours with a figure)" in html
    assert "(mean of 10 neighbours with a figure)" in html  # the earlier years
    assert len(re.findall(r'<caption class="govuk-table__caption[^>]*>[^<]+</caption>', html)) == 2
    assert '<th scope="col"' in html and '<th scope="row"' in html
    trend = table(html, "app-benchmark-trend")
    assert ">31 March 2016<" in trend and ">31 March 2015<" not in trend  # since 2016
    assert ">31 March 2024<" in trend and "130 of 151, band D" in trend
    assert "Children looked after at 31 March per 10,000 children under 18." in html
    assert "SSDA903" in html
    assert "14 November 2024" in html and "13 November 2025" in html
    assert "A related measure" not in html


def test_the_trend_joins_over_a_missing_year_and_marks_it(member_client, kpi):
    html = member_client.get(URL).content.decode()
    trend = figure(html, "benchmark-trend-data")
    traces = {trace["name"]: trace for trace in trend["data"]}
    assert list(traces) == [
        "Wirral (this council)",
        "Wirral (this council): joined across periods with no figure",
        "No figure for Wirral (×)",
        "Statistical neighbours (mean)",
        "North West (region)",
        "England",
    ]
    home = traces["Wirral (this council)"]
    assert home["y"][3] is None  # 31 March 2019, suppressed: never drawn as zero
    # Dotted across the suppressed year, and the year crossed on the time axis.
    bridge = traces["Wirral (this council): joined across periods with no figure"]
    assert bridge["x"] == ["2018-03-31", "2020-03-31", None]
    assert bridge["line"]["dash"] == "dot"
    marks = traces["No figure for Wirral (×)"]
    assert (marks["x"], marks["text"]) == (["2019-03-31"], ["31 March 2019"])
    label = re.search(
        r'data-chart-figure="benchmark-trend-data" role="img" aria-label="([^"]+)"', html
    )[1]
    assert "No figure for Wirral for 31 March 2019." in label
    # The time axis names periods as the table does; the rate keeps one panel.
    assert trend["layout"]["xaxis"]["ticktext"][-1] == "31 March 2025"
    assert "yaxis2" not in trend["layout"]
    assert trend["layout"]["legend"]["itemclick"] is False


def test_for_a_count_the_region_and_england_totals_are_not_drawn_on_the_councils_scale(
    member_client, kpi, lait
):
    kpi.unit = "count"
    kpi.save()
    lait["indicator"].unit = "Number of children looked after"
    lait["indicator"].save()
    html = member_client.get(URL).content.decode()
    bars = figure(html, "benchmark-bars-data")["data"][0]
    assert "England" not in bars["y"] and "North West (region)" not in bars["y"]
    assert len(bars["y"]) == 10  # Wirral and the nine neighbours with a figure
    areas = table(html, "app-benchmark-areas")
    assert 'data-area="England"' in areas and 'data-area="North West"' in areas
    label = re.search(
        r'data-chart-figure="benchmark-bars-data" role="img" aria-label="([^"]+)"', html
    )[1]
    assert "The region's and England's totals are not drawn" in unescape(label)
    trend = figure(html, "benchmark-trend-data")
    axes = {trace["name"]: trace.get("yaxis") for trace in trend["data"]}
    assert axes["Wirral (this council)"] == axes["Statistical neighbours (mean)"] == "y"
    assert axes["North West (region)"] == axes["England"] == "y2"


def test_a_related_measure_is_labelled_as_such(member_client, kpi):
    kpi.benchmark_relation = "related"
    kpi.save()
    html = member_client.get(URL).content.decode()
    assert "A related measure, not this one." in html
    assert "has a different definition" in html
    page = member_client.get("/kpis/cla-rate/").content.decode()
    assert "DfE's related measure, with a different definition" in page


def test_the_charts_use_our_own_plotly_and_allow_its_inline_styles(member_client, kpi):
    response = member_client.get(URL)
    html = response.content.decode()
    assert 'src="/static/plotly-basic.min.js"' in html and 'src="/static/charts.mjs"' in html
    assert "cdn" not in html.lower()
    assert "'unsafe-inline'" in response["Content-Security-Policy"]
    assert html.count('role="img"') == 2


def test_a_kpi_without_a_dfe_indicator_has_a_clear_not_found_page(member_client, kpi):
    kpi.benchmark_code = ""
    kpi.save()
    response = member_client.get(URL)
    assert response.status_code == 404
    assert "No comparison with other councils for this measure" in response.content.decode()
    assert (
        "Compare with other councils" not in member_client.get("/kpis/cla-rate/").content.decode()
    )
    assert member_client.get("/kpis/no-such-kpi/benchmark/").status_code == 404


def test_the_kpi_page_links_to_the_comparison(member_client, kpi):
    html = member_client.get("/kpis/cla-rate/").content.decode()
    assert f'href="{URL}">Compare with other councils</a>' in html
    assert "Ranked 134 of 152, band D" in html


def test_someone_without_a_role_cannot_see_the_comparison(client, outsider, kpi):
    client.force_login(outsider)
    assert client.get(URL).status_code == 403


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_comparison_keeps_its_query_count_as_years_and_areas_grow(member_client, kpi, lait):
    small = _queries(member_client, URL)
    more = [
        Area.objects.create(name=f"Council {n}", kind="la", la_number=500 + n) for n in range(30)
    ]
    everyone = list(Area.objects.all())
    add_years(lait["indicator"], everyone, 1990, 2011, lambda area, year: Decimal(year - 1900))
    add_years(lait["indicator"], more, 2012, 2024, lambda area, year: Decimal(5))
    KPIRank.objects.bulk_create(
        KPIRank(kpi=kpi, period_end=year_end(y), rank=1, out_of=150, band="A")
        for y in range(1995, 2020)
    )
    assert BenchmarkValue.objects.count() > 5 * 13 * 15
    html = member_client.get(URL).content.decode()
    assert html.count('<th scope="row" class="govuk-table__header">31 March 20') == 10
    assert _queries(member_client, URL) == small


def test_the_dashboard_shows_rank_and_band_for_the_latest_period_only(member_client, kpi):
    html = member_client.get("/kpis/").content.decode()
    row = html[html.index('data-kpi="cla-rate"') :]
    row = row[: row.index("</tr>")]
    assert "Ranked 134 of 152, band D" in row
    assert "band A is the best quarter of councils" in html
    # A newer figure without a rank: no rank shown, rather than last year's.
    KPIValue.objects.create(kpi=kpi, period_end=dt.date(2025, 3, 31), value=Decimal(139))
    html = member_client.get("/kpis/").content.decode()
    assert "Ranked" not in html and "best quarter" not in html


def test_the_dashboard_adds_no_query_for_ranks(member_client, kpi):
    before = _queries(member_client, "/kpis/")
    KPIRank.objects.all().delete()
    assert _queries(member_client, "/kpis/") == before


def test_before_dfe_figures_are_loaded_the_page_says_so(member_client, kpi):
    BenchmarkIndicator.objects.all().delete()
    response = member_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "DfE's figures for the indicator CLA_rate have not been loaded yet" in html
    assert "data-chart-figure" not in html and "plotly" not in html
