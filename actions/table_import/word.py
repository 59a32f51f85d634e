"""Reading a committee's progress report in Word (.docx): the seed's Appendix C is the model.

The document is read top to bottom. A bold paragraph (or a Heading-styled one) names the next
objective; every table after it, until the next such paragraph, belongs to that objective, so a
table cut by a page break and continued in a second table stays one objective. A table's header
row is found by its words ("Objective / what we want to achieve", "Requirements", "Mechanisms",
"Action", "Updates", and optionally "Lead officer" and "Due" or "Timescale"), wherever it is and
however often it repeats; what each row below it means is actions.table_import.builder's (the
same for Excel).

The file passes the KPI import's gate first (size, zip bombs, DOCTYPE/entities): python-docx parses
only what the gate let through.
"""

from __future__ import annotations

import io

from docx import Document
from docx.oxml.ns import qn
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from kpis.importing import gate

from .builder import CARRIED_DOWN, COLUMNS, TreeBuilder, header, missing_columns, words
from .tree import ParsedProgramme, TableRejected

# A progress table is text: far smaller than a KPI return may be. python-docx parses the whole
# document in memory, so what it unpacks to is capped too (430 actions unpack to under 1 MB).
MAX_BYTES = 10 * 1024 * 1024
LIMITS = gate.Limits(max_bytes=MAX_BYTES, max_uncompressed=50 * 1024 * 1024)
# Table rows over the whole document, as excel.MAX_ROWS for a sheet.
MAX_ROWS = 5_000
TOO_MANY_ROWS = (
    f"A progress table may have at most {MAX_ROWS:,} rows: this document has more. Split it into "
    "one file per programme, or remove rows that are not actions."
)

LEGACY_DOC = "This is a legacy .doc document: save it as .docx in Word and upload it again."
NOT_WORD = "This file is not a Word document (.docx): save it from Word as .docx and try again."
DAMAGED = (
    "This .docx file is damaged or incomplete: open it in Word, save it again and upload the "
    "new copy."
)
NO_TABLE = (
    "No table in this document has the columns of a progress table (Requirements, Mechanisms, "
    "Action): check that the header row names them."
)


def read_word(data: bytes) -> ParsedProgramme:
    """The programme a .docx progress table describes; TableRejected if it cannot be read."""
    data = bytes(data)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise TableRejected(LEGACY_DOC)
    if data and not data.startswith(b"PK"):
        raise TableRejected(NOT_WORD)
    try:
        archive = gate.check_upload(data, LIMITS)
    except gate.WorkbookRejected as refusal:
        message = str(refusal)
        if message in (gate.DAMAGED, gate.NOT_EXCEL):
            message = DAMAGED if message == gate.DAMAGED else NOT_WORD
        raise TableRejected(_in_word_terms(message)) from None
    if "word/document.xml" not in {name.lower() for name in archive.namelist()}:
        raise TableRejected(NOT_WORD)
    try:
        document = Document(io.BytesIO(data))
    except Exception:  # python-docx raises many kinds on a broken package
        raise TableRejected(DAMAGED) from None
    return _Reader(gate.Deadline()).read(document)


def _in_word_terms(message: str) -> str:
    """The gate's sentence, which speaks of workbooks and KPI returns, said of a document."""
    for excel, word in (
        ("workbook", "document"),
        ("a real spreadsheet", "a real document"),
        ("a KPI return", "a progress table"),
    ):
        message = message.replace(excel, word)
    return message


def _is_heading(paragraph: Paragraph) -> bool:
    if not paragraph.text.strip():
        return False
    if paragraph.style is not None and paragraph.style.name.lower().startswith("heading"):
        return True
    runs = [run for run in paragraph.runs if run.text.strip()]
    return bool(runs) and all(run.bold for run in runs)


class _Reader:
    def __init__(self, deadline: gate.Deadline):
        self.deadline = deadline
        self.rows_read = 0
        self.builder = TreeBuilder()
        self.table_number = 0
        self.found_table = False

    def read(self, document) -> ParsedProgramme:
        body = document.element.body
        for child in body.iterchildren():
            if child.tag == qn("w:p"):
                paragraph = Paragraph(child, document)
                if _is_heading(paragraph):
                    self.builder.new_objective(words(paragraph.text))
            elif child.tag == qn("w:tbl"):
                self.table_number += 1
                self._table(Table(child, document))
        programme = self.builder.programme
        if not self.found_table:
            # A header row missing a column says which; otherwise no header was found at all.
            raise TableRejected(str(programme.problems[0]) if programme.problems else NO_TABLE)
        return programme

    def _table(self, table: Table) -> None:
        columns: dict[str, int] | None = None
        above: dict[int, str] = {}
        for number, tr in enumerate(table._tbl.tr_lst, start=1):
            self.rows_read += 1
            if self.rows_read > MAX_ROWS:
                raise TableRejected(TOO_MANY_ROWS)
            if self.rows_read % 200 == 0:
                try:
                    self.deadline.check()
                except gate.WorkbookRejected as refusal:
                    raise TableRejected(_in_word_terms(str(refusal))) from None
            texts, merged = self._cells(tr, table, above)
            above = texts
            where = f"Table {self.table_number}, row {number}"
            found = header(texts)
            if found is not None:
                problem = missing_columns(found)
                if problem:
                    self.builder.problem(where, problem)
                    return
                columns = found
                continue
            if columns is None:
                continue  # rows above the header: a title row, a note
            self.found_table = True
            own = {
                name: ""
                if name not in columns or (columns[name] in merged and name not in CARRIED_DOWN)
                else texts.get(columns[name], "")
                for name in COLUMNS
            }
            self.builder.row(own, where)

    def _cells(self, tr, table, above):
        """Text by grid column, and the grid columns merged from the row above."""
        texts: dict[int, str] = {}
        merged: set[int] = set()
        column = 0
        for tc in tr.tc_lst:
            span = tc.grid_span or 1
            if tc.vMerge == "continue":
                text = above.get(column, "")
                merged.update(range(column, column + span))
            else:
                text = words(_Cell(tc, table).text)
            for offset in range(span):
                texts[column + offset] = text
            column += span
        return texts, merged
