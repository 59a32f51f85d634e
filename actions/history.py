"""The "Changes" list on an action page, from django-simple-history's records.

Differences are computed here between consecutive records of the same object, rather
than with ``diff_against`` per record, which would query once for each change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

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


def _display(name, value, people):
    if value in (None, ""):
        return "(none)"
    if name == "status":
        return Status(value).label
    if name in ("lead_id", "author_id"):
        return people.get(value, f"user {value}")
    if name == "period":
        return value.label
    if name == "due_date":
        return f"{value:%-d %B %Y}"
    return str(value)


def _changes(records, fields, describe, people):
    previous_by_object = {}
    changes = []
    for record in records:
        previous = previous_by_object.get(record.id)
        previous_by_object[record.id] = record
        if record.history_type == "+":
            summary, names = (
                f"{describe(record)} added",
                [n for n in fields if getattr(record, n) not in (None, "")],
            )
            before = dict.fromkeys(names)
        elif record.history_type == "-":
            changes.append(
                Change(record.history_date, record.history_user, f"{describe(record)} deleted")
            )
            continue
        else:
            names = [n for n in fields if previous and getattr(previous, n) != getattr(record, n)]
            if not names:
                continue
            summary = f"{describe(record)} changed"
            before = {n: getattr(previous, n) for n in names}
        changes.append(
            Change(
                record.history_date,
                record.history_user,
                summary,
                [
                    (
                        fields[n],
                        _display(n, before.get(n), people),
                        _display(n, getattr(record, n), people),
                    )
                    for n in names
                ],
            )
        )
    return changes


def changes_for_action(action: Action) -> list[Change]:
    """Every recorded change to the action and its updates, newest first: three queries."""
    action_records = list(
        action.history.select_related("history_user").order_by("history_date", "history_id")
    )
    update_records = list(
        Update.history.filter(action_id=action.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    person_ids = {r.lead_id for r in action_records} | {r.author_id for r in update_records}
    person_ids.discard(None)
    people = (
        {user.pk: person_name(user) for user in get_user_model().objects.filter(pk__in=person_ids)}
        if person_ids
        else {}
    )
    changes = _changes(action_records, ACTION_FIELDS, lambda r: "Action", people)
    changes += _changes(
        update_records, UPDATE_FIELDS, lambda r: f"Update for {r.period.label}", people
    )
    return sorted(changes, key=lambda change: change.when, reverse=True)
