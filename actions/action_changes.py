"""The "Changes" list on an action page: the action's and its updates' fields, and how each
reads. The differences themselves are computed by careprog/change_history.py."""

from __future__ import annotations

from actions.filters import person_name
from actions.models import Action, Status, Update
from careprog.change_history import RECORD_ORDER, Change, changes_from_records, newest_first

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


def _show(name, value, record) -> str:
    """A set value of an action's or update's field, as a reader would put it."""
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


def changes_for_action(action: Action) -> list[Change]:
    """Every recorded change to the action and its updates, newest first: two queries."""
    action_records = action.history.select_related("history_user", "lead", "mechanism").order_by(
        *RECORD_ORDER
    )
    update_records = (
        Update.history.filter(action_id=action.pk)
        .select_related("history_user", "author")
        .order_by(*RECORD_ORDER)
    )
    return newest_first(
        changes_from_records(action_records, ACTION_FIELDS, lambda r: "Action", _show),
        changes_from_records(
            update_records, UPDATE_FIELDS, lambda r: f"Update for {r.period.label}", _show
        ),
    )
