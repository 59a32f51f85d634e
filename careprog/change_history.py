"""A "Changes" list from django-simple-history's records, for any app's page.

Differences are computed here between consecutive records of the same object, rather than
with ``diff_against`` per record, which would query once for each change. What is particular
to an app (which fields, their labels, how a value reads) is passed in, so this module never
imports the apps; templates/includes/changes.html renders the result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

# How each app orders its records for changes_from_records: oldest first, ties by id.
RECORD_ORDER = ("history_date", "history_id")
NOT_RECORDED, NO_VALUE = "(not recorded)", "(none)"


@dataclass
class Change:
    when: object
    who: object
    summary: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # label, before, after


# show(name, value, record): how a set value of the field reads, e.g. a status's label.
Show = Callable[[str, object, object], str]


def _as_str(name: str, value: object, record: object) -> str:
    return str(value)


def _display(show: Show, name: str, record, *, unknown: bool = False) -> str:
    """A field's value as a reader would put it; ``record`` None means it had none."""
    if unknown:
        return NOT_RECORDED
    value = getattr(record, name) if record is not None else None
    if value in (None, ""):
        return NO_VALUE
    return show(name, value, record)


def changes_from_records(
    records: Iterable,
    fields: Mapping[str, str],
    describe: Callable[[object], str],
    show: Show = _as_str,
) -> list[Change]:
    """Changes between consecutive history records of each object, in record order.

    `fields` maps each field compared to its label; `describe(record)` names the object
    ("Action", "Value for March 2025").
    """
    previous_by_object = {}
    changes = []
    for record in records:
        previous = previous_by_object.get(record.id)
        previous_by_object[record.id] = record
        unknown_before = previous is None and record.history_type == "~"
        if record.history_type == "+":
            summary, names = (
                f"{describe(record)} added",
                [n for n in fields if getattr(record, n) not in (None, "")],
            )
            previous = None
        elif record.history_type == "-":
            changes.append(
                Change(record.history_date, record.history_user, f"{describe(record)} deleted")
            )
            continue
        elif previous is None:
            # Loaded without history (a fixture, a bulk update): what it was before is unknown.
            summary = f"{describe(record)} changed (earlier values were not recorded)"
            names = [n for n in fields if getattr(record, n) not in (None, "")]
        else:
            names = [n for n in fields if getattr(previous, n) != getattr(record, n)]
            if not names:
                continue
            summary = f"{describe(record)} changed"
        changes.append(
            Change(
                record.history_date,
                record.history_user,
                summary,
                [
                    (
                        fields[n],
                        _display(show, n, previous, unknown=unknown_before),
                        _display(show, n, record),
                    )
                    for n in names
                ],
            )
        )
    return changes


def newest_first(*changes: list[Change]) -> list[Change]:
    """Several objects' changes as one list, the newest first."""
    return sorted((c for group in changes for c in group), key=lambda c: c.when, reverse=True)
