"""Someone who is not signed in finds the accessibility statement and the privacy notice from
the sign-in page's footer, by keyboard alone; both pass axe (and, like every page a browser test
opens, the Nu HTML checker), with careprog's own words and with the council's."""

import datetime

import pytest
from playwright.sync_api import expect

from careprog.models import PublicInformation
from tests.browser.conftest import assert_no_axe_violations, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _tab_to(page, name, presses=40):
    """Press Tab until the link called ``name`` has the focus, as a keyboard user would."""
    link = page.get_by_role("contentinfo").get_by_role("link", name=name, exact=True)
    for _ in range(presses):
        page.keyboard.press("Tab")
        if link.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_signed_out_the_statement_and_the_notice_open_from_the_footer_by_keyboard(
    transactional_db, live_server, page
):
    page.goto(f"{live_server.url}/sign-in/")
    _tab_to(page, "Accessibility statement")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/accessibility/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Accessibility statement for Care programmes"
    )
    expect(page.get_by_text("Tell the performance team").first).to_be_visible()
    assert_no_axe_violations(page)

    _tab_to(page, "Privacy")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/privacy/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy notice for Care programmes")
    expect(page.get_by_role("heading", name="Your rights")).to_be_visible()
    assert_no_axe_violations(page)


def test_the_councils_own_entries_read_as_headings_lists_and_paragraphs(
    transactional_db, live_server, page
):
    PublicInformation.objects.create(
        council_name="Wirral Council",
        contact_email="accessibility@wirral.example.org",
        contact_phone="0151 606 2000",
        known_issues=(
            "- The forward plan's calendar <b>cannot</b> be read aloud.\n"
            "- Maps in committee papers have no text alternative.\n\n"
            "We plan to fix both by March 2027."
        ),
        statement_reviewed=datetime.date(2027, 3, 1),
        privacy_notice=(
            "## Who we are\n\nWirral Council is the data controller.\nLine two.\n\n"
            "## What we hold\n\n- your name\n- your email address"
        ),
    )
    page.goto(f"{live_server.url}/accessibility/")
    issues = page.locator("#non-accessible-content ~ ul").first.get_by_role("listitem")
    expect(issues).to_have_count(2)
    expect(issues.first).to_have_text("The forward plan's calendar <b>cannot</b> be read aloud.")
    expect(page.get_by_role("link", name="accessibility@wirral.example.org").first).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_role("contentinfo").get_by_role("link", name="Privacy").click()
    headings = page.get_by_role("main").get_by_role("heading", level=2)
    expect(headings).to_have_text(["Who we are", "What we hold"])
    assert_no_axe_violations(page)


def test_a_signed_in_officer_reaches_both_from_the_footer(
    transactional_db, live_server, page, seed_programme, officer
):
    sign_in(page, live_server, officer.username, PASSWORD)
    page.get_by_role("contentinfo").get_by_role("link", name="Accessibility statement").click()
    expect(page).to_have_url(f"{live_server.url}/accessibility/")
    assert_no_axe_violations(page)
    page.get_by_role("contentinfo").get_by_role("link", name="Privacy").click()
    expect(page).to_have_url(f"{live_server.url}/privacy/")
    assert_no_axe_violations(page)
