"""The rows of a KPI return, read from a workbook: layout detected from the headers, every
cell checked (kpis.importing.cells) and every problem reported by sheet and cell.

Two layouts are accepted, in any sheet, with headers in the sheet's first non-empty row
(case, spacing and column order forgiven):
- long: "KPI code", "Period", "Value", and optionally "Numerator", "Denominator", "Note";
- wide: "KPI code" and one column per period (as in the downloadable template).

Excel stores a month typed as "Jan 2025" as the date 1 January 2025 (format mmm-yy), and
LibreOffice likewise (dd/mm/yy): for every measure, whose periods all end on month ends
(monthly, quarterly, annual), the 1st of a month, in a period cell or as a column heading,
means that month's end where that end fits the measure ("Dec 2024" for a quarterly measure is
the quarter ending 31 December 2024), and a notice says so once per date and frequency. A
percentage measure given a value under 1 from a cell without a % format (what some CSV paths
make of "63%") is imported as given, with a warning by cell.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from careprog.periods import ReportingPeriod, month_end
from kpis.figure_checks import part_problem, period_problem
from kpis.importing.cells import CellProblem, check_range, parse_number, parse_period
from kpis.importing.gate import Deadline
from kpis.importing.reader import Workbook, cell_ref
from kpis.models import KPI


@dataclass(frozen=True)
class Problem:
    sheet: str
    ref: str
    message: str

    def __str__(self):
        return (
            f"{self.sheet}!{self.ref}: {self.message}"
            if self.ref
            else f"{self.sheet}: {self.message}"
        )


@dataclass
class ReturnRow:
    sheet: str
    ref: str  # the value's cell
    kpi: KPI
    period_end: dt.date
    value: Decimal
    # None means the return does not give it: the stored one is kept.
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    note: str | None = None


@dataclass
class ParsedReturn:
    rows: list[ReturnRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    layouts: dict[str, str] = field(default_factory=dict)  # sheet name → "long" or "wide"
    warnings: list[str] = field(default_factory=list)  # importable, but look twice
    notices: list[str] = field(default_factory=list)  # how a cell was read, e.g. a 1st

    @property
    def ok(self) -> bool:
        return not self.problems


def _header(text) -> str:
    return " ".join(str(text).split()).lower() if text is not None else ""


LONG_REQUIRED = {"kpi code", "period", "value"}
LONG_OPTIONAL = {"numerator", "denominator", "note"}
MAX_PROBLEMS = 500  # beyond this the administrator has the picture; stop listing
NOT_PERIODS = ("kpi name", "name", "unit", "frequency")  # the template's other headings


CHECK_TIME_EVERY = 500  # rows between looks at the clock


class _Reader:
    def __init__(
        self, workbook: Workbook, catalogue: dict[str, KPI], today: dt.date, deadline: Deadline
    ):
        self.workbook, self.catalogue, self.today = workbook, catalogue, today
        self.deadline, self.rows_read = deadline, 0
        self.result = ParsedReturn()
        self.seen: dict[tuple[int, dt.date], str] = {}
        # A 1st read as its month's end, by (date, frequency): where.
        self.firsts: dict[tuple[dt.date, str], dict[str, None]] = {}

    def tick(self):
        """Counts a row read; every few hundred, stops if the request's time is up."""
        self.rows_read += 1
        if self.rows_read % CHECK_TIME_EVERY == 0:
            self.deadline.check(self.rows_read)

    def problem(self, sheet, ref, message):
        if len(self.result.problems) < MAX_PROBLEMS:
            self.result.problems.append(Problem(sheet, ref, message))

    def read(self) -> ParsedReturn:
        found_any = False
        for name in self.workbook.sheet_names:
            sheet = self.workbook.sheet(name)
            rows = sheet.rows()
            header = next(rows, None)
            if header is None:
                continue
            row_number, cells = header
            headers = {cell.column: _header(cell.value) for cell in cells}
            if "kpi code" not in headers.values():
                continue  # e.g. the template's Instructions sheet
            found_any = True
            if LONG_REQUIRED <= set(headers.values()):
                self.result.layouts[name] = "long"
                self._read_long(name, rows, headers)
            else:
                self.result.layouts[name] = "wide"
                self._read_wide(name, row_number, cells, rows, headers)
            # Merged ranges are listed after the cells in the sheet's XML: ask afterwards.
            self._refuse_merged_data(sheet, row_number)
        self.result.notices = [
            _first_read_as_month(day, frequency, refs)
            for (day, frequency), refs in self.firsts.items()
        ]
        if not found_any:
            first = self.workbook.sheet_names[0] if self.workbook.sheet_names else "Workbook"
            self.problem(
                first,
                "A1",
                "missing headers: no sheet has a 'KPI code' column. Use 'KPI code', 'Period' "
                "and 'Value' columns, or 'KPI code' and a column for each period",
            )
        return self.result

    def _refuse_merged_data(self, sheet, header_row):
        for min_row, min_col, max_row, max_col in sheet.merged:
            if max_row > header_row:
                span = f"{cell_ref(min_row, min_col)}:{cell_ref(max_row, max_col)}"
                self.problem(
                    sheet.name, span, "cells are merged: unmerge them so each holds one value"
                )

    def _kpi(self, sheet, row_number, column, code):
        text = str(code).strip() if code is not None else ""
        if not text:
            self.problem(sheet, cell_ref(row_number, column), "the KPI code is empty")
            return None
        kpi = self.catalogue.get(text.lower())
        if kpi is None:
            self.problem(
                sheet, cell_ref(row_number, column), f"'{text}' is not a KPI code in the catalogue"
            )
        return kpi

    def _month_of_first(self, period_end, kpi, where: str) -> dt.date:
        """The 1st of a month read as that month's end, where that end is one of the
        measure's periods (every frequency's periods end on month ends); otherwise the date as
        given, which the period check then refuses ("1 October 2024 does not fit ...")."""
        if period_end.day != 1:
            return period_end
        end = month_end(period_end.year, period_end.month)
        if not kpi.accepts_period_end(end):
            return period_end
        self.firsts.setdefault((period_end, kpi.frequency), {})[where] = None
        return end

    def _period(self, sheet, ref, cell, kpi):
        period_end = parse_period(cell.value, kind=cell.kind, date1904=self.workbook.date1904)
        if kpi is not None:
            period_end = self._month_of_first(period_end, kpi, f"{sheet}!{ref}")
        if kpi is None:
            if period_end > self.today:
                raise CellProblem(f"{period_end:%-d %B %Y} is in the future")
        elif problem := period_problem(kpi, period_end, today=self.today):
            raise CellProblem(problem)
        return period_end

    def _value(self, sheet, ref, cell, kpi):
        number = parse_number(
            cell.value if cell else None,
            kind=cell.kind if cell else "text",
            percent_format=bool(cell and cell.percent),
            unit=kpi.unit,
        )
        check_range(number, kpi.unit)
        if (
            kpi.unit == KPI.Unit.PERCENTAGE
            and 0 < number < 1
            and not cell.percent
            and not (isinstance(cell.value, str) and "%" in cell.value)
        ):
            self.result.warnings.append(
                f"{sheet}!{ref}: {number.normalize():f} for {kpi.code}, a percentage: "
                f"did you mean {(number * 100).normalize():f}%?"
            )
        return number

    def _add(self, row: ReturnRow, key_ref: str):
        key = (row.kpi.pk, row.period_end)
        if key in self.seen:
            self.problem(
                row.sheet,
                key_ref,
                f"{row.kpi.code} for {row.period_end:%-d %B %Y} is already given at "
                f"{self.seen[key]}",
            )
            return
        self.seen[key] = f"{row.sheet}!{key_ref}"
        self.result.rows.append(row)

    def _read_long(self, sheet, rows, headers):
        column_of = {name: column for column, name in headers.items() if name}
        code_col, period_col, value_col = (column_of[n] for n in ("kpi code", "period", "value"))
        optional = {name: column_of.get(name) for name in LONG_OPTIONAL}
        for row_number, cells in rows:
            self.tick()
            by_column = {cell.column: cell for cell in cells}
            code = by_column.get(code_col)
            if not any(c.value not in (None, "") for c in cells):
                continue
            kpi = self._kpi(sheet, row_number, code_col, code.value if code else None)
            period_cell = by_column.get(period_col)
            period_ref = cell_ref(row_number, period_col)
            value_ref = cell_ref(row_number, value_col)
            try:
                if period_cell is None:
                    raise CellProblem("is empty: enter a period such as Jan 2025 or 2024-25 Q3")
                period_end = self._period(sheet, period_ref, period_cell, kpi)
            except CellProblem as problem:
                self.problem(sheet, period_ref, str(problem))
                period_end = None
            if kpi is None:
                continue
            try:
                value = self._value(sheet, value_ref, by_column.get(value_col), kpi)
            except CellProblem as problem:
                self.problem(sheet, value_ref, str(problem))
                continue
            extra, refused = {}, False
            for name in ("numerator", "denominator"):
                column = optional[name]
                cell = by_column.get(column) if column else None
                if cell is None or cell.value in (None, ""):
                    continue
                try:
                    extra[name] = parse_number(
                        cell.value, kind=cell.kind, percent_format=False, unit=KPI.Unit.COUNT
                    )
                except CellProblem as problem:
                    self.problem(sheet, cell_ref(row_number, column), str(problem))
                    continue
                if problem := part_problem(name, extra[name]):
                    self.problem(sheet, cell_ref(row_number, column), problem)
                    refused = True
            if refused:
                continue
            note = None
            if optional["note"]:
                note_cell = by_column.get(optional["note"])
                note = str(note_cell.value).strip() if note_cell and note_cell.value else ""
            if period_end is None:
                continue
            self._add(
                ReturnRow(sheet, value_ref, kpi, period_end, value, note=note, **extra), value_ref
            )

    def _read_wide(self, sheet, header_row, header_cells, rows, headers):
        code_col = next(column for column, name in headers.items() if name == "kpi code")
        periods: dict[int, dt.date] = {}
        # Header cells are read again as cells, so dates typed as dates are understood.
        for cell in header_cells:
            if cell.column == code_col or headers.get(cell.column) in NOT_PERIODS:
                continue
            try:
                periods[cell.column] = parse_period(
                    cell.value, kind=cell.kind, date1904=self.workbook.date1904
                )
            except CellProblem as problem:
                self.problem(sheet, cell_ref(header_row, cell.column), f"column heading {problem}")
        if not periods:
            self.problem(
                sheet, cell_ref(header_row, code_col), "missing headers: no period columns"
            )
            return
        for row_number, cells in rows:
            self.tick()
            by_column = {cell.column: cell for cell in cells}
            values = [c for c in cells if c.column in periods and c.value not in (None, "")]
            code = by_column.get(code_col)
            if not values and (code is None or code.value in (None, "")):
                continue
            kpi = self._kpi(sheet, row_number, code_col, code.value if code else None)
            if kpi is None:
                continue
            for cell in values:
                ref = cell_ref(row_number, cell.column)
                heading = f"{sheet}!{cell_ref(header_row, cell.column)}"
                period_end = self._month_of_first(periods[cell.column], kpi, heading)
                named = f"the column's period, {period_end:%-d %B %Y},"
                try:
                    if problem := period_problem(
                        kpi, period_end, today=self.today, named=named, hint=False
                    ):
                        raise CellProblem(problem)
                    value = self._value(sheet, ref, cell, kpi)
                except CellProblem as problem:
                    self.problem(sheet, ref, str(problem))
                    continue
                self._add(ReturnRow(sheet, ref, kpi, period_end, value), ref)


def _first_read_as_month(day: dt.date, frequency: str, refs: dict[str, None]) -> str:
    first = next(iter(refs))
    more = f" and {len(refs) - 1} more" if len(refs) > 1 else ""
    end = month_end(day.year, day.month)
    quarter = ReportingPeriod.containing(end)
    read_as = {
        KPI.Frequency.MONTHLY: f"{day:%B %Y}",
        KPI.Frequency.QUARTERLY: f"the quarter ending {end:%-d %B %Y} ({quarter.label})",
        KPI.Frequency.ANNUAL: f"the year ending {end:%-d %B %Y} ({quarter.financial_year})",
    }[frequency]
    return (
        f"{day:%-d %B %Y} read as {read_as} for {frequency} measures ({first}{more}): "
        "Excel and LibreOffice store a month typed as the 1st of that month."
    )


def read_return(
    workbook: Workbook, *, today: dt.date | None = None, deadline: Deadline | None = None
) -> ParsedReturn:
    """Every row of every sheet with a 'KPI code' column, checked against the catalogue.

    One query (the catalogue). Problems are collected, not raised: the administrator sees
    all of them at once. WorkbookRejected if the workbook holds more rows or cells than a
    return may (the reader counts them) or ``deadline`` passes while reading.
    """
    catalogue = {kpi.code.lower(): kpi for kpi in KPI.objects.all()}
    reader = _Reader(workbook, catalogue, today or timezone.localdate(), deadline or Deadline())
    return reader.read()
