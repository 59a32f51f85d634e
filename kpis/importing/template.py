"""The return template: one row per KPI, a column per month, ready to fill in."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from careprog.periods import month_ends_between
from careprog.spreadsheets import append_row
from kpis.importing.gate import too_many_rows, upload_limits
from kpis.models import KPI

INSTRUCTIONS = [
    "How to fill in this return",
    "",
    "1. On the Returns sheet, type each figure in its KPI's row, under the month it is for.",
    "2. Leave a cell empty where you have no figure. Empty cells change nothing.",
    "3. Percentages: type 63 or 63%, or 0.63 in a cell formatted as a percentage.",
    # 4: KPI.accepts_period_end, in the words of the people who fill the return in.
    "4. Quarterly measures take figures only in quarter-end months (June, September,",
    "   December, March); annual measures only in March (the end of the financial year).",
    "5. Do not change the headings, the KPI codes or the order of columns: they are protected.",
    "6. Upload the file at Import KPI returns. You will see every change before anything is saved.",
    # 7: the row/cell limit (kpis.importing.gate), added when the file is built.
    "",
    "Codes, names and units come from the KPI catalogue at the time this file was made.",
]


def build_template(first: dt.date, last: dt.date) -> bytes:
    """An .xlsx with instructions, and a Returns sheet whose value cells alone are editable.

    Codes and names are the catalogue's text, written as text (careprog.spreadsheets): a KPI
    named "=HYPERLINK(...)" is a name in the file, never a formula."""
    workbook = Workbook()
    instructions = workbook.active
    instructions.title = "Instructions"
    for line in INSTRUCTIONS[:-2]:
        append_row(instructions, [line])
    append_row(instructions, [f"7. {too_many_rows(upload_limits())}"])
    for line in INSTRUCTIONS[-2:]:
        append_row(instructions, [line])
    instructions["A1"].font = Font(bold=True, size=14)
    instructions.column_dimensions["A"].width = 100

    sheet = workbook.create_sheet("Returns")
    months = month_ends_between(first, last)
    append_row(sheet, ["KPI code", "KPI name", "Unit", *[f"{m:%b %Y}" for m in months]])
    bold, grey = Font(bold=True), PatternFill("solid", fgColor="DDDDDD")
    for cell in sheet[1]:
        cell.font, cell.fill = bold, grey
    kpis = KPI.objects.select_related("group").order_by("group__position", "position", "code")
    for kpi in kpis:
        append_row(sheet, [kpi.code, kpi.name, kpi.get_unit_display()])
    last_row, last_column = sheet.max_row, 3 + len(months)
    if months and last_row > 1:
        area = f"D2:{get_column_letter(last_column)}{last_row}"
        numbers = DataValidation(
            type="decimal",
            operator="between",
            formula1="-1000000000000",
            formula2="1000000000000",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Not a number",
            error="Type a number, such as 63 or 63%.",
        )
        sheet.add_data_validation(numbers)
        numbers.add(area)
        for row in sheet.iter_rows(min_row=2, min_col=4, max_col=last_column):
            for cell in row:
                cell.protection = Protection(locked=False)
    sheet.protection.sheet = True
    sheet.protection.formatCells = False  # let them format a cell as a percentage
    sheet.freeze_panes = "D2"
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 60
    sheet.column_dimensions["C"].width = 16
    workbook.active = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
