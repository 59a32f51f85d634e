"""An administrator imports a KPI return through the browser and a head of service approves
its figures before the dashboard shows them; nobody else can import."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from playwright.sync_api import expect

from careprog.periods import month_end
from kpis.forms import default_range
from kpis.importing.apply import apply_return, store_upload
from kpis.models import KPI, ImportBatch, KPIValue, Origin
from kpis.rating import period_name
from tests.browser.conftest import assert_no_axe_violations, sign_in
from tests.conftest import PASSWORD
from tests.import_files import long_return

pytestmark = pytest.mark.browser

IMPORT = "/kpis/import/"
PREVIEW = re.compile(r"/kpis/import/(\d+)/preview/$")
FILE_NAME = "kpi-return.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TOO_LARGE = "The file must be smaller than 1 MB"

# Measures of both frequencies and three units: a monthly count and two quarterly
# percentages (one with a decimal place), so the dashboard's formatting shows.
MONTHLY = "cp-children-in-care"  # count, 0 places; the seed's last figure is 699 (Jan 2025)
QUARTERLY = "cla-foster-placements"  # percentage, 1 place; no figures in the seed
CHANGED = "cp-juno-occupancy"  # percentage, 0 places; the test gives it 63 for the quarter


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return month_end(index // 12, index % 12 + 1)


def periods():
    """Relative to today, so the journey never ages into the future or out of range:
    the last complete month, and the latest quarter end on or before it."""
    last = default_range()[1]
    quarter_end = add_months(last, -(last.month % 3))
    return last, quarter_end


@pytest.fixture
def catalogue(transactional_db, seed_programme):
    """The Care Programme's headline measures and the strategy's catalogue (59 KPIs)."""
    call_command("loaddata", "cla_strategy_2022_25", verbosity=0)
    return seed_programme


def follow(page, locator):
    """Clicks and waits for the next page to load, so it is read whole, not mid-parse."""
    with page.expect_navigation():
        locator.click()


def menu(page):
    return page.get_by_role("navigation", name="Menu")


def upload_requests(page):
    """The resource type of every POST to the upload URL: 'xhr' when upload-progress.mjs
    sent it, 'document' when the browser submitted the form itself."""
    seen = []
    page.on(
        "request",
        lambda request: (
            seen.append(request.resource_type)
            if request.method == "POST" and request.url.endswith(IMPORT)
            else None
        ),
    )
    return seen


# Notes what the progress bar showed when upload-progress.mjs's request finished, in
# sessionStorage so it survives the move to the preview. It hooks send(), so its load
# listener runs after the script's own.
RECORD_PROGRESS = """
(() => {
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (body) {
    this.addEventListener("load", () => {
      const box = document.querySelector(".app-upload-progress");
      sessionStorage.setItem("upload-progress", JSON.stringify({
        shown: !box.hidden,
        value: box.querySelector("progress").value,
        status: box.querySelector("[data-upload-status]").textContent,
      }));
    });
    return send.call(this, body);
  };
})();
"""


def check_the_return(page, path):
    page.get_by_label("Upload a return").set_input_files(path)
    page.get_by_role("button", name="Check the return").click()
    page.wait_for_url(PREVIEW)
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the return")


def too_large(tmp_path, settings):
    """A file the form refuses (over a 1 MB limit, so the test stays quick): the page comes
    back at the same address instead of redirecting."""
    settings.KPI_IMPORT_MAX_BYTES = 1024 * 1024
    path = tmp_path / "too-large.xlsx"
    path.write_bytes(b"PK" + b"\0" * (1024 * 1024))
    return path


def fill_template(path, values):
    """Types each {(code, period end): value} into its KPI's row and its month's column."""
    workbook = load_workbook(path)
    sheet = workbook["Returns"]
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["KPI code", "KPI name", "Unit", "Frequency"]
    rows = {row[0].value: row[0].row for row in sheet.iter_rows(min_row=2)}
    for (code, period_end), value in values.items():
        column = header.index(f"{period_end:%b %Y}") + 1
        sheet.cell(row=rows[code], column=column, value=value)
    workbook.save(path)
    return rows, header


def test_an_administrator_imports_the_template_and_once_approved_the_dashboard_shows_it(
    live_server, page, browser, catalogue, administrator, head_of_service, tmp_path
):
    last, quarter_end = periods()
    first = add_months(quarter_end, -2)  # the first month of that quarter
    KPIValue.objects.create(
        kpi=KPI.objects.get(code=CHANGED),
        period_end=quarter_end,
        value=Decimal(63),
        origin=Origin.PUBLISHED,
        source="Committee paper",
    )
    page.add_init_script(RECORD_PROGRESS)
    sign_in(page, live_server, "performance", PASSWORD)
    follow(page, menu(page).get_by_role("link", name="Import"))
    expect(page).to_have_url(f"{live_server.url}{IMPORT}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import KPI returns")
    expect(menu(page).get_by_role("link", name="Import")).to_have_attribute("aria-current", "true")
    assert_no_axe_violations(page)

    page.get_by_label("First month", exact=True).fill(f"{first:%b %Y}")
    page.get_by_label("Last month", exact=True).fill(f"{last:%b %Y}")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the template (.xlsx)").click()
    download = download_info.value
    assert download.suggested_filename == f"kpi-return-{first:%Y-%m}-to-{last:%Y-%m}.xlsx"
    template = tmp_path / FILE_NAME
    download.save_as(template)

    rows, header = fill_template(
        template,
        {
            (MONTHLY, last): 688,
            (QUARTERLY, quarter_end): 72.5,
            (CHANGED, quarter_end): 70,
        },
    )
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    assert header[4:] == [f"{add_months(first, n):%b %Y}" for n in range(months)]
    assert len(rows) == KPI.objects.count()

    posts = upload_requests(page)
    check_the_return(page, template)
    assert posts == ["xhr"], "the upload did not go through upload-progress.mjs"
    expect(page).to_have_title(re.compile(r"^Check the return"))
    assert page.evaluate("JSON.parse(sessionStorage.getItem('upload-progress'))") == {
        "shown": True,
        "value": 100,
        "status": "Checking the return…",
    }
    expect(page.locator(".app-counts__item")).to_have_text(
        ["2 new", "1 changed", "0 unchanged", "0 warnings"]
    )
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    changed = page.get_by_role("region", name="Changed values")
    expect(changed.locator("tbody tr")).to_have_count(1)
    expect(changed.locator("tbody tr td")).to_have_text(
        [
            re.compile(r"^Returns!\w+\d+$"),
            f"Juno occupancy rate ({CHANGED}, percentage)",
            f"{quarter_end:%-d %b %Y}",
            "63%",
            "70%",
        ]
    )
    new = page.get_by_role("region", name="New values")
    expect(new.locator("tbody tr")).to_have_count(2)
    expect(new).to_contain_text(MONTHLY)
    expect(new).to_contain_text(QUARTERLY)
    assert KPIValue.objects.filter(origin=Origin.RETURN).count() == 0  # a preview saves nothing
    assert_no_axe_violations(page)

    follow(page, page.get_by_role("button", name="Import 3 new and changed values"))
    expect(page.get_by_role("alert")).to_contain_text(
        f"{FILE_NAME} has been imported: its figures await approval."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Import of {FILE_NAME}")
    expect(page.locator(".govuk-summary-list")).to_contain_text("2 new, 1 changed, 0 unchanged")
    expect(page.locator(".govuk-summary-list")).to_contain_text(
        "3 awaiting approval, 0 approved, 0 returned to their owners"
    )
    expect(page.get_by_role("button", name="Undo this import")).to_be_visible()
    assert_no_axe_violations(page)

    batch = ImportBatch.objects.get()
    expect(page).to_have_url(f"{live_server.url}/kpis/import/{batch.pk}/")
    follow(page, page.get_by_role("link", name="Earlier imports"))
    expect(page).to_have_url(f"{live_server.url}/kpis/import/history/")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr td")).to_have_text(
        [
            FILE_NAME,
            re.compile(r"\d{4}"),
            "Priya Performance",
            "2",
            "1",
            "0",
            "Imported",
            f"{batch.sha256[:12]}…",
        ]
    )
    assert_no_axe_violations(page)

    follow(page, menu(page).get_by_role("link", name="KPIs"))
    row = page.locator(f"tr[data-kpi='{CHANGED}']")
    expect(row.locator(".app-kpi-value")).to_have_text("63%")  # nothing read changes yet
    assert KPIValue.objects.filter(origin=Origin.RETURN).count() == 0

    head = browser.new_context(bypass_csp=True).new_page()
    sign_in(head, live_server, "hannah", PASSWORD)
    follow(head, head.get_by_role("link", name=re.compile(r"^3 figures await your approval")))
    expect(head.get_by_role("heading", level=1)).to_have_text("Figures awaiting approval")
    assert_no_axe_violations(head)
    follow(head, head.get_by_role("link", name=FILE_NAME))
    expect(head.get_by_role("heading", level=1)).to_have_text(f"Figures imported from {FILE_NAME}")
    expect(head.locator("tbody tr")).to_have_count(3)
    assert_no_axe_violations(head)
    follow(head, head.get_by_role("button", name="Approve 3 figures"))
    expect(head.get_by_role("alert")).to_contain_text(
        "3 figures were approved: committee members now see them."
    )
    expect(head.locator(".govuk-summary-list")).to_contain_text(
        "0 awaiting approval, 3 approved, 0 returned to their owners"
    )
    assert_no_axe_violations(head)
    head.context.close()

    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("KPI dashboard")
    for code, shown, period_end in (
        (MONTHLY, "688", last),
        (QUARTERLY, "72.5%", quarter_end),
        (CHANGED, "70%", quarter_end),
    ):
        row = page.locator(f"tr[data-kpi='{code}']")
        expect(row.locator(".app-kpi-value")).to_have_text(shown)
        expect(row.locator(".app-kpi-table__value")).to_contain_text(
            period_name(period_end, KPI.objects.get(code=code))
        )
        expect(row.locator(".app-illustrative")).to_have_count(0)
    assert KPIValue.objects.filter(origin=Origin.RETURN).count() == 3


def test_every_problem_is_listed_by_sheet_and_cell_and_nothing_can_be_imported(
    live_server, page, catalogue, administrator, tmp_path, settings
):
    last, quarter_end = periods()
    bad = tmp_path / "bad-return.xlsx"
    bad.write_bytes(
        long_return(
            [
                [MONTHLY, f"{last:%b %Y}", 688, ""],  # fine on its own
                ["cla-not-a-measure", f"{last:%b %Y}", 12, ""],
                [MONTHLY, f"{add_months(last, -1):%b %Y}", "about 700", ""],
            ],
            extra_sheets=[
                (
                    "Quarterly",
                    [
                        ["KPI code", "Period", "Value"],
                        [QUARTERLY, f"{quarter_end:%Y-%m-%d}", "n/a"],
                    ],
                )
            ],
        )
    )
    sign_in(page, live_server, "performance", PASSWORD)
    page.goto(f"{live_server.url}{IMPORT}")
    check_the_return(page, bad)

    expect(page).to_have_title(re.compile(r"^Error: Check the return"))
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading")).to_have_text("The return cannot be imported: 3 problems")
    expect(summary.locator("li")).to_have_text(
        [
            "Returns!A3: 'cla-not-a-measure' is not a KPI code in the catalogue",
            "Returns!C4: 'about 700' is not a number",
            "Quarterly!C2: 'n/a' is not a number",
        ]
    )
    expect(page.get_by_role("button", name=re.compile(r"^Import"))).to_have_count(0)
    expect(page.get_by_role("link", name="Upload a corrected file")).to_be_visible()
    assert_no_axe_violations(page)
    assert ImportBatch.objects.get().status == ImportBatch.Status.PENDING
    assert not KPIValue.objects.filter(origin=Origin.RETURN).exists()

    follow(page, page.get_by_role("link", name="Upload a corrected file"))
    follow(page, page.get_by_role("button", name="Check the return"))  # no file chosen
    expect(page).to_have_url(f"{live_server.url}{IMPORT}")
    expect(page).to_have_title(re.compile(r"^Error: Import KPI returns"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(["Select an Excel file to upload"])
    expect(page.locator("#id_file-error")).to_have_text("Error: Select an Excel file to upload")
    expect(page.get_by_label("Upload a return")).to_have_attribute(
        "aria-describedby", "id_file-hint id_file-error"
    )
    assert_no_axe_violations(page)
    summary.get_by_role("link").click()
    expect(page.get_by_label("Upload a return")).to_be_focused()

    # A file the form refuses, sent by upload-progress.mjs: the page comes back in place.
    posts = upload_requests(page)
    page.get_by_label("Upload a return").set_input_files(too_large(tmp_path, settings))
    page.get_by_role("button", name="Check the return").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link")).to_have_text([TOO_LARGE])
    expect(summary).to_be_focused()
    assert posts == ["xhr"]
    expect(page).to_have_url(f"{live_server.url}{IMPORT}")
    expect(page).to_have_title(re.compile(r"^Error: Import KPI returns"))
    assert_no_axe_violations(page)
    assert ImportBatch.objects.count() == 1


def test_under_the_real_csp_a_refused_file_comes_back_in_place_with_its_scripts_working(
    live_server, browser, catalogue, administrator, tmp_path, settings
):
    """The `page` fixture bypasses the CSP for axe; this context keeps it, as a user has it."""
    last, _ = periods()
    good = tmp_path / FILE_NAME
    good.write_bytes(long_return([[MONTHLY, f"{last:%b %Y}", 688, ""]]))
    context = browser.new_context()
    try:
        page = context.new_page()
        problems = []
        page.on(
            "console", lambda message: message.type == "error" and problems.append(message.text)
        )
        page.on("pageerror", lambda error: problems.append(str(error)))
        sign_in(page, live_server, "performance", PASSWORD)
        page.goto(f"{live_server.url}{IMPORT}")
        posts = upload_requests(page)

        page.get_by_label("Upload a return").set_input_files(too_large(tmp_path, settings))
        page.get_by_role("button", name="Check the return").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary.get_by_role("link")).to_have_text([TOO_LARGE])
        expect(summary).to_be_focused()  # GOV.UK Frontend started on the new content
        expect(page).to_have_title(re.compile(r"^Error: Import KPI returns"))
        expect(page.locator("body")).to_have_class(re.compile(r"\bjs-enabled\b"))
        expect(page.locator(".govuk-error-summary")).to_have_count(1)

        check_the_return(page, good)  # the form that came back still uploads by script
        assert posts == ["xhr", "xhr"]
        assert not problems, problems
    finally:
        context.close()


def test_without_javascript_the_upload_form_still_reaches_the_preview(
    live_server, browser, catalogue, administrator, tmp_path
):
    last, _ = periods()
    good = tmp_path / FILE_NAME
    good.write_bytes(long_return([[MONTHLY, f"{last:%b %Y}", 688, ""]]))
    context = browser.new_context(java_script_enabled=False, bypass_csp=True)
    try:
        page = context.new_page()
        sign_in(page, live_server, "performance", PASSWORD)
        page.goto(f"{live_server.url}{IMPORT}")
        posts = upload_requests(page)
        check_the_return(page, good)
        assert posts == ["document"]
        expect(page.locator(".app-counts__item")).to_have_text(
            ["1 new", "0 changed", "0 unchanged", "0 warnings"]
        )
        expect(page.get_by_role("button", name="Import 1 new and changed values")).to_be_visible()
    finally:
        context.close()


@pytest.mark.parametrize(
    "username, persona", [("olive", "officer"), ("councillor", "committee_member")]
)
def test_officers_and_committee_members_are_refused_every_import_page_and_upload(
    live_server, page, catalogue, administrator, request, username, persona
):
    request.getfixturevalue(persona)
    last, _ = periods()
    data = long_return([[MONTHLY, f"{last:%b %Y}", 688, ""]])
    applied = store_upload(data=data, file_name="applied.xlsx", user=administrator)
    apply_return(batch=applied, user=administrator)
    pending = store_upload(data=data, file_name="pending.xlsx", user=administrator)
    values = KPIValue.objects.count()

    sign_in(page, live_server, username, PASSWORD)
    expect(menu(page).get_by_role("link", name="All actions")).to_be_visible()
    expect(menu(page).get_by_role("link", name="Import")).to_have_count(0)

    for path in (
        IMPORT,
        "/kpis/import/template.xlsx",
        "/kpis/import/history/",
        f"/kpis/import/{applied.pk}/",
        f"/kpis/import/{pending.pk}/preview/",
    ):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 403, f"{path}: {response.status}"
        expect(page.get_by_role("heading", level=1)).to_have_text("You cannot do that")
        expect(menu(page).get_by_role("link", name="Import")).to_have_count(0)

    token = page.locator("form[action='/sign-out/'] input[name=csrfmiddlewaretoken]")
    response = page.request.post(
        f"{live_server.url}{IMPORT}",
        multipart={
            "csrfmiddlewaretoken": token.get_attribute("value"),
            "file": {"name": "return.xlsx", "mimeType": XLSX, "buffer": data},
        },
        max_redirects=0,
    )
    assert response.status == 403
    assert "You cannot do that" in response.text()  # the view refused it, not the CSRF check
    assert ImportBatch.objects.count() == 2
    assert not ImportBatch.objects.exclude(uploaded_by=administrator).exists()
    assert KPIValue.objects.count() == values
