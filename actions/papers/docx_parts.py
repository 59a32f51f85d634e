"""The building blocks of a paper's Word document (papers/word.py): paragraphs in named
styles, tables in the paper's table style, and user text made safe for XML. Apart from the
document's order so that the covering report's sections (papers/word_sections.py) and the
appendices share them."""

from __future__ import annotations

import re

from docx.oxml import OxmlElement

# Characters XML 1.0 cannot hold; lxml refuses them, so user text loses them rather than the
# download failing.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text) -> str:
    return _NOT_XML.sub("", str(text or ""))


def _style(paragraph, name: str) -> None:
    """The named style by its id (the name without spaces, as python-docx and Word give the
    styles used here): python-docx's own lookup by name scans every style on each call, which
    made a paper take seconds."""
    paragraph._p.style = name.replace(" ", "")


def _add(container, text: str, style: str):
    paragraph = container.add_paragraph()
    _style(paragraph, style)
    if text:
        paragraph.add_run(text)
    return paragraph


def _strong(paragraph, text: str) -> None:
    paragraph.add_run(text)._r.style = "Strong"


# Tables ------------------------------------------------------------------------------------


def _table(document, widths, *, header_rows=1, rows=0):
    table = document.add_table(rows=header_rows + rows, cols=len(widths))
    table.style = "Paper Table"
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    for index, row in enumerate(table.rows):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if index < header_rows:
            tr_pr.append(OxmlElement("w:tblHeader"))  # repeated at the top of every page
    return table


def _paragraph(cell, style):
    """The cell's next paragraph: its first, empty one, then new ones."""
    paragraph = cell.paragraphs[-1]
    if paragraph.runs or len(cell.paragraphs) > 1:
        paragraph = cell.add_paragraph()
    _style(paragraph, style)
    return paragraph


def _write(cell, text, style="Table Text"):
    """Text into a cell as a paragraph of its own, its line breaks kept."""
    paragraph = _paragraph(cell, style)
    paragraph.add_run(_clean(text))
    return paragraph


def _labelled(cell, label, text) -> None:
    paragraph = _paragraph(cell, "Table Text")
    _strong(paragraph, f"{label}: ")
    paragraph.add_run(_clean(text))
