"""Returns as real spreadsheet programs write them: a month typed in Excel or LibreOffice,
ISO date and time cells, a workbook part where the package puts it, zip names with
backslashes, and percentages that lost their % on the way.

Excel stores "Jan 2025" typed in a cell as the date 1 January 2025 with the format mmm-yy;
LibreOffice (en-GB) as the same date with dd/mm/yy. Both are built here as those programs
store them, and one return is made by LibreOffice itself from a CSV.
"""

import datetime as dt
import io
from decimal import Decimal

import pytest
import xlsxwriter
from openpyxl import Workbook

from kpis.importing import preview as previewing
from kpis.models import KPI, KPIGroup, KPIValue
from tests.import_files import (
    backslashed,
    inline_sheet,
    long_return,
    moved_workbook,
    with_sheet_xml,
    zip_of,
)
from tests.libreoffice import CSV_IN, convert
from tests.test_kpi_import import confirm, text, upload

JAN, OCT = dt.date(2025, 1, 31), dt.date(2024, 10, 31)
FIRST_OF_JAN = dt.datetime(2025, 1, 1)
READ_AS = "1 January 2025 read as January 2025"


@pytest.fixture
def kpis(db):
    group = KPIGroup.objects.create(name="Vision", position=1)
    make = lambda code, unit, frequency="monthly": KPI.objects.create(  # noqa: E731
        code=code, name=code, group=group, unit=unit, polarity="higher", frequency=frequency
    )
    return {
        "children": make("cp-children-in-care", "count"),
        "foster": make("cla-foster-placements", "percentage"),
        "plans": make("pathway-plans", "percentage", "quarterly"),
    }


@pytest.fixture
def administrator_client(client, administrator):
    client.force_login(administrator)
    return client


def excel_return(layout: str) -> bytes:
    """As Excel stores a typed "Jan 2025": a date on the 1st with the format mmm-yy
    (written with xlsxwriter, which writes what Excel writes: a serial date and a style)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Returns")
    month = book.add_format({"num_format": "mmm-yy"})
    if layout == "long":
        sheet.write_row(0, 0, ["KPI code", "Period", "Value"])
        sheet.write(1, 0, "cp-children-in-care")
        sheet.write_datetime(1, 1, FIRST_OF_JAN, month)
        sheet.write_number(1, 2, 681)
    else:
        sheet.write_row(0, 0, ["KPI code", "KPI name"])
        sheet.write_datetime(0, 2, FIRST_OF_JAN, month)
        sheet.write_row(1, 0, ["cp-children-in-care", "Children in care", 681])
    book.close()
    return buffer.getvalue()


def libreoffice_return(layout: str) -> bytes:
    """As LibreOffice (en-GB) stores a typed "Jan 2025": the 1st with the format dd/mm/yy."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Returns"
    if layout == "long":
        sheet.append(["KPI code", "Period", "Value"])
        sheet.append(["cp-children-in-care", FIRST_OF_JAN, 681])
        sheet["B2"].number_format = "dd/mm/yy"
    else:
        sheet.append(["KPI code", "KPI name", FIRST_OF_JAN])
        sheet.append(["cp-children-in-care", "Children in care", 681])
        sheet["C1"].number_format = "dd/mm/yy"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("layout", ["long", "wide"])
@pytest.mark.parametrize("build", [excel_return, libreoffice_return], ids=["excel", "libreoffice"])
def test_a_month_typed_in_excel_or_libreoffice_is_that_month(
    administrator_client, kpis, build, layout
):
    response = upload(administrator_client, build(layout))
    preview = response.context["preview"]
    assert preview.can_confirm, preview.problems
    assert [(c.row.kpi.code, c.row.period_end) for c in preview.new] == [
        ("cp-children-in-care", JAN)
    ]
    where = "Returns!B2" if layout == "long" else "Returns!C1"
    assert preview.notices == [
        f"{READ_AS} for monthly measures ({where}): Excel and LibreOffice store a month "
        "typed as the 1st of that month."
    ]
    assert READ_AS in text(response)
    confirm(administrator_client, response)
    assert KPIValue.objects.get().period_end == JAN


def test_the_notice_is_given_once_per_date_however_many_cells_hold_it(kpis):
    rows = [["cp-children-in-care", FIRST_OF_JAN, 681, ""], ["cla-foster-placements",
            FIRST_OF_JAN, 70, ""], ["cla-foster-placements", "2024-12-01", 71, ""]]  # fmt: skip
    preview = previewing.preview_return(long_return(rows))
    assert preview.can_confirm, preview.problems
    assert [notice.split(":")[0] for notice in preview.notices] == [
        "1 January 2025 read as January 2025 for monthly measures (Returns!B2 and 1 more)",
        "1 December 2024 read as December 2024 for monthly measures (Returns!B4)",
    ]


DEC_2024 = dt.datetime(2024, 12, 1)
QUARTER_READ_AS = (
    "1 December 2024 read as the quarter ending 31 December 2024 (2024-25 Q3) for quarterly "
    "measures"
)


def typed_month_return(
    program: str, code: str, typed: dt.datetime, value, layout: str = "long"
) -> bytes:
    """A return whose period cell (long layout) or column heading (wide) holds a month typed
    as the given program stores it: Excel the 1st with mmm-yy, LibreOffice (en-GB) the 1st
    with dd/mm/yy."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Returns")
    stored_as = book.add_format({"num_format": "mmm-yy" if program == "excel" else "dd/mm/yy"})
    if layout == "long":
        sheet.write_row(0, 0, ["KPI code", "Period", "Value"])
        sheet.write(1, 0, code)
        sheet.write_datetime(1, 1, typed, stored_as)
        sheet.write_number(1, 2, value)
    else:
        sheet.write(0, 0, "KPI code")
        sheet.write_datetime(0, 1, typed, stored_as)
        sheet.write(1, 0, code)
        sheet.write_number(1, 1, value)
    book.close()
    return buffer.getvalue()


@pytest.mark.parametrize(("layout", "where"), [("long", "Returns!B2"), ("wide", "Returns!B1")])
@pytest.mark.parametrize("program", ["excel", "libreoffice"])
def test_dec_2024_typed_for_a_quarterly_measure_is_the_quarter_ending_31_december_2024(
    administrator_client, kpis, program, layout, where
):
    response = upload(
        administrator_client, typed_month_return(program, "pathway-plans", DEC_2024, 80, layout)
    )
    preview = response.context["preview"]
    assert preview.can_confirm, preview.problems
    assert [(c.row.kpi.code, c.row.period_end) for c in preview.new] == [
        ("pathway-plans", dt.date(2024, 12, 31))
    ]
    assert f"{QUARTER_READ_AS} ({where})" in text(response)
    confirm(administrator_client, response)
    assert KPIValue.objects.get().period_end == dt.date(2024, 12, 31)


def test_mar_2025_typed_for_an_annual_measure_is_the_year_ending_31_march_2025(kpis):
    KPI.objects.filter(code="pathway-plans").update(frequency="annual")
    data = typed_month_return("excel", "pathway-plans", dt.datetime(2025, 3, 1), 80)
    preview = previewing.preview_return(data)
    assert [c.row.period_end for c in preview.new] == [dt.date(2025, 3, 31)]
    assert preview.notices[0].startswith(
        "1 March 2025 read as the year ending 31 March 2025 (2024-25) for annual measures"
    )


def test_a_month_that_ends_no_quarter_is_still_refused_for_a_quarterly_measure(
    administrator_client, kpis
):
    data = long_return([["pathway-plans", dt.datetime(2024, 10, 1), 80, ""]])
    response = upload(administrator_client, data)
    assert "Returns!B2: 1 October 2024 does not fit pathway-plans, which is quarterly" in text(
        response
    )
    assert not response.context["preview"].notices


def test_the_same_1st_reads_as_each_measure_s_own_period_and_says_so_for_each(kpis):
    rows = [["cp-children-in-care", DEC_2024, 681, ""], ["pathway-plans", DEC_2024, 80, ""]]
    preview = previewing.preview_return(long_return(rows))
    assert sorted((c.row.kpi.code, c.row.period_end) for c in preview.new) == [
        ("cp-children-in-care", dt.date(2024, 12, 31)),
        ("pathway-plans", dt.date(2024, 12, 31)),
    ]
    assert [notice.split(":")[0] for notice in preview.notices] == [
        "1 December 2024 read as December 2024 for monthly measures (Returns!B2)",
        f"{QUARTER_READ_AS} (Returns!B3)",
    ]


@pytest.mark.slow
def test_dec_2024_typed_in_libreoffice_itself_is_the_quarter_for_a_quarterly_measure(
    administrator_client, kpis, tmp_path
):
    """LibreOffice's own file: "Dec 2024" typed in a quarterly measure's period cell."""
    csv = tmp_path / "quarter.csv"
    csv.write_text("KPI code,Period,Value\npathway-plans,Dec 2024,80\n")
    data = (convert(csv, "xlsx", infilter=CSV_IN) / "quarter.xlsx").read_bytes()
    response = upload(administrator_client, data)
    preview = response.context["preview"]
    assert preview.can_confirm, preview.problems
    assert [c.row.period_end for c in preview.new] == [dt.date(2024, 12, 31)]
    assert f"{QUARTER_READ_AS} (quarter!B2)" in text(response)


def test_a_month_that_is_still_running_is_in_the_future_even_from_its_1st(kpis):
    today = dt.date.today()
    data = long_return([["cp-children-in-care", dt.datetime(today.year, today.month, 1), 1, ""]])
    (problem,) = previewing.preview_return(data).problems
    assert problem.startswith("Returns!B2: ") and problem.endswith("is in the future")


@pytest.mark.slow
def test_a_return_libreoffice_made_from_a_csv_imports_with_a_warning_for_a_bare_fraction(
    administrator_client, kpis, tmp_path
):
    """LibreOffice's own file: "Jan 2025" becomes the 1st with a date format, and 0.63 typed
    in a percentage measure's cell stays 0.63 with no % format."""
    csv = tmp_path / "return.csv"
    csv.write_text(
        "KPI code,Period,Value\ncp-children-in-care,Jan 2025,681\n"
        "cla-foster-placements,Jan 2025,0.63\ncla-foster-placements,Dec 2024,63%\n"
    )
    data = (convert(csv, "xlsx", infilter=CSV_IN) / "return.xlsx").read_bytes()
    response = upload(administrator_client, data)
    preview = response.context["preview"]
    assert preview.can_confirm, preview.problems
    assert sorted((c.row.kpi.code, c.row.period_end, c.row.value) for c in preview.new) == [
        ("cla-foster-placements", dt.date(2024, 12, 31), Decimal(63)),
        ("cla-foster-placements", JAN, Decimal("0.63")),
        ("cp-children-in-care", JAN, Decimal(681)),
    ]
    assert READ_AS in text(response)
    # LibreOffice names the sheet after the CSV file.
    warning = "return!C3: 0.63 for cla-foster-placements, a percentage: did you mean 63%?"
    assert warning in preview.warnings and warning in text(response)


@pytest.mark.parametrize(
    ("value", "number_format", "warned"),
    [
        (0.63, None, True),
        ("0.63", None, True),
        (0.63, "0%", False),  # 63%
        ("0.63%", None, False),  # said so
        (0, None, False),
        (1, None, False),
        (63, None, False),
    ],
    ids=["number", "text", "percent-format", "percent-sign", "zero", "one", "63"],
)
def test_only_a_bare_fraction_in_a_percentage_measure_is_warned_about(
    kpis, value, number_format, warned
):
    data = long_return(
        [
            ["cla-foster-placements", "Jan 2025", value, ""],
            ["cp-children-in-care", "Jan 2025", 0.5, ""],
        ],  # fmt: skip
        number_formats={"C2": number_format} if number_format else None,
    )
    preview = previewing.preview_return(data)
    assert preview.can_confirm
    assert [w.split(":")[0] for w in preview.warnings] == (["Returns!C2"] if warned else [])


def iso_return(period_b3: str) -> bytes:
    """A long return whose periods are ISO t="d" cells, with a time alone beside them."""
    sheet = inline_sheet(
        [
            [("A1", "inlineStr", "KPI code"), ("B1", "inlineStr", "Period"),
             ("C1", "inlineStr", "Value"), ("D1", "inlineStr", "Checked at")],
            [("A2", "inlineStr", "cp-children-in-care"), ("B2", "d", "2025-01-31"),
             ("C2", "", "681"), ("D2", "d", "10:10:10")],
            [("A3", "inlineStr", "cp-children-in-care"), ("B3", "d", period_b3),
             ("C3", "", "679")],
        ]
    )  # fmt: skip
    return with_sheet_xml(long_return([]), sheet)


def test_iso_date_and_time_cells_are_read_not_refused_as_damage(administrator_client, kpis):
    response = upload(administrator_client, iso_return("2024-12-31T00:00:00Z"))
    preview = response.context["preview"]
    assert preview.can_confirm, preview.problems
    assert sorted(c.row.period_end for c in preview.new) == [dt.date(2024, 12, 31), JAN]


def test_a_time_in_a_period_cell_is_a_problem_with_that_cell(administrator_client, kpis):
    response = upload(administrator_client, iso_return("10:10:10"))
    assert response.context["preview"].problems == [
        "Returns!B3: is a time (10:10:10), not a period: enter a date or a month such as Jan 2025"
    ]
    assert "damaged" not in text(response)


GOOD = long_return([["cp-children-in-care", "Jan 2025", 681, ""]])


def test_a_workbook_part_named_by_the_package_relationships_is_read(administrator_client, kpis):
    moved = moved_workbook(GOOD)
    assert "xl/workbook.xml" not in moved.decode("latin-1")
    preview = upload(administrator_client, moved).context["preview"]
    assert preview.can_confirm, preview.problems
    assert [c.row.period_end for c in preview.new] == [JAN]


def test_zip_names_with_backslashes_are_a_damaged_file_not_another_kind(administrator_client, kpis):
    page = text(upload(administrator_client, backslashed(GOOD)))
    assert "This .xlsx file is damaged or incomplete" in page
    assert "not an Excel workbook" not in page


def test_a_word_document_is_not_an_excel_workbook_though_it_is_a_package(
    administrator_client, kpis
):
    docx = zip_of(
        {
            "[Content_Types].xml": "<Types/>",
            "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006'
            '/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            "</Relationships>",
            "word/document.xml": '<w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"/>',
        }
    )
    assert "This file is not an Excel workbook" in text(upload(administrator_client, docx))


def test_the_command_line_says_how_a_1st_was_read_and_warns_of_a_bare_fraction(
    kpis, tmp_path, capsys
):
    from django.core.management import call_command

    path = tmp_path / "return.xlsx"
    path.write_bytes(excel_return("long"))
    call_command("import_kpis", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert f"  note: {READ_AS} for monthly measures (Returns!B2)" in out
    path.write_bytes(long_return([["cla-foster-placements", "Jan 2025", 0.63, ""]]))
    call_command("import_kpis", str(path), "--dry-run")
    assert "warning: Returns!C2: 0.63 for cla-foster-placements, a percentage" in (
        capsys.readouterr().out
    )
