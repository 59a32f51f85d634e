"""Issue 22's whole journey, in one administrator's and one new officer's browsers:

the administrator imports the council's Word table (Appendix C, with its 2024-25 Q3 updates),
corrects an action's lead in the structure's tree, moves an action to another mechanism, adds a
person and makes them an action's lead; the new officer sets a password from the emailed link,
signs in and updates that action for 2024-25 Q4; the administrator carries the programme into
2025-26, and the carried action's page shows its 2024-25 history.

axe on every page; the Nu checker reads every page the browser received (conftest.py).
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from actions.models import Action
from careprog.links import BASE_URL_ENV
from tests.browser.conftest import assert_no_axe_violations, sign_in
from tests.conftest import PASSWORD
from tests.table_files import appendix_c_docx
from tests.test_seed_fixture import SOURCE, parse_appendix_c

pytestmark = pytest.mark.browser

PROGRAMME = "Wirral Care Programme 2024-25"
CARRIED = "Wirral Care Programme 2025-26"
SLUG = "wirral-care-2024-25"
CORRECTED = "Review the SG Offer"
MOVED = "Introduce bi-monthly meetings with CAFCASS"
MOVED_TO = "Court preparation is robust"
NEW_LEAD = "Initiate a borough-wide recruitment campaign"
Q3_UPDATE = "Campaign in development with Foster4"  # its update in Appendix C, as imported
SAMS_UPDATE = "The campaign launched in January: 40 enquiries and 6 assessments started."
SAMS_PASSWORD = "a-new-officer's-own-passphrase"


def land(page, name, *, role="button"):
    """Clicks, waits for the page it leads to, checks it with axe; returns the response."""
    with page.expect_navigation() as navigation:
        page.get_by_role(role, name=name, exact=True).click()
    assert_no_axe_violations(page)
    return navigation.value


def go(page, url):
    response = page.goto(url)
    assert_no_axe_violations(page)
    return response


def heading(page):
    return page.get_by_role("heading", level=1)


def tree_entry(page, title):
    """An action's line in the structure's tree: its title, lead and change link."""
    return page.locator("li[id^=action-]", has=page.get_by_role("link", name=title, exact=True))


def change_action(page, title):
    """The structure page's "Change" link for the action ``title``, followed."""
    land(page, f"Change the action {title}", role="link")
    expect(heading(page)).to_have_text("Change the action")


def earlier_year(page, year):
    """Everything between the earlier year's heading and the next heading of its level."""
    return page.locator(
        f"xpath=//h2[@id='year-{year}']/following-sibling::*"
        f"[preceding-sibling::h2[1][@id='year-{year}']]"
    )


def test_a_council_sets_up_its_programme_from_its_word_table_and_carries_it_into_next_year(
    transactional_db, live_server, page, browser, administrator, officer, tmp_path, monkeypatch
):
    monkeypatch.setenv(BASE_URL_ENV, live_server.url)  # the invitation links to this server
    url = live_server.url
    table = tmp_path / "care-programme.docx"
    table.write_bytes(appendix_c_docx(parse_appendix_c(SOURCE.read_text(encoding="utf-8"))))

    # The administrator imports the table: a preview first, then the programme.
    sign_in(page, live_server, "performance", PASSWORD)
    assert_no_axe_violations(page)
    land(page, "Programmes", role="link")
    land(page, "Import a progress table", role="link")
    expect(heading(page)).to_have_text("Import a progress table")
    page.get_by_label("Upload the progress table", exact=True).set_input_files(table)
    page.get_by_label("Name", exact=True).fill(PROGRAMME)
    page.get_by_label("Short name for its web address", exact=True).fill(SLUG)
    page.get_by_label("First quarter it reports on", exact=True).fill("2024-25 Q1")
    page.get_by_label("Last quarter it reports on", exact=True).fill("2024-25 Q4")
    page.get_by_label("Quarter the update column reports on (optional)").fill("2024-25 Q3")
    assert land(page, "Preview the programme").status == 200
    counts = {
        kind: page.locator(f"#count-{kind}").inner_text()
        for kind in ("objectives", "requirements", "mechanisms", "actions")
    }
    assert counts["actions"] == "43", counts
    assert counts["objectives"] == "4", counts
    expect(page.locator("#tree")).to_contain_text("Children live within their family network")
    land(page, "Confirm and create the programme")
    expect(page.get_by_role("alert").first).to_contain_text(f"{PROGRAMME} imported")
    expect(page.locator("main")).to_contain_text(Q3_UPDATE)  # the Q3 report, with its updates

    # The lead the table left empty is corrected in the structure's tree.
    land(page, f"Change the structure of {PROGRAMME}", role="link")
    expect(heading(page)).to_have_text("Structure")
    expect(tree_entry(page, CORRECTED)).to_contain_text("lead: none")
    change_action(page, CORRECTED)
    page.get_by_label("Lead", exact=True).select_option(label="Olive Lead")
    land(page, "Save the action")
    expect(page.get_by_role("alert").first).to_contain_text("Change the action: saved.")
    expect(tree_entry(page, CORRECTED)).to_contain_text("lead: Olive Lead")

    # An action is moved to another mechanism of its requirement: it goes last under it.
    change_action(page, MOVED)
    mechanisms = page.get_by_label("Under the mechanism", exact=True)
    target = mechanisms.locator("option", has_text=re.compile(f"› {MOVED_TO}$"))
    mechanisms.select_option(label=target.inner_text())
    land(page, "Save the action")
    moved_to = page.locator("li[id^=mechanism-]").filter(
        has=page.get_by_role("heading", name=f"Mechanism: {MOVED_TO}", exact=True)
    )
    expect(moved_to.locator("li[id^=action-]").last).to_contain_text(MOVED)

    # A new officer is added, and invited by email to set a password.
    mail.outbox.clear()
    land(page, "People", role="link")
    land(page, "Add a person", role="link")
    page.get_by_label("Full name", exact=True).fill("Sam Smith")
    page.get_by_label("Email address", exact=True).fill("sam.smith@council.gov.uk")
    page.get_by_label("Role", exact=True).select_option(label="Officers")
    land(page, "Add and invite")
    expect(page.get_by_role("alert").first).to_contain_text("Sam Smith added as Officers")
    expect(page.locator("table")).to_contain_text("Sam Smith")
    (invitation,) = [email for email in mail.outbox if email.to == ["sam.smith@council.gov.uk"]]
    link = re.search(rf"{re.escape(url)}/password-reset/\S+/\S+/", invitation.body)
    assert link, invitation.body

    # ... and made the lead of an action.
    go(page, f"{url}/programmes/{SLUG}/structure/")
    change_action(page, NEW_LEAD)
    page.get_by_label("Lead", exact=True).select_option(label="Sam Smith")
    land(page, "Save the action")
    expect(tree_entry(page, NEW_LEAD)).to_contain_text("lead: Sam Smith")

    # Sam follows the emailed link, chooses a password, signs in and updates the action.
    sam = browser.new_context(bypass_csp=True).new_page()
    try:
        go(sam, link.group(0))  # Django moves the token out of the address, then shows the form
        expect(heading(sam)).to_have_text("Choose a new password")
        sam.get_by_label("New password", exact=True).fill(SAMS_PASSWORD)
        sam.get_by_label("Confirm new password", exact=True).fill(SAMS_PASSWORD)
        land(sam, "Save new password")
        sign_in(sam, live_server, "sam.smith", SAMS_PASSWORD)
        assert_no_axe_violations(sam)
        sam.get_by_role("navigation", name="Menu").get_by_role("link", name="My actions").click()
        expect(heading(sam)).to_have_text("My actions")
        assert_no_axe_violations(sam)
        land(sam, NEW_LEAD, role="link")
        expect(sam.get_by_role("heading", name="Add the update for 2024-25 Q4")).to_be_visible()
        sam.get_by_role("radio", name="On track", exact=True).check()
        sam.get_by_label("Update", exact=True).fill(SAMS_UPDATE)
        land(sam, "Save update")
        expect(sam.get_by_role("alert")).to_contain_text(
            "Your update for 2024-25 Q4 has been saved."
        )
        expect(sam.locator("main")).to_contain_text(SAMS_UPDATE)
    finally:
        sam.context.close()

    # The administrator carries the programme into 2025-26, previewed first.
    go(page, f"{url}/programmes/{SLUG}/report/")
    land(page, f"Carry {PROGRAMME} into next year", role="link")
    expect(page.locator("#carried")).to_have_text("Actions carried (43)")
    expect(page.get_by_label("Name of the new programme", exact=True)).to_have_value(CARRIED)
    land(page, "Carry into 2025-26")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"{PROGRAMME} has been carried into {CARRIED}."
    )
    expect(page).to_have_title(re.compile(CARRIED))

    # The carried action's page, from the new programme's report, shows its 2024-25 history:
    # the table's Q3 update and Sam's Q4. Sam still leads it.
    land(page, NEW_LEAD, role="link")
    expect(heading(page)).to_have_text(NEW_LEAD)
    carried = Action.objects.get(carried_from__title=NEW_LEAD)
    assert carried.mechanism.requirement.objective.programme.name == CARRIED
    assert page.url == f"{url}{carried.get_absolute_url()}"
    expect(page.locator("dt:text-is('Lead officer') + dd")).to_have_text("Sam Smith")
    expect(page.locator("#year-2024-25")).to_have_text("2024-25")
    history = earlier_year(page, "2024-25")
    expect(history.filter(has_text=SAMS_UPDATE)).not_to_have_count(0)
    expect(history.filter(has_text=Q3_UPDATE)).not_to_have_count(0)
    expect(history.first).to_contain_text(f"this action in {PROGRAMME}")
