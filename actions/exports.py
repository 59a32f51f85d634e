"""Spreadsheet exports of a table's rows, safe to open in Excel.

A cell that starts with = + - @ (or a tab or carriage return) could run as a formula
when opened; such text is prefixed with an apostrophe so it stays text.
"""

import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def inert(value):
    """The value, with text that a spreadsheet would treat as a formula made plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _rows(table):
    for row in table.as_values():
        yield [inert("" if value is None else value) for value in row]


def table_response(table, export_format, *, filename):
    name = f"{slugify(filename)}-{timezone.localdate():%Y-%m-%d}.{export_format}"
    if export_format == "csv":
        buffer = io.StringIO()
        # A byte-order mark so that Excel reads UTF-8 (curly quotes, en dashes) correctly.
        buffer.write("\ufeff")
        csv.writer(buffer).writerows(_rows(table))
        body = buffer.getvalue().encode("utf-8")
    else:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Actions")
        for row in _rows(table):
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        body = buffer.getvalue()
    response = HttpResponse(body, content_type=FORMATS[export_format])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
