"""Reading a committee's progress report in Word (.docx): the seed's Appendix C is the model.

The document is read top to bottom. A bold paragraph (or a Heading-styled one) names the next
objective; every table after it, until the next such paragraph, belongs to that objective, so a
table cut by a page break and continued in a second table stays one objective. A table's header
row is found by its words ("Objective / what we want to achieve", "Requirements", "Mechanisms",
"Action", "Updates"), wherever it is and however often it repeats. Below it, each row is one action:

- A vertically merged cell (`w:vMerge` continuing) or an empty Requirement/Mechanism cell means
  "the same as above"; text repeated from the row above means the same too (every row filled in).
- A row with nothing in it of its own (all empty or merged from above) is a continuation row that
  Word leaves at a page break: it adds nothing.
- A new requirement starts a new mechanism even if the Mechanism cell is merged from above.

The file passes the KPI import's gate first (size, zip bombs, DOCTYPE/entities): python-docx parses
only what the gate let through.
"""

from __future__ import annotations

import io
import re

from docx import Document
from docx.oxml.ns import qn
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from kpis.importing import gate

from .tree import (
    ParsedAction,
    ParsedMechanism,
    ParsedObjective,
    ParsedProgramme,
    ParsedRequirement,
    Problem,
    TableRejected,
)

# A progress table is text: far smaller than a KPI return may be.
MAX_BYTES = 10 * 1024 * 1024
LIMITS = gate.Limits(max_bytes=MAX_BYTES)

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

COLUMNS = ("objective", "requirement", "mechanism", "action", "update")
# A header cell, lower case with punctuation as spaces, and the column it names: the whole cell
# must be a heading, so that a sentence in a data row ("Agree the action plan") is not one.
HEADINGS = (
    ("objective", re.compile(r"(the )?(objectives? ?)?(what we want to achieve)?")),
    ("requirement", re.compile(r"(key )?requirements?")),
    ("mechanism", re.compile(r"mechanisms?")),
    ("action", re.compile(r"actions?( to take)?")),
    ("update", re.compile(r"(latest )?(updates?|progress)( updates?)?")),
)
REQUIRED = ("requirement", "mechanism", "action")
LABELS = {
    "objective": "Objective",
    "requirement": "Requirements",
    "mechanism": "Mechanisms",
    "action": "Action",
    "update": "Updates",
}


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
        raise TableRejected(message.replace("workbook", "document")) from None
    if "word/document.xml" not in {name.lower() for name in archive.namelist()}:
        raise TableRejected(NOT_WORD)
    try:
        document = Document(io.BytesIO(data))
    except Exception:  # python-docx raises many kinds on a broken package
        raise TableRejected(DAMAGED) from None
    return _Reader().read(document)


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _is_heading(paragraph: Paragraph) -> bool:
    if not paragraph.text.strip():
        return False
    if paragraph.style is not None and paragraph.style.name.lower().startswith("heading"):
        return True
    runs = [run for run in paragraph.runs if run.text.strip()]
    return bool(runs) and all(run.bold for run in runs)


def _header(texts: dict[int, str]) -> dict[str, int] | None:
    """Column of each known heading in this row, if the row is a header row."""
    found: dict[str, int] = {}
    for column, text in texts.items():
        heading = " ".join(re.sub(r"[^a-z]", " ", text.lower()).split())
        if not heading:
            continue
        for name, pattern in HEADINGS:
            if pattern.fullmatch(heading) and name not in found:
                found[name] = column
                break
    return found if "action" in found and len(found) >= 3 else None


class _Reader:
    def __init__(self):
        self.programme = ParsedProgramme()
        self.pending_title: str | None = None
        self.objective: ParsedObjective | None = None
        self.table_number = 0
        self.found_table = False

    def read(self, document) -> ParsedProgramme:
        body = document.element.body
        for child in body.iterchildren():
            if child.tag == qn("w:p"):
                paragraph = Paragraph(child, document)
                if _is_heading(paragraph):
                    self.pending_title = _words(paragraph.text)
            elif child.tag == qn("w:tbl"):
                self.table_number += 1
                self._table(Table(child, document))
        if not self.found_table:
            # A header row missing a column says which; otherwise no header was found at all.
            raise TableRejected(
                str(self.programme.problems[0]) if self.programme.problems else NO_TABLE
            )
        return self.programme

    def _problem(self, where: str, message: str) -> None:
        self.programme.problems.append(Problem(where, message))

    def _table(self, table: Table) -> None:
        columns: dict[str, int] | None = None
        above: dict[int, str] = {}
        for number, tr in enumerate(table._tbl.tr_lst, start=1):
            texts, merged = self._cells(tr, table, above)
            above = texts
            header = _header(texts)
            if header is not None:
                columns = header
                missing = [LABELS[name] for name in REQUIRED if name not in header]
                if missing:
                    self._problem(
                        f"Table {self.table_number}, row {number}",
                        "the header row has no "
                        + " or ".join(f"'{m}'" for m in missing)
                        + " column, so this table was not read",
                    )
                    columns = None
                    return
                continue
            if columns is None:
                continue  # rows above the header: a title row, a note
            self.found_table = True
            own = {
                name: (
                    ""
                    if columns.get(name) is None or columns[name] in merged
                    else texts.get(columns[name], "")
                )
                for name in COLUMNS
            }
            self._row(own, f"Table {self.table_number}, row {number}")

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
                text = _words(_Cell(tc, table).text)
            for offset in range(span):
                texts[column + offset] = text
            column += span
        return texts, merged

    def _row(self, own: dict[str, str], where: str) -> None:
        if self.objective is None or self.pending_title is not None:
            if self.pending_title is None and self.objective is None:
                self._problem(where, "no bold heading above this table names its objective")
            self.objective = ParsedObjective(title=self.pending_title or "", statement="")
            self.programme.objectives.append(self.objective)
            self.pending_title = None
        objective = self.objective
        if own["objective"] and not objective.statement:
            objective.statement = own["objective"]
        if not any(own[name] for name in ("requirement", "mechanism", "action", "update")):
            return  # a continuation row: nothing of its own
        requirements = objective.requirements
        new_requirement = own["requirement"] and (
            not requirements or own["requirement"] != requirements[-1].text
        )
        if new_requirement:
            requirements.append(ParsedRequirement(own["requirement"]))
        elif not requirements:
            self._problem(where, "this row has no requirement above it")
            requirements.append(ParsedRequirement(""))
        mechanisms = requirements[-1].mechanisms
        if own["mechanism"] and (
            new_requirement or not mechanisms or own["mechanism"] != mechanisms[-1].text
        ):
            mechanisms.append(ParsedMechanism(own["mechanism"]))
        elif not mechanisms or new_requirement:
            mechanisms.append(ParsedMechanism(""))
        actions = mechanisms[-1].actions
        if own["action"] or own["update"] or not actions:
            actions.append(ParsedAction(own["action"], own["update"], where))
