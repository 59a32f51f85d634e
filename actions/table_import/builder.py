"""The rules both readers share: which header cell names which column, and how rows become the
tree. A Word table and an Excel sheet differ only in how they are read, not in what a row means.

Below the header, each row is one action:

- An empty Requirement/Mechanism cell, one merged from above, or one repeating the text above
  means "the same as above" (merged cells and every-row-filled-in read the same).
- A Lead or Due date cell merged down over several actions is each of those actions'.
- A row with nothing of its own is a continuation row (Word leaves them at page breaks): skipped.
- A new requirement starts a new mechanism even if the Mechanism cell is merged from above; a new
  mechanism without an action still gets its (untitled) action, as the seed's table has one.
"""

from __future__ import annotations

import datetime as dt
import re

from .tree import (
    ParsedAction,
    ParsedMechanism,
    ParsedObjective,
    ParsedProgramme,
    ParsedRequirement,
    Problem,
)

COLUMNS = ("objective", "requirement", "mechanism", "action", "update", "lead", "due")
# A header cell, lower case with punctuation as spaces, and the column it names: the whole cell
# must be a heading, so that a sentence in a data row ("Agree the action plan") is not one.
HEADINGS = (
    ("title", re.compile(r"theme|priority|outcome|objective title|short title")),
    ("objective", re.compile(r"(the )?(objectives? ?)?(what we want to achieve)?")),
    ("requirement", re.compile(r"(key )?requirements?")),
    ("mechanism", re.compile(r"mechanisms?")),
    ("action", re.compile(r"actions?( to take)?")),
    ("update", re.compile(r"(latest )?(updates?|progress)( updates?)?")),
    ("lead", re.compile(r"(action )?(leads?|owners?)( officers?)?|responsible( officer)?")),
    ("due", re.compile(r"(due|target|completion)( date)?|deadline|by when|due by|timescales?")),
)
# A cell merged down over several actions: for the hierarchy it means "the same as above" (one
# requirement, one mechanism); for these it is each action's own (one lead for all of them).
CARRIED_DOWN = ("lead", "due")
REQUIRED = ("requirement", "mechanism", "action")
LABELS = {
    "title": "Theme",
    "objective": "Objective",
    "requirement": "Requirements",
    "mechanism": "Mechanisms",
    "action": "Action",
    "update": "Updates",
    "lead": "Lead",
    "due": "Due date",
}
# Due dates as people type them; an Excel date cell arrives as ISO (excel._text).
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y")
NOT_A_DATE = "the due date '{text}' is not a date such as 31/03/2025"


# A month, as plans often give a timescale ("March 2025"): due by its last day.
MONTH_FORMATS = ("%B %Y", "%b %Y")
# What plans write where an action has no single date: read as no due date, not as a mistake.
NO_DATE = re.compile(r"on-?going|continuous|tbc|tba|n/?a|-+|–", re.IGNORECASE)


def due_date(text: str) -> dt.date | None:
    """The date a Due date cell holds, or None if it is empty or says there is none
    ("Ongoing", "TBC"); a month ("March 2025") is due on its last day. ValueError if it is
    none of these."""
    text = text.strip()
    if not text or NO_DATE.fullmatch(text):
        return None
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    for pattern in MONTH_FORMATS:
        try:
            first = dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    raise ValueError(text)


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def header(texts: dict[int, str]) -> dict[str, int] | None:
    """The column of each known heading in this row, if the row is a header row."""
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


def missing_columns(columns: dict[str, int]) -> str | None:
    """The problem with a header row lacking a required column, or None."""
    missing = [LABELS[name] for name in REQUIRED if name not in columns]
    if not missing:
        return None
    names = " or ".join(f"'{m}'" for m in missing)
    return f"the header row has no {names} column, so this table was not read"


class TreeBuilder:
    """Rows in, tree out. ``new_objective(title)`` before a row starts the next objective."""

    def __init__(self):
        self.programme = ParsedProgramme()
        self.pending_title: str | None = None
        self.objective: ParsedObjective | None = None

    def problem(self, where: str, message: str) -> None:
        self.programme.problems.append(Problem(where, message))

    def new_objective(self, title: str) -> None:
        self.pending_title = title

    def row(self, own: dict[str, str], where: str, due_where: str | None = None) -> None:
        """One row below the header; ``due_where`` names its Due date cell, if not ``where``."""
        if self.objective is None or self.pending_title is not None:
            if self.pending_title is None:
                self.problem(where, "no heading above this row names its objective")
            self.objective = ParsedObjective(title=self.pending_title or "", statement="")
            self.programme.objectives.append(self.objective)
            self.pending_title = None
        objective = self.objective
        if own.get("objective") and not objective.statement:
            objective.statement = own["objective"]
        if not any(own.get(name) for name in ("requirement", "mechanism", "action", "update")):
            return  # a continuation row: nothing of its own
        requirements = objective.requirements
        new_requirement = bool(own["requirement"]) and (
            not requirements or own["requirement"] != requirements[-1].text
        )
        if new_requirement:
            requirements.append(ParsedRequirement(own["requirement"]))
        elif not requirements:
            self.problem(where, "this row has no requirement above it")
            requirements.append(ParsedRequirement(""))
        mechanisms = requirements[-1].mechanisms
        if own["mechanism"] and (
            new_requirement or not mechanisms or own["mechanism"] != mechanisms[-1].text
        ):
            mechanisms.append(ParsedMechanism(own["mechanism"]))
        elif not mechanisms or new_requirement:
            mechanisms.append(ParsedMechanism(""))
        actions = mechanisms[-1].actions
        if own["action"] or own.get("update") or not actions:
            try:
                due = due_date(own.get("due", ""))
            except ValueError:
                due = None
                self.problem(due_where or where, NOT_A_DATE.format(text=own["due"]))
            actions.append(
                ParsedAction(own["action"], own.get("update", ""), where, own.get("lead", ""), due)
            )
