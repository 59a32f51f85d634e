"""An administrator retires an action from the programme's structure page: the confirmation
page counts its updates, the tree shows it greyed with its date, its own page says it was
retired, and restoring brings it back. axe on every page, the Nu checker on all of them."""

import pytest
from playwright.sync_api import expect

from actions.models import Action
from tests.browser.conftest import assert_no_axe_violations, sign_in
from tests.conftest import PASSWORD, RISK_MATRIX, seed_action

pytestmark = pytest.mark.browser


def land(page, name, *, role="button"):
    with page.expect_navigation() as navigation:
        page.get_by_role(role, name=name, exact=True).click()
    assert_no_axe_violations(page)
    return navigation.value


def test_an_administrator_retires_an_action_and_restores_it(
    transactional_db, live_server, page, seed_programme, administrator
):
    action = seed_action(RISK_MATRIX)
    sign_in(page, live_server, "performance", PASSWORD)
    page.goto(f"{live_server.url}/programmes/care-programme-2024-25/structure/")
    assert_no_axe_violations(page)

    item = page.locator(f"#action-{action.pk}")
    with page.expect_navigation():
        item.get_by_role("link", name="Retire", exact=False).first.click()
    assert_no_axe_violations(page)
    expect(page.locator(".app-parts-under")).to_contain_text("Updates written")
    land(page, "Retire the action")

    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been retired")
    retired = Action.objects.get(pk=action.pk).retired_at
    expect(item).to_have_class("app-retired-part")
    expect(item).to_contain_text(f"Retired on {retired:%-d %B %Y}")

    page.goto(f"{live_server.url}/actions/{action.pk}/")
    assert_no_axe_violations(page)
    expect(page.locator("#update-form")).to_have_text("No new updates")

    page.goto(f"{live_server.url}/programmes/care-programme-2024-25/structure/")
    with page.expect_navigation():
        item.get_by_role("link", name="Restore", exact=False).first.click()
    assert_no_axe_violations(page)
    land(page, "Restore the action")
    expect(item).not_to_have_class("app-retired-part")
    assert Action.objects.get(pk=action.pk).retired_at is None
