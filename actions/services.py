"""Writes that touch several models, each in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from actions.models import Action, QuarterLock, Status, Update
from actions.papers.queries import lock_for
from actions.permissions import can_manage
from careprog.periods import ReportingPeriod


@dataclass
class StaleEdit(Exception):
    """The action or the update was saved by someone else after the form was opened."""

    action: Action
    update: Update | None


@dataclass
class QuarterLocked(Exception):
    """The quarter was published to committee and is locked for officers' updates."""

    lock: QuarterLock


@dataclass
class ActionRetired(Exception):
    """The action was retired (actions/structure.py): its record is kept, and nobody writes
    updates on it until an administrator restores it."""

    action: Action

    @property
    def message(self) -> str:
        return (
            f"This action was retired on {self.action.retired_at:%-d %B %Y}: its updates are "
            "kept, but no new update can be recorded unless a programme administrator "
            "restores it."
        )


@transaction.atomic
def record_update(
    *,
    action_id: int,
    period: ReportingPeriod,
    text: str,
    status: Status,
    reason: str,
    next_step: str,
    author,
    seen_action_version: int,
    seen_update_version: int,
) -> Update:
    """Write the action's update for ``period`` (creating or editing it); saving it rolls the
    action up (Action.roll_up), which moves the action's version only when its status,
    reason or next step changed.

    ``seen_*_version`` are the versions the form was opened on (0: no update yet). If
    either changed since, nothing is written and StaleEdit carries the current state.

    A quarter a published paper locked refuses officers (QuarterLocked) until an
    administrator reopens it; administrators may still correct it (the paper keeps what it
    published, and the live report marks the difference).

    A retired action refuses everyone (ActionRetired): it is no longer part of the
    programme's live structure.
    """
    action = (
        Action.objects.select_for_update()
        .select_related("mechanism__requirement__objective")
        .get(pk=action_id)
    )
    if action.retired_at is not None:
        raise ActionRetired(action=action)
    if not can_manage(author):
        lock = lock_for(action.mechanism.requirement.objective.programme_id, period)
        if lock is not None:
            raise QuarterLocked(lock=lock)
    update = Update.objects.select_for_update().filter(action=action, period=period).first()
    if action.version != seen_action_version or (
        (update.version if update else 0) != seen_update_version
    ):
        raise StaleEdit(action=action, update=update)

    if not Status(status).needs_explanation:
        reason = next_step = ""
    if update is None:
        update = Update(action=action, period=period)
    update.text, update.status = text, status
    update.reason, update.next_step = reason, next_step
    update.author = author
    update.save()
    return update
