"""The "Changes" list on an action page, from django-simple-history's records.

Differences are computed here between consecutive records of the same object, rather
than with ``diff_against`` per record, which would query once for each change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from actions.filters import person_name
from actions.models import Action, Status, Update

ACTION_FIELDS = {
    "title": "Action",
    "lead_id": "Lead",
    "due_date": "Due date",
    "status": "Status",
    "reason": "Reason",
    "next_step": "Next step",
    "mechanism_id": "Mechanism",
}
UPDATE_FIELDS = {
    "period": "Quarter",
    "status": "Status",
    "text": "Update",
    "reason": "Reason",
    "next_step": "Next step",
    "author_id": "Author",
}


@dataclass
class Change:
    when: object
    who: object
    summary: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)


def _display(name, record, *, unknown=False):
    """A field's value as a reader would put it; ``record`` None means it had none."""
    if unknown:
        return "(not recorded)"
    value = getattr(record, name) if record is not None else None
    if value in (None, ""):
        return "(none)"
    if name == "status":
        return Status(value).label
    if name in ("lead_id", "author_id"):
        person = getattr(record, name.removesuffix("_id"))
        return person_name(person) if person else "(a removed user)"
    if name == "mechanism_id":
        return str(record.mechanism)
    if name == "period":
        return value.label
    if name == "due_date":
        return f"{value:%-d %B %Y}"
    return str(value)


def changes_from_records(records, fields, describe, display=None) -> list[Change]:
    """Changes between consecutive history records of each object, in record order."""
    display = display or _display
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
                        display(n, previous, unknown=unknown_before),
                        display(n, record),
                    )
                    for n in names
                ],
            )
        )
    return changes


def changes_for_action(action: Action) -> list[Change]:
    """Every recorded change to the action and its updates, newest first: two queries."""
    action_records = action.history.select_related("history_user", "lead", "mechanism").order_by(
        "history_date", "history_id"
    )
    update_records = (
        Update.history.filter(action_id=action.pk)
        .select_related("history_user", "author")
        .order_by("history_date", "history_id")
    )
    changes = changes_from_records(action_records, ACTION_FIELDS, lambda r: "Action")
    changes += changes_from_records(
        update_records, UPDATE_FIELDS, lambda r: f"Update for {r.period.label}"
    )
    return sorted(changes, key=lambda change: change.when, reverse=True)
