"""The return template: one row per KPI with its frequency, a column per period, ready to fill
in; only the cells of each measure's own periods are open.

By default it proposes the periods programmes report on: for each measure, its own
frequency's periods (months, quarters or 31 March) in the financial years of the programmes
whose objectives it evidences (kpis.evidence.reporting_years), or in every programme's years
for a measure none uses yet; not months counted back from today. Asked for a range of months,
it proposes each measure's periods in that range instead.
"""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from careprog.periods import (
    financial_year_end,
    financial_year_of,
    financial_year_start,
    month_ends_between,
)
from careprog.spreadsheets import append_row
from kpis import evidence
from kpis.importing.gate import too_many_rows, upload_limits
from kpis.models import KPI

INSTRUCTIONS = [
    "How to fill in this return",
    "",
    "1. On the Returns sheet, type each figure in its KPI's row, under the period it is for.",
    "2. Leave a cell empty where you have no figure. Empty cells change nothing.",
    "3. Percentages: type 63 or 63%, or 0.63 in a cell formatted as a percentage.",
    # 4: KPI.accepts_period_end, in the words of the people who fill the return in.
    "4. Each measure's Frequency says which cells are open: monthly measures every month,",
    "   quarterly ones quarter-end months (June, September, December, March), annual ones",
    "   March (the end of the financial year). Grey cells are not periods of that measure.",
    "5. Do not change the headings, the KPI codes or the order of columns: they are protected.",
    "6. Upload the file at Import KPI returns. You will see every change before anything is saved.",
    # 7: the row/cell limit (kpis.importing.gate), added when the file is built.
    "",
    "Codes, names and units come from the KPI catalogue at the time this file was made.",
]
FIXED = ["KPI code", "KPI name", "Unit", "Frequency"]


def _years_to_days(years: list[tuple[int, int]]) -> list[tuple[dt.date, dt.date]]:
    return [(financial_year_start(first), financial_year_end(last)) for first, last in years]


def proposed_periods(
    kpis: list[KPI], months: tuple[dt.date, dt.date] | None = None
) -> dict[int, list[dt.date]]:
    """Each measure's period ends the template asks for, by measure id: in ``months`` (first
    and last month ends) if given, else in its programmes' financial years (one query per
    use of the catalogue); the current financial year when no programme reports at all."""
    if months:
        spans_of, every = {}, [months]
    else:
        years_of, every_year = evidence.reporting_years()
        spans_of = {kpi: _years_to_days(years) for kpi, years in years_of.items()}
        this_year = financial_year_of(timezone.localdate())
        every = _years_to_days(every_year or [(this_year, this_year)])
    proposed = {}
    for kpi in kpis:
        ends = {
            end
            for first, last in spans_of.get(kpi.pk, every)
            for end in month_ends_between(first, last)
            if kpi.accepts_period_end(end)
        }
        proposed[kpi.pk] = sorted(ends)
    return proposed


def build_template(months: tuple[dt.date, dt.date] | None = None) -> tuple[bytes, list[dt.date]]:
    """An .xlsx with instructions, and a Returns sheet whose open cells are each measure's
    proposed periods (``proposed_periods``); returns the file and its period columns.

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
    kpis = list(KPI.objects.select_related("group").order_by("group__position", "position", "code"))
    proposed = proposed_periods(kpis, months)
    periods = sorted({end for ends in proposed.values() for end in ends})
    append_row(sheet, [*FIXED, *[f"{end:%b %Y}" for end in periods]])
    bold, grey = Font(bold=True), PatternFill("solid", fgColor="DDDDDD")
    for cell in sheet[1]:
        cell.font, cell.fill = bold, grey
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
    first_period = len(FIXED) + 1
    for row, kpi in enumerate(kpis, start=2):
        append_row(sheet, [kpi.code, kpi.name, kpi.get_unit_display(), kpi.get_frequency_display()])
        open_ends = set(proposed[kpi.pk])
        for column, end in enumerate(periods, start=first_period):
            cell = sheet.cell(row=row, column=column)
            if end in open_ends:
                cell.protection = Protection(locked=False)
                numbers.add(cell.coordinate)
            else:
                cell.fill = grey
    sheet.protection.sheet = True
    sheet.protection.formatCells = False  # let them format a cell as a percentage
    sheet.freeze_panes = f"{get_column_letter(first_period)}2"
    for letter, width in zip("ABCD", (28, 60, 16, 12), strict=True):
        sheet.column_dimensions[letter].width = width
    workbook.active = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), periods
