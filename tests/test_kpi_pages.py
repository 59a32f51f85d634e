"""The KPI dashboard and a KPI's page, read by committee members."""

import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import Objective
from careprog.periods import ReportingPeriod
from kpis.models import KPI, ComparatorValue, KPIGroup, KPIRank, KPITarget, KPIValue, Origin


def month_ends(count, last=dt.date(2025, 3, 31)):
    days, year, month = [], last.year, last.month
    for _ in range(count):
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        days.append(nxt - dt.timedelta(days=1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return sorted(days)


@pytest.fixture
def catalogue(db):
    group = KPIGroup.objects.create(name="Vision", position=1)
    other = KPIGroup.objects.create(name="Priority 1. Health", position=2)
    foster = KPI.objects.create(
        code="cla-foster",
        name="% of CLA placed with foster carers",
        group=group,
        position=1,
        unit="percentage",
        polarity="higher",
        frequency="monthly",
        decimal_places=1,
        definition="Children looked after placed with foster carers at the month end.",
        source="SSDA903",
    )
    moves = KPI.objects.create(
        code="cla-moves",
        name="% CLA with 2+ placement moves",
        group=group,
        position=2,
        unit="percentage",
        polarity="lower",
        frequency="monthly",
        decimal_places=0,
    )
    leavers = KPI.objects.create(
        code="care-leavers",
        name="Number of care leavers",
        group=other,
        position=1,
        unit="count",
        polarity="none",
        frequency="monthly",
    )
    empty = KPI.objects.create(
        code="kooth",
        name="CLA KOOTH",
        group=other,
        position=2,
        unit="count",
        polarity="higher",
        frequency="quarterly",
    )
    days = month_ends(13)
    KPIValue.objects.bulk_create(
        [
            KPIValue(kpi=foster, period_end=d, value=Decimal(60 + i), origin=Origin.RETURN)
            for i, d in enumerate(days)
        ]
        + [
            KPIValue(
                kpi=moves,
                period_end=d,
                value=Decimal(12 - i % 3),
                origin=Origin.ILLUSTRATIVE,
                source="Illustrative",
            )
            for i, d in enumerate(days)
        ]
        + [KPIValue(kpi=leavers, period_end=d, value=Decimal(300 + i)) for i, d in enumerate(days)]
    )
    KPITarget.objects.create(
        kpi=foster, financial_year=2024, value=Decimal(75), amber_tolerance=Decimal(5)
    )
    KPITarget.objects.create(
        kpi=moves,
        financial_year=2024,
        value=Decimal(10),
        amber_tolerance=Decimal(1),
        origin=Origin.ILLUSTRATIVE,
    )
    ComparatorValue.objects.create(
        kpi=foster, comparator="england", period_end=days[-1], value=Decimal("68.4")
    )
    return {"foster": foster, "moves": moves, "leavers": leavers, "empty": empty}


def test_the_dashboard_shows_every_kpi_under_its_group(member_client, catalogue):
    html = member_client.get("/kpis/").content.decode()
    assert html.index(">Vision</h2>") < html.index(">Priority 1. Health</h2>")
    text = re.sub(r"<[^>]+>", "", html)
    for kpi in catalogue.values():
        # "CLA" is spelt out where the page first uses it (the glossary).
        shown = re.escape(kpi.name).replace("CLA", r"(?:children looked after \()?CLA\)?")
        assert re.search(shown, text), kpi.name
    assert text.index("placed with foster carers") < text.index("with 2+ placement")


def test_each_kpi_shows_its_latest_value_period_target_and_an_explained_rating(
    member_client, catalogue
):
    html = member_client.get("/kpis/").content.decode()
    row = html[html.index('data-kpi="cla-foster"') : html.index('data-kpi="cla-moves"')]
    assert "72.0%" in row and "March 2025" in row and "75.0%" in row
    assert "Near target" in row and "▲" in row  # words and a shape, not colour alone
    assert "3.0 percentage points worse than the target of 75.0%" in row
    assert "within the amber tolerance of 5.0 percentage points" in row


def test_direction_of_travel_is_improving_or_worsening_by_polarity_never_a_bare_increase(
    member_client, catalogue
):
    html = member_client.get("/kpis/").content.decode()
    foster = html[html.index('data-kpi="cla-foster"') : html.index('data-kpi="cla-moves"')]
    assert "Improving" in foster and "up 1.0 percentage points from 71.0%" in foster
    assert "up 12.0 percentage points from 60.0%, a year before (31 March 2024)" in foster
    leavers = html[html.index('data-kpi="care-leavers"') : html.index('data-kpi="kooth"')]
    assert "neither higher nor lower is better" in leavers
    assert not re.search(r"\b(increase|decrease)\b", html, re.IGNORECASE)


def test_a_kpi_without_data_says_so_plainly(member_client, catalogue):
    html = member_client.get("/kpis/").content.decode()
    assert "No data yet for this measure." in html


def test_illustrative_figures_are_marked_wherever_they_appear(member_client, catalogue):
    dashboard = member_client.get("/kpis/").content.decode()
    moves = dashboard[dashboard.index('data-kpi="cla-moves"') :]
    assert "Illustrative" in moves[: moves.index("</tr>")]
    assert "made-up demonstration data" in dashboard
    page = member_client.get("/kpis/cla-moves/").content.decode()
    assert page.count("Illustrative") >= 14  # every figure, the target, the warning


def test_a_real_figure_wins_over_an_illustrative_one_for_the_same_period(member_client, catalogue):
    moves = catalogue["moves"]
    KPIValue.objects.create(
        kpi=moves, period_end=dt.date(2025, 3, 31), value=Decimal(9), origin=Origin.RETURN
    )
    html = member_client.get("/kpis/").content.decode()
    row = html[html.index('data-kpi="cla-moves"') :]
    row = row[: row.index("</tr>")]
    assert ">9%<" in row
    # The year's target is illustrative: it does not rate a real figure.
    assert "No agreed target" in row and "Not rated: no agreed target for this year" in row


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({"group": "Vision"}, {"cla-foster", "cla-moves"}),  # the group's id, below
        ({"rag": "amber"}, {"cla-foster"}),
        ({"rag": "none"}, {"care-leavers", "kooth"}),
        ({"rag": "red"}, {"cla-moves"}),
        ({"programme": "care-programme-2024-25"}, {"cla-foster"}),
        ({"group": "nonsense"}, {"cla-foster", "cla-moves", "care-leavers", "kooth"}),
    ],
)
def test_filters_by_group_rating_and_programme(
    member_client, catalogue, seed_programme, query, shown
):
    catalogue["foster"].objectives.add(Objective.objects.get(programme=seed_programme, position=3))
    if query.get("group") == "Vision":
        query = {"group": str(KPIGroup.objects.get(name="Vision").pk)}
    html = member_client.get("/kpis/", query).content.decode()
    ours = {kpi.code for kpi in catalogue.values()}  # the seed programme brings KPIs of its own
    assert set(re.findall(r'data-kpi="([^"]+)"', html)) & ours == shown


def _row(html, code):
    row = html[html.index(f'data-kpi="{code}"') :]
    return row[: row.index("</tr>")]


def _outside_why(html):
    """What a reader sees before opening any "Why"."""
    return re.sub(r"<details.*?</details>", "", html, flags=re.S)


def test_each_kpi_is_one_line_and_its_explaining_sentences_wait_behind_why(
    member_client, catalogue
):
    html = member_client.get("/kpis/").content.decode()
    foster = _row(html, "cla-foster")
    line = _outside_why(foster)
    for shown in ("72.0%", "March 2025", "75.0%", "Near target", "▲", "Improving", "↑"):
        assert shown in line
    assert "worse than the target" not in line and "from 71.0%" not in line
    assert (
        'Why<span class="govuk-visually-hidden"> % of CLA placed with foster carers is rated '
        "near target</span>"
    ) in foster
    assert 'Why<span class="govuk-visually-hidden"> Number of care leavers is not rated' in html
    # Said once, in the key, not on every line of a measure without polarity.
    assert _outside_why(html).count("neither higher nor lower is better") == 1
    assert html.count('<dl class="app-kpi-key">') == 1


def test_an_annual_measure_says_its_change_since_a_year_before_once(member_client, catalogue):
    kpi = KPI.objects.create(
        code="annual",
        name="An annual measure",
        group=catalogue["foster"].group,
        position=9,
        unit="count",
        polarity="higher",
        frequency="annual",
    )
    for day, value in ((dt.date(2023, 3, 31), 40), (dt.date(2024, 3, 31), 44)):
        KPIValue.objects.create(kpi=kpi, period_end=day, value=Decimal(value))
    row = _row(member_client.get("/kpis/").content.decode(), "annual")
    assert row.count("Improving: up 4 from 40, a year before (31 March 2023).") == 1
    assert "the previous figure" not in row
    quarterly = _row(member_client.get("/kpis/").content.decode(), "cla-foster")
    assert "the previous figure (28 February 2025)" in quarterly and "a year before" in quarterly


@pytest.fixture
def ranked(catalogue):
    """Foster carers ranked in band D, placement moves in band A, for March 2025."""
    for kpi, rank, band in ((catalogue["foster"], 120, "D"), (catalogue["moves"], 10, "A")):
        KPIRank.objects.create(
            kpi=kpi, period_end=dt.date(2025, 3, 31), rank=rank, out_of=152, band=band
        )
    return catalogue


CATALOGUE_ORDER = ["cla-foster", "cla-moves", "care-leavers", "kooth"]


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({"direction": "worsening"}, ["cla-moves"]),  # lower is better, and it went up
        ({"direction": "improving"}, ["cla-foster"]),
        ({"direction": "changed"}, ["care-leavers"]),
        ({"band": "D"}, ["cla-foster"]),
        ({"band": "A", "rag": "red"}, ["cla-moves"]),
        ({"sort": "rating"}, ["cla-moves", "cla-foster", "care-leavers", "kooth"]),
        ({"sort": "direction"}, ["cla-moves", "cla-foster", "care-leavers", "kooth"]),
        ({"sort": "band"}, ["cla-foster", "cla-moves", "care-leavers", "kooth"]),
        ({"sort": "band", "direction": "improving"}, ["cla-foster"]),
        ({"sort": "group"}, CATALOGUE_ORDER),
        ({"sort": "worst", "band": "E", "direction": "up", "rag": "\x00"}, CATALOGUE_ORDER),
    ],
)
def test_the_dashboard_filters_by_direction_and_band_and_sorts_the_worst_first(
    member_client, ranked, query, shown
):
    response = member_client.get("/kpis/", query)
    assert response.status_code == 200
    assert re.findall(r'data-kpi="([^"]+)"', response.content.decode()) == shown


def test_a_sorted_dashboard_is_one_list_under_one_heading_and_keeps_the_sort_in_its_form(
    member_client, ranked
):
    html = member_client.get("/kpis/", {"sort": "rating"}).content.decode()
    assert ">Measures by rating, worst first</h2>" in html
    assert ">Vision</h2>" not in html
    assert '<option value="rating" selected>' in html
    as_at = member_client.get("/kpis/", {"sort": "band", "as_at": "2024-25-q3"}).content.decode()
    assert 'href="?sort=band">Show the latest figures</a>' in as_at


def test_sorting_and_filtering_the_dashboard_adds_no_query(member_client, ranked):
    plain = _queries(member_client, "/kpis/")
    query = "/kpis/?sort=band&direction=worsening&band=A&rag=red"
    assert _queries(member_client, query) == plain


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("as_at", ["", "?as_at=2024-25-q3"])
def test_the_dashboard_keeps_its_query_count_as_values_grow_tenfold(
    member_client, catalogue, as_at
):
    before = _queries(member_client, f"/kpis/{as_at}")
    assert before == _queries(member_client, "/kpis/")  # the same with a date or without
    for kpi in KPI.objects.all():
        KPIValue.objects.bulk_create(
            KPIValue(kpi=kpi, period_end=d, value=Decimal(50), origin=Origin.ILLUSTRATIVE)
            for d in month_ends(130, last=dt.date(2015, 3, 31))
        )
        KPITarget.objects.bulk_create(
            KPITarget(kpi=kpi, financial_year=y, value=Decimal(1)) for y in range(2005, 2015)
        )
    assert KPIValue.objects.count() >= 10 * 39
    assert _queries(member_client, f"/kpis/{as_at}") == before


@pytest.mark.parametrize("as_at", [None, ReportingPeriod(2024, 3)])
def test_a_kpi_page_keeps_its_query_count_as_figures_grow_tenfold(
    member_client, catalogue, as_at, django_assert_num_queries
):
    from kpis.readings import kpi_for_page

    url = "/kpis/cla-foster/" + (f"?as_at={as_at.slug}" if as_at else "")

    def read_cost():
        with CaptureQueriesContext(connection) as captured:
            kpi_for_page("cla-foster", as_at.end if as_at else None)
        return len(captured)

    # The read is four queries; the page adds what the measure evidences (actions' use of
    # the catalogue), an entry awaiting approval and the glossary.
    assert (read_cost(), _queries(member_client, url)) == (4, 14)
    foster = catalogue["foster"]
    older = month_ends(130, last=dt.date(2015, 3, 31))
    KPIValue.objects.bulk_create(
        KPIValue(kpi=foster, period_end=d, value=Decimal(50), origin=Origin.ILLUSTRATIVE)
        for d in older + month_ends(13)
    )
    ComparatorValue.objects.bulk_create(
        ComparatorValue(kpi=foster, comparator=kind, period_end=d, value=Decimal(60))
        for d in older
        for kind in ComparatorValue.Comparator
    )
    KPITarget.objects.bulk_create(
        KPITarget(kpi=foster, financial_year=y, value=Decimal(1)) for y in range(2005, 2015)
    )
    # The read is four queries; the page adds what the measure evidences (actions' use of
    # the catalogue), an entry awaiting approval and the glossary.
    assert (read_cost(), _queries(member_client, url)) == (4, 14)
    with django_assert_num_queries(14):
        member_client.get(url)


def test_the_kpi_page_has_a_chart_with_target_and_comparators_and_the_same_data_as_a_table(
    member_client, catalogue
):
    response = member_client.get("/kpis/cla-foster/")
    html = response.content.decode()
    figure = json.loads(
        re.search(
            r'<script id="kpi-figure-data" type="application/json">(.*?)</script>', html, re.S
        ).group(1)
    )
    names = [trace["name"] for trace in figure["data"]]
    assert names == ["Our figure", "Target", "England"]
    assert len(figure["data"][0]["y"]) == 13
    assert 'role="img" aria-label="Line chart of % of CLA placed with foster carers' in html
    assert html.count('<th scope="row" class="govuk-table__header">') >= 13
    assert "68.4%" in html  # England, in the table
    assert "Children looked after placed with foster carers at the month end." in html
    assert 'src="/static/plotly-basic.min.js"' in html
    assert "cdn" not in html.lower()


def test_only_the_chart_page_allows_inline_styles(member_client, catalogue):
    assert "'unsafe-inline'" in member_client.get("/kpis/cla-foster/")["Content-Security-Policy"]
    assert "'unsafe-inline'" not in member_client.get("/kpis/")["Content-Security-Policy"]


def test_a_kpi_page_shows_changes_to_its_values(member_client, catalogue):
    value = KPIValue.objects.filter(kpi=catalogue["foster"]).latest("period_end")
    value.value = Decimal("72.5")
    value.save()
    html = member_client.get("/kpis/cla-foster/").content.decode()
    assert "Value for 31 March 2025 changed" in html
    assert "72.5%" in html


def test_a_kpis_changes_take_three_queries_however_many_there_are(catalogue):
    from kpis.kpi_changes import SHOWN, changes_for_kpi

    def cost():
        with CaptureQueriesContext(connection) as captured:
            changes = changes_for_kpi(catalogue["foster"])
        return len(captured), changes

    few, changes = cost()
    assert few == 3 and changes
    for value in KPIValue.objects.filter(kpi=catalogue["foster"]):
        for step in range(5):
            value.value += step
            value.save()
    many, changes = cost()
    assert many == few and len(changes) == SHOWN
    assert [c.when for c in changes] == sorted((c.when for c in changes), reverse=True)


def test_an_unknown_kpi_is_not_found(member_client, catalogue):
    assert member_client.get("/kpis/no-such-kpi/").status_code == 404


def test_someone_without_a_role_cannot_read_kpis(client, outsider, catalogue):
    client.force_login(outsider)
    assert client.get("/kpis/").status_code == 403
    assert client.get("/kpis/cla-foster/").status_code == 403


def test_the_report_lists_the_kpis_that_evidence_each_objective(
    member_client, catalogue, seed_programme
):
    objective = Objective.objects.get(programme=seed_programme, position=3)
    catalogue["foster"].objectives.add(objective)
    html = member_client.get(
        "/programmes/care-programme-2024-25/report/2024-25-q3/"
    ).content.decode()
    section = html[html.index(f'id="objective-{objective.pk}"') :]
    section = section[: section.index("</section>")]
    assert "Measures that evidence this objective" in section
    assert 'data-kpi="cla-foster"' in section and "app-kpi-why" in section  # the dashboard's line
    assert html.count('<dl class="app-kpi-key">') == 1  # its key once, above the objectives
    assert "Figures as at 31 December 2024, the end of 2024-25 Q3." in section
    assert 'href="/kpis/cla-foster/?as_at=2024-25-q3"' in section
    # December 2024's figure, not March 2025's 72.0%: the report shows the quarter's end.
    assert "69.0%" in section and "December 2024" in section and "Off target" in section
    assert "72.0%" not in section and "March 2025" not in section


def test_the_seed_catalogue_dashboard_shows_every_kpi_at_a_fixed_query_count(
    member_client, seed_programme
):
    from django.core.management import call_command

    call_command("loaddata", "cla_strategy_2022_25", verbosity=0)
    call_command("generate_demo_kpis", months=36, verbosity=0, stdout=io.StringIO())
    values = KPIValue.objects.count()
    small = _queries(member_client, "/kpis/")
    html = member_client.get("/kpis/").content.decode()
    assert len(re.findall(r'data-kpi="', html)) == KPI.objects.count() == 59

    call_command("generate_demo_kpis", months=360, verbosity=0, stdout=io.StringIO())
    assert KPIValue.objects.count() >= 9 * values
    assert _queries(member_client, "/kpis/") == small


def kpi_figure(html):
    found = re.search(
        r'<script id="kpi-figure-data" type="application/json">(.*?)</script>', html, re.S
    )
    return json.loads(found.group(1))


def chart_label(html):
    return re.search(r'data-chart-figure="kpi-figure-data" role="img" aria-label="([^"]+)"', html)[
        1
    ]


def test_the_chart_joins_its_line_across_missing_figures_and_marks_each_missing_period(
    member_client, catalogue
):
    KPIValue.objects.create(
        kpi=catalogue["foster"], period_end=dt.date(2023, 12, 31), value=Decimal(70)
    )
    html = member_client.get("/kpis/cla-foster/").content.decode()
    traces = {trace["name"]: trace for trace in kpi_figure(html)["data"]}
    ours = traces["Our figure"]
    assert ours["y"][:3] == [70.0, None, 60.0]  # December 2023, then the 13 recent months
    # Joined, dotted, from December 2023 to March 2024, in our line's colour...
    bridge = traces["Our figure: joined across periods with no figure"]
    assert bridge["x"] == ["2023-12-31", "2024-03-31", None]
    assert bridge["line"] == {"color": ours["line"]["color"], "dash": "dot", "width": 2}
    # ...and January and February 2024 crossed on the time axis, named as the table names them.
    marks = traces["No figure for our measure (×)"]
    assert marks["x"] == ["2024-01-31", "2024-02-29"]
    assert marks["text"] == ["31 January 2024", "29 February 2024"]
    assert "No figure for 31 January 2024 to 29 February 2024." in chart_label(html)
    assert "A dotted line joins figures across periods with no figure" in html
    # The table is unchanged: one row per figure, none for the missing months.
    assert ">31 December 2023<" in html and ">31 January 2024<" not in html


def test_the_time_axis_and_the_hover_name_periods_as_the_table_does(member_client, catalogue):
    html = member_client.get("/kpis/cla-foster/").content.decode()
    figure = kpi_figure(html)
    axis = figure["layout"]["xaxis"]
    assert axis["ticktext"][-1] == "31 March 2025" and len(axis["ticktext"]) <= 6
    for name in axis["ticktext"]:
        assert f">{name}<" in html  # a row of the table
    assert figure["data"][0]["text"][-1] == "31 March 2025: 72.0%"
    assert figure["layout"]["yaxis"]["ticksuffix"] == "%"


def test_region_and_england_totals_of_a_count_get_a_panel_of_their_own(member_client, catalogue):
    leavers = catalogue["leavers"]
    for kind, value in (("neighbours", 300), ("region", 9_000), ("england", 81_770)):
        ComparatorValue.objects.create(
            kpi=leavers, comparator=kind, period_end=dt.date(2025, 3, 31), value=Decimal(value)
        )
    html = member_client.get("/kpis/care-leavers/").content.decode()
    figure = kpi_figure(html)
    axes = {trace["name"]: trace.get("yaxis", "y") for trace in figure["data"]}
    # The neighbours' mean is one council's scale: on ours. The totals are not.
    assert axes["Our figure"] == axes["Statistical neighbours"] == "y"
    assert axes["North West"] == axes["England"] == "y2"
    assert figure["layout"]["yaxis2"]["title"]["text"] == "Count (total)"
    assert "totals for many councils, so they are drawn in a panel of their own" in (
        chart_label(html)
    )
    assert "81,770" in html  # still in the table


def test_money_reads_as_pounds_with_k_and_m_on_the_axis_and_in_the_hover(member_client, db):
    group = KPIGroup.objects.create(name="Budget", position=1)
    budget = KPI.objects.create(
        code="variance",
        name="Budget variance",
        group=group,
        unit="currency",
        polarity="lower",
        frequency="annual",
        measurement="ytd",
    )
    for year, value in ((2023, 450_000), (2024, 4_531_000)):
        KPIValue.objects.create(kpi=budget, period_end=dt.date(year, 3, 31), value=value)
    html = member_client.get("/kpis/variance/").content.decode()
    figure = kpi_figure(html)
    assert figure["layout"]["yaxis"]["ticktext"] == ["£0", "£1m", "£2m", "£3m", "£4m", "£5m"]
    assert figure["data"][0]["text"] == ["2022-23: £450k", "2023-24: £4.53m"]
    assert "£4,531,000" in html  # the table keeps the exact figure


def test_an_annual_measures_page_says_its_change_since_a_year_before_once(member_client, db):
    from tests.kpi_factories import make_kpi, make_value

    annual = make_kpi("annual-page", frequency="annual", polarity="higher")
    make_value(annual, dt.date(2023, 3, 31), 40)
    make_value(annual, dt.date(2024, 3, 31), 44)

    html = member_client.get("/kpis/annual-page/").content.decode()

    assert (
        html.count("Improving: up 4.0 percentage points from 40.0%, a year before (31 March 2023).")
        == 1
    )
    assert "the previous figure" not in html and "Since the previous figure" not in html
