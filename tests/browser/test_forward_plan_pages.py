"""An officer meets no meeting to write a paper for and is told whom to ask; an administrator
adds it on the forward plan, is told plainly when the committee already meets that day, and
deletes a meeting that will not happen. axe on every page, the Nu checker on all of them."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from actions.models import Meeting
from tests.browser.conftest import assert_no_axe_violations, sign_in
from tests.conftest import PASSWORD
from tests.paper_factories import CYPE, make_meeting, set_today

pytestmark = pytest.mark.browser

NEW_PAPER = "/programmes/care-programme-2024-25/papers/new/"


def land(page, name, *, role="button"):
    with page.expect_navigation() as navigation:
        page.get_by_role(role, name=name, exact=True).click()
    assert_no_axe_violations(page)
    return navigation.value


def test_an_officer_is_told_whom_to_ask_and_an_administrator_adds_the_meeting(
    transactional_db,
    live_server,
    page,
    browser,
    seed_programme,
    officer,
    administrator,
    monkeypatch,
):
    set_today(monkeypatch, dt.date(2026, 12, 5))
    make_meeting(dt.date(2025, 3, 5))  # held: nothing to write a paper for
    url = live_server.url

    sign_in(page, live_server, "olive", PASSWORD)
    page.goto(f"{url}{NEW_PAPER}")
    expect(page.locator("#no-meetings")).to_contain_text(
        "Programme administrators add meetings to the forward plan: ask Priya Performance"
    )
    assert_no_axe_violations(page)

    priya = browser.new_context(bypass_csp=True).new_page()
    sign_in(priya, live_server, "performance", PASSWORD)
    priya.goto(f"{url}{NEW_PAPER}")
    land(priya, "Add the meeting to the forward plan", role="link")
    priya.get_by_label("Committee", exact=True).select_option(label=CYPE)
    priya.get_by_label("Date", exact=True).fill("2025-03-05")
    assert land(priya, "Add the meeting").status == 400
    summary = priya.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(f"{CYPE} already has a meeting on 5 March 2025.")
    expect(priya).to_have_title(re.compile("^Error: "))

    priya.get_by_label("Date", exact=True).fill("2027-03-03")
    priya.get_by_label("Agenda item (optional)", exact=True).fill("7")
    land(priya, "Add the meeting")
    expect(priya.get_by_label("Meeting", exact=True)).to_have_value(
        str(Meeting.objects.get(date=dt.date(2027, 3, 3)).pk)
    )

    page.reload()
    expect(page.get_by_label("Meeting", exact=True)).to_contain_text(f"{CYPE}, 3 March 2027")
    assert_no_axe_violations(page)

    priya.goto(f"{url}/committees/")
    assert_no_axe_violations(priya)
    land(priya, "Add a meeting", role="link")
    priya.get_by_label("Committee", exact=True).select_option(label=CYPE)
    priya.get_by_label("Date", exact=True).fill("2027-06-09")
    land(priya, "Add the meeting")
    land(priya, "Delete the meeting on 9 June 2027", role="link")
    land(priya, "Delete the meeting")
    expect(priya.get_by_role("alert").first).to_contain_text("has been deleted")
    assert not Meeting.objects.filter(date=dt.date(2027, 6, 9)).exists()
    priya.context.close()
