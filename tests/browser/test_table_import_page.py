"""An administrator imports Appendix C from a Word file: the error summary for a missing
answer, the preview's tree and counts, then the new programme's report. axe on every page, the
Nu checker on all of them."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_axe_violations, sign_in
from tests.conftest import PASSWORD
from tests.table_files import appendix_c_docx
from tests.test_seed_fixture import SOURCE, parse_appendix_c

pytestmark = pytest.mark.browser


def land(page, name, *, role="button"):
    with page.expect_navigation() as navigation:
        page.get_by_role(role, name=name, exact=True).click()
    assert_no_axe_violations(page)
    return navigation.value


def test_an_administrator_previews_and_confirms_a_word_table(
    transactional_db, live_server, page, administrator, tmp_path
):
    table = tmp_path / "appendix_c.docx"
    table.write_bytes(appendix_c_docx(parse_appendix_c(SOURCE.read_text(encoding="utf-8"))))
    sign_in(page, live_server, "performance", PASSWORD)
    page.goto(f"{live_server.url}/programmes/")
    land(page, "Import a progress table", role="link")

    page.get_by_label("Upload the progress table", exact=True).set_input_files(table)
    assert land(page, "Preview the programme").status == 400
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter the programme's name")
    expect(page).to_have_title(re.compile("^Error: "))

    page.get_by_label("Upload the progress table", exact=True).set_input_files(table)
    page.get_by_label("Name", exact=True).fill("Care Programme")
    page.get_by_label("Short name for its web address", exact=True).fill("care")
    page.get_by_label("First quarter it reports on", exact=True).fill("2024-25 Q1")
    page.get_by_label("Last quarter it reports on", exact=True).fill("2024-25 Q4")
    page.get_by_label("Quarter the update column reports on (optional)").fill("2024-25 Q3")
    land(page, "Preview the programme")
    expect(page.locator("#count-actions")).to_have_text("43")
    expect(page.locator("#tree")).to_contain_text("Children live safely with their families")

    land(page, "Confirm and create the programme")
    assert "/programmes/care/report/" in page.url
    expect(page.get_by_role("alert").first).to_contain_text("Care Programme imported")
