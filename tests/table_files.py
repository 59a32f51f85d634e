"""Appendix C written as a Word file by python-docx, as a council's own progress report is: a bold
heading above each objective's table, the Objective, Requirement and Mechanism cells merged down
over their rows (w:vMerge), the header row repeated on each page."""

from __future__ import annotations

import io

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

HEADER = ("Objective / what we want to achieve", "Requirements", "Mechanisms", "Action", "Updates")


def appendix_c_docx(objectives, *, header=HEADER, merge=True) -> bytes:
    """objectives as tests.test_seed_fixture.parse_appendix_c returns them."""
    document = Document()
    for title, statement, requirements in objectives:
        document.add_paragraph().add_run(title).bold = True
        rows = [
            (requirement, mechanism, action, update)
            for requirement, mechanisms in requirements
            for mechanism, actions in mechanisms
            for action, update in actions
        ]
        table = document.add_table(rows=1 + len(rows), cols=len(header))
        table.style = "Table Grid"
        for column, text in enumerate(header):
            table.cell(0, column).text = text
        _repeat_on_each_page(table.rows[0])
        row = 1
        first = {0: 1}
        for requirement, mechanisms in requirements:
            requirement_row = row
            for mechanism, actions in mechanisms:
                mechanism_row = row
                for action, update in actions:
                    for column, text in ((3, action), (4, update)):
                        table.cell(row, column).text = text
                    row += 1
                _cell_over(table, 2, mechanism_row, row - 1, mechanism, merge)
            _cell_over(table, 1, requirement_row, row - 1, requirement, merge)
        _cell_over(table, 0, first[0], row - 1, statement, merge)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _cell_over(table, column, top, bottom, text, merge):
    if merge:
        table.cell(top, column).text = text
        if bottom > top:
            table.cell(top, column).merge(table.cell(bottom, column))
    else:
        for row in range(top, bottom + 1):
            table.cell(row, column).text = text


def _repeat_on_each_page(row):
    header = OxmlElement("w:tblHeader")
    row._tr.get_or_add_trPr().append(header)
    assert header.tag == qn("w:tblHeader")


def appendix_c_xlsx(objectives, *, merge=True, theme_column=False, header=HEADER, rows=None):
    """Appendix C as one sheet: a heading row above each objective (or, with ``theme_column``,
    its title in a Theme column on every row), the hierarchy's cells merged down over their rows
    or filled in on every one. ``rows`` adds that many more actions at the end."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Progress"
    heading = (("Theme",) if theme_column else ()) + tuple(header)
    sheet.append(heading)
    offset = 1 if theme_column else 0
    for title, statement, requirements in objectives:
        if not theme_column:
            sheet.append([title])
        first = sheet.max_row + 1
        spans = []
        for requirement, mechanisms in requirements:
            requirement_row = sheet.max_row + 1
            for mechanism, actions in mechanisms:
                mechanism_row = sheet.max_row + 1
                for action, update in actions:
                    sheet.append(
                        ([title] if theme_column else [])
                        + [statement, requirement, mechanism, action, update]
                    )
                spans.append((offset + 3, mechanism_row))
            spans.append((offset + 2, requirement_row))
        spans.append((offset + 1, first))
        if theme_column:
            spans.append((1, first))
        if merge:
            _merge_down(sheet, spans)
    for number in range(rows or 0):
        sheet.append(
            ([objectives[-1][0]] if theme_column else [])
            + ["", "", "", f"Further action {number + 1}", ""]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _merge_down(sheet, spans):
    """Each (column, top row) merged down to the row before the next start in that column."""
    last = sheet.max_row
    by_column = {}
    for column, top in spans:
        by_column.setdefault(column, []).append(top)
    for column, tops in by_column.items():
        tops = sorted(tops)
        for top, next_top in zip(tops, [*tops[1:], last + 1], strict=True):
            bottom = next_top - 1
            for row in range(top + 1, bottom + 1):
                sheet.cell(row, column).value = None
            if bottom > top:
                sheet.merge_cells(
                    start_row=top, start_column=column, end_row=bottom, end_column=column
                )
