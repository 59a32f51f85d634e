"""A committee member reads the KPI dashboard, a KPI's chart and the measures in the report."""

import datetime as dt
import io
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.serializers.base import DeserializationError
from playwright.sync_api import expect

from actions.evidence import evidence_by_objective
from actions.models import Objective
from kpis import readings as kpi_readings
from kpis.dashboard_rows import KPILine
from kpis.models import KPI, ComparatorValue, KPIGroup, KPIValue
from kpis.rating import RAG
from tests.browser.conftest import assert_no_axe_violations, sign_in
from tests.kpi_factories import make_catalogue, make_kpi

pytestmark = pytest.mark.browser

PASSWORD = "a-long-test-password"
Q3_REPORT = "/programmes/care-programme-2024-25/report/2024-25-q3/"
# A local measure of the strategy (DfE publishes nothing for it): the demo gives it an
# illustrative history, target and comparators. (A measure with a real figure, such as the
# Care Programme's Juno occupancy, draws its real figures only.)
CHART_KPI = "cla-sdq-completed"
CHART = "[data-chart-figure]"
NO_DATA = "No data yet for this measure."
DESKTOP, TABLET, PHONE = 1280, 768, 375
TALLEST_DESKTOP_PAGE = 4000  # px: the seed catalogue's 59 measures, read at a glance


@pytest.fixture
def catalogue(transactional_db, seed_programme):
    """The Care Programme (with its headline measures) and the strategy's catalogue.

    Falls back to a factory-made catalogue while the strategy's fixture is unfinished.
    """
    try:
        call_command("loaddata", "cla_strategy_2022_25", verbosity=0)
    except (CommandError, DeserializationError):
        make_catalogue(24)
    return seed_programme


@pytest.fixture
def demo_data(catalogue):
    """Illustrative values, targets and comparators for every KPI."""
    call_command("generate_demo_kpis", stdout=io.StringIO())
    return catalogue


@pytest.fixture
def dfe_and_demo_data(catalogue):
    """The catalogue as a new user meets it (`setup_demo`): DfE's figures from the shipped
    extract, then illustrative history for the measures no public source covers."""
    extract = sorted(str(path) for path in (settings.BASE_DIR / "fixtures" / "lait").glob("*"))
    call_command("import_lait", *extract, verbosity=0, stdout=io.StringIO())
    call_command("generate_demo_kpis", stdout=io.StringIO())
    return catalogue


def follow(page, locator):
    """Clicks and waits for the next page to load, so it is read whole, not mid-parse."""
    with page.expect_navigation():
        locator.click()


def open_kpi_dashboard(page):
    follow(page, page.get_by_role("navigation", name="Menu").get_by_role("link", name="KPIs"))
    expect(page.get_by_role("heading", level=1)).to_have_text("KPI dashboard")


def dashboard_rows(page):
    """What each row shows, read in one round trip: {code: {...}}."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('tr[data-kpi]')].map(row => {
            const tag = row.querySelector('.app-rag');
            const shape = tag && tag.querySelector('.app-rag__shape');
            const svg = row.querySelector('svg.app-sparkline');
            const line = svg && svg.querySelector('polyline');
            const box = svg && svg.getBoundingClientRect();
            const alt = svg && svg.nextElementSibling;
            return [row.dataset.kpi, {
                tag: tag && tag.textContent.replace(/\\s+/g, ' ').trim(),
                shape: shape && shape.textContent.trim(),
                shapeHidden: shape && shape.getAttribute('aria-hidden'),
                points: line ? line.getAttribute('points').trim().split(/\\s+/).length : 0,
                drawn: !!box && box.width > 0 && box.height > 0
                    && getComputedStyle(line).stroke !== 'none',
                svgHidden: svg && svg.getAttribute('aria-hidden'),
                alt: alt && alt.classList.contains('govuk-visually-hidden')
                    ? alt.textContent.trim() : null,
                text: row.textContent.replace(/\\s+/g, ' ').trim(),
            }];
        }))"""
    )


def assert_landmark_names_unique(page):
    """axe's best-practice rule, beyond the WCAG tags: a group's <section> and its table's
    scroll region are both landmarks, so each needs its own name in a landmark list.
    Call after assert_no_axe_violations, which loads axe."""
    repeated = page.evaluate(
        """async () => (await axe.run(document, {
            runOnly: {type: 'rule', values: ['landmark-unique']},
        })).violations.flatMap(v => v.nodes.map(n => n.target.join(' ')))"""
    )
    assert not repeated, f"landmarks sharing a name: {repeated}"


def assert_rows_show_their_ratings_and_trends(rows, readings):
    problems = []
    for reading in readings:
        row, code = rows[reading.kpi.code], reading.kpi.code
        if not reading.latest:
            if NO_DATA not in row["text"]:
                problems.append(f"{code}: no data, but the row does not say so")
            continue
        rag = reading.rating.rag
        if row["tag"] != f"{rag.shape} {rag.label}" or row["shape"] != rag.shape:
            problems.append(f"{code}: rating {row['tag']!r}, expected {rag.shape} {rag.label}")
        if row["shapeHidden"] != "true":
            problems.append(f"{code}: the rating's shape is read out as well as its words")
        if len(reading.trend) >= 2:
            if not (row["drawn"] and row["points"] == len(reading.trend)):
                problems.append(f"{code}: sparkline {row['points']} points, drawn={row['drawn']}")
            if row["svgHidden"] != "true" or not (row["alt"] or "").startswith("Trend over"):
                problems.append(f"{code}: sparkline text alternative {row['alt']!r}")
        elif "Not enough figures for a trend" not in row["text"]:
            problems.append(f"{code}: one figure, but the row does not say there is no trend")
    assert not problems, "\n".join(problems)


def test_a_committee_member_reads_every_kpi_on_the_dashboard_and_filters_by_rating(
    live_server, page, demo_data, committee_member
):
    sign_in(page, live_server, "councillor", PASSWORD)
    open_kpi_dashboard(page)
    expect(page).to_have_url(f"{live_server.url}/kpis/")

    readings = kpi_readings.readings()
    assert len(readings) == KPI.objects.count()
    rows = dashboard_rows(page)
    assert list(rows) == [r.kpi.code for r in readings]  # every KPI once, in catalogue order
    expect(page.locator("section.app-kpi-group")).to_have_count(
        KPIGroup.objects.filter(kpis__isnull=False).distinct().count()
    )
    assert_rows_show_their_ratings_and_trends(rows, readings)
    rated = {r.rating.rag for r in readings if r.latest and r.rating.rag is not RAG.NONE}
    assert len(rated) >= 2, f"the demo data rates too few ways to test: {rated}"
    assert_no_axe_violations(page)
    assert_landmark_names_unique(page)

    # The rarest rating present, so the filter visibly drops rows.
    chosen = min(rated, key=lambda rag: sum(r.rating.rag is rag for r in readings))
    expected = [r.kpi.code for r in readings if r.rating.rag is chosen]
    page.get_by_label("Rating", exact=True).select_option(label=chosen.label)
    follow(page, page.get_by_role("button", name="Apply filters"))
    expect(page).to_have_url(re.compile(rf"[?&]rag={chosen.key}(&|$)"))
    expect(page.locator("tr[data-kpi]")).to_have_count(len(expected))
    expect(page.get_by_label("Rating", exact=True)).to_have_value(
        chosen.key
    )  # the filter stays visible
    rows = dashboard_rows(page)
    assert list(rows) == expected
    wrong = {
        code: row["tag"]
        for code, row in rows.items()
        if row["tag"] != f"{chosen.shape} {chosen.label}"
    }
    assert not wrong, f"rows with another rating under the {chosen.label} filter: {wrong}"
    expect(page.locator(".app-counts__item").first).to_have_text(f"{len(expected)} measures shown")
    assert_no_axe_violations(page)


def luminance(colour):
    """WCAG relative luminance of a "#rrggbb" colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one, other):
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def chart_expectations(code):
    kpi = KPI.objects.get(code=code)
    real = KPIValue.objects.filter(kpi=kpi).real()
    drawn = real if real.exists() else KPIValue.objects.filter(kpi=kpi)  # honest_series
    values = set(drawn.values_list("period_end", flat=True))
    compared = set(ComparatorValue.objects.filter(kpi=kpi).values_list("period_end", flat=True))
    assert kpi.targets.exists() and compared, "the chart needs a target and comparators"
    return kpi, len(values), len(values | compared)


def wait_for_chart(page):
    chart = page.locator(CHART)
    expect(chart.locator(".main-svg").first).to_be_visible()
    return chart


def test_a_kpis_chart_draws_with_its_target_and_comparators_beside_a_table_of_every_figure(
    live_server, page, demo_data, committee_member
):
    kpi, figures, periods = chart_expectations(CHART_KPI)
    sign_in(page, live_server, "councillor", PASSWORD)
    page.goto(f"{live_server.url}/kpis/{kpi.code}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(kpi.name)

    chart = wait_for_chart(page)
    expect(
        page.get_by_role("img", name=re.compile(rf"^Line chart of {re.escape(kpi.name)}"))
    ).to_be_visible()
    expect(chart).to_have_attribute("aria-label", re.compile(r"with its target and comparators"))
    expect(chart.locator(".legendtext")).to_have_text(
        ["Our figure", "Target", "Statistical neighbours", "North West", "England"]
    )
    assert chart.evaluate("el => el.data[0].x.filter(x => x !== null).length") == figures
    expect(chart.locator(".scatterlayer .trace")).to_have_count(5)
    # axe does not check graphics: each line needs 3:1 against the plot (WCAG 1.4.11).
    colours = chart.evaluate("el => [el.layout.plot_bgcolor, el.data.map(t => t.line.color)]")
    faint = {
        c: round(contrast(c, colours[0]), 2) for c in colours[1] if contrast(c, colours[0]) < 3
    }
    assert not faint, f"chart lines too faint against {colours[0]}: {faint}"
    # plotly shows its modebar on hover, when it has one: hover over the recent figures.
    plot = chart.locator(".nsewdrag")
    box = plot.bounding_box()
    plot.hover(position={"x": box["width"] * 0.98, "y": box["height"] / 2})
    expect(chart.locator(".modebar, .modebar-btn")).to_have_count(0)
    page.mouse.move(0, 0)
    expect(page.locator("table.app-kpi-figures tbody tr")).to_have_count(periods)
    expect(page.get_by_text("Illustrative", exact=True).first).to_be_visible()
    assert_no_axe_violations(page)


def test_under_the_real_content_security_policy_the_chart_draws_without_errors(
    live_server, browser, demo_data, committee_member
):
    """The other tests bypass the CSP to inject axe; plotly.js must draw without that."""
    kpi, figures, _ = chart_expectations(CHART_KPI)
    context = browser.new_context()
    try:
        page = context.new_page()
        problems = []
        page.on("console", lambda message: problems.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.add_init_script(
            """window.cspViolations = [];
            document.addEventListener('securitypolicyviolation', event =>
                window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`));"""
        )
        sign_in(page, live_server, "councillor", PASSWORD)
        for url in ("/kpis/", f"/kpis/{kpi.code}/"):
            response = page.goto(f"{live_server.url}{url}")
            policy = response.header_value("content-security-policy") or ""
            assert "script-src" in policy, f"{url} sent no CSP: this test would prove nothing"
            page.wait_for_load_state("networkidle")
            assert page.evaluate("window.cspViolations") == [], url
        chart = wait_for_chart(page)
        assert chart.evaluate("el => el.data[0].x.filter(x => x !== null).length") == figures
        expect(chart.locator(".legendtext")).to_have_count(5)
        assert not problems, problems
    finally:
        context.close()


def test_no_page_fetches_anything_from_another_site(live_server, page, demo_data, committee_member):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    sign_in(page, live_server, "councillor", PASSWORD)
    for url in ("/kpis/", f"/kpis/{CHART_KPI}/", Q3_REPORT):
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("networkidle")
        if url.startswith("/kpis/cp-"):
            wait_for_chart(page)

    own = f"{live_server.url}/"
    elsewhere = [url for url in requests if not url.startswith((own, "data:", "about:", "blob:"))]
    assert not elsewhere, f"requests that leave the machine: {elsewhere}"
    # The recording saw the page's own resources, so an empty list above means something.
    for resource in ("/static/careprog.css", "/static/plotly-basic.min.js", "/static/charts.mjs"):
        assert f"{live_server.url}{resource}" in requests, f"{resource} was never requested"


def test_the_report_lists_the_measures_that_evidence_each_objective_with_links_to_them(
    live_server, page, catalogue, committee_member
):
    linked = {
        objective: list(objective.kpis.order_by("group__position", "position", "code"))
        for objective in Objective.objects.filter(programme=catalogue).order_by("position")
    }
    assert sum(map(len, linked.values())) >= 2, "the seed links too few KPIs to objectives"
    evidence = evidence_by_objective(catalogue, as_at=dt.date(2024, 12, 31))

    sign_in(page, live_server, "councillor", PASSWORD)
    page.goto(f"{live_server.url}{Q3_REPORT}")
    headings = page.get_by_role("heading", name="Measures that evidence this objective", level=3)
    expect(headings).to_have_count(sum(1 for kpis in linked.values() if kpis))
    expect(page.locator(".app-kpi-key")).to_have_count(1)  # once, above the objectives
    for objective, kpis in linked.items():
        links = page.locator(f"#objective-{objective.pk} .app-evidence a")
        expect(links, objective.title).to_have_text([kpi.name for kpi in kpis])
        # The dashboard's line: a rating's tag on it, its sentences behind "Why".
        lines = page.locator(f"#objective-{objective.pk} .app-evidence tr[data-kpi]")
        expect(lines).to_have_count(len(kpis))
        with_figures = [r for r in evidence[objective.pk] if r.latest]
        expect(lines.locator(".app-rag")).to_have_count(len(with_figures))
        expect(lines.locator("details.app-kpi-why")).to_have_count(len(with_figures))
        for link, kpi in zip(links.all(), kpis, strict=True):
            # Each measure's page as at the quarter's end, as the report shows it.
            expect(link).to_have_attribute("href", f"/kpis/{kpi.code}/?as_at=2024-25-q3")
    assert_no_axe_violations(page)

    # A headline measure with only its published figures: a chart of real data alone.
    measure = KPI.objects.get(code="cp-juno-occupancy")
    link = page.locator(".app-evidence").get_by_role("link", name=measure.name, exact=True)
    follow(page, link.first)
    expect(page).to_have_url(f"{live_server.url}/kpis/{measure.code}/?as_at=2024-25-q3")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{measure.name} as at 31 December 2024 (end of 2024-25 Q3)"
    )
    wait_for_chart(page)
    expect(page.locator("table.app-kpi-figures tbody tr")).to_have_count(
        KPIValue.objects.filter(kpi=measure, period_end__lte=dt.date(2024, 12, 31)).count()
    )
    expect(page.get_by_text("Illustrative", exact=True)).to_have_count(0)
    assert_no_axe_violations(page)


def test_a_kpi_without_data_says_so_on_the_dashboard_and_its_page_has_no_chart(
    live_server, page, demo_data, committee_member
):
    group = KPIGroup.objects.order_by("position").first()
    kpi = make_kpi("cla-new-measure", name="CLA new measure", group=group, position=99)

    sign_in(page, live_server, "councillor", PASSWORD)
    page.goto(f"{live_server.url}/kpis/?group={group.pk}")
    row = page.locator(f"tr[data-kpi='{kpi.code}']")
    expect(row).to_contain_text(NO_DATA)
    expect(row.locator("svg, .app-rag")).to_have_count(0)
    assert_no_axe_violations(page)

    row.get_by_role("link", name=kpi.name).click()
    expect(page).to_have_url(f"{live_server.url}/kpis/{kpi.code}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(kpi.name)
    expect(page.get_by_text(NO_DATA)).to_be_visible()
    expect(page.locator(f"{CHART}, .js-plotly-plot, script[src*='plotly']")).to_have_count(0)
    expect(page.locator("table.app-kpi-figures")).to_have_count(0)
    assert_no_axe_violations(page)


def test_on_a_phone_a_kpis_chart_fits_and_its_figures_table_scrolls_from_the_keyboard(
    live_server, page, demo_data, committee_member
):
    """At desktop width the figures table fits, so only a narrow screen tests its region."""
    page.set_viewport_size({"width": PHONE, "height": 700})
    sign_in(page, live_server, "councillor", PASSWORD)
    page.goto(f"{live_server.url}/kpis/{CHART_KPI}/")
    chart = wait_for_chart(page)
    width = page.evaluate("document.documentElement.clientWidth")
    assert chart.locator(".main-svg").first.bounding_box()["width"] <= width
    figures = page.get_by_role("region", name=re.compile(r"^Figures for "))
    assert figures.evaluate("el => el.scrollWidth > el.clientWidth"), "the table fits: no test"
    assert_no_axe_violations(page)
    figures.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("el => el.scrollLeft > 0", arg=figures.element_handle())


# Each measure's figure, target and rating, wherever its line puts them: what a reader of the
# line must see without scrolling sideways (rows without a figure say so in one cell instead).
LINE_PARTS = {
    "figure": ".app-kpi-value",
    "target": ".app-kpi-table__target",
    "rating": ".app-rag",
}
OFF_SCREEN = """(parts) => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('tr[data-kpi]')]
    .filter(row => !row.querySelector('.app-no-data'))
    .flatMap(row => Object.entries(parts).flatMap(([part, selector]) => {
      const el = row.querySelector(selector);
      if (!el) return [`${row.dataset.kpi}: no ${part}`];
      const box = el.getBoundingClientRect();
      const seen = el.checkVisibility({opacityProperty: true, visibilityProperty: true})
        && box.width > 0 && box.height > 0 && box.left >= 0 && box.right <= width;
      return seen ? [] : [`${row.dataset.kpi}: ${part} at ${Math.round(box.left)}` +
        `..${Math.round(box.right)} px`];
    }));
}"""
# The measures' regions that hold more than they show: a reader would have to scroll them.
SCROLLING_REGIONS = """() => [...document.querySelectorAll('.app-kpi-lines')]
  .filter(region => region.scrollWidth > region.clientWidth)
  .map(region => region.getAttribute('aria-labelledby'))"""


def test_on_a_phone_each_measures_figure_target_and_rating_are_on_the_screen(
    live_server, page, dfe_and_demo_data, committee_member
):
    """A stacked line per measure at 375 px: the name, then its figure, target and rating;
    from a tablet up, the table with its column headers, as before."""
    sign_in(page, live_server, "councillor", PASSWORD)
    page.set_viewport_size({"width": PHONE, "height": 800})
    page.goto(f"{live_server.url}/kpis/")
    rows = page.locator("tr[data-kpi]")
    expect(rows).to_have_count(KPI.objects.count())
    assert page.locator("tr[data-kpi]:has(.app-kpi-value)").count() > 40, "too few figures"
    assert page.evaluate(OFF_SCREEN, LINE_PARTS) == []
    assert page.evaluate(SCROLLING_REGIONS) == []
    assert page.evaluate("document.documentElement.scrollWidth") == PHONE
    # The target says what it is: its column's header is hidden on a phone.
    target = rows.first.locator(".app-kpi-table__target")
    assert target.evaluate("el => getComputedStyle(el, '::before').content") == '"Target: "'
    # The name heads its line, the figure under it.
    name = rows.first.locator(".app-kpi-table__name").bounding_box()
    figure = rows.first.locator(".app-kpi-value").bounding_box()
    assert figure["y"] >= name["y"] + name["height"] - 1
    assert_no_axe_violations(page)

    page.set_viewport_size({"width": TABLET, "height": 800})
    expect(page.get_by_role("columnheader", name="Target").first).to_be_visible()
    assert page.evaluate(SCROLLING_REGIONS), "at 768 px the tables scroll in their regions"
    assert page.evaluate("document.documentElement.scrollWidth") == TABLET


def test_a_counts_chart_joins_missing_months_keeps_totals_apart_and_money_reads_in_pounds(
    live_server, page, transactional_db, committee_member
):
    """The councillor's complaints: scattered dots, 681 beside 81,770, and "4M"."""
    in_care = make_kpi("in-care", name="Children in care", unit="count", polarity="lower")
    for end, value in ((dt.date(2024, 10, 31), 700), (dt.date(2025, 1, 31), 699)):
        KPIValue.objects.create(kpi=in_care, period_end=end, value=value)
    for kind, value in (("neighbours", 650), ("region", 9_100), ("england", 81_770)):
        ComparatorValue.objects.create(
            kpi=in_care, comparator=kind, period_end=dt.date(2025, 1, 31), value=value
        )
    budget = make_kpi(
        "variance", name="Budget variance", unit="currency", polarity="lower", frequency="annual",
        measurement="ytd",
    )  # fmt: skip
    KPIValue.objects.create(kpi=budget, period_end=dt.date(2024, 3, 31), value=4_531_000)
    sign_in(page, live_server, "councillor", PASSWORD)

    page.goto(f"{live_server.url}/kpis/in-care/")
    chart = wait_for_chart(page)
    expect(chart.locator(".legendtext")).to_have_text(
        ["Our figure", "No figure for our measure (×)", "Statistical neighbours", "North West",
         "England"]
    )  # fmt: skip
    # November and December 2024 are crossed on the time axis and named in the description.
    expect(chart).to_have_attribute(
        "aria-label", re.compile(r"No figure for 30 November 2024 to 31 December 2024\.")
    )
    # Two panels: ours (with the neighbours' mean) and the region's and England's totals,
    # sharing the time axis under the second, its periods named as the table names them.
    expect(chart.locator(".x2tick text").last).to_have_text("31 January 2025")
    expect(chart.locator(".subplot.x2y2")).to_have_count(1)
    expect(chart.get_by_text("The region and England: totals, on their own scale")).to_be_visible()
    expect(page.locator("table.app-kpi-figures tbody tr")).to_have_count(2)
    assert_no_axe_violations(page)

    page.goto(f"{live_server.url}/kpis/variance/")
    chart = wait_for_chart(page)
    expect(chart.locator(".ytick text").filter(has_text="£4m")).to_have_count(1)
    expect(chart.locator(".ytick text").filter(has_text=re.compile(r"\dM"))).to_have_count(0)
    expect(page.locator("table.app-kpi-figures")).to_contain_text("£4,531,000")
    assert_no_axe_violations(page)


def page_size(page):
    return page.evaluate(
        """() => ({height: document.documentElement.scrollHeight,
                  width: document.documentElement.scrollWidth,
                  rows: [...document.querySelectorAll('tr[data-kpi]')]
                      .map(row => row.getBoundingClientRect().height)})"""
    )


def test_the_seed_dashboard_is_read_at_a_glance_on_a_desktop_a_tablet_and_a_phone(
    live_server, page, dfe_and_demo_data, committee_member
):
    sign_in(page, live_server, "councillor", PASSWORD)
    for width in (DESKTOP, TABLET, PHONE):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/kpis/")
        size = page_size(page)
        print(f"\nKPI dashboard at {width}px: {size['height']}px tall")
        assert len(size["rows"]) == KPI.objects.count() == 59
        # Only a table's own region may scroll sideways, never the page.
        assert size["width"] == width, f"the page is {size['width']}px wide at {width}px"
        if width == DESKTOP:
            assert size["height"] < TALLEST_DESKTOP_PAGE, f"{size['height']}px tall"
            one_line = sorted(size["rows"])[len(size["rows"]) // 2]
            # A long name may wrap once in its column; the rest of the line stays one line.
            assert one_line < 48, f"the median line is {one_line}px tall"
            assert max(size["rows"]) < 3 * one_line, "a line wraps onto more than three"
        assert_no_axe_violations(page)
        assert_landmark_names_unique(page)


def test_the_key_explains_the_symbols_once_and_why_opens_a_lines_sentences(
    live_server, page, dfe_and_demo_data, committee_member
):
    readings = kpi_readings.readings()
    reading = next(r for r in readings if r.latest and r.rating.rag is not RAG.NONE)
    sign_in(page, live_server, "councillor", PASSWORD)
    page.set_viewport_size({"width": DESKTOP, "height": 900})
    page.goto(f"{live_server.url}/kpis/")

    key = page.locator(".app-kpi-key")
    expect(key).to_have_count(1)
    for symbol in ["●", "▲", "■", "○", "↑", "↓", "→", "↕", "–", "Illustrative"]:
        expect(key).to_contain_text(symbol)
    expect(key).to_contain_text("band A is the best quarter of councils, D the worst")

    row = page.locator(f"tr[data-kpi='{reading.kpi.code}']")
    explanation = row.get_by_text(reading.rating.explanation, exact=True)
    expect(explanation).to_be_hidden()
    why = row.locator("summary")
    expect(why).to_have_accessible_name(
        f"Why {reading.kpi.name} is rated {reading.rating.rag.label.lower()}"
    )
    expect(why).to_have_text(re.compile(r"^Why"))
    why.focus()
    page.keyboard.press("Enter")  # a keyboard opens it as a mouse would
    expect(explanation).to_be_visible()
    # Each sentence on travel once: one, when the previous figure is the year before's.
    for travel in KPILine(reading, None).directions:
        expect(row.get_by_text(travel.explanation, exact=True)).to_be_visible()
    assert_no_axe_violations(page)


def test_a_committee_member_lists_the_worsening_measures_worst_band_first(
    live_server, page, dfe_and_demo_data, committee_member
):
    readings = kpi_readings.readings()
    worsening = [r for r in readings if r.vs_previous and r.vs_previous.travel.key == "worsening"]
    bands = "DCBA"
    expected = [
        r.kpi.code
        for r in sorted(worsening, key=lambda r: bands.index(r.rank.band) if r.rank else 4)
    ]
    assert any(r.rank for r in worsening) and len(expected) >= 2, "too little to sort"

    sign_in(page, live_server, "councillor", PASSWORD)
    open_kpi_dashboard(page)
    page.get_by_label("Direction", exact=True).select_option(label="Worsening")
    page.get_by_label("Sort by", exact=True).select_option(label="Band, worst first")
    follow(page, page.get_by_role("button", name="Apply filters"))

    expect(page).to_have_url(re.compile(r"direction=worsening.*sort=band|sort=band.*direction="))
    expect(page.get_by_role("heading", name="Measures by band, worst first")).to_be_visible()
    assert list(dashboard_rows(page)) == expected
    expect(page.get_by_label("Direction", exact=True)).to_have_value("worsening")
    expect(page.get_by_label("Sort by", exact=True)).to_have_value("band")
    assert_no_axe_violations(page)
    assert_landmark_names_unique(page)
