"""Two programmes side by side in the browser: an administrator gives the seed programme its
committee and ticks an objective's measures from the grouped catalogue; the dashboard filtered
by the programme then shows just them, and the action list says whose actions it shows. axe on
every page, the Nu checker on all of them."""

import pytest
from playwright.sync_api import expect

from actions.models import Committee
from tests.browser.conftest import assert_no_axe_violations, sign_in
from tests.conftest import PASSWORD, SAFELY_WITH_FAMILIES
from tests.factories import make_action, make_programme
from tests.kpi_factories import make_kpi

pytestmark = pytest.mark.browser

SEED = "/programmes/care-programme-2024-25/"


def land(page, name, *, role="button"):
    with page.expect_navigation() as navigation:
        page.get_by_role(role, name=name, exact=True).click()
    assert_no_axe_violations(page)
    return navigation.value


def test_an_administrator_sets_a_programmes_committee_and_measures_and_the_lists_follow(
    transactional_db, live_server, page, seed_programme, administrator
):
    Committee.objects.create(name="Children, Young People and Education Committee")
    make_kpi("leavers-neet", name="Care leavers not in education or work")
    leavers = make_programme("Care Leavers Programme 2024-25", slug="care-leavers-2024-25")
    make_action("Leaving care well", programme=leavers)
    sign_in(page, live_server, "performance", PASSWORD)

    page.goto(f"{live_server.url}{SEED}edit/")
    assert_no_axe_violations(page)
    page.get_by_label("Committee (optional)").select_option(
        label="Children, Young People and Education Committee"
    )
    land(page, "Save the programme")
    page.goto(f"{live_server.url}/programmes/")
    assert_no_axe_violations(page)
    expect(page.locator("main")).to_contain_text("All 2 programmes, side by side")

    page.goto(f"{live_server.url}{SEED}structure/")
    land(page, f"Change the objective {SAFELY_WITH_FAMILIES}", role="link")
    page.get_by_label("Care leavers not in education or work").check()
    land(page, "Save the objective")

    page.goto(f"{live_server.url}/kpis/?programme=care-programme-2024-25")
    assert_no_axe_violations(page)
    expect(page.locator("#scope-programme")).to_have_text(
        "Evidences the programme: Care Programme 2024-25"
    )
    expect(page.locator("main")).to_contain_text("Care leavers not in education or work")

    page.goto(f"{live_server.url}/actions/")
    assert_no_axe_violations(page)
    expect(page.locator("#scope")).to_have_text("Across all programmes")
    page.get_by_label("Programme").select_option(label="Care Leavers Programme 2024-25")
    land(page, "Apply filters")
    expect(page.locator("#scope")).to_have_text("Care Leavers Programme 2024-25")
    expect(page.locator("main")).to_contain_text("Leaving care well")
