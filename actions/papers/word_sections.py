"""The covering report's title blocks and sections in Word, one function per family and
section kind, laid out as the seeds lay them out: the committee report's "Report title /
Report of" lines (004), a board update's heading naming its group (001), a cabinet member's
update's Councillor | Portfolio | Date table (002); text paragraphs and bullets, labelled rows
as a two-column table, a SWOT as a 2×2 table of numbered lists (001), and the risks from the
register as the page's table, one risk a row."""

from __future__ import annotations

from docx.shared import Cm

from actions.papers.content import RISK_HEADINGS, risk_cells
from actions.papers.docx_parts import _add, _clean, _strong, _table, _write


def _committee_title_block(document, content: dict) -> None:
    _add(document, _clean(content["committee"]), "Paper Committee")
    meeting = content["meeting_date_text"]
    if content["agenda_item"]:
        meeting += f", agenda item {content['agenda_item']}"
    _add(document, _clean(meeting), "Paper Meeting")
    _add(document, _clean(content["title"]), "Paper Title")
    period = content["period"]
    for label, value in (
        ("Report of", content["report_of"]),
        ("Quarter reported", f"{period['label']} ({period['months']})"),
        ("Figures as at", content["figures_as_at_text"]),
    ):
        paragraph = _add(document, "", "Paper Detail")
        _strong(paragraph, f"{label}: ")
        paragraph.add_run(_clean(value))


def _family_title_block(document, content: dict) -> None:
    """A board update's heading naming its group (001); a cabinet member's update's heading,
    meeting and Councillor | Portfolio | Date table (002)."""
    block = content["title_block"]
    if block["kind"] == "board_update":
        heading = " ".join(part for part in (block["group_name"], content["title"]) if part)
        _add(document, _clean(heading), "Paper Title")
        meeting = f"{content['committee']}, {content['meeting_date_text']}"
        if content["agenda_item"]:
            meeting += f", agenda item {content['agenda_item']}"
        _add(document, _clean(meeting), "Paper Meeting")
        if content["report_of"]:
            _add(document, _clean(f"Report of {content['report_of']}"), "Paper Detail")
        return
    _add(document, _clean(content["title"]), "Paper Title")
    _add(document, _clean(block["meeting_name"]), "Paper Meeting")
    table = _table(document, [Cm(5.0), Cm(7.0), Cm(5.0)], rows=1)
    for cell, text in zip(table.rows[0].cells, ("Councillor", "Portfolio", "Date"), strict=True):
        _write(cell, text, "Table Heading")
    values = (block["councillor"], block["portfolio"], block["date_text"])
    for cell, text in zip(table.rows[1].cells, values, strict=True):
        _write(cell, text)


def _blocks(container, blocks: list[dict], *, in_table: bool = False) -> None:
    for block in blocks:
        if block["kind"] == "list":
            for item in block["items"]:
                if in_table:
                    _add(container, f"• {_clean(item['text'])}", "Table Text")
                    continue
                style = "List Bullet 2" if item["level"] == 2 else "List Bullet"
                _add(container, _clean(item["text"]), style)
            continue
        if in_table:
            paragraph = _add(container, "", "Table Text")
        elif block["number"]:
            paragraph = _add(container, "", "Numbered Paragraph")
            paragraph.add_run(f"{block['number']}\t")
        else:
            paragraph = _add(container, "", "Paper Paragraph")
        for index, line in enumerate(block["lines"]):
            run = paragraph.add_run(_clean(line))
            if index < len(block["lines"]) - 1:
                run.add_break()


def _labelled_rows(document, rows: list[dict]) -> None:
    """The overview as its seed prints it: a two-column table, label beside text."""
    table = _table(document, [Cm(5.0), Cm(12.0)], header_rows=0, rows=len(rows))
    for table_row, row in zip(table.rows, rows, strict=True):
        label, cell = table_row.cells
        _write(label, row["label"], "Table Heading")
        _blocks(cell, row["blocks"], in_table=True)
        _drop_empty_first(cell)


def _swot(document, quadrants: list[dict]) -> None:
    """A SWOT grid as a 2×2 table, each cell its quadrant's name and numbered items."""
    table = _table(document, [Cm(8.5), Cm(8.5)], header_rows=0, rows=2)
    cells = [cell for row in table.rows for cell in row.cells]
    for cell, quadrant in zip(cells, quadrants, strict=True):
        _write(cell, quadrant["label"], "Table Heading")
        for number, item in enumerate(quadrant["items"], 1):
            _write(cell, f"{number}. {item}")


# Widths of the risks table's columns (papers.content.RISK_HEADINGS) on a portrait A4 page.
RISK_WIDTHS = [Cm(3.2), Cm(1.9), Cm(2.0), Cm(1.2), Cm(1.7), Cm(1.5), Cm(1.9), Cm(3.6)]


def _risks(document, section: dict) -> None:
    """The register as at the paper's figures date, as the page prints it."""
    _add(
        document,
        f"The programme's open and escalated risks as the register stood on "
        f"{section['as_at_text']}, highest residual score first.",
        "Paper Paragraph",
    )
    if not section["risks"]:
        _add(
            document,
            f"The register had no open or escalated risk on {section['as_at_text']}.",
            "Paper Paragraph",
        )
        return
    table = _table(document, RISK_WIDTHS, rows=len(section["risks"]))
    for cell, heading in zip(table.rows[0].cells, RISK_HEADINGS, strict=True):
        _write(cell, heading, "Table Heading")
    for table_row, risk in zip(table.rows[1:], section["risks"], strict=True):
        for index, (cell, text) in enumerate(zip(table_row.cells, risk_cells(risk), strict=True)):
            for line in text.split("\n"):
                _write(cell, line, "Table Heading" if index == 0 else "Table Text")


def _drop_empty_first(cell) -> None:
    first = cell.paragraphs[0]
    if not first.runs and len(cell.paragraphs) > 1:
        first._p.getparent().remove(first._p)
