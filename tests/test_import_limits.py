"""Returns of any size are answered in time: a workbook beyond the row/cell limit is refused
in one sentence as it is uploaded, and no preview, confirmation or approval runs into
gunicorn's 30-second worker timeout (docs/operating.md): past the time budget each answers a
page that says so, and saves nothing."""

import time

import pytest
import xlsxwriter

from kpis.importing import gate
from kpis.models import ImportBatch, KPIEntry, KPIValue
from tests.import_files import long_return, with_sheet_xml
from tests.kpi_factories import make_kpi
from tests.test_kpi_import import confirm, text, upload

WORKER_TIMEOUT = 30  # gunicorn's default, which docs/operating.md keeps
ROWS_790K = 790_000
LIMIT_SENTENCE = (
    "A return may hold at most 100,000 rows and 600,000 filled cells, so that it is checked in "
    "time: split it into smaller files and upload each."
)


@pytest.fixture(scope="session")
def return_of_790000_rows(tmp_path_factory):
    """A valid-looking return of 790,000 rows (a code and a figure each) inside the 10 MB
    upload limit, as the issue's was; written once per session and worker (tmp_path_factory
    is per worker under pytest-xdist)."""
    path = tmp_path_factory.mktemp("returns") / "790000-rows.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Returns")
    sheet.write_row(0, 0, ["KPI code", "Dec 2024"])
    for row in range(1, ROWS_790K + 1):
        sheet.write_string(row, 0, f"m{row % 7900}")
        sheet.write_number(row, 1, row % 100)
    book.close()
    return path.read_bytes()


@pytest.fixture
def administrator_client(client, administrator):
    client.force_login(administrator)
    return client


@pytest.fixture
def monthly(db):
    return make_kpi("placements", unit="count")


def rows(count):
    return long_return([["placements", f"{month} 2024", n, ""] for n, month in zip(
        range(count), ["Jan", "Feb", "Mar", "Apr", "May", "Jun"], strict=False)])  # fmt: skip


@pytest.mark.slow
def test_a_790000_row_return_is_refused_within_the_worker_timeout_and_nothing_is_saved(
    administrator_client, monthly, return_of_790000_rows
):
    assert len(return_of_790000_rows) < 10 * 1024 * 1024  # inside the upload limit
    started = time.monotonic()
    response = upload(administrator_client, return_of_790000_rows)
    answered_in = time.monotonic() - started
    assert answered_in < WORKER_TIMEOUT / 2, f"answered in {answered_in:.1f} s"
    assert response.status_code == 200
    page = text(response)
    assert "govuk-error-summary" in page and LIMIT_SENTENCE in page
    assert not ImportBatch.objects.exists() and not KPIEntry.objects.exists()


def test_a_return_over_the_row_limit_is_refused_at_upload_and_one_at_it_is_read(
    administrator_client, monthly, monkeypatch
):
    monkeypatch.setattr(gate, "MAX_ROWS", 4)  # the header and three rows
    refused = upload(administrator_client, rows(4))
    assert "at most 4 rows" in text(refused) and not ImportBatch.objects.exists()
    accepted = upload(administrator_client, rows(3))
    assert accepted.context["preview"].can_confirm
    assert len(accepted.context["preview"].new) == 3


def test_a_return_over_the_cell_limit_is_refused_at_upload(
    administrator_client, monthly, monkeypatch
):
    monkeypatch.setattr(gate, "MAX_CELLS", 10)  # a header of four and two rows of three
    refused = upload(administrator_client, rows(3))
    assert "10 filled cells" in text(refused) and not ImportBatch.objects.exists()
    assert upload(administrator_client, rows(2)).context["preview"].can_confirm


def test_a_stored_return_over_the_limit_previews_as_a_refusal_not_an_error(
    administrator_client, monthly, monkeypatch
):
    """Limits lowered after an upload: the preview reads the stored file again."""
    response = upload(administrator_client, rows(3))
    monkeypatch.setattr(gate, "MAX_ROWS", 2)
    again = administrator_client.get(response.request["PATH_INFO"])
    assert again.status_code == 200 and "at most 2 rows" in text(again)
    assert not again.context["preview"].can_confirm


def test_the_template_states_the_limit_in_its_instructions(administrator_client):
    from io import BytesIO

    from openpyxl import load_workbook

    download = administrator_client.get("/kpis/import/template.xlsx")
    instructions = load_workbook(BytesIO(download.content))["Instructions"]
    lines = [row[0] for row in instructions.iter_rows(values_only=True) if row[0]]
    assert any("at most 100,000 rows and 600,000 filled cells" in line for line in lines)
    page = text(administrator_client.get("/kpis/import/"))
    assert "at most 100,000 rows and 600,000 filled cells" in page


def test_a_preview_past_the_time_budget_answers_a_clear_page(
    administrator_client, monthly, monkeypatch
):
    response = upload(administrator_client, rows(3))
    monkeypatch.setattr(gate, "TIME_BUDGET", 0.0)
    late = administrator_client.get(response.request["PATH_INFO"])
    assert late.status_code == 200
    assert "took longer than 0 seconds to check, so nothing was saved" in text(late)
    assert not late.context["preview"].can_confirm


def test_a_confirmation_past_the_time_budget_is_refused_and_saves_nothing(
    administrator_client, monthly, monkeypatch
):
    response = upload(administrator_client, rows(3))
    monkeypatch.setattr(gate, "TIME_BUDGET", 0.0)
    refused = confirm(administrator_client, response, approve=False)
    assert refused.status_code == 409
    assert "took longer than 0 seconds to check, so nothing was saved" in text(refused)
    assert not KPIEntry.objects.exists()
    assert ImportBatch.objects.get().status == ImportBatch.Status.PENDING


def test_an_approval_past_the_time_budget_is_refused_and_approves_nothing(
    administrator_client, head_of_service, client, monthly, monkeypatch
):
    confirm(administrator_client, upload(administrator_client, rows(3)), approve=False)
    batch = ImportBatch.objects.get()
    monkeypatch.setattr(gate, "TIME_BUDGET", 0.0)
    client.force_login(head_of_service)
    refused = client.post(f"/kpis/entries/import/{batch.pk}/", {"decision": "approve"})
    assert refused.status_code == 409
    assert "Approving these figures took longer than 0 seconds, so none was approved" in text(
        refused
    )
    assert not KPIValue.objects.exists()
    assert set(KPIEntry.objects.values_list("state", flat=True)) == {KPIEntry.State.AWAITING}


def test_rows_with_nothing_in_them_count_too_so_a_sheet_formatted_to_its_end_is_refused(
    administrator_client, monthly, monkeypatch
):
    """Empty formatted rows cost as much to read as full ones: every <row> counts."""
    monkeypatch.setattr(gate, "MAX_ROWS", 4)
    styled = "".join(f'<row r="{n}"><c r="A{n}" s="0"/></row>' for n in range(3, 8))
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats'
        '.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
        'KPI code</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>placements</t>'
        f"</is></c></row>{styled}</sheetData></worksheet>"
    )
    refused = upload(administrator_client, with_sheet_xml(rows(1), sheet))
    assert "at most 4 rows" in text(refused) and not ImportBatch.objects.exists()
