"""Every KPI figure "as at" a date: the committee report, the dashboard and a KPI's page show
the figures as they stood at a quarter's end, and never a later figure, target, comparator or
rank, however much has arrived since.

The module loads the demo's world once: the seed programme, the CLA strategy catalogue, DfE's
figures from the shipped extract, illustrative history up to last month, and later figures
of our own for every measure of the programme (2025-26 values, targets, comparators, ranks).
"""

import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command

from actions.evidence import evidence_by_objective
from actions.models import Programme
from careprog.periods import ReportingPeriod, financial_year_end, month_end
from kpis import readings as kpi_readings
from kpis.models import KPI, ComparatorValue, KPIRank, KPITarget, KPIValue, Origin
from kpis.rating import format_value
from tests.conftest import SEED_SLUG

Q3 = ReportingPeriod(2024, 3)
END_OF_Q3 = dt.date(2024, 12, 31)
REPORT_Q3 = f"/programmes/{SEED_SLUG}/report/{Q3.slug}/"
IN_CARE, RESIDENTIAL = "cp-children-in-care", "cp-children-in-residential"

# Later figures of our own, each a number that appears nowhere else.
LATER_VALUE_DAYS = (dt.date(2025, 6, 30), dt.date(2026, 3, 31))
LATER_RESIDENTIAL = (dt.date(2025, 3, 1), Decimal(79))  # "at 1 March 2025"
EARLIER_RANK = (dt.date(2024, 3, 31), 40, 153, "B")  # children in care's rank for March 2024


def _later_value(n: int) -> Decimal:
    return Decimal(90001 + n)


def _later_target(n: int) -> Decimal:
    return Decimal(80001 + n)


def _later_comparator(n: int) -> Decimal:
    return Decimal(70001 + n)


def _add_later_figures():
    """A 2025-26 value (two for the measures a quarter can end), target, England comparator
    and rank for every measure of the programme, and a later residential count."""
    kpis = KPI.objects.filter(objectives__programme__slug=SEED_SLUG).distinct().order_by("code")
    for n, kpi in enumerate(kpis):
        days = LATER_VALUE_DAYS if kpi.frequency != KPI.Frequency.ANNUAL else LATER_VALUE_DAYS[1:]
        for m, day in enumerate(days):
            KPIValue.objects.create(
                kpi=kpi, period_end=day, value=_later_value(10 * n + m), origin=Origin.RETURN
            )
            ComparatorValue.objects.create(
                kpi=kpi,
                comparator=ComparatorValue.Comparator.ENGLAND,
                period_end=day,
                value=_later_comparator(10 * n + m),
                origin=Origin.RETURN,
            )
            KPIRank.objects.create(kpi=kpi, period_end=day, rank=151, out_of=153, band="D")
        KPITarget.objects.update_or_create(
            kpi=kpi,
            financial_year=2025,
            defaults={"value": _later_target(n), "origin": Origin.RETURN},
        )
    in_care = KPI.objects.get(code=IN_CARE)
    day, rank, out_of, band = EARLIER_RANK
    KPIRank.objects.create(kpi=in_care, period_end=day, rank=rank, out_of=out_of, band=band)
    day, value = LATER_RESIDENTIAL
    KPIValue.objects.create(
        kpi=KPI.objects.get(code=RESIDENTIAL), period_end=day, value=value, origin=Origin.RETURN
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Loaded once for the module (a few seconds), flushed after it, as test_lait_shipped does."""
    with django_db_blocker.unblock():
        call_command("loaddata", "care_programme_2024_25", "cla_strategy_2022_25", verbosity=0)
        extract = sorted(str(p) for p in (settings.BASE_DIR / "fixtures" / "lait").glob("*"))
        call_command("import_lait", *extract, verbosity=0, stdout=io.StringIO())
        call_command("generate_demo_kpis", verbosity=0, stdout=io.StringIO())
        _add_later_figures()
        yield
        call_command("flush", interactive=False, verbosity=0)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]


def programme_kpis():
    return KPI.objects.filter(objectives__programme__slug=SEED_SLUG).distinct()


def later_texts() -> set[str]:
    """How each later value, target and comparator of ours is printed (the only figures of a
    local return in the world): numbers from 70,001 up, which nothing else prints."""
    texts = set()
    for kpi in programme_kpis():
        ours = {"origin": Origin.RETURN, "value__gt": 70000}
        shown = [
            *kpi.values.filter(period_end__gt=END_OF_Q3, **ours),
            *kpi.targets.filter(financial_year__gt=2024, **ours),
            *kpi.comparator_values.filter(period_end__gt=END_OF_Q3, **ours),
        ]
        texts |= {format_value(f.value, kpi.unit, kpi.decimal_places) for f in shown}
    # Eight measures: two values and comparators for the seven a quarter may end, one for
    # the annual one, and a target each.
    assert len(texts) == 7 * 4 + 2 + 8
    return texts


# Every way the pages name a date or a period (kpis.rating.period_name): "1 February 2025",
# "January 2025", "2024-25 Q1 to Q3" (read as its last quarter's end), "2023-24" (a financial
# year, read as its end), "2023-24 academic year" (to 31 August).
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE_TEXT = re.compile(
    # A day is 1-31: "84 December 2024" is a figure of 84 for December 2024.
    rf"\b(?:(?P<day>[1-9]|[12]\d|3[01]) )?(?P<month>{MONTHS}) (?P<year>\d{{4}})\b"
    r"|\b(?P<fy>\d{4})-(?P<fy2>\d{2})(?: Q(?:1 to Q)?(?P<q>[1-4]))?(?P<academic> academic)?\b"
)


def dates_named(text: str) -> list[dt.date]:
    """Every date or period end that ``text`` names, as words (scripts and tags stripped)."""
    text = re.sub(r"<script.*?</script>", " ", text, flags=re.S)
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))
    found = []
    for match in DATE_TEXT.finditer(words):
        if match["month"]:
            month = dt.datetime.strptime(match["month"], "%B").month
            year = int(match["year"])
            day = int(match["day"]) if match["day"] else month_end(year, month).day
            found.append(dt.date(year, month, day))
        elif match["q"]:
            found.append(ReportingPeriod(int(match["fy"]), int(match["q"])).end)
        elif match["academic"]:
            found.append(dt.date(int(match["fy"]) + 1, 8, 31))
        elif (int(match["fy"]) + 1) % 100 == int(match["fy2"]):
            found.append(financial_year_end(int(match["fy"])))
    return found


def evidence_sections(html: str) -> str:
    return "".join(re.findall(r"<h3[^>]*>Measures that evidence.*?</table>", html, re.S))


# The committee report


def test_the_q3_report_shows_no_measure_dated_after_the_end_of_december_2024(member_client):
    evidence = evidence_sections(member_client.get(REPORT_Q3).content.decode())
    named = dates_named(evidence)
    assert len(named) >= 12  # a period for each measure under each objective, and the caption
    assert max(named) <= END_OF_Q3, sorted(set(named))
    assert not {text for text in later_texts() if text in evidence}
    assert "699" not in evidence and "681" not in evidence  # January and March 2025


def test_the_q3_report_shows_the_figures_that_stood_at_the_end_of_december_2024(member_client):
    evidence = evidence_sections(member_client.get(REPORT_Q3).content.decode())
    lines = re.sub(r"<details.*?</details>", " ", evidence, flags=re.S)  # as seen before "Why"
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", lines))
    for shown in [  # each measure's line: its name, its figure, the figure's period
        "Number of children in care 766 31 March 2024",  # DfE's count at 31 March 2024
        "Placement with parents (PWP) discharges 7 2024-25 Q3",  # in the quarter
        "Foster carers in the first Mockingbird satellite 6 31 December 2024",
        "Juno occupancy rate 63% 2024-25 Q3",
        "budget outturn adverse variance £4,531,000 2023-24",
        # Illustrative, marked; generated near the real level (83 at 1 February 2025).
        "Children in residential provision 84 31 December 2024 Illus. Illustrative",  # tag
    ]:
        assert shown in words
    assert words.count("Figures as at 31 December 2024, the end of 2024-25 Q3.") == 4


def test_the_q3_report_links_each_measure_to_its_page_as_at_the_quarters_end(member_client):
    evidence = evidence_sections(member_client.get(REPORT_Q3).content.decode())
    links = re.findall(r'href="(/kpis/[^"]+)"', evidence)
    assert links and all(link.endswith("/?as_at=2024-25-q3") for link in links)


def test_a_later_import_does_not_change_the_q3_report(member_client):
    before = evidence_sections(member_client.get(REPORT_Q3).content.decode())
    KPIValue.objects.create(
        kpi=KPI.objects.get(code=IN_CARE), period_end=dt.date(2026, 10, 31), value=Decimal(662)
    )
    assert evidence_sections(member_client.get(REPORT_Q3).content.decode()) == before


# The reads


def _by_code(as_at):
    return {r.kpi.code: r for r in kpi_readings.readings(programme_kpis(), as_at=as_at)}


def test_as_at_1_february_2025_the_programme_reads_699_in_care_and_83_in_residential():
    read = _by_code(dt.date(2025, 2, 1))
    in_care, residential = read[IN_CARE], read[RESIDENTIAL]
    assert (in_care.latest.value, in_care.period_text) == (699, "31 January 2025")
    assert (residential.latest.value, residential.period_text) == (83, "1 February 2025")
    # Compared with the figure before; the 2024-25 target is illustrative, and an
    # illustrative target does not rate a real figure.
    assert "the previous figure (31 March 2024)" in in_care.vs_previous.explanation
    assert in_care.target is None and in_care.target_text == "No agreed target"
    assert not in_care.comparators  # DfE publishes at 31 March only
    assert in_care.rank is None  # nor a rank for January 2025


def test_with_later_figures_the_latest_reading_is_the_latest_figure():
    read = _by_code(None)
    assert read[IN_CARE].latest.period_end == dt.date(2026, 3, 31)
    assert read[IN_CARE].rank.rank == 151


def test_as_at_the_end_of_december_2024_neither_699_nor_83_appears():
    read = _by_code(END_OF_Q3)
    for code in (IN_CARE, RESIDENTIAL):
        assert all(v.period_end <= END_OF_Q3 for v in read[code].series)
        # (Invented figures sit near the real level, so one may happen to read 83.)
        real = {v.value for v in read[code].series if not v.is_illustrative}
        assert real.isdisjoint({Decimal(699), Decimal(83)})
    assert (read[IN_CARE].latest.value, read[IN_CARE].period_text) == (766, "31 March 2024")


def test_as_at_a_date_each_reading_takes_the_target_comparators_and_rank_of_its_own_period():
    in_care = _by_code(END_OF_Q3)[IN_CARE]
    assert in_care.target is None  # no 2023-24 target; 2024-25's is not for March 2024
    assert {c.period_end for c in in_care.comparators.values()} == {dt.date(2024, 3, 31)}
    assert in_care.comparators["england"].value == 83530
    assert (in_care.rank.period_end, in_care.rank_text) == (
        dt.date(2024, 3, 31),
        "Ranked 40 of 153, band B",
    )


def test_a_real_figure_still_beats_an_illustrative_one_as_at_a_date():
    pwp = _by_code(END_OF_Q3)["cp-pwp-discharges"]
    assert (pwp.latest.value, pwp.latest.origin) == (7, Origin.PUBLISHED)
    assert [v.period_end for v in pwp.series].count(END_OF_Q3) == 1


def test_a_kpis_page_read_as_at_a_date_holds_nothing_later():
    kpi, reading, comparators, targets = kpi_readings.kpi_for_page(IN_CARE, as_at=END_OF_Q3)
    table = kpi_readings.value_table(reading, comparators, targets)
    assert table[0].period_end == dt.date(2024, 3, 31)
    assert all(row.period_end <= END_OF_Q3 for row in table)
    assert max(c.period_end for c in comparators) <= END_OF_Q3
    assert max(t.financial_year for t in targets) == 2024
    assert reading.rank.rank == 40


def test_evidence_for_a_papers_date_is_as_at_that_date():
    programme = Programme.objects.get(slug=SEED_SLUG)
    evidence = evidence_by_objective(programme, as_at=dt.date(2025, 2, 1))
    latest = {r.kpi.code: r.latest.value for readings in evidence.values() for r in readings}
    assert (latest[IN_CARE], latest[RESIDENTIAL]) == (699, 83)


# The pages


AS_AT_WORDS = "as at 31 December 2024 (end of 2024-25 Q3)"


def _title(html):
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def test_the_dashboard_as_at_q3_says_the_date_and_shows_nothing_later(member_client):
    html = member_client.get("/kpis/", {"as_at": "2024-25-q3"}).content.decode()
    assert AS_AT_WORDS in _title(html) and AS_AT_WORDS in html[html.index("<h1") :]
    assert "Figures are shown as they stood at 31 December 2024, the end of 2024-25 Q3" in html
    assert 'href="?">Show the latest figures</a>' in html
    # The tables; a group's summary quotes the paper's date, 5 March 2025, as its source.
    tables = "".join(re.findall(r"<table.*?</table>", html, re.S))
    assert len(re.findall(r'data-kpi="', tables)) == KPI.objects.count()
    assert max(dates_named(tables)) <= END_OF_Q3
    assert not {text for text in later_texts() if text in tables}
    assert "Ranked 151" not in tables and "Ranked 40 of 153, band B" in tables


def test_the_dashboard_without_a_date_shows_the_later_figures(member_client):
    html = member_client.get("/kpis/").content.decode()
    assert "Ranked 151 of 153, band D" in html and "as they stood" not in html
    assert max(dates_named(html[html.index("app-kpi-group") :])) > END_OF_Q3


def test_the_dashboards_filters_carry_the_date_and_its_links_keep_it(member_client):
    group = KPI.objects.get(code=IN_CARE).group
    html = member_client.get("/kpis/", {"group": group.pk, "as_at": "2024-25-q3"}).content.decode()
    select = html[html.index('<select class="govuk-select app-filter-select" id="as_at"') :]
    select = select[: select.index("</select>")]
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select)
    assert options[0] == ("", "", "Latest figures")
    slugs = [slug for slug, _, _ in options[1:]]
    # From the earliest figure's quarter, but no more than five years back.
    earliest = KPIValue.objects.order_by("period_end").first().period_end
    current = ReportingPeriod.current()
    first = max(
        ReportingPeriod.containing(earliest), ReportingPeriod(current.year - 5, current.quarter)
    )
    assert slugs == [period.slug for period in first.until(current)[::-1]]
    assert ("2024-25-q3", " selected", "31 December 2024 (end of 2024-25 Q3)") in options
    assert f'<option value="{group.pk}" selected>' in html
    links = re.findall(r'href="(/kpis/[a-z0-9-]+/[^"]*)"', html)
    assert links and all(link.endswith("?as_at=2024-25-q3") for link in links)
    assert f'href="?group={group.pk}">Show the latest figures</a>' in html


def test_a_kpis_page_as_at_q3_says_the_date_and_shows_nothing_later(member_client):
    response = member_client.get(f"/kpis/{IN_CARE}/", {"as_at": "2024-25-q3"})
    html = response.content.decode()
    assert AS_AT_WORDS in _title(html) and AS_AT_WORDS in html[html.index("<h1") :]
    assert f'href="/kpis/{IN_CARE}/">Show the latest figures</a>' in html
    # The Changes are the record of edits, whenever made; the page says so.
    page, changes = html.split('<h2 class="govuk-heading-m">Changes</h2>')
    assert "may name figures and targets for periods after 31 December 2024" in changes
    figures = page[page.index("<h1") :]
    # The periods of the figures (a value's source may name the date a paper was published).
    summary = figures[: figures.index("</dl>")]
    periods = re.findall(r'<th scope="row" class="govuk-table__header">([^<]*)</th>', figures)
    assert max(dates_named(summary + " ".join(periods))) <= END_OF_Q3
    assert periods[0] == "31 March 2024"
    targets = figures[figures.index(">Targets</dt>") :]
    assert re.findall(r"<li>(\d{4}-\d{2}):", targets) == ["2024-25"]
    assert not {text for text in later_texts() if text in figures}
    assert "681" not in figures and "699" not in figures and "81,770" not in figures
    assert "Ranked 40 of 153, band B" in figures and "Ranked 151" not in figures
    chart = json.loads(
        re.search(
            r'<script id="kpi-figure-data" type="application/json">(.*?)</script>', html, re.S
        ).group(1)
    )
    days = {x for trace in chart["data"] for x in trace["x"] if x}
    assert days and max(dt.date.fromisoformat(day[:10]) for day in days) <= END_OF_Q3
    breadcrumbs = html[html.index('<nav class="govuk-breadcrumbs"') :]
    breadcrumbs = breadcrumbs[: breadcrumbs.index("</nav>")]
    assert breadcrumbs.count("as_at=2024-25-q3") == 2


NO_QUARTER_SO_FAR = ["2024-26-q3", "junk", "\x00", "2024-25-q5", "9998-99-q4", "2090-91-q1"]


@pytest.mark.parametrize("as_at", NO_QUARTER_SO_FAR)
def test_an_as_at_that_is_no_quarter_so_far_is_not_found_for_a_measure(member_client, as_at):
    response = member_client.get(f"/kpis/{IN_CARE}/", {"as_at": as_at})
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.parametrize("as_at", [*NO_QUARTER_SO_FAR, "1899-00-q4", "0000-01-q4"])
def test_the_dashboard_says_which_quarters_it_offers_and_shows_the_latest_figures(
    member_client, as_at
):
    """The dashboard offers a bounded choice (readings.as_at_periods); anything else asked
    for in the address is explained in an error summary, never a 404 or a 500. (Until
    December 2026 a quarter that named no quarter so far was a 404 here too.)"""
    response = member_client.get("/kpis/", {"as_at": as_at})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "to see the figures as they stood" in html
    assert response.context["as_at"] is None


def test_a_blank_as_at_gives_the_latest_figures(member_client):
    assert member_client.get("/kpis/", {"as_at": ""}).status_code == 200


# What it costs


def _more_history():
    """Ten more years of monthly figures, comparators and ranks for every KPI, before 2015."""
    days = [month_end(year, month) for year in range(2005, 2015) for month in range(1, 13)]
    kpis = list(KPI.objects.all())
    KPIValue.objects.bulk_create(
        KPIValue(kpi=kpi, period_end=day, value=Decimal(50), origin=Origin.ILLUSTRATIVE)
        for kpi in kpis
        for day in days
    )
    ComparatorValue.objects.bulk_create(
        ComparatorValue(kpi=kpi, comparator="england", period_end=day, value=Decimal(60))
        for kpi in kpis
        for day in days
    )
    KPIRank.objects.bulk_create(
        KPIRank(kpi=kpi, period_end=day, rank=1, out_of=150, band="A")
        for kpi in kpis
        for day in days
    )


@pytest.mark.parametrize("size", ["as loaded", "with ten more years"])
@pytest.mark.parametrize("as_at", [None, END_OF_Q3, dt.date(2025, 2, 1)])
def test_the_reads_cost_the_same_with_or_without_a_date(size, as_at, django_assert_num_queries):
    if size != "as loaded":
        _more_history()
    programme = Programme.objects.get(slug=SEED_SLUG)
    with django_assert_num_queries(4):
        kpi_readings.readings(as_at=as_at)
    with django_assert_num_queries(4):
        kpi_readings.kpi_for_page(IN_CARE, as_at=as_at)
    with django_assert_num_queries(5):
        evidence_by_objective(programme, as_at=as_at)
    with django_assert_num_queries(1):
        kpi_readings.as_at_periods()


@pytest.mark.parametrize("size", ["as loaded", "with ten more years"])
def test_the_pages_cost_the_same_with_or_without_a_date(
    member_client, size, django_assert_max_num_queries
):
    if size != "as loaded":
        _more_history()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost(url, query=None):
        with CaptureQueriesContext(connection) as captured:
            assert member_client.get(url, query or {}).status_code == 200
        return len(captured)

    for url in ("/kpis/", f"/kpis/{IN_CARE}/"):
        latest = cost(url)
        assert cost(url, {"as_at": "2024-25-q3"}) == latest
        with django_assert_max_num_queries(latest):
            member_client.get(url, {"as_at": "2023-24-q1"})
