"""An officer drafts a committee paper, a head of service returns it, approves and publishes
it after a page listing what it is missing, and the published quarter is then locked for the
officer's updates."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_axe_violations, sign_in
from tests.conftest import RISK_MATRIX, seed_action
from tests.paper_factories import make_meeting, set_today

pytestmark = pytest.mark.browser

PASSWORD = "a-long-test-password"
PAPERS = "/programmes/care-programme-2024-25/papers/"
Q3_REPORT = "/programmes/care-programme-2024-25/report/2024-25-q3/"
MEETING = "Children, Young People and Education Committee, 5 March 2025"
RETURN_COMMENT = "Say what the placement figures mean for the budget."


@pytest.fixture
def meeting(transactional_db, monkeypatch):
    """The meeting, still to come: today is 10 February 2025, after 2024-25 Q3 ended. The
    council's paper template survives earlier tests' flushes (a post_migrate hook puts it
    back, as it does the roles)."""
    set_today(monkeypatch, dt.date(2025, 2, 10))
    return make_meeting()


def new_page(browser):
    """Another person's browser: its own cookies. bypass_csp so axe can be injected."""
    return browser.new_context(bypass_csp=True).new_page()


def field(page, label):
    return page.get_by_label(label, exact=True)


def click_and_land(page, name, *, role="button"):
    """Clicks and waits for the page it leads to; returns that page's response."""
    with page.expect_navigation() as navigation:
        page.get_by_role(role, name=name, exact=True).click()
    return navigation.value


def section_text(page, heading):
    """A section's text box is labelled by the section's heading."""
    return page.get_by_role("textbox", name=heading, exact=True)


def take_step(page, step, comment=""):
    form = page.locator(f"form[action$='/{step}/']")
    if comment:
        form.get_by_role("textbox").fill(comment)
    with page.expect_navigation() as navigation:
        form.get_by_role("button").click()
    assert navigation.value.status == 200
    assert_no_axe_violations(page)


def test_a_paper_is_drafted_returned_approved_and_published_and_its_quarter_locked(
    transactional_db, live_server, page, browser, officer_actions, head_of_service, meeting
):
    action = seed_action(RISK_MATRIX)
    url = live_server.url

    # The officer finds the programme's papers from its report and starts one.
    sign_in(page, live_server, "olive", PASSWORD)
    page.goto(f"{url}{Q3_REPORT}")
    page.get_by_role("link", name=re.compile("^Committee papers")).click()
    expect(page).to_have_url(f"{url}{PAPERS}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Committee papers")
    expect(page.get_by_text("No papers yet.")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Start a paper").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a paper")
    assert_no_axe_violations(page)

    # A start without its details is explained, each error leading to its field.
    response = click_and_land(page, "Start the draft")
    assert response.status == 400
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Choose the meeting the paper is for")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile("^Error: "))
    for link in summary.get_by_role("link").all():
        target = link.get_attribute("href")
        expect(page.locator(target)).to_have_count(1)
    assert_no_axe_violations(page)

    field(page, "Meeting").select_option(label=MEETING)
    field(page, "Quarter").select_option(label="2024-25 Q3")
    field(page, "Figures as at").fill("2025-01-31")
    field(page, "Report title").fill("Care Programme")
    field(page, "Report of").fill("Director for Children, Families and Education")
    response = click_and_land(page, "Start the draft")
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the draft")
    expect(page.get_by_role("alert").first).to_contain_text("Your draft has been started")
    paper_url = page.url.removesuffix("edit/")
    assert_no_axe_violations(page)

    # A numbered section for a topic of the supporting information, added with the text
    # typed before it, then the writing.
    section_text(page, "Recommendations").fill("Typed before the section was added.")
    field(page, "Heading of the new numbered section").fill("Placements")
    page.get_by_label("Add it after").select_option(label="Background information")
    click_and_land(page, "Add the section")
    expect(page.get_by_role("alert").first).to_contain_text(
        "The draft has been saved and the section “Placements” added"
    )
    expect(section_text(page, "Recommendations")).to_have_value(
        "Typed before the section was added."
    )
    expect(section_text(page, "Placements")).to_be_visible()
    assert_no_axe_violations(page)

    # Leaving with a change not saved asks first; staying keeps the text.
    section_text(page, "Report summary").fill("Not saved yet.")
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.once("dialog", stay)
    page.get_by_role("link", name="Care Programme 2024-25: papers").click()
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    expect(section_text(page, "Report summary")).to_have_value("Not saved yet.")

    section_text(page, "Report summary").fill(
        "This report updates the committee on the Care Programme in 2024-25 Q3.\n\n"
        "- Most actions are on track"
    )
    section_text(page, "Recommendations").fill("The committee is asked to note the progress.")
    section_text(page, "Reasons for recommendations").fill(
        "The programme is the council's plan for children in care.\n\n"
        "Progress is reported each quarter."
    )
    section_text(page, "Placements").fill("Placement stability improved this quarter.")
    response = click_and_land(page, "Save the draft")
    assert response.status == 200
    expect(page).to_have_url(paper_url)
    expect(page.get_by_role("alert").first).to_contain_text("The draft has been saved")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Draft")
    article = page.locator("#paper-content")
    expect(article.get_by_role("heading", name="Report summary")).to_be_visible()
    expect(article.locator("li", has_text="Most actions are on track")).to_be_visible()
    expect(article).to_contain_text("1.1 The programme is the council's plan")
    expect(article).to_contain_text("1.2 Progress is reported each quarter.")
    expect(article.get_by_role("heading", name="2.0 Placements")).to_be_visible()
    assert_no_axe_violations(page)

    take_step(page, "submit")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Submitted for approval")
    expect(page.get_by_role("link", name="Edit the draft")).to_have_count(0)
    response = page.goto(f"{paper_url}edit/")  # an old tab's link, say
    assert response.status == 409
    expect(page.locator(".app-refusal")).to_contain_text("only a draft can be edited")
    assert_no_axe_violations(page)

    # The officer keeps the action's Q3 form open; the quarter is still open.
    action_tab = new_page(browser)
    head = new_page(browser)
    try:
        sign_in(action_tab, live_server, "olive", PASSWORD)
        action_tab.goto(f"{url}/actions/{action.pk}/?period=2024-25-q3")
        expect(
            action_tab.get_by_role("heading", name="Edit the update for 2024-25 Q3")
        ).to_be_visible()

        # The head of service returns it with a comment.
        sign_in(head, live_server, "hannah", PASSWORD)
        head.goto(f"{url}{PAPERS}")
        assert_no_axe_violations(head)
        head.get_by_role("link", name="Care Programme", exact=True).click()
        expect(head).to_have_url(paper_url)
        assert_no_axe_violations(head)
        take_step(head, "return", RETURN_COMMENT)
        expect(head.get_by_role("heading", level=1)).to_contain_text("Draft")

        # The officer reads the comment on the timeline, edits and resubmits.
        page.goto(paper_url)
        timeline = page.locator(".app-timeline")
        expect(timeline).to_contain_text("Returned with comments by Hannah Head")
        expect(timeline).to_contain_text(RETURN_COMMENT)
        assert_no_axe_violations(page)
        page.get_by_role("link", name="Edit the draft").click()
        section_text(page, "Placements").fill(
            "Placement stability improved this quarter.\n\n"
            "The extra placements are funded within the existing budget."
        )
        click_and_land(page, "Save the draft")
        expect(page.locator("#paper-content")).to_contain_text("2.2 The extra placements")
        take_step(page, "submit")

        # The head approves and publishes.
        head.reload()
        take_step(head, "approve")
        expect(head.get_by_role("heading", level=1)).to_contain_text("Approved")
        head.get_by_role("link", name="Publish", exact=True).click()
        expect(head.get_by_role("heading", level=1)).to_have_text(
            "Publish Care Programme: 2024-25 Q3"
        )
        missing = head.locator(".app-publishing-gaps")
        expect(missing).to_contain_text("have no update for 2024-25 Q3")
        expect(missing).to_contain_text("empty and left out of the paper")
        assert_no_axe_violations(head)
        response = click_and_land(head, "Publish it as it is")
        assert response.status == 200
        expect(head.get_by_role("heading", level=1)).to_contain_text("Published")
        record = head.locator(".app-record")
        expect(record).to_contain_text("This is the committee record")
        expect(record.locator("code")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
        expect(head.get_by_role("alert").first).to_contain_text("The paper has been published")

        head.get_by_role("link", name="Changes since the last paper").click()
        expect(head.get_by_role("heading", level=1)).to_have_text("Changes since the last paper")
        expect(head.locator(".app-no-changes")).to_contain_text(
            "This is the programme's first published paper"
        )
        assert_no_axe_violations(head)

        # The officer's Q3 update, written on the form opened before publishing, is refused.
        action_tab.get_by_role("radio", name="On track", exact=True).check()
        action_tab.get_by_label("Update", exact=True).fill("Written after the paper went")
        with action_tab.expect_navigation() as navigation:
            action_tab.get_by_role("button", name="Save update").click()
        assert navigation.value.status == 403
        expect(action_tab.get_by_role("heading", level=1)).to_have_text("2024-25 Q3 is locked")
        expect(action_tab.locator(".app-locked")).to_contain_text("Your update has not been saved")
        assert_no_axe_violations(action_tab)
        action_tab.get_by_role("link", name="Back to the action").click()
        action_tab.goto(f"{url}/actions/{action.pk}/?period=2024-25-q3")
        expect(action_tab.get_by_role("heading", name="2024-25 Q3 is locked")).to_be_visible()
        expect(action_tab.get_by_role("button", name="Save update")).to_have_count(0)
        assert_no_axe_violations(action_tab)

        # The live report says the quarter went to committee.
        action_tab.goto(f"{url}{Q3_REPORT}")
        banner = action_tab.get_by_role("region", name="Published to committee")
        expect(banner).to_contain_text("2024-25 Q3 was published in")
        assert_no_axe_violations(action_tab)

        page.goto(f"{url}{PAPERS}")
        expect(page.get_by_role("table")).to_contain_text("Published")
        assert_no_axe_violations(page)
    finally:
        action_tab.context.close()
        head.context.close()
