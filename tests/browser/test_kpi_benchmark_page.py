"""A committee member compares a KPI with other councils: two charts, drawn by our own plotly."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import AXE_JS, AXE_TAGS, assert_no_axe_violations, sign_in
from tests.conftest import PASSWORD
from tests.test_kpi_benchmark import URL, kpi, lait  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

BARS = "[data-chart-figure='benchmark-bars-data']"
TREND = "[data-chart-figure='benchmark-trend-data']"


@pytest.fixture
def comparison(transactional_db, kpi):  # noqa: F811
    return kpi


def wait_for_charts(page):
    for chart in (BARS, TREND):
        expect(page.locator(chart).locator(".main-svg").first).to_be_visible()


def test_the_comparison_draws_both_charts_from_our_own_server_and_passes_axe(
    live_server, page, comparison, committee_member
):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    sign_in(page, live_server, "councillor", PASSWORD)
    page.goto(f"{live_server.url}/kpis/{comparison.code}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Compare with other councils").click()
    expect(page).to_have_url(f"{live_server.url}{URL}")
    expect(page.get_by_role("heading", level=1)).to_have_text(comparison.name)
    wait_for_charts(page)
    page.wait_for_load_state("networkidle")

    bars = page.locator(BARS)
    # Twelve areas drawn (Halton's suppressed figure is not), Wirral's label in bold.
    assert bars.evaluate("el => el.data[0].y.length") == 12
    expect(bars.locator(".point")).to_have_count(12)
    expect(bars.locator(".ytick text").filter(has_text="Wirral (this council)")).to_have_count(1)
    expect(page.get_by_role("img", name="Bar chart of Children looked after")).to_be_visible()
    trend = page.locator(TREND)
    # Wirral's line is dotted across its suppressed year, which is crossed on the time axis.
    expect(trend.locator(".legendtext")).to_have_text(
        [
            "Wirral (this council)",
            "No figure for Wirral (×)",
            "Statistical neighbours (mean)",
            "North West (region)",
            "England",
        ]
    )
    expect(trend.locator(".scatterlayer .trace")).to_have_count(6)
    bridge = trend.locator(".scatterlayer .trace").nth(1).locator(".js-line")
    expect(bridge).to_have_attribute("style", re.compile(r"stroke-dasharray: 3px"))
    # The time axis names the periods as the table does (LAIT's own label would be "2025").
    expect(trend.locator(".xtick text").last).to_have_text("31 March 2025")
    expect(page.get_by_role("img", name="Line chart of Children looked after")).to_be_visible()
    expect(page.locator(".modebar, .modebar-btn")).to_have_count(0)
    expect(page.get_by_role("table", name="by area")).to_contain_text("not published")
    expect(page.get_by_role("table", name="since 2016")).to_contain_text("band D")

    own = f"{live_server.url}/"
    elsewhere = [url for url in requests if not url.startswith((own, "data:", "about:", "blob:"))]
    assert not elsewhere, f"requests that leave the machine: {elsewhere}"
    for resource in ("/static/plotly-basic.min.js", "/static/charts.mjs"):
        assert f"{live_server.url}{resource}" in requests, f"{resource} was never requested"
    assert_no_axe_violations(page)


def test_under_the_real_content_security_policy_both_charts_draw_without_errors(
    live_server, browser, comparison, committee_member
):
    """The page fixture bypasses the CSP to inject axe as an inline script; here the real
    policy applies, so axe comes in as an init script (which the CSP does not govern)."""
    context = browser.new_context()
    try:
        context.add_init_script(path=AXE_JS)
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
        response = page.goto(f"{live_server.url}{URL}")
        policy = response.header_value("content-security-policy") or ""
        assert "script-src" in policy, "no CSP sent: this test would prove nothing"
        wait_for_charts(page)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.cspViolations") == []
        assert page.locator(BARS).evaluate("el => el.data[0].x.length") == 12
        assert not problems, problems
        violations = page.evaluate(
            """async (tags) => (await axe.run(document, {
                runOnly: {type: 'tag', values: tags},
            })).violations.map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' '))}`)""",
            AXE_TAGS,
        )
        assert not violations, violations
    finally:
        context.close()
