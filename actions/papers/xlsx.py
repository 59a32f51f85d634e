"""The report on progress (and, for a paper, the key performance data) as an Excel workbook.

Pure functions from the JSON-ready content (papers.content: a published paper's snapshot, a
draft's live build, or the live ``progress`` of a report) to the bytes of an .xlsx, so a
published paper's workbook is made from its snapshot only.

One sheet for the whole report on progress, each objective under a heading row of its own,
rather than a sheet per objective: it prints as one run of numbered pages, as the paper's
appendix does, with one frozen header row and one find over every action; and sheet names
(31 characters, no ``[]:*?/\\``) would have cut and altered the objectives' titles. The table
mirrors the page: the objective's statement is one merged cell over its rows, a requirement
and a mechanism are merged over their rowspans. A paper's key performance data is a second
sheet, so both workbooks open on the report on progress. Any paper not yet published is
marked "Draft" in its titles and "DRAFT" in every printed page's header, as its page warns.

Every piece of user text is written as a string cell (careprog.spreadsheets.write_text), never
as a formula, whatever it starts with. Figures (a measure's figure and its comparators) are
numbers with a number format from the measure's unit and decimal places (read back from the
figure's words, which every snapshot holds: unit_of), so that they show as
the paper words them ("63%", "£4,531,000", "87.5 per 10,000") yet can be summed, sorted and
charted: a percentage is stored as a fraction under a "%" format, as spreadsheets expect.

Row heights are estimated here, not left to the spreadsheet program: neither Excel nor
LibreOffice fits a row to a merged cell's text, so a long requirement over two short action
rows would otherwise be cut off on screen and in print. Excel caps a row at 409 points.

The same content always gives the same bytes: the package's dates (docProps/core.xml and each
zip entry's time) are the ``at`` given, a published paper's publication time.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.writer.excel import ExcelWriter

from actions.models import UNTITLED_ACTION
from actions.papers import appendices
from actions.papers import content as paper_content
from careprog.spreadsheets import write_text

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROGRESS_SHEET = "Report on progress"
KPI_SHEET = "Key performance data"
COVERING_SHEET = "Covering report"

FONT = "Arial"
FONT_SIZE = 10
LINE_HEIGHT = 13  # points per line of Arial 10, with a little room
MAX_ROW_HEIGHT = 409  # Excel's limit
# Characters of Arial 10 prose per unit of column width (the width of "0"), on the safe side.
CHARACTERS_PER_WIDTH = 1.3

# (heading, sub-heading, width): Updates the widest, as on the page.
PROGRESS_COLUMNS = [
    ("Objective", "what we want to achieve", 24),
    ("Requirements", "what we need", 24),
    ("Mechanisms", "how we will make that happen", 26),
    ("Action", "What we need to do", 30),
    ("Updates", None, 62),  # its sub-heading is the quarter
]
KPI_COLUMNS = [
    ("Measure", 30),
    ("Figure", 14),
    ("Period", 14),
    ("Target", 18),
    ("Rating", 12),
    ("Reason for the rating", 30),
    ("Direction", 30),
    ("Statistical neighbours", 13),
    ("England", 11),
    ("Rank and band", 16),
    ("Commentary", 40),
    ("Source", 34),
]

_thin = Side(style="thin", color="B1B4B6")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
TOP_WRAP = Alignment(wrap_text=True, vertical="top")
PLAIN = Font(name=FONT, size=FONT_SIZE)
BOLD = Font(name=FONT, size=FONT_SIZE, bold=True)
TITLE = Font(name=FONT, size=14, bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
OBJECTIVE_FILL = PatternFill("solid", fgColor="F3F2F1")


def paper_workbook(content: dict, *, draft: bool, at: dt.datetime) -> bytes:
    """A paper's appendices: the report on progress, then the key performance data. A paper
    of another family, or with a table or SWOT section, has its covering report as a first
    sheet too (a committee report of text only keeps the workbook it always had), and a
    portfolio's paper that sheet alone."""
    meeting = f"{content['committee']}, {content['meeting_date_text']}"
    if content.get("agenda_item"):
        meeting += f", agenda item {content['agenda_item']}"
    period = content["period"]
    names = appendices.names(content)
    workbook = Workbook()
    if _has_family(content):
        _covering_report(workbook.active, content=content, meeting=meeting, draft=draft)
        if content.get("generated_appendices") is False:
            return _bytes(workbook, at)
        progress_sheet = workbook.create_sheet(PROGRESS_SHEET)
    else:
        progress_sheet = workbook.active
    heading = f"{names['progress']}, {period['label']}: {content['programme']['name']}"
    progress_sheet.title = PROGRESS_SHEET
    _progress(
        progress_sheet,
        title=_drafted(heading, draft),
        lines=[
            f"Appendix to the paper “{content['title']}” to {meeting}.",
            f"Position at the end of {period['label']} ({period['months']}).",
        ],
        period_label=period["label"],
        tables=content["progress"],
        draft=draft,
        record=not appendices.published_before_names(content),
    )
    _kpis(
        workbook.create_sheet(KPI_SHEET),
        title=_drafted(
            f"{names['kpis']}: {content['programme']['name']}, as at "
            f"{content['figures_as_at_text']}",
            draft,
        ),
        lines=[
            f"Appendix to the paper “{content['title']}” to {meeting}.",
            "Each measure's latest figure on or before that date, the target for that figure's "
            "financial year, and the comparators and rank for that figure's period.",
        ],
        kpis=content["kpis"],
        draft=draft,
    )
    return _bytes(workbook, at)


def _has_family(content: dict) -> bool:
    return "title_block" in content or any("kind" in section for section in content["sections"])


def _covering_report(sheet, *, content, meeting, draft) -> None:
    sheet.title = COVERING_SHEET
    block = content.get("title_block") or {}
    title = " ".join(part for part in (block.get("group_name"), content["title"]) if part)
    header_row = _title_block(sheet, _drafted(title, draft), [f"To {meeting}."], 2)
    for column, (heading, width) in enumerate((("Section or label", 34), ("Text", 90)), 1):
        _cell(sheet, header_row, column, heading, header=True)
        sheet.column_dimensions[get_column_letter(column)].width = width
    for offset, (label, body) in enumerate(paper_content.covering_rows(content), 1):
        _cell(sheet, header_row + offset, 1, label, header=not body)
        _cell(sheet, header_row + offset, 2, body)
        sheet.row_dimensions[header_row + offset].height = min(
            MAX_ROW_HEIGHT, max(_height(label, 34), _height(body, 90))
        )
    _print_setup(sheet, header_row, draft)


def report_workbook(
    *, programme_name: str, period_label: str, period_months: str, tables: list, at: dt.datetime
) -> bytes:
    """The live report on progress for a quarter (papers.content.progress's tables), as at
    ``at`` in local time."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = PROGRESS_SHEET
    _progress(
        sheet,
        title=f"{programme_name}: report on progress, {period_label}",
        lines=[
            f"Position at the end of {period_label} ({period_months}).",
            f"Today's data, downloaded {at:%-d %B %Y at %H:%M}; a published committee paper "
            "is the record of what was reported.",
        ],
        period_label=period_label,
        tables=tables,
        draft=False,
        record=False,
    )
    return _bytes(workbook, at)


def _drafted(title: str, draft: bool) -> str:
    return f"Draft: {title}" if draft else title


def update_text(row: dict, *, record: bool = False) -> str:
    """The Updates cell: the status where one was given, then the update, its reason and next
    step, as on the page. In a paper (``record``) a missing update is an empty cell, as the
    committee's table prints it; the live report says "No update provided"."""
    if row["action"] is None:
        return ""
    lines = []
    if row["status_label"]:
        lines.append(row["status_label"])
        if row["update"] is None and row["status_period"]:
            lines.append(f"Status as reported for {row['status_period']}")
    update = row["update"]
    if update is None:
        if not record:
            lines.append("No update provided")
        return "\n".join(lines)
    lines.append(update["text"])
    if update["reason"]:
        lines.append(f"Reason: {update['reason']}")
    if update["next_step"]:
        lines.append(f"Next step: {update['next_step']}")
    return "\n".join(lines)


def _progress(sheet, *, title, lines, period_label, tables, draft, record):
    width = len(PROGRESS_COLUMNS)
    header_row = _title_block(sheet, title, lines, width)
    for column, (heading, sub, column_width) in enumerate(PROGRESS_COLUMNS, 1):
        sheet.column_dimensions[get_column_letter(column)].width = column_width
        _cell(sheet, header_row, column, f"{heading}\n{sub or period_label}", header=True)
    heights = {header_row: 2 * LINE_HEIGHT}
    merged = []  # (first row, last row, column, text), fitted after the single cells
    row_number = header_row
    for table in tables:
        row_number += 1
        objective = table["objective"]
        _cell(sheet, row_number, 1, objective["title"], font=BOLD, fill=OBJECTIVE_FILL)
        for column in range(2, width + 1):
            _cell(sheet, row_number, column, None, fill=OBJECTIVE_FILL)
        sheet.merge_cells(
            start_row=row_number, start_column=1, end_row=row_number, end_column=width
        )
        heights[row_number] = _height(objective["title"], sum(c[2] for c in PROGRESS_COLUMNS))
        first = row_number + 1
        rows = table["rows"]
        if rows:
            merged.append((first, first + len(rows) - 1, 1, objective["statement"]))
        for offset, row in enumerate(rows):
            row_number = first + offset
            for column in range(1, width + 1):
                _cell(sheet, row_number, column, None)
            if offset == 0:
                write_text(sheet.cell(row_number, 1), objective["statement"])
            for column, key in ((2, "requirement"), (3, "mechanism")):
                span = row[f"{key}_rowspan"]
                if span:
                    write_text(sheet.cell(row_number, column), row[key])
                    merged.append((row_number, row_number + span - 1, column, row[key]))
            title = (row["action"]["title"] or UNTITLED_ACTION) if row["action"] else ""
            updates = update_text(row, record=record)
            write_text(sheet.cell(row_number, 4), title)
            write_text(sheet.cell(row_number, 5), updates)
            heights[row_number] = max(
                _height(title, PROGRESS_COLUMNS[3][2]), _height(updates, PROGRESS_COLUMNS[4][2])
            )
        row_number = first + len(rows) - 1
    # Shortest spans first, so a longer span sees the room the shorter ones already made.
    for first, last, column, text in sorted(merged, key=lambda m: m[1] - m[0]):
        if last > first:
            sheet.merge_cells(start_row=first, start_column=column, end_row=last, end_column=column)
        _make_room(heights, first, last, _height(text, PROGRESS_COLUMNS[column - 1][2]))
    for number, height in heights.items():
        sheet.row_dimensions[number].height = min(height, MAX_ROW_HEIGHT)
    _print_setup(sheet, header_row, draft)


def _kpis(sheet, *, title, lines, kpis, draft):
    header_row = _title_block(sheet, title, lines, len(KPI_COLUMNS))
    for column, (heading, column_width) in enumerate(KPI_COLUMNS, 1):
        sheet.column_dimensions[get_column_letter(column)].width = column_width
        _cell(sheet, header_row, column, heading, header=True)
    sheet.row_dimensions[header_row].height = 2 * LINE_HEIGHT
    for row_number, kpi in enumerate(kpis, header_row + 1):
        values = kpi_row(kpi)
        for column, value in enumerate(values, 1):
            _cell(sheet, row_number, column, value, font=BOLD if column == 1 else PLAIN)
        sheet.row_dimensions[row_number].height = min(
            max(
                _height(v.text if isinstance(v, Figure) else v, w)
                for v, (_, w) in zip(values, KPI_COLUMNS, strict=True)
            ),
            MAX_ROW_HEIGHT,
        )
    if not kpis:
        _cell(sheet, header_row + 1, 1, "No measures evidence this programme's objectives.")
    _print_setup(sheet, header_row, draft)


class Figure(NamedTuple):
    """A number for a cell, its format, and the words the page gives it (for the row height)."""

    value: Decimal
    number_format: str
    text: str


UNITS = {  # the unit's (prefix, digits' style, words after the number)
    "percentage": ("", "0", "%"),
    "rate_10000": ("", "#,##0", " per 10,000"),
    "days": ("", "#,##0", " days"),
    "currency": ('"£"', "#,##0", ""),
}


def number_format(unit: str, places: int, suffix: str = "") -> str:
    """Excel's format for a figure of ``unit`` ('0.0%', '"£"#,##0;-"£"#,##0', '#,##0" days"'),
    with ``suffix`` as words after it (' (illustrative)'), so the cell reads as the page."""
    prefix, digits, after = UNITS.get(unit, ("", "#,##0", ""))
    digits += "." + "0" * places if places else ""
    if after == "%":
        digits, after = digits + "%", ""
    words = after + (f" {suffix}" if suffix else "")
    literal = f'"{words}"' if words else ""
    if unit == "currency":
        return f"{prefix}{digits}{literal};-{prefix}{digits}{literal}"
    if unit == "days" and not places:  # "1 day", as the page says it
        return f'[=1]0" day{f" {suffix}" if suffix else ""}";{digits}{literal}'
    return digits + literal


def unit_of(text: str) -> tuple[str, int]:
    """The unit and decimal places a figure's words show, read back from the forms of
    kpis.rating.format_value ('63.3%', '£4,531,000', '87.5 per 10,000', '412 days'); a count
    and a score read alike, and are formatted alike."""
    number = text.removeprefix("-").removeprefix("£")
    if text.startswith(("£", "-£")):
        unit = "currency"
    elif text.endswith("%"):
        unit, number = "percentage", number.removesuffix("%")
    elif text.endswith(" per 10,000"):
        unit, number = "rate_10000", number.removesuffix(" per 10,000")
    elif text.endswith((" days", " day")):
        unit, number = "days", number.rsplit(" ", 1)[0]
    else:
        unit = "count"
    _, _, decimals = number.partition(".")
    return unit, len(decimals)


def figure(value, text: str | None, *, unit: str, places: int, suffix: str = ""):
    """``value`` (or, without it, the number ``text`` shows) as a Figure; ``text`` when
    there is no number (None: "Not published" and the like are the caller's)."""
    if value is None and text:
        value = text.split(" ")[0].replace("£", "").replace(",", "").replace("%", "")
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return text
    if unit == "percentage":
        number = number / 100
    words = f"{text} {suffix}" if suffix else text
    return Figure(number, number_format(unit, places, suffix), words or "")


def kpi_row(kpi: dict) -> list:
    """One measure as the appendix's columns: its figure and comparators as Figures, every
    other value as the page words it."""
    direction = kpi["direction"]
    # The unit and places from the figure's words, which every snapshot has (none keeps the
    # measure's unit): a published paper's record stays as it was published.
    unit, places = unit_of(kpi["value_text"] if kpi["value"] is not None else "")
    suffix = "(illustrative)" if kpi["illustrative"] else ""
    shown = kpi["value_text"]
    return [
        kpi["name"],
        figure(kpi["value"], shown, unit=unit, places=places, suffix=suffix)
        if kpi["value"] is not None
        else shown,
        # The figure's cell is a number: what DfE's figure and the council's own say of it
        # (kpis.readings' standing) goes under its period.
        "\n".join(filter(None, [kpi["period_text"], kpi.get("standing", "")])),
        kpi["target_text"] + (" (illustrative)" if kpi["target_illustrative"] else ""),
        f"{kpi['rating']['shape']} {kpi['rating']['label']}",
        kpi["rating"]["explanation"],
        f"{direction['arrow']} {direction['label']}\n{direction['explanation']}"
        if direction
        else "",
        figure(None, kpi["neighbours"], unit=unit, places=places) or "Not published",
        figure(None, kpi["england"], unit=unit, places=places) or "Not published",
        kpi["rank_text"] or "Not ranked",
        kpi.get("commentary", ""),
        kpi["source"],
    ]


def _title_block(sheet, title, lines, width) -> int:
    """The title, then a line each, merged across the table; returns the header row."""
    for row_number, (text, font) in enumerate(
        [(title, TITLE), *((line, PLAIN) for line in lines)], 1
    ):
        cell = sheet.cell(row_number, 1)
        write_text(cell, text)
        cell.font = font
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.merge_cells(
            start_row=row_number, start_column=1, end_row=row_number, end_column=width
        )
    sheet.row_dimensions[1].height = 22
    return len(lines) + 2


def _cell(sheet, row, column, value, *, header=False, font=PLAIN, fill=None):
    cell = sheet.cell(row, column)
    if isinstance(value, Figure):
        cell.value = value.value
        cell.number_format = value.number_format
    elif value is not None:
        write_text(cell, value)
    cell.font = BOLD if header else font
    cell.alignment = TOP_WRAP
    cell.border = BORDER
    if header or fill:
        cell.fill = HEADER_FILL if header else fill
    return cell


def _height(text: str, width: float) -> float:
    """Points a wrapped cell of ``width`` needs for ``text``: an estimate on the safe side."""
    per_line = max(1, int(width * CHARACTERS_PER_WIDTH) - 2)
    lines = sum(max(1, math.ceil(len(line) / per_line)) for line in (text or "").split("\n"))
    return lines * LINE_HEIGHT + 4


def _make_room(heights, first, last, needed):
    rows = range(first, last + 1)
    short = needed - sum(heights[r] for r in rows)
    if short > 0:
        for r in rows:
            heights[r] += short / len(rows)


def _print_setup(sheet, header_row, draft):
    """A4 landscape, as wide as the page, the header row on every page and frozen on screen."""
    sheet.freeze_panes = sheet.cell(header_row + 1, 1)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    # Header and footer codes: &A the sheet's name, &P of &N the page. No user text goes in
    # them, so nothing there needs escaping ("&" starts a code).
    sheet.oddHeader.left.text = "&A"
    sheet.oddHeader.left.size = 9
    if draft:
        sheet.oddHeader.center.text = "DRAFT"
        sheet.oddHeader.center.font = "Arial,Bold"
        sheet.oddHeader.center.size = 14
    sheet.oddFooter.right.text = "Page &P of &N"
    sheet.oddFooter.right.size = 9


class _DatedZip(zipfile.ZipFile):
    """A zip whose every entry carries one date, so equal content gives equal bytes."""

    def __init__(self, file, date_time):
        super().__init__(file, "w", zipfile.ZIP_DEFLATED)
        self._date_time = date_time

    def writestr(self, zinfo_or_arcname, data, *args, **kwargs):
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, date_time=self._date_time)
            zinfo_or_arcname.compress_type = zipfile.ZIP_DEFLATED
            zinfo_or_arcname.external_attr = 0o600 << 16
        super().writestr(zinfo_or_arcname, data, *args, **kwargs)

    def write(self, filename, arcname=None, *args, **kwargs):
        """openpyxl writes each sheet to a temporary file and adds it, file time and all."""
        with open(filename, "rb") as file:
            self.writestr(arcname or str(filename), file.read())


def _bytes(workbook: Workbook, at: dt.datetime) -> bytes:
    """The package, dated ``at`` throughout. openpyxl's save_workbook would stamp the time of
    saving into docProps/core.xml, so the writer is driven directly."""
    utc = at.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
    workbook.properties.created = workbook.properties.modified = utc
    workbook.properties.creator = "careprog"
    buffer = io.BytesIO()
    archive = _DatedZip(buffer, max(utc, dt.datetime(1980, 1, 1)).timetuple()[:6])
    ExcelWriter(workbook, archive).save()
    return buffer.getvalue()
