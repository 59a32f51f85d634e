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


def _parts(data: bytes) -> dict[str, bytes]:
    source = zipfile.ZipFile(io.BytesIO(data))
    return {name: source.read(name) for name in source.namelist()}


def moved_workbook(data: bytes) -> bytes:
    """The same workbook with its parts under book/ and the workbook part called main.xml:
    a valid package, whose workbook is found only through _rels/.rels."""
    files = {}
    for name, content in _parts(data).items():
        content = content.replace(b'Target="xl/workbook.xml"', b'Target="book/main.xml"')
        content = content.replace(b"/xl/workbook.xml", b"/book/main.xml").replace(
            b"/xl/", b"/book/"
        )
        name = name.replace("xl/_rels/workbook.xml.rels", "xl/_rels/main.xml.rels")
        name = name.replace("xl/workbook.xml", "xl/main.xml")
        files["book/" + name[3:] if name.startswith("xl/") else name] = content
    return zip_of(files)


def backslashed(data: bytes) -> bytes:
    """The same workbook with its zip names written with backslashes, as some Windows zip
    tools do."""
    return zip_of({name.replace("/", "\\"): content for name, content in _parts(data).items()})


def inline_sheet(rows: list[list[tuple[str, str, str]]]) -> str:
    """A worksheet's XML from rows of (ref, t, text): t "inlineStr" for text, "" for a number,
    "d" for ISO 8601 text."""
    xml = []
    for number, cells in enumerate(rows, start=1):
        out = []
        for ref, kind, text in cells:
            if kind == "inlineStr":
                out.append(f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>')
            else:
                t = f' t="{kind}"' if kind else ""
                out.append(f'<c r="{ref}"{t}><v>{text}</v></c>')
        xml.append(f'<row r="{number}">{"".join(out)}</row>')
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats'
        f'.org/spreadsheetml/2006/main"><sheetData>{"".join(xml)}</sheetData></worksheet>'
    )
