"""Report families in the browser (issue 24): an administrator makes a board-update template
with an overview of labelled rows (one per objective, then its own) and a SWOT; an officer
drafts a paper from it for a board meeting and fills the overview and the SWOT; a head of
service approves and publishes it, and the published paper shows the overview as a
two-column table and the SWOT as a 2×2 grid. axe on every page, the Nu checker on all."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from actions.models import Committee, Meeting
from tests.browser.conftest import assert_no_axe_violations, sign_in
from tests.browser.test_paper_sign_off_journey import new_page
from tests.conftest import PASSWORD
from tests.paper_factories import set_today

pytestmark = pytest.mark.browser


def land(page, name, *, role="button"):
    with page.expect_navigation() as navigation:
        page.get_by_role(role, name=name, exact=True).click()
    assert_no_axe_violations(page)
    return navigation.value


@pytest.fixture
def board_meeting(transactional_db, monkeypatch):
    set_today(monkeypatch, dt.date(2025, 2, 10))
    board = Committee.objects.create(name="Children's Trust Board", kind=Committee.Kind.BOARD)
    return Meeting.objects.create(committee=board, date=dt.date(2025, 3, 5))


def test_a_board_update_is_templated_drafted_signed_off_and_published_in_the_browser(
    live_server,
    page,
    browser,
    seed_programme,
    board_meeting,
    administrator,
    officer,
    head_of_service,
):
    sign_in(page, live_server, "performance", PASSWORD)
    page.goto(f"{live_server.url}/papers/templates/")
    assert_no_axe_violations(page)
    land(page, "Add a template", role="link")
    page.locator("#id_name").fill("Board update")
    page.locator("#id_title_block").select_option("board_update")
    page.locator("#id_audience").select_option("board")
    page.locator("#id_new-heading").fill("Overview of progress")
    page.locator("#id_new-kind").select_option("labelled_rows")
    assert land(page, "Add the template").status == 400, "labelled rows need labels"
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give the labels of its rows")
    page.locator("#id_new-row_labels").fill("Key challenges ahead")
    page.locator("#id_new-one_row_per_objective").check()
    land(page, "Add the template")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been added")
    page.locator("#id_new-heading").fill("SWOT analysis")
    page.locator("#id_new-kind").select_option("swot")
    land(page, "Save the template")

    olive = new_page(browser)
    sign_in(olive, live_server, "olive", PASSWORD)
    olive.goto(f"{live_server.url}/programmes/{seed_programme.slug}/papers/new/")
    olive.get_by_label("Template", exact=True).select_option(label="Board update")
    olive.get_by_label("Meeting", exact=True).select_option(str(board_meeting.pk))
    olive.get_by_label("Quarter", exact=True).select_option("2024-25-q3")
    olive.get_by_label("Report title", exact=True).fill("Update report to the Board")
    olive.get_by_label("Group reporting (board updates)", exact=True).fill(
        "Staying Safe Strategy Group"
    )
    template_choice = olive.get_by_label("The council's template")
    if template_choice.count():
        template_choice.check()
    land(olive, "Start the draft")
    olive.get_by_label("Key challenges ahead", exact=True).fill("- Recruiting social workers")
    olive.get_by_label("Strengths", exact=True).fill("Active group members\nStrong partnership")
    olive.get_by_label("Threats", exact=True).fill("Reduced budgets")
    land(olive, "Save the draft")
    land(olive, "Submit for approval")

    hannah = new_page(browser)
    sign_in(hannah, live_server, "hannah", PASSWORD)
    hannah.goto(olive.url)
    land(hannah, "Approve")
    land(hannah, "Publish", role="link")
    with hannah.expect_navigation():
        hannah.get_by_role("button", name=re.compile("^Publish")).click()
    assert_no_axe_violations(hannah)
    swot = hannah.locator("table.app-paper__swot")
    expect(swot.locator("tr")).to_have_count(2)
    expect(swot.locator("tr").first.locator("td")).to_have_count(2)
    expect(swot.locator("td").first).to_contain_text("Strengths")
    expect(swot.locator("td").first.locator("ol li")).to_have_text(
        ["Active group members", "Strong partnership"]
    )
    overview = hannah.locator("table.app-paper__rows")
    expect(overview.locator("th", has_text="Key challenges ahead")).to_have_count(1)
    expect(overview).to_contain_text("Recruiting social workers")
    expect(hannah.locator(".app-paper__heading")).to_have_text(
        "Staying Safe Strategy Group Update report to the Board"
    )
