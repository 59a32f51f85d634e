"""Refusals and dead ends are pages too: plain words, and accessible."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_axe_violations, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_someone_without_a_role_is_told_what_to_do_and_refused_politely(
    transactional_db, live_server, page, seed_programme, outsider
):
    sign_in(page, live_server, "outsider", PASSWORD)
    expect(page.get_by_text("Your account has not been given a role yet")).to_be_visible()
    assert_no_axe_violations(page)

    response = page.goto(f"{live_server.url}/actions/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot do that")
    assert_no_axe_violations(page)


def test_a_report_address_that_does_not_exist_explains_itself(
    transactional_db, live_server, page, seed_programme, committee_member
):
    sign_in(page, live_server, "councillor", PASSWORD)
    response = page.goto(f"{live_server.url}/programmes/care-programme-2024-25/report/2031-32-q1/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_no_axe_violations(page)
    page.wait_for_load_state("networkidle")
