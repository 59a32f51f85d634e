"""Someone who cannot sign in, or has just been given a role, finds the help from the sign-in
page's footer and reads each role's guide; every page passes axe (and, like every page a
browser test opens, the Nu HTML checker). A signed-in officer finds the same help."""

import pytest
from playwright.sync_api import expect

from careprog.views import GUIDES
from tests.browser.conftest import assert_no_axe_violations, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_the_help_and_each_roles_guide_open_from_the_sign_in_pages_footer(
    transactional_db, live_server, page
):
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_role("contentinfo").get_by_role("link", name="Help").click()
    expect(page).to_have_url(f"{live_server.url}/help/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Help")
    assert_no_axe_violations(page)

    for slug, name in GUIDES.items():
        page.goto(f"{live_server.url}/help/")
        page.get_by_role("link", name=f"Help for {name.lower()}").click()
        expect(page).to_have_url(f"{live_server.url}/help/{slug}/")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Help for {name.lower()}")
        first_job = page.locator("main .app-help__contents a").first
        first_job.click()
        target = first_job.get_attribute("href")
        section_steps = page.locator(f"main h2{target} + ol.govuk-list--number > li")
        assert section_steps.count() >= 2, f"{slug}: the first job has no numbered steps"
        assert_no_axe_violations(page)


def test_a_signed_in_officer_finds_their_guide_from_the_footer(
    transactional_db, live_server, page, seed_programme, officer
):
    sign_in(page, live_server, officer.username, PASSWORD)
    page.get_by_role("contentinfo").get_by_role("link", name="Help").click()
    page.get_by_role("link", name="Help for officers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Help for officers")
    expect(page.get_by_role("link", name="My actions").first).to_be_visible()
    assert_no_axe_violations(page)
