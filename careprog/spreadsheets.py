"""Cells for the spreadsheets careprog writes, so that text someone typed stays text.

Excel, LibreOffice and Google Sheets run a cell that starts with = + - @ (and, from a CSV,
a tab or carriage return) as a formula: an action or KPI named
``=HYPERLINK("http://evil.example","Click")`` would open as a live link. Every writer of an
.xlsx or .csv goes through this module:

- XLSX has cell types, so text is written as a string cell whatever it starts with, and kept
  exactly. (openpyxl alone would write "=..." as a formula and "#N/A" as an error.) Text
  that starts like a formula is also marked ``quotePrefix``, so that editing the cell in
  Excel or LibreOffice does not turn it into one.
- CSV has no types: the program opening it decides. Such text gets a leading apostrophe,
  as OWASP advises, which both programs show as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_TEXT = 32767


def csv_value(value):
    """A value for a CSV cell: None as empty, text that would run as a formula prefixed."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_bytes(rows: Iterable[Iterable]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel reads curly quotes and dashes right."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer).writerows([csv_value(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_value(sheet, value):
    """A value for ``sheet.append``: text as a string cell of ``sheet`` (write-only or not),
    anything else as it is. Characters XML cannot hold become U+FFFD."""
    if not isinstance(value, str):
        return value
    return write_text(Cell(sheet, row=1, column=1), value)  # append moves it to its place


def write_text(cell, value: str):
    """Put ``value`` in an openpyxl cell (of a normal sheet, in place) as a string cell.
    Excel refuses a file with a cell over 32,767 characters: longer text is cut, marked "…"."""
    value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if len(value) > MAX_CELL_TEXT:
        value = value[: MAX_CELL_TEXT - 1] + "…"
    cell.value = value
    cell.data_type = "s"  # after the value, which may have made it a formula or an error
    if value.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True
    return cell


def append_row(sheet, values: Iterable) -> None:
    """Append a row to an openpyxl sheet with every text value kept as text."""
    sheet.append([xlsx_value(sheet, value) for value in values])
