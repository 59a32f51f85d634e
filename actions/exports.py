"""Spreadsheet exports of a table's rows, safe to open in Excel or LibreOffice: titles and
notes stay text whatever they start with (careprog.spreadsheets)."""

import io

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

from careprog.downloads import attachment, download_name
from careprog.spreadsheets import append_row, csv_bytes

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _xlsx(rows) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Actions")
    for row in rows:
        append_row(sheet, ["" if value is None else value for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_response(table, export_format, *, filename):
    """The table's rows as a download named for the table (``filename``) and today."""
    name = download_name(filename, export_format, on=timezone.localdate())
    rows = table.as_values()
    body = csv_bytes(rows) if export_format == "csv" else _xlsx(rows)
    return attachment(HttpResponse(body, content_type=FORMATS[export_format]), name)
