"""A measure's owner enters a figure and its commentary; a head of service returns it with a
comment, the owner corrects it, the head approves it, and a councillor reads it."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kpis.due import period_ends_before
from tests.browser.conftest import assert_no_axe_violations, sign_in
from tests.kpi_factories import make_kpi

pytestmark = pytest.mark.browser

PASSWORD = "a-long-test-password"
COMMENTARY = "Fewer placements because the Pathfinder's KFT panel diverted 12 cases."
RETURN_COMMENT = "Digits swapped? Last month was 62%."


def new_page(browser):
    """Another person's browser: its own cookies. bypass_csp so axe can be injected."""
    return browser.new_context(bypass_csp=True).new_page()


def click_and_land(page, name, *, role="button"):
    with page.expect_navigation() as navigation:
        page.get_by_role(role, name=name, exact=True).click()
    return navigation.value


def test_an_owner_enters_a_figure_a_head_returns_then_approves_it_and_a_councillor_reads_it(
    transactional_db, live_server, page, browser, officer, head_of_service, committee_member
):
    kpi = make_kpi("placements", name="Children placed within 20 miles", owned_by=officer)
    period = period_ends_before(kpi, timezone.localdate(), 1)[0]
    period_text = f"{period:%-d %B %Y}"
    url = live_server.url

    # The owner finds the measure in My measures: this period's figure is due.
    sign_in(page, live_server, "olive", PASSWORD)
    page.goto(f"{url}/kpis/mine/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My measures")
    row = page.get_by_role("row", name=re.compile(kpi.name)).first
    expect(row).to_contain_text(re.compile("Due|Late"))
    assert_no_axe_violations(page)

    page.goto(f"{url}/kpis/placements/")
    page.get_by_role("link", name="Enter a figure").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Enter the figure for {period_text}")
    assert_no_axe_violations(page)

    # A percentage over 100 is explained in an error summary.
    page.get_by_label("Figure (%)").fill("365")
    response = click_and_land(page, "Send for approval")
    assert response.status == 400
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("365% is outside 0 to 100")
    expect(page).to_have_title(re.compile("^Error: "))
    assert_no_axe_violations(page)

    page.get_by_label("Figure (%)").fill("36.5")
    page.get_by_label("Numerator").fill("73")
    page.get_by_label("Denominator").fill("200")
    page.get_by_label("Commentary").fill(COMMENTARY)
    response = click_and_land(page, "Send for approval")
    assert response.status == 200
    expect(page.get_by_role("alert").first).to_contain_text("sent for approval")
    expect(page.locator(".app-entry-value")).to_have_text("36.5% (73 of 200)")
    assert_no_axe_violations(page)

    # The head of service returns it with a comment.
    head = new_page(browser)
    sign_in(head, live_server, "hannah", PASSWORD)
    head.goto(f"{url}/kpis/entries/")
    expect(head.get_by_role("heading", level=1)).to_have_text("Figures awaiting approval")
    assert_no_axe_violations(head)
    head.get_by_role("link", name=kpi.name).click()
    expect(head.locator(".app-entry-commentary")).to_have_text(COMMENTARY)
    assert_no_axe_violations(head)
    response = click_and_land(head, "Return to its owner")
    assert response.status == 400
    expect(head.locator(".govuk-error-summary")).to_contain_text("Enter what needs changing")
    assert_no_axe_violations(head)
    head.get_by_label("What needs changing").fill(RETURN_COMMENT)
    click_and_land(head, "Return to its owner")
    expect(head.get_by_role("alert").first).to_contain_text("returned to its owner")

    # The owner reads the comment in My measures and corrects the figure.
    page.goto(f"{url}/kpis/mine/")
    expect(page.get_by_role("row", name=re.compile(kpi.name)).first).to_contain_text(RETURN_COMMENT)
    page.get_by_role("link", name=re.compile("^View")).first.click()
    page.get_by_role("link", name="Correct the figure and send it again").click()
    expect(page.locator(".app-entry-returned")).to_contain_text(RETURN_COMMENT)
    assert_no_axe_violations(page)
    page.get_by_label("Figure (%)").fill("63.5")
    page.get_by_label("Numerator").fill("127")
    click_and_land(page, "Send for approval")
    expect(page.locator(".app-entry-value")).to_have_text("63.5% (127 of 200)")

    # A councillor sees only that a newer figure awaits approval.
    councillor = new_page(browser)
    sign_in(councillor, live_server, "councillor", PASSWORD)
    councillor.goto(f"{url}/kpis/placements/")
    expect(councillor.locator(".app-kpi-awaiting")).to_have_text(
        f"A newer figure for {period_text} awaits approval."
    )
    expect(councillor.get_by_text("63.5")).to_have_count(0)
    assert_no_axe_violations(councillor)

    # The head approves it; the councillor reads the figure and its commentary.
    head.goto(f"{url}/kpis/entries/")
    head.get_by_role("link", name=kpi.name).click()
    click_and_land(head, "Approve")
    expect(head.get_by_role("alert").first).to_contain_text("approved")
    assert_no_axe_violations(head)

    councillor.reload()
    expect(councillor.locator(".app-kpi-awaiting")).to_have_count(0)
    expect(councillor.locator(".app-kpi-value")).to_contain_text("63.5%")
    expect(councillor.locator(".app-kpi-latest-commentary")).to_contain_text(COMMENTARY)
    assert_no_axe_violations(councillor)
