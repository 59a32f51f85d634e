"""Officers keep their actions' quarterly updates current; committee members only read them."""

import re

import pytest
from playwright.sync_api import expect

from actions.models import Action, Status, Update
from careprog.periods import ReportingPeriod
from tests.browser.conftest import assert_no_axe_violations, sign_in
from tests.conftest import RISK_MATRIX, seed_action

pytestmark = pytest.mark.browser

PASSWORD = "a-long-test-password"
Q3_REPORT = "/programmes/care-programme-2024-25/report/2024-25-q3/"
Q4_REPORT = "/programmes/care-programme-2024-25/report/2024-25-q4/"
Q4 = ReportingPeriod(2024, 4)
SAVED = "Your update for 2024-25 Q4 has been saved."
CONFLICT = "Someone else changed this action while you were writing"


@pytest.fixture
def action(officer_actions):
    """One the officer leads, with a Q3 update from the seed and none yet for Q4."""
    return seed_action(RISK_MATRIX)


def new_page(browser):
    """A second browser context: its own cookies, as another person or another tab would be.

    bypass_csp as in the `page` fixture, so axe can be injected. Close its context.
    """
    return browser.new_context(bypass_csp=True).new_page()


def status_radio(page, label):
    # exact: "At risk" is also a substring of the "Why is it at risk or off track?" label.
    return page.get_by_role("radio", name=label, exact=True)


def field(page, label):
    return page.get_by_label(label, exact=True)


def save(page, button="Save update"):
    """Submits the update form and returns the response the browser landed on."""
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=button).click()
    return navigation.value


def updates_section(page):
    """The "Updates" heading's list: everything between it and the "Changes" heading."""
    return page.locator(
        "xpath=//h2[normalize-space()='Updates']/following-sibling::*"
        "[following-sibling::h2[normalize-space()='Changes']]"
    )


def test_an_officer_reports_an_action_at_risk_and_the_committee_reads_it_in_the_q4_report(
    transactional_db, live_server, page, browser, action, committee_member
):
    sign_in(page, live_server, "olive", PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="My actions").click()
    expect(page).to_have_url(f"{live_server.url}/actions/mine/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My actions")
    assert_no_axe_violations(page)

    page.get_by_role("link", name=action.title, exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/actions/{action.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(action.title)
    expect(page.get_by_role("heading", name="Add the update for 2024-25 Q4")).to_be_visible()
    assert_no_axe_violations(page)

    status_radio(page, "At risk").check()
    field(page, "Update").fill("Training delayed by staff absence")
    field(page, "Why is it at risk or off track?").fill("Two trainers off sick")
    field(page, "What is being done about it, and by when?").fill(
        "Agency trainer booked for February"
    )
    response = save(page)
    assert response.status == 200  # after the redirect
    expect(page).to_have_url(f"{live_server.url}/actions/{action.pk}/")
    expect(page.get_by_role("alert")).to_contain_text(SAVED)
    updates = updates_section(page)
    expect(updates.first).to_contain_text("2024-25 Q4")
    expect(updates.first).to_contain_text("Training delayed by staff absence")
    assert_no_axe_violations(page)

    committee = new_page(browser)
    try:
        sign_in(committee, live_server, "councillor", PASSWORD)
        committee.goto(f"{live_server.url}{Q4_REPORT}")
        expect(committee.get_by_role("heading", level=1)).to_have_text(
            "Report on progress: 2024-25 Q4"
        )
        cell = committee.locator(f"td[data-action-id='{action.pk}']")
        expect(cell).to_contain_text("At risk")
        expect(cell).to_contain_text("Training delayed by staff absence")
        expect(cell).to_contain_text("Reason: Two trainers off sick")
        expect(cell).to_contain_text("Next step: Agency trainer booked for February")
        assert_no_axe_violations(committee)
    finally:
        committee.context.close()


def test_an_at_risk_update_without_text_or_reason_is_explained_and_each_error_leads_to_its_field(
    transactional_db, live_server, page, action
):
    sign_in(page, live_server, "olive", PASSWORD)
    page.goto(f"{live_server.url}/actions/{action.pk}/")
    status_radio(page, "At risk").check()
    response = save(page)
    assert response.status == 200

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus there for screen readers
    errors = summary.get_by_role("link")
    expect(errors).to_have_text(
        [
            "Enter the update",
            "Enter why the action is at risk",
            "Enter what is being done because the action is at risk",
        ]
    )
    assert page.title().startswith("Error: ")
    expect(status_radio(page, "At risk")).to_be_checked()  # the choice is kept
    assert_no_axe_violations(page)

    errors.first.click()
    expect(field(page, "Update")).to_be_focused()
    errors.nth(1).click()
    expect(field(page, "Why is it at risk or off track?")).to_be_focused()
    assert not Update.objects.filter(action=action, period=Q4).exists()


def test_a_second_save_from_a_form_opened_before_the_first_shows_the_conflict_then_saves(
    transactional_db, live_server, page, browser, action
):
    first = page
    second = new_page(browser)
    try:
        for tab in (first, second):
            sign_in(tab, live_server, "olive", PASSWORD)
            tab.goto(f"{live_server.url}/actions/{action.pk}/")
            expect(tab.get_by_role("button", name="Save update")).to_be_visible()

        status_radio(first, "On track").check()
        field(first, "Update").fill("Risk matrix agreed by the leadership team")
        save(first)
        expect(first.get_by_role("alert")).to_contain_text(SAVED)

        status_radio(second, "Complete").check()
        field(second, "Update").fill("Risk matrix in use in every team")
        response = save(second)
        assert response.status == 409
        expect(second.locator(".govuk-error-summary")).to_contain_text(CONFLICT)
        changed = second.get_by_role("table", name="What changed")
        expect(changed).to_contain_text("Risk matrix agreed by the leadership team")
        expect(changed).to_contain_text("Risk matrix in use in every team")
        expect(field(second, "Update")).to_have_value("Risk matrix in use in every team")
        expect(status_radio(second, "Complete")).to_be_checked()
        assert_no_axe_violations(second)

        response = save(second, button="Save my update again")
        assert response.status == 200
        expect(second).to_have_url(f"{live_server.url}/actions/{action.pk}/")
        expect(second.get_by_role("alert")).to_contain_text(SAVED)
        expect(updates_section(second).first).to_contain_text("Risk matrix in use in every team")
        update = Update.objects.get(action=action, period=Q4)
        assert (update.text, update.status) == ("Risk matrix in use in every team", "complete")
    finally:
        second.context.close()


def test_a_committee_member_finds_no_way_to_change_anything_and_a_forged_save_is_refused(
    transactional_db, live_server, page, officer_actions, committee_member
):
    no_title = next(action for action in officer_actions if not action.title)
    unassigned = Action.objects.filter(lead__isnull=True).order_by("pk").first()
    led = [seed_action("Implement the multi-disciplinary"), seed_action(RISK_MATRIX)]
    action_pages = [f"/actions/{a.pk}/" for a in led]
    action_pages += [f"/actions/{no_title.pk}/", f"/actions/{unassigned.pk}/"]
    pages = ["/", "/programmes/", Q3_REPORT, Q4_REPORT, "/actions/", "/actions/mine/"]

    sign_in(page, live_server, "councillor", PASSWORD)
    for url in pages + action_pages:
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, url
        posting = page.locator("form[method=post]")
        expect(posting, f"{url} has a form that writes").to_have_count(1)
        expect(posting).to_have_attribute("action", "/sign-out/")
        expect(page.get_by_role("button", name="Save update")).to_have_count(0)
        expect(page.locator("textarea, input[type=radio]")).to_have_count(0)
        if url == "/actions/" or url == action_pages[0]:
            assert_no_axe_violations(page)

    # What a member could forge from their own signed-in browser: the real form's fields.
    target = seed_action(RISK_MATRIX)
    token = page.locator("form[action='/sign-out/'] input[name=csrfmiddlewaretoken]")
    response = page.request.post(
        f"{live_server.url}/actions/{target.pk}/?period={Q4.slug}",
        form={
            "csrfmiddlewaretoken": token.input_value(),
            "period": Q4.slug,
            "action_version": str(target.version),
            "update_version": "0",
            "status": "complete",
            "text": "Done, says the committee",
            "reason": "",
            "next_step": "",
        },
        max_redirects=0,
    )
    assert response.status == 403
    assert "You cannot do that" in response.text()  # refused by role, not by CSRF
    assert not Update.objects.filter(action=target, period=Q4).exists()
    target_now = Action.objects.get(pk=target.pk)
    assert (target_now.status, target_now.version) == (target.status, target.version)


def test_all_actions_filtered_by_status_and_sorted_by_a_column_shows_only_that_status(
    transactional_db, live_server, page, seed_programme, committee_member
):
    complete = list(
        Action.objects.filter(status=Status.COMPLETE)
        .order_by("title")
        .values_list("title", flat=True)
    )
    assert len(complete) > 1, "the seed has too few complete actions to test sorting"

    sign_in(page, live_server, "councillor", PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="All actions").click()
    expect(page).to_have_url(f"{live_server.url}/actions/")
    field(page, "Status").select_option(label="Complete")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"[?&]status=complete(&|$)"))

    table = page.locator("table.app-actions-table")
    table.get_by_role("link", name="Action", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]sort=title(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]status=complete(&|$)"))
    expect(table.get_by_role("columnheader", name="Action", exact=True)).to_have_attribute(
        "aria-sort", "ascending"
    )
    expect(field(page, "Status")).to_have_value("complete")  # the filter stays visible

    headers = [re.sub(r"[▲▼]", "", text).strip() for text in table.locator("th").all_inner_texts()]
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(len(complete))
    status_cells = rows.locator(f"td:nth-child({headers.index('Status') + 1})")
    expect(status_cells).to_have_text(["Complete"] * len(complete))
    title_cells = rows.locator(f"td:nth-child({headers.index('Action') + 1})")
    expect(title_cells).to_have_text(complete)
    assert_no_axe_violations(page)
