"""Every spreadsheet careprog writes keeps user text as text: a KPI or an action named like a
formula comes back, in openpyxl and in LibreOffice, as that text and never runs.

LibreOffice writes a formula cell to CSV as its result, so a formula that ran would read
"Click" or "2" there; the control test shows that it does so for a file written naively.
"""

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from actions.models import Action, Mechanism
from careprog.spreadsheets import append_row, csv_bytes, csv_value, xlsx_value
from kpis.models import KPI, KPIGroup
from tests.libreoffice import CSV_IN, convert

EVIL = '=HYPERLINK("http://evil.example","Click")'
HOSTILE = [EVIL, "=1+1", "+1+1", "-1+1", "@SUM(1,1)", "\t=1+1", "\r=1+1", "#N/A"]
# Read back from a file, a carriage return comes back as a line feed (XML's end-of-line
# rule), so the files are checked with the others.
TYPED = [text for text in HOSTILE if not text.startswith("\r")]


def csv_rows(path):
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def sheet_csv(folder, sheet):
    (found,) = folder.glob(f"*-{sheet}.csv")
    return csv_rows(found)


@pytest.mark.slow
def test_libreoffice_runs_a_formula_written_naively_so_the_checks_below_can_fail(tmp_path):
    workbook = Workbook()
    workbook.active.title = "Returns"
    workbook.active.append([EVIL, "=1+1"])
    workbook.save(tmp_path / "naive.xlsx")
    assert sheet_csv(convert(tmp_path / "naive.xlsx", "csv"), "Returns") == [["Click", "2"]]
    (tmp_path / "naive.csv").write_text("=1+1\n")
    opened = load_workbook(convert(tmp_path / "naive.csv", "xlsx", infilter=CSV_IN) / "naive.xlsx")
    assert opened.active["A1"].data_type == "f"


@pytest.mark.parametrize("text", HOSTILE)
def test_text_is_a_string_cell_in_xlsx_and_quoted_in_csv(text):
    cell = xlsx_value(Workbook().active, text)
    assert (cell.value, cell.data_type) == (text, "s")
    assert csv_value(text) == "'" + text if text != "#N/A" else csv_value(text) == text


def test_characters_xml_cannot_hold_do_not_break_a_workbook():
    sheet = Workbook().active
    append_row(sheet, ["a\x0bb", 3, None])
    assert [cell.value for cell in sheet[1]] == ["a\ufffdb", 3, None]


@pytest.fixture
def evil_kpi(db):
    group = KPIGroup.objects.create(name="Vision", position=1)
    return KPI.objects.create(
        code="cla-foster", name=EVIL, group=group, unit="percentage", polarity="higher"
    )


@pytest.mark.slow
def test_the_import_template_keeps_a_kpi_name_that_looks_like_a_formula_as_text(
    client, administrator, evil_kpi, tmp_path
):
    client.force_login(administrator)
    response = client.get("/kpis/import/template.xlsx", {"first": "Jan 2025", "last": "Mar 2025"})
    path = tmp_path / "template.xlsx"
    path.write_bytes(response.content)
    cell = load_workbook(path)["Returns"]["B2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (EVIL, "s", True)
    rows = sheet_csv(convert(path, "csv"), "Returns")
    assert rows[1][:3] == ["cla-foster", EVIL, "Percentage"]
    assert "Click" not in {value for row in rows for value in row}


@pytest.fixture
def hostile_actions(seed_programme):
    mechanism = Mechanism.objects.first()
    for position, title in enumerate(HOSTILE, start=90):
        Action.objects.create(mechanism=mechanism, position=position, title=title)


@pytest.mark.slow
def test_the_xlsx_export_of_actions_keeps_titles_as_the_text_typed(
    member_client, hostile_actions, tmp_path
):
    path = tmp_path / "actions.xlsx"
    path.write_bytes(member_client.get("/actions/", {"export": "xlsx"}).content)
    sheet = load_workbook(path).active
    titles = {cell.value: cell.data_type for cell in sheet["A"][1:]}
    assert {title: titles.get(title) for title in TYPED} == dict.fromkeys(TYPED, "s")
    shown = [row[0] for row in sheet_csv(convert(path, "csv"), "Actions")]
    assert set(TYPED) <= set(shown)
    assert "Click" not in shown and "2" not in shown


@pytest.mark.slow
def test_the_csv_export_of_actions_opens_in_libreoffice_as_text(
    member_client, hostile_actions, tmp_path
):
    path = tmp_path / "actions.csv"
    path.write_bytes(member_client.get("/actions/", {"export": "csv"}).content)
    opened = load_workbook(convert(path, "xlsx", infilter=CSV_IN) / "actions.xlsx").active
    cells = [cell for row in opened.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    titles = [cell.value for cell in opened["A"]]
    for text in TYPED:
        assert csv_value(text) in titles


def test_csv_bytes_start_with_a_byte_order_mark_for_excel():
    assert csv_bytes([["café", None]]).decode("utf-8") == "\ufeffcafé,\r\n"
