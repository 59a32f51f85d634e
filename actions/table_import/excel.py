"""Reading a progress table from Excel (.xlsx): one sheet with the columns of Appendix C.

The file passes the KPI import's gate and is streamed by its hardened reader
(kpis.importing.reader), with this import's own limits on size, rows and filled cells and the same
time budget. The first sheet with a header row is read (headings matched as builder.HEADINGS says,
in any order and case). Below it:

- The objective's short title comes from a Theme/Priority/Outcome column, or else from a heading
  row: a row whose only filled cell is its leftmost column's, with no title column in the sheet.
- A merged range (top-left cell filled, the rest empty) or every row filled in read the same. A
  range merged down across the start of another objective is a problem: which one is it? A Lead
  or Due date range merged down is each action's it covers (builder.CARRIED_DOWN).

Problems are named by sheet and cell ("Sheet 'Plan', cell B7"), as Excel shows them.
"""

from __future__ import annotations

import datetime as dt

from kpis.importing import gate
from kpis.importing.reader import cell_ref, open_workbook

from .builder import CARRIED_DOWN, COLUMNS, TreeBuilder, header, missing_columns, words
from .tree import ParsedProgramme, TableRejected

MAX_BYTES = 10 * 1024 * 1024
# Ten times the 430-action table benchmarks/ measures: more is not a programme's progress table,
# and a sheet this size is read well within the time budget.
MAX_ROWS = 5_000
LIMITS = gate.Limits(max_bytes=MAX_BYTES, max_rows=MAX_ROWS, max_cells=MAX_ROWS * 12)
# Rows looked through for the header before a sheet is taken not to hold the table.
HEADER_WITHIN = 50

TOO_MANY_ROWS = (
    f"A progress table may have at most {MAX_ROWS:,} rows: this one has more. Split it into one "
    "file per programme, or remove rows that are not actions."
)
NO_TABLE = (
    "No sheet in this workbook has the columns of a progress table (Requirements, Mechanisms, "
    "Action): check that its header row names them."
)
SPANS_OBJECTIVES = (
    "this merged cell runs on into the next objective (row {row}): unmerge it where that "
    "objective starts"
)


def read_excel(data: bytes) -> ParsedProgramme:
    """The programme an .xlsx progress table describes; TableRejected if it cannot be read."""
    deadline = gate.Deadline()
    try:
        workbook = open_workbook(bytes(data), LIMITS)
        for name in workbook.sheet_names:
            if name in workbook.hidden_sheets:
                continue
            parsed = _SheetReader(workbook.sheet(name), deadline).read()
            if parsed is not None:
                return parsed
    except gate.WorkbookTooLarge:
        raise TableRejected(TOO_MANY_ROWS) from None
    except gate.WorkbookRejected as refusal:
        raise TableRejected(str(refusal)) from None
    raise TableRejected(NO_TABLE)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return words(str(value))


class _SheetReader:
    def __init__(self, sheet, deadline):
        self.sheet = sheet
        self.deadline = deadline
        self.builder = TreeBuilder()

    def where(self, row: int, column: int) -> str:
        return f"Sheet '{self.sheet.name}', cell {cell_ref(row, column)}"

    def read(self) -> ParsedProgramme | None:
        """The tree, or None if this sheet has no header row near its top."""
        columns: dict[str, int] | None = None
        continued = self._merged_below()
        tops = set(continued.values())
        top_texts: dict[tuple[int, int], str] = {}  # what each merged range holds
        starts: list[int] = []  # rows where an objective starts
        title = None
        for count, (number, cells) in enumerate(self.sheet.rows()):
            if count % 200 == 0:
                self.deadline.check()
            texts = {cell.column: _text(cell.value) for cell in cells}
            for column, text in texts.items():
                if (number, column) in tops:
                    top_texts[number, column] = text
            if columns is None:
                found = header(texts)
                if found is not None:
                    problem = missing_columns(found)
                    if problem:
                        raise TableRejected(f"{self.where(number, min(found.values()))}: {problem}")
                    columns = found
                elif count >= HEADER_WITHIN:
                    return None
                continue
            if header(texts) is not None:
                continue  # the header again (printed on each page)
            own = {
                name: ""
                if name not in columns or (number, columns[name]) in continued
                else texts.get(columns[name], "")
                for name in (*COLUMNS, "title")
            }
            for name in CARRIED_DOWN:  # merged down: each action's own, read from the top
                if name in columns and (number, columns[name]) in continued:
                    own[name] = top_texts.get(continued[number, columns[name]], "")
            filled = [column for column, text in texts.items() if text]
            if "title" in columns:
                if own["title"] and own["title"] != title:
                    title = own["title"]
                    self.builder.new_objective(title)
                    starts.append(number)
            elif filled == [min(columns.values())] and len(texts) >= 1:
                self.builder.new_objective(texts[filled[0]])
                starts.append(number)
                continue
            due_where = self.where(number, columns["due"]) if "due" in columns else None
            self.builder.row(own, self.where(number, columns["action"]), due_where)
        if columns is None:
            return None
        self._check_merges_within_objectives(starts, columns)
        return self.builder.programme

    def _merged_below(self) -> dict[tuple[int, int], tuple[int, int]]:
        """(row, column) of every cell a range merged from above covers, and the range's
        top-left cell, which holds its value."""
        below = {}
        for min_row, min_col, max_row, max_col in self.sheet.merged:
            for row in range(min_row + 1, max_row + 1):
                for column in range(min_col, max_col + 1):
                    below[row, column] = (min_row, min_col)
        return below

    def _check_merges_within_objectives(self, starts: list[int], columns: dict[str, int]):
        names = ("objective", "requirement", "mechanism")
        hierarchy = {columns[name] for name in names if name in columns}
        for min_row, min_col, max_row, max_col in self.sheet.merged:
            if max_row == min_row or not hierarchy & set(range(min_col, max_col + 1)):
                continue
            crossed = [row for row in starts if min_row < row <= max_row]
            if crossed:
                self.builder.problem(
                    f"Sheet '{self.sheet.name}', cells "
                    f"{cell_ref(min_row, min_col)}:{cell_ref(max_row, max_col)}",
                    SPANS_OBJECTIVES.format(row=crossed[0]),
                )
