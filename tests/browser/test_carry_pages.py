"""An administrator carries the programme into next year from its report: the preview, a
refused slug in the error summary, then the carried action's page with its 2024-25 updates.
axe on every page, the Nu checker on all of them. (Issue 22's whole journey, import to carry:
test_programme_setup_journey.py.)"""

import re

import pytest
from playwright.sync_api import expect

from actions.models import Action, Status
from tests.browser.conftest import assert_no_axe_violations, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def land(page, name, *, role="button"):
    with page.expect_navigation() as navigation:
        page.get_by_role(role, name=name, exact=True).click()
    assert_no_axe_violations(page)
    return navigation.value


def test_an_administrator_previews_and_carries_the_programme_into_2025_26(
    transactional_db, live_server, page, seed_programme, administrator
):
    sign_in(page, live_server, "performance", PASSWORD)
    page.goto(f"{live_server.url}/programmes/care-programme-2024-25/report/2024-25-q3/")
    land(page, "Carry Care Programme 2024-25 into next year", role="link")
    expect(page.locator("#carried")).to_have_text("Actions carried (32)")
    expect(page.locator("#left-behind")).to_have_text("Complete actions left behind (11)")

    page.get_by_label("Slug", exact=True).fill("care-programme-2024-25")
    assert land(page, "Carry into 2025-26").status == 400
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("already exists: choose another")
    expect(page).to_have_title(re.compile("^Error: "))

    page.get_by_label("Slug", exact=True).fill("care-programme-2025-26")
    land(page, "Carry into 2025-26")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Care Programme 2024-25 has been carried into Care Programme 2025-26."
    )

    predecessor = (
        Action.objects.filter(updates__isnull=False)
        .exclude(status=Status.COMPLETE)
        .order_by("pk")
        .first()
    )
    successor = Action.objects.get(carried_from=predecessor)
    page.goto(f"{live_server.url}/actions/{successor.pk}/")
    assert_no_axe_violations(page)
    expect(page.locator("#year-2024-25")).to_have_text("2024-25")
    land(page, "this action in Care Programme 2024-25", role="link")
    assert page.url.endswith(f"/actions/{predecessor.pk}/")
