"""The .xlsx gate and reader: every workbook is built in memory (openpyxl, xlsxwriter, or by
hand for the odd and hostile ones); no fixture files."""

from __future__ import annotations

import datetime as dt
import io
import random
import time
import tracemalloc
import zipfile
from dataclasses import replace

import openpyxl
import pytest
import xlsxwriter
from openpyxl.styles import Font
from openpyxl.utils.datetime import CALENDAR_MAC_1904, from_excel

from kpis.importing.gate import Limits, WorkbookRejected, upload_limits
from kpis.importing.reader import (
    DATE,
    PERCENT,
    PLAIN,
    Cell,
    cell_ref,
    excel_datetime,
    format_kind,
    open_workbook,
)

# --- Building workbooks ----------------------------------------------------------------------


def openpyxl_bytes(workbook: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsxwriter_bytes(build, **options) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, **options})
    build(workbook)
    workbook.close()
    return buffer.getvalue()


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def zip_bytes(parts: dict[str, bytes | str], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def hand_parts(
    sheets: dict[str, str],
    *,
    styles: str | None = None,
    strings: list[str] | None = None,
    date1904: bool = False,
    absolute: bool = False,
    main: str = MAIN,
    office_rel: str = OFFICE_REL,
) -> dict[str, str]:
    """The parts of a minimal workbook whose sheets' XML is given (the <sheetData> and what
    follows it, or a whole document if it starts with '<?xml' or '<')."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="rels" ContentType="applicati'
            'on/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" Conten'
            'tType="application/xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{PACKAGE_REL}"><Relationship Id="rId1" '
            f'Type="{office_rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
    }
    entries, rels = [], []
    for number, (name, xml) in enumerate(sheets.items(), start=1):
        entries.append(f'<sheet name="{name}" sheetId="{number}" r:id="rId{number}"/>')
        target = (
            f"/xl/worksheets/sheet{number}.xml" if absolute else f"worksheets/sheet{number}.xml"
        )
        rels.append(
            f'<Relationship Id="rId{number}" Type="{office_rel}/worksheet" Target="{target}"/>'
        )
        if not xml.lstrip().startswith("<?xml") and "worksheet" not in xml[:200]:
            xml = f'<worksheet xmlns="{main}">{xml}</worksheet>'
        parts[f"xl/worksheets/sheet{number}.xml"] = xml
    if styles is not None:
        rels.append(f'<Relationship Id="rIdS" Type="{office_rel}/styles" Target="styles.xml"/>')
        parts["xl/styles.xml"] = f'<styleSheet xmlns="{main}">{styles}</styleSheet>'
    if strings is not None:
        rels.append(
            f'<Relationship Id="rIdT" Type="{office_rel}/sharedStrings" '
            'Target="sharedStrings.xml"/>'
        )
        parts["xl/sharedStrings.xml"] = f'<sst xmlns="{main}">{"".join(strings)}</sst>'
    parts["xl/workbook.xml"] = (
        f'<workbook xmlns="{main}" xmlns:r="{office_rel}">'
        f'<workbookPr date1904="{int(date1904)}"/><sheets>{"".join(entries)}</sheets></workbook>'
    )
    parts["xl/_rels/workbook.xml.rels"] = (
        f'<Relationships xmlns="{PACKAGE_REL}">{"".join(rels)}</Relationships>'
    )
    return parts


def hand_xlsx(sheets: dict[str, str], **options) -> bytes:
    return zip_bytes(hand_parts(sheets, **options))


def all_rows(workbook, name=None) -> list[tuple[int, list[Cell]]]:
    return list(workbook.sheet(name or workbook.sheet_names[0]).rows())


def cells_by_ref(workbook, name=None) -> dict[str, Cell]:
    return {
        cell_ref(number, cell.column): cell
        for number, cells in all_rows(workbook, name)
        for cell in cells
    }


# --- Values ----------------------------------------------------------------------------------


def test_openpyxl_workbook_values_kinds_and_formats():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data"
    sheet["A1"] = 12
    sheet["B1"] = 0.63
    sheet["C1"] = 0.63
    sheet["C1"].number_format = "0%"
    sheet["D1"] = 0.63
    sheet["D1"].number_format = "0.0%"
    sheet["E1"] = "Looked after children"
    sheet["F1"] = True
    sheet["G1"] = False
    sheet["H1"] = dt.datetime(2024, 3, 31)
    sheet["I1"] = dt.datetime(2024, 3, 31, 17, 30)
    sheet["I1"].number_format = "dd/mm/yyyy hh:mm"
    sheet["J1"] = 45382
    sheet["J1"].number_format = '[Red]0.00;"minus "0.00'  # colour and quoted text: no date
    sheet["K1"] = "=A1*2"  # openpyxl saves no result for a formula
    sheet["L1"] = "#DIV/0!"  # openpyxl writes this as an error cell
    sheet["M1"] = -3.5
    sheet["N1"] = 1e-7

    workbook = open_workbook(openpyxl_bytes(book))
    assert workbook.sheet_names == ["Data"]
    assert workbook.date1904 is False
    cells = cells_by_ref(workbook)
    assert cells["A1"] == Cell(1, 12, "number", False)
    assert isinstance(cells["A1"].value, float)
    assert cells["B1"] == Cell(2, 0.63, "number", False)
    assert cells["C1"] == Cell(3, 0.63, "number", True)
    assert cells["D1"] == Cell(4, 0.63, "number", True)
    assert repr(cells["D1"].value) == "0.63"
    assert cells["E1"] == Cell(5, "Looked after children", "text", False)
    assert cells["F1"] == Cell(6, True, "bool", False)
    assert cells["G1"] == Cell(7, False, "bool", False)
    assert cells["H1"] == Cell(8, dt.datetime(2024, 3, 31), "date", False)
    assert cells["I1"] == Cell(9, dt.datetime(2024, 3, 31, 17, 30), "date", False)
    assert cells["J1"] == Cell(10, 45382, "number", False)
    assert cells["K1"] == Cell(11, None, "formula_without_value", False)
    assert cells["L1"] == Cell(12, "#DIV/0!", "error", False)
    assert cells["M1"].value == -3.5
    assert cells["N1"].value == 1e-7


def test_openpyxl_1904_dates_sheets_in_order_merged_and_sparse_rows():
    book = openpyxl.Workbook()
    book.epoch = CALENDAR_MAC_1904
    first = book.active
    first.title = "Returns"
    first["A1"] = "KPI code"
    first["B1"] = dt.datetime(2025, 1, 31)
    first.merge_cells("A5:C6")
    first["A5"] = "merged"
    first["E3"].font = Font(bold=True)  # a styled cell with no value is not a cell
    first["Z100"] = 7
    first["AB100"] = "far"
    second = book.create_sheet("Notes")
    second["A2"] = "second sheet"
    hidden = book.create_sheet("Lookups")
    hidden.sheet_state = "hidden"
    book.create_chartsheet("Chart")  # no cells: not listed
    book.create_sheet("Zed")

    workbook = open_workbook(openpyxl_bytes(book))
    assert workbook.date1904 is True
    assert workbook.sheet_names == ["Returns", "Notes", "Lookups", "Zed"]
    assert workbook.hidden_sheets == {"Lookups"}
    returns = workbook.sheet("Returns")
    rows = list(returns.rows())
    assert [number for number, _ in rows] == [1, 5, 100]
    assert rows[0][1][1] == Cell(2, dt.datetime(2025, 1, 31), "date", False)
    assert rows[2][1] == [Cell(26, 7, "number", False), Cell(28, "far", "text", False)]
    assert returns.merged == [(5, 1, 6, 3)]
    assert all_rows(workbook, "Notes") == [(2, [Cell(1, "second sheet", "text", False)])]
    assert all_rows(workbook, "Zed") == []
    with pytest.raises(KeyError):
        workbook.sheet("Chart")


def test_merged_ranges_are_known_before_or_after_reading_the_rows():
    book = openpyxl.Workbook()
    sheet = book.active
    for row in range(1, 2001):
        sheet.append([f"K{row}", row, row / 3])
    sheet.merge_cells("B3:C4")
    sheet.merge_cells("E10")
    sheet.merge_cells("A2000:C2001")
    data = openpyxl_bytes(book)
    expected = [(3, 2, 4, 3), (10, 5, 10, 5), (2000, 1, 2001, 3)]

    early = open_workbook(data).sheet("Sheet")
    rows = early.rows()
    next(rows)
    assert (
        sorted(early.merged) == expected
    )  # read while the rows are half read, as the importer does
    assert len(list(rows)) == 1999

    late = open_workbook(data).sheet("Sheet")
    assert len(list(late.rows())) == 2000
    assert sorted(late.merged) == expected


def test_xlsxwriter_shared_strings_cached_formula_results_errors_and_1904_dates():
    def build(book):
        sheet = book.add_worksheet("Return")
        percent = book.add_format({"num_format": "0.0%"})
        whole_percent = book.add_format({"num_format": 9})
        date = book.add_format({"num_format": "yyyy-mm-dd"})
        builtin_date = book.add_format({"num_format": 14})
        merge = book.add_format({"bold": True})
        sheet.write_string("A1", "KPI code")
        sheet.write_string("A2", "KPI code")  # the same shared string twice
        sheet.write_number("B1", 0.63, percent)
        sheet.write_number("B2", 0.63, whole_percent)
        sheet.write_datetime("C1", dt.datetime(2024, 6, 30), date)
        sheet.write_datetime("C2", dt.datetime(1904, 1, 2), builtin_date)
        sheet.write_boolean("D1", True)
        sheet.write_formula("E1", "=B1*100", None, 63)
        sheet.write_formula("E2", '="a"&"b"', None, "ab")
        sheet.write_formula("E3", "=1/0", None, "#DIV/0!")
        sheet.write_formula("E4", "=1=1", None, True)
        sheet.write_formula("E5", "=B1", percent, 0.63)
        sheet.merge_range("G3:I4", "merged", merge)
        book.add_worksheet("Second").write_string("A1", "two")

    workbook = open_workbook(xlsxwriter_bytes(build, date_1904=True))
    assert workbook.date1904 is True
    assert workbook.sheet_names == ["Return", "Second"]
    cells = cells_by_ref(workbook, "Return")
    assert cells["A1"] == cells["A2"]._replace() == Cell(1, "KPI code", "text", False)
    assert cells["B1"] == Cell(2, 0.63, "number", True)
    assert cells["B2"] == Cell(2, 0.63, "number", True)
    assert cells["C1"] == Cell(3, dt.datetime(2024, 6, 30), "date", False)
    assert cells["C2"] == Cell(3, dt.datetime(1904, 1, 2), "date", False)
    assert cells["D1"] == Cell(4, True, "bool", False)
    assert cells["E1"] == Cell(5, 63, "number", False)
    assert cells["E2"] == Cell(5, "ab", "text", False)
    assert cells["E3"] == Cell(5, "#DIV/0!", "error", False)
    assert cells["E4"] == Cell(5, True, "bool", False)
    assert cells["E5"] == Cell(5, 0.63, "number", True)
    assert cells["G3"] == Cell(7, "merged", "text", False)
    assert "H3" not in cells  # the rest of a merged range is empty
    assert workbook.sheet("Return").merged == [(3, 7, 4, 9)]
    assert cells_by_ref(workbook, "Second") == {"A1": Cell(1, "two", "text", False)}


def test_1900_dates_keep_lotus_leap_year_bug_like_openpyxl():
    def build(book):
        sheet = book.add_worksheet()
        date = book.add_format({"num_format": "d mmm yyyy"})
        for row, serial in enumerate([1, 59, 60, 61, 45382, 45382.75, 0.5]):
            sheet.write_number(row, 0, serial, date)

    cells = [cells[0] for _, cells in all_rows(open_workbook(xlsxwriter_bytes(build)))]
    assert [cell.kind for cell in cells] == ["date"] * 7
    assert [cell.value for cell in cells[:6]] == [
        dt.datetime(1900, 1, 1),
        dt.datetime(1900, 2, 28),
        dt.datetime(1900, 2, 28),  # Excel's 29 February 1900, as openpyxl reads it
        dt.datetime(1900, 3, 1),
        dt.datetime(2024, 3, 31),
        dt.datetime(2024, 3, 31, 18),
    ]
    for serial in (1, 59, 61, 45382, 45382.75, 1234.000011574):
        assert excel_datetime(serial) == from_excel(serial)
        assert excel_datetime(serial, True) == from_excel(serial, dt.datetime(1904, 1, 1))
    assert cells[6].value == dt.datetime(1899, 12, 31, 12)  # a time alone: on day 0


def test_hand_written_inline_rich_text_escapes_out_of_order_and_missing_references():
    sheet = (
        "<sheetData>"
        '<row r="7"><c r="B7" t="inlineStr"><is><r><t>Rich </t></r><r><rPr><b/></rPr>'
        '<t xml:space="preserve">text </t></r><rPh sb="0" eb="1"><t>ignored</t></rPh></is></c>'
        '<c r="A7" t="inlineStr"><is><t>line_x000D_break _x005F_x000D_</t></is></c></row>'
        '<row r="3"><c t="n"><v>1</v></c><c><v>2</v></c><c t="e"><v>#N/A</v></c>'
        '<c r="E3" s="1"/><c r="F3" t="str"><f>""</f><v></v></c>'
        '<c r="G3"><f>A3</f></c><c r="H3" t="d"><v>2024-03-31T00:00:00</v></c></row>'
        '<row><c r="C4" t="s"><v>1</v></c><c r="D4" t="s"><v>0</v></c></row>'
        '<row r="5"><c r="A5" s="1"/></row>'
        "</sheetData>"
        '<mergeCells count="1"><mergeCell ref="A7:B8"/></mergeCells>'
    )
    strings = ["<si><t>zero</t></si>", "<si><r><t>o</t></r><r><t>ne</t></r></si>"]
    styles = '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs>'
    workbook = open_workbook(
        hand_xlsx({"Odd one": sheet}, strings=strings, styles=styles, absolute=True)
    )
    rows = all_rows(workbook)
    assert [number for number, _ in rows] == [7, 3, 4]  # document order; row 5 is empty
    assert rows[0][1] == [
        Cell(1, "line\rbreak _x000D_", "text", False),
        Cell(2, "Rich text ", "text", False),
    ]
    assert rows[1][1] == [
        Cell(1, 1, "number", False),
        Cell(2, 2, "number", False),
        Cell(3, "#N/A", "error", False),
        Cell(6, "", "text", False),
        Cell(7, None, "formula_without_value", False),
        Cell(8, dt.datetime(2024, 3, 31), "date", False),
    ]
    assert rows[2] == (4, [Cell(3, "one", "text", False), Cell(4, "zero", "text", False)])
    assert workbook.sheet("Odd one").merged == [(7, 1, 8, 2)]


def test_iso_cells_hold_a_date_and_time_a_date_alone_or_a_time_alone():
    """ECMA-376 allows all three in a t="d" cell; LibreOffice and other writers use them."""
    cells = "".join(
        f'<c r="{ref}" t="d"><v>{iso}</v></c>'
        for ref, iso in [("A1", "2025-01-31T10:10:10Z"), ("B1", "2025-01-31"),
                         ("C1", "10:10:10"), ("D1", "10:10:10.5+01:00")]
    )  # fmt: skip
    workbook = open_workbook(
        hand_xlsx({"Data": f'<sheetData><row r="1">{cells}</row></sheetData>'})
    )
    assert all_rows(workbook)[0][1] == [
        Cell(1, dt.datetime(2025, 1, 31, 10, 10, 10), "date", False),
        Cell(2, dt.datetime(2025, 1, 31), "date", False),
        Cell(3, dt.time(10, 10, 10), "time", False),
        Cell(4, dt.time(10, 10, 10, 500000), "time", False),
    ]


def test_the_workbook_part_is_the_one_the_package_relationships_name():
    parts = hand_parts({"Data": '<sheetData><row r="1"><c r="A1"><v>7</v></c></row></sheetData>'})
    moved = {
        name.replace("xl/", "spreadsheet/").replace("workbook.xml", "book.xml"): content
        for name, content in parts.items()
    }
    moved["_rels/.rels"] = parts["_rels/.rels"].replace("xl/workbook.xml", "spreadsheet/book.xml")
    workbook = open_workbook(zip_bytes(moved))
    assert workbook.sheet_names == ["Data"]
    assert all_rows(workbook) == [(1, [Cell(1, 7, "number", False)])]
    missing = dict(moved)
    del missing["spreadsheet/book.xml"]
    assert "damaged or incomplete" in rejected(zip_bytes(missing))
    binary = {"_rels/.rels": moved["_rels/.rels"].replace("book.xml", "book.bin")}
    assert ".xlsb" in rejected(zip_bytes({**binary, "spreadsheet/book.bin": b"\x83\x01"}))


def test_prefixed_and_strict_namespaces():
    prefixed = (
        f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row r="1">'
        '<x:c r="A1" t="inlineStr"><x:is><x:t>prefixed</x:t></x:is></x:c>'
        '<x:c r="B1"><x:v>2.5</x:v></x:c></x:row></x:sheetData>'
        '<x:mergeCells><x:mergeCell ref="C1:D1"/></x:mergeCells></x:worksheet>'
    )
    workbook = open_workbook(hand_xlsx({"P": prefixed}))
    assert all_rows(workbook) == [
        (1, [Cell(1, "prefixed", "text", False), Cell(2, 2.5, "number", False)])
    ]
    assert workbook.sheet("P").merged == [(1, 3, 1, 4)]

    strict = hand_xlsx(
        {"S": '<sheetData><row r="2"><c r="B2" s="1"><v>0.5</v></c></row></sheetData>'},
        styles='<cellXfs><xf numFmtId="0"/><xf numFmtId="10"/></cellXfs>',
        main="http://purl.oclc.org/ooxml/spreadsheetml/main",
        office_rel="http://purl.oclc.org/ooxml/officeDocument/relationships",
    )
    assert all_rows(open_workbook(strict)) == [(2, [Cell(2, 0.5, "number", True)])]


def test_macro_enabled_workbook_is_read_and_its_macros_left_alone():
    parts = hand_parts({"M": '<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'})
    parts["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 not run, not read"
    workbook = open_workbook(zip_bytes(parts))
    assert workbook.has_macros is True
    assert all_rows(workbook) == [(1, [Cell(1, 1, "number", False)])]


@pytest.mark.parametrize(
    "code, kind",
    [
        ("General", PLAIN),
        ("0.00", PLAIN),
        ("#,##0_);[Red](#,##0)", PLAIN),
        ('0.0" days"', PLAIN),
        ("[$£-809]#,##0.00", PLAIN),
        ("@", PLAIN),
        ("0%", PERCENT),
        ("0.0%", PERCENT),
        ('0.0" %"', PLAIN),
        ("0.0\\%", PLAIN),
        ("dd/mm/yyyy", DATE),
        ("mmm-yy", DATE),
        ("[$-809]dd mmmm yyyy;@", DATE),
        ("[h]:mm:ss", DATE),
        ("h:mm AM/PM", DATE),
        ("yyyy-mm-dd h:mm:ss", DATE),
        ("[Red][<=100]0;[Blue]0", PLAIN),
    ],
)
def test_custom_number_formats(code, kind):
    assert format_kind(164, code) == kind


def test_builtin_number_formats():
    assert [format_kind(i, None) for i in (0, 1, 2, 9, 10, 11, 14, 22, 44, 45, 47, 49)] == [
        PLAIN,
        PLAIN,
        PLAIN,
        PERCENT,
        PERCENT,
        PLAIN,
        DATE,
        DATE,
        PLAIN,
        DATE,
        DATE,
        PLAIN,
    ]


def test_cell_ref():
    assert [cell_ref(14, 3), cell_ref(1, 26), cell_ref(2, 27), cell_ref(9, 16384)] == [
        "C14",
        "Z1",
        "AA2",
        "XFD9",
    ]


# --- The gate --------------------------------------------------------------------------------

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)).replace(
        "&lol0;", "&lol;"
    )
    + f']><worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is>'
    "<t>&lol9;</t></is></c></row></sheetData></worksheet>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is>'
    "<t>&x;</t></is></c></row></sheetData></worksheet>"
)


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """A workbook with 50 MB of zeros packed into a part (about 50 KB compressed)."""
    parts = hand_parts({"Data": "<sheetData/>"})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
        with archive.open("xl/media/zeros.bin", "w") as member:
            block = bytes(1024 * 1024)
            for _ in range(50):
                member.write(block)
    return buffer.getvalue()


def docx_like() -> bytes:
    return zip_bytes({"word/document.xml": "<document/>", "[Content_Types].xml": "<Types/>"})


def rejected(data: bytes, limits: Limits | None = None) -> str:
    started = time.perf_counter()
    with pytest.raises(WorkbookRejected) as caught:
        open_workbook(data, limits)
    assert time.perf_counter() - started < 1, "the gate took a second or more"
    message = str(caught.value)
    assert message.endswith(".") and "\n" not in message and "Traceback" not in message
    return message


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda: b"", "The file is empty."),
        (lambda: random.Random(1).randbytes(5000), "not an Excel workbook (.xlsx)"),
        (lambda: b"KPI code,Period,Value\nCSC01,2024-03-31,63\n", "not an Excel workbook"),
        (lambda: zip_bytes({"notes.txt": "hello", "data.csv": "a,b"}), "not an Excel workbook"),
        (docx_like, "not an Excel workbook"),
        (lambda: OLE2 + bytes(504) + b"\x00Workbook" * 50, "legacy .xls workbook: save it as"),
        (
            lambda: OLE2 + bytes(1000) + "EncryptionInfo".encode("utf-16-le") + bytes(300),
            "password-protected",
        ),
        (
            lambda: OLE2 + bytes(1000) + "EncryptedPackage".encode("utf-16-le"),
            "password-protected",
        ),
        (lambda: zip_bytes({"xl/workbook.bin": b"\x83\x01"}), ".xlsb"),
        (
            lambda: zip_bytes(
                {
                    "mimetype": "application/vnd.oasis.opendocument.spreadsheet",
                    "content.xml": "<a/>",
                }
            ),
            "OpenDocument spreadsheet (.ods)",
        ),
        (lambda: hand_xlsx({"Data": "<sheetData/>"})[:-40], "damaged or incomplete"),
        (lambda: b"PK\x03\x04" + random.Random(2).randbytes(2000), "damaged or incomplete"),
        (lambda: hand_xlsx({"Data": BILLION_LAUGHS}), "XML features that are not allowed"),
        (lambda: hand_xlsx({"Data": EXTERNAL_ENTITY}), "XML features that are not allowed"),
    ],
    ids=[
        "empty",
        "random-bytes",
        "csv-renamed",
        "zip-of-other-files",
        "docx",
        "legacy-xls",
        "encrypted-xlsx-info",
        "encrypted-xlsx-package",
        "xlsb",
        "ods",
        "truncated-xlsx",
        "broken-zip",
        "billion-laughs",
        "external-entity",
    ],
)
def test_gate_rejects_with_one_sentence(make, expected):
    assert expected in rejected(make())


def test_gate_rejects_files_over_the_size_limit():
    data = hand_xlsx({"Data": "<sheetData/>"})
    message = rejected(data + bytes(2 * 1024 * 1024), Limits(max_bytes=1024 * 1024))
    assert message == "The file is larger than the 1 MB upload limit."
    assert "10 MB" in rejected(bytes(10 * 1024 * 1024 + 1))


def test_gate_refuses_a_decompression_bomb_without_unpacking_it(zip_bomb):
    assert len(zip_bomb) < 200_000
    assert "compressed far more than a real spreadsheet" in rejected(zip_bomb)
    lowered = replace(upload_limits(), max_uncompressed=10 * 1024 * 1024, max_ratio=10**6)
    assert rejected(zip_bomb, lowered) == (
        "This workbook unpacks to more than 10 MB, far more than a KPI return needs, "
        "so it was not opened."
    )


def test_a_zip_that_understates_its_sizes_is_read_no_further_than_it_says():
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData>' + "<row/>" * 4_000_000
    data = bytearray(hand_xlsx({"Data": sheet + "</sheetData></worksheet>"}))
    entry = data.rfind(b"xl/worksheets/sheet1.xml") - 46  # its central directory entry
    assert data[entry : entry + 4] == b"PK\x01\x02"
    data[entry + 24 : entry + 28] = (100_000).to_bytes(4, "little")  # declared: 100 KB
    started = time.perf_counter()
    workbook = open_workbook(bytes(data))
    with pytest.raises(WorkbookRejected, match="The sheet 'Data' is damaged"):
        list(workbook.sheet("Data").rows())
    assert time.perf_counter() - started < 1


def test_a_doctype_beyond_the_first_kilobytes_is_refused_by_the_parser():
    padding = "<!--" + "x" * 20_000 + "-->"
    sheet = f'<?xml version="1.0"?>{padding}' + EXTERNAL_ENTITY.removeprefix(
        '<?xml version="1.0"?>'
    )
    workbook = open_workbook(hand_xlsx({"Data": sheet}))  # the first 4 KB look innocent
    with pytest.raises(WorkbookRejected, match="XML features that are not allowed"):
        list(workbook.sheet("Data").rows())
    with pytest.raises(WorkbookRejected, match="XML features that are not allowed"):
        workbook.sheet("Data").merged  # noqa: B018

    parts = hand_parts({"Data": "<sheetData/>"})
    parts["xl/workbook.xml"] = (
        f'<?xml version="1.0"?>{padding}<!DOCTYPE w [<!ENTITY a "b">]>' + parts["xl/workbook.xml"]
    )
    assert "XML features that are not allowed" in rejected(zip_bytes(parts))


@pytest.mark.parametrize(
    "sheet",
    [
        '<sheetData><row r="1"><c r="A1"><v>1</v></row></sheetData>',  # not well-formed
        '<sheetData><row r="1"><c r="A1" t="s"><v>5</v></c></row></sheetData>',  # no string 5
        '<sheetData><row r="1"><c r="A1"><v>n/a</v></c></row></sheetData>',
        '<sheetData><row r="1"><c r="1A"><v>1</v></c></row></sheetData>',
        '<sheetData><row r="1"><c r="A1" t="zz"><v>1</v></c></row></sheetData>',
        '<sheetData><row r="1"><c r="A1"><v>&nbsp;</v></c></row></sheetData>',
        f'<?xml version="1.0"?><chartsheet xmlns="{MAIN}"/>',  # not a worksheet
    ],
)
def test_a_broken_sheet_is_reported_by_name(sheet):
    workbook = open_workbook(hand_xlsx({"Returns": sheet}))
    with pytest.raises(WorkbookRejected) as caught:
        list(workbook.sheet("Returns").rows())
    assert str(caught.value) == (
        "The sheet 'Returns' is damaged and cannot be read: open the file in Excel, "
        "save it again and upload the new copy."
    )


def test_a_workbook_naming_a_missing_sheet_part_is_damaged():
    parts = hand_parts({"Data": "<sheetData/>"})
    del parts["xl/worksheets/sheet1.xml"]
    assert "damaged or incomplete" in rejected(zip_bytes(parts))


def test_mangled_files_are_rejected_never_raised_as_other_exceptions():
    """Random damage, to the zip's bytes or to the XML inside it, ends in WorkbookRejected
    (or a readable workbook), never in another exception."""
    rng = random.Random(20250331)
    parts = hand_parts(
        {
            "Data": '<sheetData><row r="1"><c r="A1" s="1"><v>1</v></c><c r="B1" t="s"><v>0</v>'
            '</c><c r="C1" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
            '<mergeCells><mergeCell ref="A1:B2"/></mergeCells>'
        },
        styles='<numFmts><numFmt numFmtId="164" formatCode="0.0%"/></numFmts>'
        '<cellXfs><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs>',
        strings=["<si><t>KPI</t></si>"],
    )
    base = zip_bytes(parts)
    samples = []
    for _ in range(150):
        data = bytearray(base)
        for _ in range(rng.randint(1, 6)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        samples.append(bytes(data))
    for _ in range(400):
        mangled = dict(parts)
        name = rng.choice(sorted(mangled))
        text = mangled[name]
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text))
            text = (
                text[:at]
                + rng.choice(['"', "<", ">", "&", "/", "0", "-1", "x", "é", ""])
                + (text[at + 1 :])
            )
        mangled[name] = text
        samples.append(zip_bytes(mangled))
    outcomes = {"read": 0, "rejected": 0}
    for data in samples:
        try:
            workbook = open_workbook(data)
            for name in workbook.sheet_names:
                list(workbook.sheet(name).rows())
                workbook.sheet(name).merged  # noqa: B018
            outcomes["read"] += 1
        except WorkbookRejected:
            outcomes["rejected"] += 1
    assert outcomes["read"] and outcomes["rejected"]


def test_encrypted_zip_members_and_too_many_parts_are_refused():
    data = bytearray(hand_xlsx({"Data": "<sheetData/>"}))
    at = data.find(b"PK\x01\x02")  # the central directory's first entry: say it is encrypted
    data[at + 8] |= 0x1
    message = rejected(bytes(data))
    assert message == "This file contains encrypted parts, so it cannot be read."
    message = rejected(hand_xlsx({"Data": "<sheetData/>"}), replace(upload_limits(), max_members=3))
    assert (
        message == "This file has far more parts than an Excel workbook has, so it was not opened."
    )


# --- Speed -----------------------------------------------------------------------------------


def long_format_return(rows: int) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Returns")
    sheet.append(["KPI code", "Period", "Value", "Numerator", "Denominator", "Note"])
    for i in range(rows):
        sheet.append(
            [
                f"CSC{i % 40:02d}",
                dt.datetime(2020 + i % 5, 1 + i % 12, 28),
                (i % 1000) / 7,
                i % 97,
                100,
                f"note {i % 13}",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.slow
def test_reading_50000_rows_reads_every_cell_in_little_memory():
    """Speed is measured by benchmarks/import_kpis.py against openpyxl in the same run, not by a
    wall-clock limit here, which a loaded machine would break; memory does not depend on load."""
    data = long_format_return(50_000)

    workbook = open_workbook(data)
    sheet = workbook.sheet("Returns")
    rows = sheet.rows()
    header = next(rows)
    merged = sheet.merged  # as the importer asks for it: after the header row
    cells = len(header[1]) + sum(len(row_cells) for _, row_cells in rows)

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    theirs = sum(len(row) for row in book["Returns"].iter_rows(values_only=True))
    book.close()

    tracemalloc.start()
    for _ in open_workbook(data).sheet("Returns").rows():
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    assert cells == theirs == 50_001 * 6
    assert merged == []
    assert peak < 16 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB traced while streaming the rows"
    assert peak < 50 * 1e6
