"""An existing risk register imported from Excel (.xlsx): read, checked row by row, previewed,
then added all or nothing (services.import_register).

The file passes the KPI import's gate and is streamed by its hardened reader
(kpis/importing/gate.py, reader.py). The first visible sheet with a heading row is read;
columns are matched by their headings' words in any order and case (HEADINGS). Every problem
names its sheet and cell as Excel shows them ("Sheet 'Register', cell F4"), and nothing is
saved unless every row is valid.

Reading (``read_register``: the file to each row's cell texts) and checking (``check_rows``:
texts to values, owners matched, references unique) are separate, so the confirmation checks
the signed texts of the preview again against the register as it is then.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from actions.models import POSSIBLE_SCORES, Programme, Risk, RiskStatus
from actions.risks.queries import people_who_may_own
from actions.risks.services import RESERVED_REFERENCES
from kpis.importing import gate
from kpis.importing.reader import cell_ref, open_workbook

MAX_BYTES = 5 * 1024 * 1024
MAX_RISKS = 500  # a programme's register is tens of risks; a corporate one a few hundred
LIMITS = gate.Limits(max_bytes=MAX_BYTES, max_rows=MAX_RISKS + 50, max_cells=(MAX_RISKS + 50) * 20)
HEADER_WITHIN = 20

_SCORE = r"(score|rating)?"
HEADINGS = (
    ("reference", re.compile(r"(risk )?(ref|reference|no|number|id)")),
    ("inherent_likelihood", re.compile(rf"(inherent|gross) (l|likelihood|probability) ?{_SCORE}")),
    ("inherent_impact", re.compile(rf"(inherent|gross) (i|impact|severity) ?{_SCORE}")),
    (
        "residual_likelihood",
        re.compile(rf"(residual|current|net) (l|likelihood|probability) ?{_SCORE}"),
    ),
    ("residual_impact", re.compile(rf"(residual|current|net) (i|impact|severity) ?{_SCORE}")),
    ("target_score", re.compile(r"target( risk)?( score| rating)?")),
    ("title", re.compile(r"(the )?(risk|title|risk title|risk description|description|event)")),
    ("cause", re.compile(r"causes?")),
    ("consequence", re.compile(r"consequences?|effects?")),
    ("owner", re.compile(r"(risk )?owners?")),
    ("controls", re.compile(r"(existing |current |key )?controls?( in place)?")),
    ("review_date", re.compile(r"(next )?review( date| due)?( date)?")),
    ("status", re.compile(r"(risk )?status")),
)
LABELS = {
    "reference": "Ref",
    "title": "Risk",
    "cause": "Cause",
    "consequence": "Consequence",
    "owner": "Owner",
    "inherent_likelihood": "Inherent L",
    "inherent_impact": "Inherent I",
    "residual_likelihood": "Residual L",
    "residual_impact": "Residual I",
    "target_score": "Target",
    "controls": "Controls",
    "review_date": "Review date",
    "status": "Status",
}
REQUIRED = [name for name in LABELS if name not in ("cause", "consequence", "controls", "status")]
SCORES = ("inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact")


class RegisterRejected(Exception):
    """The file as a whole cannot be read as a register: one sentence."""


@dataclass
class ImportRow:
    """One risk as read: ``texts`` by column name, ``cells`` where each was (for problems);
    after checking, ``values`` for services.save_risk and its ``problems``."""

    sheet: str
    row: int
    texts: dict[str, str]
    columns: dict[str, int]
    values: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    owner_name: str = ""

    def where(self, name: str) -> str:
        return f"Sheet '{self.sheet}', cell {cell_ref(self.row, self.columns[name])}"

    def problem(self, name: str, message: str) -> None:
        self.problems.append(f"{self.where(name)}: {message}")

    def signed(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "texts": self.texts, "columns": self.columns}


def _heading(text: str) -> str:
    text = re.sub(r"\(.*?\)", " ", text.lower())  # "Likelihood (1-5)"
    return " ".join(re.sub(r"[^a-z]", " ", text).split())


def header(texts: dict[int, str]) -> dict[str, int] | None:
    found: dict[str, int] = {}
    for column, text in sorted(texts.items()):
        heading = _heading(text)
        for name, pattern in HEADINGS:
            if heading and pattern.fullmatch(heading) and name not in found:
                found[name] = column
                break
    return found if {"reference", "title"} <= found.keys() and len(found) >= 4 else None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return " ".join(str(value).split())


def read_register(data: bytes) -> list[ImportRow]:
    """Every risk the workbook lists, as cell texts (not yet checked). RegisterRejected when
    the file cannot be read, or has no heading row, or lacks a required column."""
    try:
        book = open_workbook(bytes(data), LIMITS)
        for name in book.sheet_names:
            if name in book.hidden_sheets:
                continue
            rows = _read_sheet(book.sheet(name))
            if rows is not None:
                return rows
    except gate.WorkbookTooLarge:
        raise RegisterRejected(
            f"A register may hold at most {MAX_RISKS:,} risks: split it."
        ) from None
    except gate.WorkbookRejected as refusal:
        raise RegisterRejected(str(refusal)) from None
    raise RegisterRejected(
        "No sheet in this workbook has a register's heading row: it needs at least Ref and "
        "Risk columns, with Owner, scores and Review date."
    )


def _read_sheet(sheet) -> list[ImportRow] | None:
    columns = None
    rows = []
    for count, (number, cells) in enumerate(sheet.rows()):
        texts = {cell.column: _text(cell.value) for cell in cells}
        if columns is None:
            columns = header(texts)
            if columns is not None:
                missing = [LABELS[name] for name in REQUIRED if name not in columns]
                if missing:
                    raise RegisterRejected(
                        f"Sheet '{sheet.name}', row {number}: the heading row has no "
                        f"{', '.join(missing)} column: add "
                        f"{'it' if len(missing) == 1 else 'them'} and upload it again"
                    )
            elif count >= HEADER_WITHIN:
                return None
            continue
        if not any(texts.values()) or header(texts) is not None:
            continue
        rows.append(
            ImportRow(
                sheet=sheet.name,
                row=number,
                texts={name: texts.get(column, "") for name, column in columns.items()},
                columns=columns,
            )
        )
    if columns is None:
        return None
    if not rows:
        raise RegisterRejected(f"Sheet '{sheet.name}' has a heading row but no risks under it.")
    return rows


def _date(text: str) -> dt.date | None:
    for form in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y"):
        try:
            return dt.datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None


def _owners(names: list[str]) -> dict[str, list]:
    """Name as written (lower case) → the active people who may own a risk it matches, by
    email, full name or username: one query."""
    wanted = {name.lower() for name in names if name}
    found: dict[str, list] = {}
    if not wanted:
        return found
    for person in people_who_may_own():
        for key in {person.email.lower(), person.get_full_name().lower(), person.username.lower()}:
            if key in wanted:
                found.setdefault(key, []).append(person)
    return found


_STATUS_WORDS = {status.label.lower(): status.value for status in RiskStatus} | {
    "": RiskStatus.OPEN,
    "live": RiskStatus.OPEN,
    "active": RiskStatus.OPEN,
}


def check_rows(programme: Programme, rows: list[ImportRow | dict]) -> list[ImportRow]:
    """Each row with its values and problems. Two queries: the possible owners, and the
    register's references already taken."""
    rows = [row if isinstance(row, ImportRow) else ImportRow(**row) for row in rows]
    owners = _owners([row.texts.get("owner", "") for row in rows])
    taken = {
        ref.lower()
        for ref in Risk.objects.filter(programme=programme).values_list("reference", flat=True)
    }
    seen: dict[str, ImportRow] = {}
    for row in rows:
        row.values, row.problems = {}, []
        text = row.texts
        reference = text["reference"]
        if not reference:
            row.problem("reference", "the reference is empty")
        elif len(reference) > 20:
            row.problem("reference", "a reference has at most 20 characters")
        elif reference.lower() in RESERVED_REFERENCES:
            row.problem("reference", f"“{reference}” cannot be a risk's reference")
        elif reference.lower() in taken:
            row.problem("reference", f"the register already has a risk {reference}")
        elif reference.lower() in seen:
            row.problem("reference", f"{reference} is also on row {seen[reference.lower()].row}")
        seen.setdefault(reference.lower(), row)
        row.values["reference"] = reference
        if not text["title"]:
            row.problem("title", "the risk is empty")
        elif len(text["title"]) > 300:
            row.problem("title", "a risk has at most 300 characters: put the rest in Cause")
        row.values["title"] = text["title"]
        for name in ("cause", "consequence", "controls"):
            row.values[name] = text.get(name, "")
        for name in SCORES:
            value = text[name]
            if not (value.isdigit() and 1 <= int(value) <= 5):
                row.problem(
                    name,
                    f"“{value}” is not a score from 1 to 5"
                    if value
                    else "empty: give a score from 1 to 5",
                )
            else:
                row.values[name] = int(value)
        target = text["target_score"]
        if not (target.isdigit() and int(target) in POSSIBLE_SCORES):
            row.problem(
                "target_score",
                f"“{target}” is not a score likelihood × impact can make (1 to 25)"
                if target
                else "empty: give the target score",
            )
        else:
            row.values["target_score"] = int(target)
        row.owner_name = text["owner"]
        matched = owners.get(text["owner"].lower(), [])
        if not text["owner"]:
            row.problem("owner", "the owner is empty")
        elif len(matched) != 1:
            row.problem(
                "owner",
                f"“{text['owner']}” matches {'nobody' if not matched else 'more than one person'} "
                "who may own a risk: give their email address as the service knows it",
            )
        else:
            row.values["owner"] = matched[0]
        review = _date(text["review_date"])
        if review is None:
            row.problem(
                "review_date",
                f"“{text['review_date']}” is not a date: write it as 31/03/2025"
                if text["review_date"]
                else "empty: give the next review's date",
            )
        row.values["review_date"] = review
        status = _STATUS_WORDS.get(text.get("status", "").lower())
        if status is None:
            row.problem(
                "status", f"“{text['status']}” is not a status: use Open, Escalated or Closed"
            )
        row.values["status"] = status
    return rows
