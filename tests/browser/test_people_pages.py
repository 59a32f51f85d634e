"""An administrator adds a person (told plainly when the address is taken), changes a role,
previews a leaver's hand-over and a list of people. axe on every page, the Nu checker on all
of them."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_axe_violations, sign_in
from tests.conftest import PASSWORD
from tests.factories import make_action, make_programme

pytestmark = pytest.mark.browser


def land(page, name, *, role="button"):
    with page.expect_navigation() as navigation:
        page.get_by_role(role, name=name, exact=True).click()
    assert_no_axe_violations(page)
    return navigation.value


def test_an_administrator_adds_a_person_changes_a_role_and_previews_a_hand_over(
    transactional_db, live_server, page, administrator, officer, other_officer, tmp_path
):
    make_action("Recruit foster carers", programme=make_programme(), lead=officer)
    sign_in(page, live_server, "performance", PASSWORD)
    page.goto(f"{live_server.url}/")
    land(page, "People", role="link")
    expect(page.locator("table")).to_contain_text("Olive Lead")

    land(page, "Add a person", role="link")
    page.get_by_label("Full name", exact=True).fill("Sam Smith")
    page.get_by_label("Email address", exact=True).fill("olive@example.org")
    page.get_by_label("Role", exact=True).select_option(label="Officers")
    assert land(page, "Add and invite").status == 400
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Someone already has the email address olive@example.org")
    expect(page).to_have_title(re.compile("^Error: "))
    page.get_by_label("Email address", exact=True).fill("sam@council.gov.uk")
    land(page, "Add and invite")
    expect(page.get_by_role("alert").first).to_contain_text("Sam Smith added as Officers")

    land(page, "Change the role of Oscar Other", role="link")
    page.get_by_label("Role", exact=True).select_option(label="Heads of service")
    land(page, "Change the role")
    expect(page.get_by_role("alert").first).to_contain_text("Oscar Other is now in the role")

    land(page, "Deactivate Olive Lead", role="link")
    successor = page.get_by_label("Who takes over", exact=True)
    successor.select_option(label="Oscar Other (oscar@example.org)")
    land(page, "Preview what moves")
    expect(page.locator("main")).to_contain_text("Recruit foster carers")

    page.goto(f"{live_server.url}/people/import/")
    assert_no_axe_violations(page)
    listing = tmp_path / "people.csv"
    listing.write_text("Name,Email,Role\nTia Tang,tia@council.gov.uk,Officer\n")
    page.get_by_label("Upload a list of people", exact=True).set_input_files(listing)
    land(page, "Preview the list")
    expect(page.locator("table")).to_contain_text("Tia Tang")
    land(page, "Add these 1 and invite them")
    expect(page.get_by_role("alert").first).to_contain_text("1 people added")
