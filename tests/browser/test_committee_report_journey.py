"""A committee member reads the progress report on screen, on paper and by keyboard."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from actions.models import Action
from tests.browser.conftest import assert_no_axe_violations, sign_in, submit_sign_in_form
from tests.conftest import RISK_MATRIX

pytestmark = pytest.mark.browser

PASSWORD = "a-long-test-password"
Q3_REPORT = "/programmes/care-programme-2024-25/report/2024-25-q3/"
A4_LANDSCAPE = (842, 595)  # points


def squash(text):
    """PDF text breaks lines wherever the table wrapped them, so compare without whitespace."""
    return re.sub(r"\s+", "", text)


def test_a_committee_member_follows_links_from_sign_in_to_the_report(
    transactional_db, live_server, page, seed_programme, committee_member
):
    page.goto(f"{live_server.url}/sign-in/")
    assert_no_axe_violations(page)

    sign_in(page, live_server, "councillor", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Care programmes")
    assert_no_axe_violations(page)

    page.get_by_role("link", name="See all programmes").click()
    expect(page).to_have_url(f"{live_server.url}/programmes/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Programmes")
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Care Programme 2024-25", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}{Q3_REPORT}")
    expect(page.locator("table.app-report-table")).to_have_count(4)
    assert_no_axe_violations(page)


def test_on_a_phone_the_report_is_one_block_per_action_with_its_status_and_update_beneath(
    transactional_db, live_server, page, seed_programme, committee_member
):
    """Five columns do not fit a phone: each action's row becomes a block, under the
    requirement and mechanism it serves, and nothing is cut off at the screen's edge."""
    page.set_viewport_size({"width": 375, "height": 700})
    sign_in(page, live_server, "councillor", PASSWORD)
    page.goto(f"{live_server.url}{Q3_REPORT}")
    assert page.evaluate("document.documentElement.scrollWidth") == 375

    table = page.get_by_role("table", name=re.compile(r"^Children live safely.*updates for"))
    row = table.get_by_role("row").filter(has=page.get_by_role("link", name=RISK_MATRIX))
    mechanism = table.get_by_role("cell").filter(has_text="Timely and effective decision-making")
    action = row.get_by_role("cell").filter(has=page.get_by_role("link", name=RISK_MATRIX))
    update = row.get_by_role("cell").filter(has_text="Training with staff to be completed")
    expect(update).not_to_contain_text("Not assessed")  # no status was given
    mechanism_box, action_box, update_box = (
        cell.bounding_box() for cell in (mechanism, action, update)
    )
    # Stacked, not side by side: the mechanism heads the action, its update beneath.
    assert mechanism_box["y"] + mechanism_box["height"] <= action_box["y"]
    assert action_box["y"] + action_box["height"] <= update_box["y"]
    assert action_box["x"] == update_box["x"]
    assert update_box["x"] + update_box["width"] <= 375
    # Still a table to a screen reader: every cell keeps its column's header.
    expect(table.get_by_role("columnheader")).to_have_count(5)
    assert_no_axe_violations(page)


def test_a_failed_sign_in_explains_the_problem_accessibly(
    transactional_db, live_server, page, committee_member
):
    submit_sign_in_form(page, live_server, "councillor", "not-the-password")
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("There is a problem")
    assert_no_axe_violations(page)


def test_the_printed_report_is_a4_landscape_with_every_action_and_no_navigation(
    transactional_db, live_server, page, seed_programme, committee_member
):
    sign_in(page, live_server, "councillor", PASSWORD)
    page.goto(f"{live_server.url}{Q3_REPORT}")
    page.wait_for_load_state("networkidle")
    pdf = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=True)))

    for number, pdf_page in enumerate(pdf.pages, start=1):
        size = (float(pdf_page.mediabox.width), float(pdf_page.mediabox.height))
        assert size == pytest.approx(A4_LANDSCAPE, abs=2), f"page {number} is {size} pt"

    pages = [squash(pdf_page.extract_text()) for pdf_page in pdf.pages]
    text = "".join(pages)
    # Each action and its update whole on one page: no row cut by a page break.
    rows = Action.objects.exclude(title="").prefetch_related("updates")
    split = [
        action.title
        for action in rows
        if not any(
            squash(action.title) in page_text
            and all(squash(update.text) in page_text for update in action.updates.all())
            for page_text in pages
        )
    ]
    assert not split, f"actions missing or split across pages: {split}"
    # The header row is repeated at the top of every page that carries action rows (a page
    # may hold only the measures that close an objective's section).
    titles = [squash(a.title) for a in rows]
    with_rows = [
        (n, text) for n, text in enumerate(pages, 1) if any(title in text for title in titles)
    ]
    headerless = [n for n, page_text in with_rows if "Whatweneedtodo" not in page_text]
    assert not headerless, f"pages without the table's header row: {headerless}"

    # Case matters: the service is "Care programmes", the programme "Care Programme 2024-25".
    navigation = ["Skip to main content", "Care programmes", "Sign out", "This is a new service"]
    footer = ["open-source software", "Signed in as"]
    printed = [words for words in navigation + footer if squash(words) in text]
    assert not printed, f"navigation printed on the committee paper: {printed}"


def test_the_first_tab_on_the_report_reaches_the_skip_link(
    transactional_db, live_server, page, seed_programme, committee_member
):
    sign_in(page, live_server, "councillor", PASSWORD)
    page.goto(f"{live_server.url}{Q3_REPORT}")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()


def test_without_javascript_a_member_signs_in_and_changes_the_reports_quarter(
    transactional_db, live_server, browser, seed_programme, committee_member
):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, live_server, "councillor", PASSWORD)
        page.goto(f"{live_server.url}{Q3_REPORT}")
        page.get_by_label("Reporting period").select_option("2024-25-q2")
        page.get_by_role("button", name="Show report").click()
        expect(page).to_have_url(
            f"{live_server.url}/programmes/care-programme-2024-25/report/2024-25-q2/"
        )
        expect(page.get_by_role("heading", level=1)).to_have_text("Report on progress: 2024-25 Q2")
        expect(page.get_by_text("No update provided")).to_have_count(43)
    finally:
        context.close()


def test_under_the_real_content_security_policy_govuk_frontend_starts_without_errors(
    transactional_db, live_server, browser, seed_programme, committee_member
):
    """The other tests bypass the CSP to inject axe; this one runs with it, as users do."""
    context = browser.new_context()
    try:
        page = context.new_page()
        problems = []
        page.on("console", lambda message: problems.append(message.text))
        page.on("pageerror", lambda error: problems.append(str(error)))
        sign_in(page, live_server, "councillor", PASSWORD)
        for url in ("/", "/programmes/", Q3_REPORT):
            page.goto(f"{live_server.url}{url}")
            page.wait_for_load_state("networkidle")
            assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
        assert not problems, problems
    finally:
        context.close()
