"""Report families in the browser (issue 24): an administrator makes a board-update template
with an overview of labelled rows (one per objective, then its own), a SWOT and the risks
from the register; an officer drafts a paper from it for a board meeting and fills the
overview and the SWOT; a head of service approves and publishes it, and the published paper
shows the overview as a two-column table, the SWOT as a 2×2 grid and the register's risks as
they stood on its figures date. Then the risk's owner reviews it, and the next paper shows
the review while the published one still shows the score it was published with. axe on
every page, the Nu checker on all.

Dates are real (a meeting a month from today, figures as at today): a review is stamped with
the moment it is made, and the next paper must read the register on or after that day."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from actions.models import Committee, Meeting
from tests.browser.conftest import assert_no_axe_violations, sign_in
from tests.browser.test_paper_sign_off_journey import new_page
from tests.conftest import PASSWORD, seed_action
from tests.risk_factories import make_risk

pytestmark = pytest.mark.browser


def land(page, name, *, role="button"):
    with page.expect_navigation() as navigation:
        page.get_by_role(role, name=name, exact=True).click()
    assert_no_axe_violations(page)
    return navigation.value


@pytest.fixture
def board_meeting(transactional_db):
    board = Committee.objects.create(name="Children's Trust Board", kind=Committee.Kind.BOARD)
    return Meeting.objects.create(
        committee=board, date=timezone.localdate() + dt.timedelta(days=30)
    )


@pytest.fixture
def foster_carers(seed_programme, officer):
    """R1, high (16), owned by the officer who drafts; R2, medium (6)."""
    risk = make_risk(
        seed_programme,
        owner=officer,
        reference="R1",
        title="Too few foster carers",
        residual=(4, 4),
        review_date=timezone.localdate() + dt.timedelta(days=10),
    )
    risk.mitigating_actions.add(seed_action("Introduce a standard Risk Matrix"))
    make_risk(seed_programme, owner=officer, reference="R2", title="Court delays", residual=(2, 3))
    return risk


def risk_score(page, reference):
    """The residual score cell of a risk's row in a paper's risks table."""
    row = page.locator("table.app-paper__risks tbody tr", has_text=f"{reference}:")
    return row.locator("td").nth(1)


def test_a_board_update_is_templated_drafted_signed_off_and_published_in_the_browser(
    live_server,
    page,
    browser,
    seed_programme,
    board_meeting,
    foster_carers,
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
    page.locator("#id_new-heading").fill("Risks to outcome delivery")
    page.locator("#id_new-kind").select_option("risks")
    page.locator("#id_new-numbered").check()
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
    expect(olive.locator("form[data-unsaved-warning]")).to_contain_text(
        "read from the register, not typed here"
    )
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
    expect(hannah.locator("table.app-paper__risks tbody tr").first).to_contain_text(
        "R1: Too few foster carers"
    )
    expect(risk_score(hannah, "R1")).to_contain_text("16 High")
    published = hannah.url

    # The risk's owner reviews it: better now.
    olive.goto(f"{live_server.url}/programmes/{seed_programme.slug}/risks/R1/")
    assert_no_axe_violations(olive)
    land(olive, "Review this risk", role="link")
    olive.get_by_label("Residual likelihood now").select_option("2")
    olive.get_by_label("What has changed since the last review").fill("Ten new carers approved")
    olive.get_by_label("Next review due").fill(
        f"{timezone.localdate() + dt.timedelta(days=90):%d/%m/%Y}"
    )
    land(olive, "Record the review")
    expect(olive.locator(".govuk-notification-banner")).to_contain_text("Your review of risk R1")

    # The next paper reads the register as at its own date; the published one is the record.
    olive.goto(f"{live_server.url}/programmes/{seed_programme.slug}/papers/new/")
    assert_no_axe_violations(olive)
    olive.get_by_label("Meeting", exact=True).select_option(str(board_meeting.pk))
    olive.get_by_label("Quarter", exact=True).select_option("2024-25-q4")
    olive.get_by_label("Group reporting (board updates)", exact=True).fill(
        "Staying Safe Strategy Group"
    )
    land(olive, "Start the draft")
    land(olive, "Save the draft")
    expect(risk_score(olive, "R1")).to_contain_text("8 Medium")
    risk_row = olive.locator("table.app-paper__risks tbody tr", has_text="R1:")
    expect(risk_row).to_contain_text("Improving")
    expect(olive.locator("table.app-paper__risks tbody tr").first).to_contain_text("R1:")

    hannah.goto(published)
    assert_no_axe_violations(hannah)
    expect(risk_score(hannah, "R1")).to_contain_text("16 High")
    expect(hannah.locator("table.app-paper__risks")).not_to_contain_text("Improving")
