"""Bulk add: a list of people from a CSV file or an Excel workbook, read into rows, each with
its problems, for the preview; actions/people/services.add_people adds them all or none.

Columns are found by their headings' meaning, in any order and case ("Name" or "Full name",
"Email" or "E-mail address", "Role" or "Group"); a role is matched by the service's role
names or their singular ("Officer", "programme administrator"). An .xlsx goes through the
KPI returns' hardened gate (kpis/importing/gate.py): legacy .xls, zip bombs and DOCTYPEs are
refused with its sentences, before any cell is read.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from careprog.roles import ROLES
from kpis.importing.gate import Limits, WorkbookRejected
from kpis.importing.reader import open_workbook

MAX_BYTES = 1024 * 1024
MAX_PEOPLE = 2000  # a council's whole children's services, with room to spare
HEADINGS = {
    "name": {"name", "full name", "person", "officer", "name of person"},
    "email": {"email", "e-mail", "email address", "e-mail address", "work email"},
    "role": {"role", "group", "access", "role in the service"},
}
_ROLE_WORDS = {name.lower(): name for name in ROLES} | {
    name.lower().removesuffix("s"): name for name in ROLES
}
_ROLE_WORDS |= {"head of service": "Heads of service", "administrator": "Programme administrators"}


class ListRejected(Exception):
    """The file as a whole cannot be read as a list of people: one sentence."""


@dataclass
class PersonRow:
    line: str  # "row 3", as the file's program numbers it
    name: str
    email: str
    role: str
    problems: list[str] = field(default_factory=list)


def _words(value) -> str:
    return " ".join(str(value or "").split())


def _table(data: bytes, file_name: str) -> list[tuple[int, list[str]]]:
    """(row number, cell texts) of the file's first sheet, in order."""
    if file_name.lower().endswith(".csv"):
        if len(data) > MAX_BYTES:
            raise ListRejected("The file is larger than the 1 MB limit for a list of people.")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
        return [(n, row) for n, row in enumerate(csv.reader(io.StringIO(text)), 1) if any(row)]
    limits = Limits(max_bytes=MAX_BYTES, max_rows=MAX_PEOPLE + 50, max_cells=(MAX_PEOPLE + 50) * 10)
    book = open_workbook(data, limits)  # WorkbookRejected: the gate's sentence
    visible = [name for name in book.sheet_names if name not in book.hidden_sheets]
    if not visible:
        raise ListRejected("The workbook has no sheet to read.")
    rows = []
    for number, cells in book.sheet(visible[0]).rows():
        row = [""] * max(cell.column for cell in cells)
        for cell in cells:
            row[cell.column - 1] = _words(cell.value)
        rows.append((number, row))
    return rows


def read_people(data: bytes, file_name: str) -> list[PersonRow]:
    """Every person the file lists, each with its problems (an empty list when it can be
    added). ListRejected when the file, or its headings, cannot be read at all."""
    try:
        table = _table(data, file_name)
    except WorkbookRejected as rejected:
        raise ListRejected(str(rejected)) from None
    columns, start = {}, None
    for index, (_, row) in enumerate(table[:10]):
        found = {
            meaning: position
            for position, heading in enumerate(row)
            for meaning, words in HEADINGS.items()
            if _words(heading).lower().rstrip(":") in words
        }
        if {"name", "email", "role"} <= found.keys():
            columns, start = found, index + 1
            break
    if start is None:
        raise ListRejected(
            "No heading row names the columns Name, Email and Role: add one above the people."
        )
    if len(table) - start > MAX_PEOPLE:
        raise ListRejected(f"A list may hold at most {MAX_PEOPLE:,} people: split it.")

    def cell(row, meaning):
        position = columns[meaning]
        return _words(row[position]) if position < len(row) else ""

    people = [
        PersonRow(f"row {n}", cell(row, "name"), cell(row, "email"), cell(row, "role"))
        for n, row in table[start:]
    ]
    check(people)
    return people


def check(people: list[PersonRow]) -> None:
    """Each row's problems, as the form for one person would find them, plus an email
    address given twice in the file. One query: the addresses already used."""
    User = get_user_model()
    taken = {email.lower() for email in User.objects.values_list("email", flat=True) if email}
    seen: dict[str, str] = {}
    for person in people:
        if not person.name:
            person.problems.append("The name is empty")
        try:
            validate_email(person.email)
        except ValidationError:
            given = f"“{person.email}” is not an email address"
            person.problems.append(given if person.email else "The email is empty")
        else:
            address = person.email.lower()
            if address in taken:
                person.problems.append(f"Someone already has the email address {person.email}")
            elif address in seen:
                person.problems.append(f"The email address is also on {seen[address]}")
            seen.setdefault(address, person.line)
        role = _ROLE_WORDS.get(person.role.lower())
        if role is None:
            person.problems.append(
                f"“{person.role}” is not a role: use one of {', '.join(ROLES)}"
                if person.role
                else "The role is empty"
            )
        else:
            person.role = role
