"""Returns built in memory for the import tests: good ones in both layouts, broken ones."""

import io
import zipfile

from openpyxl import Workbook


def xlsx(rows, *, sheet="Returns", number_formats=None, merge=None, extra_sheets=()):
    """An openpyxl-written workbook; ``number_formats`` maps a cell ref to a format."""
    workbook = Workbook()
    first = workbook.active
    first.title = sheet
    for row in rows:
        first.append(row)
    for ref, number_format in (number_formats or {}).items():
        first[ref].number_format = number_format
    if merge:
        first.merge_cells(merge)
    for name, extra_rows in extra_sheets:
        extra = workbook.create_sheet(name)
        for row in extra_rows:
            extra.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def long_return(rows, **kwargs):
    return xlsx([["KPI code", "Period", "Value", "Note"], *rows], **kwargs)


def zip_of(files: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def with_sheet_xml(data: bytes, sheet_xml: str) -> bytes:
    """The same workbook with its first sheet's XML replaced (for hostile XML)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    files = {name: source.read(name) for name in source.namelist()}
    files["xl/worksheets/sheet1.xml"] = sheet_xml.encode()
    return zip_of(files)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>"""
