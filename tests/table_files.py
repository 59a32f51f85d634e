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
