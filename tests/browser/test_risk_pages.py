"""An officer finds the risks they own on the register, reads one, reviews it (a mistake named
in the error summary first) and sees it improving; the heat map is a table a screen reader
reads. axe on every page; the Nu checker on every page the browser is sent."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from actions.models import RiskReview
from tests.browser.conftest import assert_no_axe_violations, sign_in
from tests.conftest import PASSWORD, seed_action
from tests.risk_factories import make_risk

pytestmark = pytest.mark.browser


def land(page, name, *, role="button"):
    with page.expect_navigation() as navigation:
        page.get_by_role(role, name=name, exact=True).click()
    assert_no_axe_violations(page)
    return navigation.value


def test_an_officer_reviews_a_risk_they_own_from_the_register(
    transactional_db, live_server, page, seed_programme, officer, other_officer
):
    risk = make_risk(
        seed_programme,
        owner=officer,
        reference="R1",
        title="Too few foster carers",
        residual=(4, 4),
        review_date=timezone.localdate() - dt.timedelta(days=3),
    )
    risk.mitigating_actions.add(seed_action("Introduce a standard Risk Matrix"))
    make_risk(seed_programme, owner=other_officer, reference="R2", residual=(1, 2))
    sign_in(page, live_server, "olive", PASSWORD)

    page.goto(f"{live_server.url}/programmes/")
    land(page, "Risk register of Care Programme 2024-25", role="link")
    page.get_by_label("Owner").select_option(label="Olive Lead")
    land(page, "Show these risks")
    register = page.locator("table.app-risk-register")
    expect(register.locator("caption")).to_have_text("1 risk shown")
    expect(register).to_contain_text("16 High")
    expect(register).to_contain_text("Overdue")

    land(page, "R1", role="link")
    expect(page.locator("h1")).to_have_text("R1: Too few foster carers")
    land(page, "Review this risk", role="link")

    page.get_by_label("Residual likelihood now").select_option("2")
    page.get_by_label("Next review due").fill("31/02/2099")
    assert land(page, "Record the review").status == 400
    expect(page).to_have_title(re.compile("^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Say what has changed since the last review")
    expect(summary).to_contain_text("Next review due must be a real date")

    page.get_by_label("What has changed since the last review").fill("Ten new carers approved")
    page.get_by_label("Next review due").fill("31/03/2099")
    land(page, "Record the review")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your review of risk R1")
    expect(page.locator("#reviews + table")).to_contain_text("Ten new carers approved")
    expect(page.locator("#reviews + table")).to_contain_text("Improving")
    assert RiskReview.objects.get().score == 8

    land(page, "Heat map of the risks", role="link")
    heat_map = page.get_by_role("table")
    expect(heat_map.locator("caption")).to_contain_text("Number of risks by impact")
    row = heat_map.get_by_role("row", name=re.compile("^Impact 4"))
    expect(row.get_by_role("cell").nth(1)).to_contain_text("1 Medium")


def test_an_administrator_adds_a_risk_and_its_form_names_each_mistake(
    transactional_db, live_server, page, seed_programme, administrator, officer
):
    sign_in(page, live_server, "performance", PASSWORD)
    page.goto(f"{live_server.url}/programmes/care-programme-2024-25/risks/")
    assert_no_axe_violations(page)
    land(page, "Add a risk", role="link")
    page.get_by_label("Reference").fill("R1")
    assert land(page, "Add the risk").status == 400
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the risk's owner")

    page.get_by_label("Risk", exact=True).fill("Court delays keep children in care")
    page.get_by_label("Owner").select_option(label="Olive Lead")
    for label, value in [
        ("Inherent likelihood", "4"),
        ("Inherent impact", "4"),
        ("Residual likelihood", "3"),
        ("Residual impact", "3"),
        ("Target score", "4"),
    ]:
        page.get_by_label(label, exact=True).select_option(value)
    page.get_by_label("Next review due").fill("31/03/2099")
    page.get_by_label("Introduce a standard Risk Matrix", exact=False).check()
    land(page, "Add the risk")
    expect(page.locator("h1")).to_have_text("R1: Court delays keep children in care")
    expect(page.locator(".govuk-summary-list")).to_contain_text("9 Medium")

    land(page, "Import a register from Excel", role="link")
