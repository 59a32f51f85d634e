"""Spreadsheet exports of a table's rows, safe to open in Excel or LibreOffice: titles and
notes stay text whatever they start with (careprog.spreadsheets)."""

import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook

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
    name = f"{slugify(filename)}-{timezone.localdate():%Y-%m-%d}.{export_format}"
    rows = table.as_values()
    body = csv_bytes(rows) if export_format == "csv" else _xlsx(rows)
    response = HttpResponse(body, content_type=FORMATS[export_format])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
