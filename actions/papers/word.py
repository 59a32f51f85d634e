"""A committee paper as a Word document, from the same content dict the paper's page renders
(papers/content.py): the covering report in the council's layout, then the appendices.

Committee services restyle and re-lay papers in Word, so everything is written with named
styles ("Paper Title", "Numbered Paragraph", "Table Text", "Status" ...) that they can change
in one place, never with formatting on runs. The only direct formatting is what Word keeps on
the table and section rather than in a style: cell widths, page size and orientation, merges,
and the rows' "repeat as header" and "don't split" flags.

Paragraph numbers are the text the content gives ("3.1"), not Word list numbering: they are
the numbers the committee quotes, and must not renumber when someone edits the document.

A published paper's document is a function of its snapshot and publication time alone: the
same bytes on every download (core properties dated at publication, and the zip members too).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from actions.models import UNTITLED_ACTION
from actions.papers import appendices
from actions.papers import changes as paper_changes
from actions.papers.docx_parts import (
    _add,
    _clean,
    _labelled,
    _style,
    _table,
    _write,
)
from actions.papers.word_sections import (
    _blocks,
    _committee_title_block,
    _family_title_block,
    _labelled_rows,
    _risks,
    _swot,
)

MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
COVERING_REPORT = "Covering report"

A4 = (Cm(21.0), Cm(29.7))
MARGIN = Cm(2.0)
LANDSCAPE_MARGIN = Cm(1.5)

# The committee's progress table: heading, sub-heading (the Updates column's is the quarter)
# and width on a landscape A4 page.
PROGRESS_COLUMNS = [
    ("Objective", "what we want to achieve", Cm(4.0)),
    ("Requirements", "what we need", Cm(4.6)),
    ("Mechanisms", "how we will make that happen", Cm(5.0)),
    ("Action", "What we need to do", Cm(6.0)),
    ("Updates", None, Cm(7.1)),
]
KPI_COLUMNS = [
    ("Measure", Cm(4.0)),
    ("Figure", Cm(2.8)),
    ("Target", Cm(2.5)),
    ("Rating", Cm(4.2)),
    ("Direction", Cm(3.4)),
    ("Statistical neighbours", Cm(2.2)),
    ("England", Cm(2.0)),
    ("Rank and band", Cm(2.4)),
    ("Source", Cm(3.2)),
]
CHANGE_COLUMNS = [Cm(7.0), Cm(5.0), Cm(5.0)]

# Text colours with at least 4.5:1 contrast on white, as the page's tags have.
STATUS_COLOURS = {
    "complete": "1D70B8",
    "on_track": "00703C",
    "at_risk": "8F4700",
    "off_track": "AA2B1D",
    "not_started": "505A5F",
    "not_assessed": "505A5F",
}
RATING_COLOURS = {"green": "00703C", "amber": "8F4700", "red": "AA2B1D", "none": "505A5F"}


def status_style(status: str) -> str:
    return f"Status {status.replace('_', ' ').title()}"


def rating_style(key: str) -> str:
    return f"Rating {key.title()}"


def paper_docx(content: dict, *, draft: bool, at: dt.datetime) -> bytes:
    """The paper as DOCX bytes. ``at`` dates the document: a published paper's publication
    time (so its file never changes), a draft's time of download."""
    document = Document()
    _drop_thumbnail(document)
    _styles(document)
    _core_properties(document, content, at)
    _covering_report(document, content, draft)
    appendix = {"kpis": _kpi_appendix, "progress": _progress_appendix, "changes": _changes_appendix}
    for key in appendices.order(content):  # a first paper has nothing to compare: no changes
        appendix[key](document, content, draft)
    out = io.BytesIO()
    document.save(out)
    return _dated_zip(out.getvalue(), at)


# Styles -----------------------------------------------------------------------------------


def _paragraph_style(styles, name, *, base="Normal", size=None, bold=None, colour=None):
    style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles[base]
    style.quick_style = True
    if size:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    if colour:
        style.font.color.rgb = RGBColor.from_string(colour)
    return style


def _styles(document) -> None:
    styles = document.styles
    rpr_default = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    rpr_default.find(qn("w:rPr")).find(qn("w:lang")).set(qn("w:val"), "en-GB")
    # The template's styles name theme fonts, which win over a named font: drop them, so that
    # Arial (the council's font) set on Normal and the headings is what Word shows.
    for fonts in styles.element.iter(qn("w:rFonts")):
        for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
            fonts.attrib.pop(qn(f"w:{attribute}"), None)

    normal = styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.0
    for level, size in ((1, 13), (2, 12), (3, 11)):
        heading = styles[f"Heading {level}"]
        heading.font.name = "Arial"
        heading.font.size = Pt(size)
        heading.font.color.rgb = RGBColor(0, 0, 0)
        heading.paragraph_format.space_before = Pt(12)
        heading.paragraph_format.space_after = Pt(6)
        heading.paragraph_format.keep_with_next = True

    _paragraph_style(styles, "Paper Committee", size=14, bold=True)
    _paragraph_style(styles, "Paper Meeting", size=12)
    # The title and every heading are Heading 1 or 2 at heart, with their outline level, so
    # that Word's navigation pane and accessibility checker (and a PDF saved from Word) see
    # the paper's structure: title and sections, then each appendix and its objectives.
    title = _paragraph_style(styles, "Paper Title", base="Heading 1", size=16, bold=True)
    title.paragraph_format.space_before = Pt(12)
    _outline(title, 0)
    _paragraph_style(styles, "Paper Detail")

    numbered = _paragraph_style(styles, "Numbered Paragraph")
    numbered.paragraph_format.left_indent = Cm(1.25)
    numbered.paragraph_format.first_line_indent = Cm(-1.25)
    numbered.paragraph_format.tab_stops.add_tab_stop(Cm(1.25))
    body = _paragraph_style(styles, "Paper Paragraph")
    body.paragraph_format.left_indent = Cm(1.25)
    for name, indent in (("List Bullet", 1.9), ("List Bullet 2", 2.55)):
        styles[name].paragraph_format.left_indent = Cm(indent)
        styles[name].paragraph_format.first_line_indent = Cm(-0.63)

    appendix = styles.add_style("Appendix Heading", WD_STYLE_TYPE.PARAGRAPH)
    appendix.base_style = styles["Heading 1"]
    appendix.font.size = Pt(14)
    appendix.quick_style = True
    _outline(appendix, 0)
    _outline(_paragraph_style(styles, "Objective Heading", base="Heading 2"), 1)

    table_text = _paragraph_style(styles, "Table Text", size=9)
    table_text.paragraph_format.space_after = Pt(3)
    _paragraph_style(styles, "Table Heading", base="Table Text", bold=True)
    _paragraph_style(styles, "Table Subheading", base="Table Text", bold=False)
    _paragraph_style(styles, "Status", base="Table Text", bold=True)
    for status, colour in STATUS_COLOURS.items():
        _paragraph_style(styles, status_style(status), base="Status", colour=colour)
    _paragraph_style(styles, "Rating", base="Table Text", bold=True)
    for key, colour in RATING_COLOURS.items():
        _paragraph_style(styles, rating_style(key), base="Rating", colour=colour)
    _paragraph_style(styles, "Running Header", base="Header", size=9)
    _paragraph_style(styles, "Draft Marking", base="Header", size=9, bold=True)
    _paragraph_style(styles, "Page Number", base="Footer", size=9)

    _table_style(styles)


def _outline(style, level: int) -> None:
    """The style's outline level (0 is Heading 1's), written on the style itself rather than
    left to inheritance, which not every reader of a .docx follows."""
    properties = style.element.get_or_add_pPr()
    for old in properties.findall(qn("w:outlineLvl")):
        properties.remove(old)
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), str(level))
    properties.append(outline)


def _table_style(styles) -> None:
    """ "Paper Table": a grid whose header row is shaded, so one style change restyles every
    table."""
    style = styles.add_style("Paper Table", WD_STYLE_TYPE.TABLE)
    style.base_style = styles["Table Grid"]
    first_row = OxmlElement("w:tblStylePr")
    first_row.set(qn("w:type"), "firstRow")
    tc_pr = OxmlElement("w:tcPr")
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), "DEE0E2")
    tc_pr.append(shading)
    first_row.append(tc_pr)
    style.element.append(first_row)


# Document properties and the package --------------------------------------------------------


def _core_properties(document, content: dict, at: dt.datetime) -> None:
    properties = document.core_properties
    properties.title = _clean(f"{content['title']}: {content['period']['label']}")
    properties.subject = _clean(f"{content['committee']}, {content['meeting_date_text']}")
    properties.author = _clean(content["report_of"] or content["committee"])
    properties.last_modified_by = _clean(content["committee"])
    properties.comments = ""
    properties.keywords = ""
    properties.category = "Committee paper"
    properties.language = "en-GB"
    properties.revision = 1
    at = at.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
    properties.created = at
    properties.modified = at


def _drop_thumbnail(document) -> None:
    """python-docx's template carries a preview image of an empty page, which file browsers
    would show for the paper: leave it out (Word writes a true one when it saves)."""
    relationships = document.part.package.rels
    for key, relationship in list(relationships.items()):
        if relationship.reltype == RT.THUMBNAIL:
            del relationships[key]


def _dated_zip(data: bytes, at: dt.datetime) -> bytes:
    """The package again with every member dated ``at`` rather than the moment of writing,
    so that the same paper gives the same bytes."""
    stamp = at.astimezone(dt.UTC).timetuple()[:6]
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(member, source.read(info))
    return out.getvalue()


# Sections, headers and footers -------------------------------------------------------------


def _page(section, *, landscape: bool) -> None:
    width, height = A4
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = height, width
        margin = LANDSCAPE_MARGIN
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = width, height
        margin = MARGIN
    section.left_margin = section.right_margin = margin
    section.top_margin = section.bottom_margin = margin
    section.header_distance = section.footer_distance = Cm(1.0)


def _section(document, content: dict, name: str, *, draft: bool, landscape: bool, first=False):
    section = document.sections[0] if first else document.add_section(WD_SECTION.NEW_PAGE)
    _page(section, landscape=landscape)
    header, footer = section.header, section.footer
    header.is_linked_to_previous = False
    footer.is_linked_to_previous = False
    running = header.paragraphs[0]
    _style(running, "Running Header")
    running.text = _clean(f"{content['committee']}, {content['meeting_date_text']}: {name}")
    if draft:
        _add(
            header,
            "Draft: this paper shows today's data and will change until it is published.",
            "Draft Marking",
        )
    number = footer.paragraphs[0]
    _style(number, "Page Number")
    number.add_run("Page ")
    _field(number, "PAGE", "1")
    number.add_run(" of ")
    _field(number, "NUMPAGES", "1")
    return section


def _field(paragraph, instruction: str, shown: str) -> None:
    """A Word field (PAGE, NUMPAGES) as begin / instruction / separate / result / end runs,
    which Word and LibreOffice both update when they lay out the page."""

    def char(kind):
        run = paragraph.add_run()
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run._r.append(element)

    char("begin")
    run = paragraph.add_run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run._r.append(text)
    char("separate")
    paragraph.add_run(shown)
    char("end")


# Covering report ---------------------------------------------------------------------------


def _covering_report(document, content: dict, draft: bool) -> None:
    _section(document, content, COVERING_REPORT, draft=draft, landscape=False, first=True)
    if "title_block" in content:
        _family_title_block(document, content)
    else:
        _committee_title_block(document, content)
    if not content["sections"]:
        document.add_paragraph("The covering report has no sections written yet.")
    for section in content["sections"]:
        heading = _clean(section["heading"])
        if section["number"]:
            heading = f"{section['number']}\t{heading}"
        _add(document, heading, "Heading 1")
        kind = section.get("kind")
        if kind == "labelled_rows":
            _labelled_rows(document, section["rows"])
        elif kind == "swot":
            _swot(document, section["quadrants"])
        elif kind == "risks":
            _risks(document, section)
        else:
            _blocks(document, section["blocks"])


# Appendices --------------------------------------------------------------------------------


def _kpi_appendix(document, content: dict, draft: bool) -> None:
    name = appendices.names(content)["kpis"]
    _section(document, content, name, draft=draft, landscape=True)
    _add(document, _clean(name), "Appendix Heading")
    document.add_paragraph(
        f"The programme's measures as they stood on {content['figures_as_at_text']}: each "
        "measure's latest figure on or before that date, the target for that figure's "
        "financial year, and the comparators and rank for that figure's period."
    )
    if not content["kpis"]:
        document.add_paragraph("No measures evidence this programme's objectives.")
        return
    table = _table(document, [width for _, width in KPI_COLUMNS], rows=len(content["kpis"]))
    for cell, (heading, _) in zip(table.rows[0].cells, KPI_COLUMNS, strict=True):
        _write(cell, heading, "Table Heading")
    for row, kpi in zip(table.rows[1:], content["kpis"], strict=True):
        cells = row.cells
        _write(cells[0], kpi["name"], "Table Heading")
        if kpi.get("commentary"):  # a line under the name: the landscape page has no room
            _labelled(cells[0], "Commentary", kpi["commentary"])
        _write(cells[1], kpi["value_text"], "Table Heading")
        if kpi["period_text"]:
            _write(cells[1], kpi["period_text"])
        if kpi["illustrative"]:
            _write(cells[1], "Illustrative")
        if kpi.get("standing"):  # DfE's figure beside the council's own (kpis.readings)
            _write(cells[1], kpi["standing"])
        _write(cells[2], kpi["target_text"])
        if kpi["target_illustrative"]:
            _write(cells[2], "Illustrative")
        rating = kpi["rating"]
        _write(cells[3], f"{rating['shape']} {rating['label']}", rating_style(rating["key"]))
        _write(cells[3], rating["explanation"])
        if kpi["direction"]:
            direction = kpi["direction"]
            _write(cells[4], f"{direction['arrow']} {direction['label']}")
            _write(cells[4], direction["explanation"])
        _write(cells[5], kpi["neighbours"] or "Not published")
        _write(cells[6], kpi["england"] or "Not published")
        _write(cells[7], kpi["rank_text"] or "Not ranked")
        _write(cells[8], kpi["source"])


def _changes_appendix(document, content: dict, draft: bool) -> None:
    name = appendices.names(content)["changes"]
    _section(document, content, name, draft=draft, landscape=False)
    _add(document, _clean(name), "Appendix Heading")
    changes = content["changes"]
    previous = changes["previous"]
    if previous is None:  # a first paper published before they went without one
        document.add_paragraph(
            "This is the programme's first published paper, so there is no earlier paper to "
            "compare it with."
        )
        return
    counts = paper_changes.summary(changes)
    summary = (
        f"Compared with the last published paper: {previous['title']}, {previous['period']}, "
        f"to {previous['meeting']}."
    )
    document.add_paragraph(_clean(summary if counts else f"{summary} Nothing changed."))
    for line in counts:  # the counts first, the details after
        _add(document, line["text"], "List Bullet")
    for group in paper_changes.groups(changes):
        _add(document, f"{group['heading']} ({len(group['rows'])})", "Heading 2")
        table = _table(document, CHANGE_COLUMNS, rows=len(group["rows"]))
        headings = [group["subject"], "Before", "After"]
        for cell, text in zip(table.rows[0].cells, headings, strict=True):
            _write(cell, text, "Table Heading")
        for row, item in zip(table.rows[1:], group["rows"], strict=True):
            cells = row.cells
            _write(cells[0], item["what"], "Table Heading")
            if item["objective"]:
                _write(cells[0], item["objective"])
            _write(cells[1], item["before"])
            _write(cells[2], item["after"])


def _progress_appendix(document, content: dict, draft: bool) -> None:
    period = content["period"]
    name = appendices.names(content)["progress"]
    _section(document, content, name, draft=draft, landscape=True)
    _add(document, _clean(f"{name}, {period['label']}"), "Appendix Heading")
    document.add_paragraph(f"Position at the end of {period['label']} ({period['months']}).")
    blank = not appendices.published_before_names(content)
    for objective_table in content["progress"]:
        _objective_table(document, objective_table, period["label"], blank=blank)


def _objective_table(document, objective_table: dict, period_label: str, *, blank) -> None:
    objective, rows = objective_table["objective"], objective_table["rows"]
    _add(document, _clean(objective["title"]), "Objective Heading")
    if not rows:
        return
    table = _table(document, [width for *_, width in PROGRESS_COLUMNS], rows=len(rows))
    for cell, (heading, subheading, _) in zip(table.rows[0].cells, PROGRESS_COLUMNS, strict=True):
        _write(cell, heading, "Table Heading")
        _write(cell, subheading or period_label, "Table Subheading")
    body = [row.cells for row in table.rows[1:]]  # taken before merging: one cell per grid slot

    _merge(body, 0, 0, len(rows))
    _write(body[0][0], objective["statement"])
    for index, row in enumerate(rows):
        for column, key in ((1, "requirement"), (2, "mechanism")):
            span = row[f"{key}_rowspan"]
            if span:
                _merge(body, index, column, span)
                _write(body[index][column], row[key])
        if row["action"]:
            _write(body[index][3], row["action"]["title"] or UNTITLED_ACTION)
            _updates(body[index][4], row, blank=blank)


def _merge(body, first: int, column: int, span: int) -> None:
    """One cell over ``span`` rows from ``first``: Word's vertical merge (w:vMerge)."""
    if span > 1:
        body[first][column].merge(body[first + span - 1][column])


def _updates(cell, row: dict, *, blank: bool) -> None:
    """The status first where one was given, as text (its colour is the style's), then the
    update; no update leaves the cell empty (``blank``), as the committee's table does, or
    says so in a paper published before (appendices.published_before_names)."""
    update = row["update"]
    if row["status_label"]:
        _write(cell, row["status_label"], status_style(row["status"]))
        if update is None and row["status_period"]:
            _write(cell, f"Status as reported for {row['status_period']}")
    if update is None:
        if not blank:
            _write(cell, "No update provided")
        return
    _write(cell, update["text"])
    if update["reason"]:
        _labelled(cell, "Reason", update["reason"])
    if update["next_step"]:
        _labelled(cell, "Next step", update["next_step"])
