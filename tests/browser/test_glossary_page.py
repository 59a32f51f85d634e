"""A committee member opens the glossary from the footer; abbreviations on the pages they read
are spelt out and marked, and both pass axe."""

import importlib
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from playwright.sync_api import expect

from careprog.management.commands.setup_demo import DEMO_PASSWORD
from tests.browser.conftest import assert_no_axe_violations, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db, settings):
    settings.DEBUG = True  # setup_demo refuses to run otherwise
    call_command("setup_demo", stdout=io.StringIO())
    settings.DEBUG = False
    # A flush between browser tests empties what the migration seeded.
    importlib.import_module("actions.migrations.0006_abbreviations").seed(apps, None)


def test_a_committee_member_reads_the_glossary_from_the_footer(demo, live_server, page):
    sign_in(page, live_server, "councillor", DEMO_PASSWORD)
    page.get_by_role("link", name="Glossary of abbreviations").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Glossary of abbreviations")
    row = page.locator(".govuk-summary-list__row", has=page.locator("dt", has_text="CLA"))
    expect(row.locator("dd")).to_have_text("Children looked after")
    assert_no_axe_violations(page)


def test_the_dashboard_spells_out_an_abbreviation_once_and_passes_axe(demo, live_server, page):
    sign_in(page, live_server, "councillor", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/kpis/")

    marks = page.locator("main abbr[title='children looked after']")
    assert marks.count() > 1
    expect(page.locator("main")).to_contain_text("children looked after (CLA)")
    assert page.locator("main").inner_text().count("children looked after (CLA)") == 1
    assert_no_axe_violations(page)
