"""A measure's owner enters a period's figure and commentary; an approver approves it or
returns it with a comment. Each step is one transaction with its rows locked.

Only approval writes a KPIValue (every KPIValue is an approved figure, so everything that
reads figures reads approved ones only); until then the figure lives in its KPIEntry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kpis.figure_checks import check_figure
from kpis.models import KPI, ImportedValue, KPIEntry, KPIValue, Origin
from kpis.permissions import can_approve, can_enter


class EntryRefused(Exception):
    """The user may not take this step (403)."""

    status = 403


class EntryDecided(Exception):
    """The entry was approved or returned already (409)."""

    status = 409


@dataclass
class FigureInvalid(Exception):
    """The figure fails the shared checks (kpis.figure_checks): ``problems`` by field (400)."""

    problems: dict[str, str]
    status = 400


@dataclass
class StaleEntry(Exception):
    """Someone saved this period's figure after the form was opened (409): what is there now."""

    entry: KPIEntry | None
    value: KPIValue | None
    status = 409


def open_entries():
    """Entries awaiting approval or returned to their owner: at most one per period."""
    return KPIEntry.objects.exclude(state=KPIEntry.State.APPROVED)


def awaiting_decision_by(user) -> int:
    """How many figures await this approver's decision: neither entered nor imported by them.
    One query."""
    return (
        KPIEntry.objects.filter(state=KPIEntry.State.AWAITING)
        .exclude(entered_by=user)
        .exclude(batch__applied_by=user)
        .count()
    )


def approved_value(kpi: KPI, period_end: dt.date) -> KPIValue | None:
    return KPIValue.objects.real().filter(kpi=kpi, period_end=period_end).first()


def version_of(entry: KPIEntry | None, value: KPIValue | None) -> str:
    """What a form saw of a period: its open entry if any, else its approved figure. One
    query for a value (its latest history record), none for an entry."""
    if entry is not None:
        return f"entry-{entry.pk}-{entry.state}-{entry.entered_at.timestamp():.6f}"
    if value is not None:
        latest = (
            KPIValue.history.filter(id=value.pk)
            .order_by("-history_id")
            .values_list("history_id", flat=True)
            .first()
        )
        return f"value-{value.pk}-{latest or 0}"
    return "none"


def period_version(kpi: KPI, period_end: dt.date) -> str:
    entry = open_entries().filter(kpi=kpi, period_end=period_end).first()
    return version_of(entry, None if entry else approved_value(kpi, period_end))


@transaction.atomic
def enter_figure(
    *,
    kpi: KPI,
    user,
    period_end: dt.date,
    value: Decimal,
    numerator: Decimal | None,
    denominator: Decimal | None,
    commentary: str,
    seen_version: str,
    today: dt.date | None = None,
) -> KPIEntry:
    """Enter (or correct) the period's figure: it awaits approval, whatever it was before.

    ``seen_version`` is version_of what the form was opened on; if the period's open entry
    or approved figure changed since, nothing is written and StaleEntry carries both."""
    kpi = KPI.objects.select_for_update().get(pk=kpi.pk)
    if not can_enter(user, kpi):
        raise EntryRefused("Only the measure's owner or a delegate may enter its figures.")
    problems = check_figure(
        kpi, period_end, value, numerator, denominator, today=today or timezone.localdate()
    )
    if problems:
        raise FigureInvalid(problems)
    entry = open_entries().select_for_update().filter(kpi=kpi, period_end=period_end).first()
    approved = (
        KPIValue.objects.real().select_for_update().filter(kpi=kpi, period_end=period_end).first()
    )
    if version_of(entry, None if entry else approved) != seen_version:
        raise StaleEntry(entry=entry, value=approved)
    if entry is None:
        entry = KPIEntry(kpi=kpi, period_end=period_end)
    entry.batch, entry.note = None, ""  # corrected by its owner: theirs, not an import's
    entry.value, entry.numerator, entry.denominator = value, numerator, denominator
    entry.commentary = commentary
    entry.state = KPIEntry.State.AWAITING
    entry.entered_by, entry.entered_at = user, timezone.now()
    entry.decided_by, entry.decided_at, entry.decision_comment = None, None, ""
    entry._history_user = user
    entry.save()
    return entry


def _lock_awaiting(entry: KPIEntry, user, seen_version: str | None) -> KPIEntry:
    entry = KPIEntry.objects.select_for_update().select_related("kpi").get(pk=entry.pk)
    if not can_approve(user, entry):
        raise EntryRefused(
            "You entered this figure, so another approver must decide on it."
            if entry.entered_by_id == user.pk
            else "Only a head of service or a programme administrator may approve figures."
        )
    if entry.state != KPIEntry.State.AWAITING:
        state = "approved" if entry.state == KPIEntry.State.APPROVED else "returned"
        raise EntryDecided(f"This figure was {state} already.")
    if seen_version is not None and version_of(entry, None) != seen_version:
        raise StaleEntry(entry=entry, value=None)
    return entry


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user else "someone"


@transaction.atomic
def approve_entry(*, entry: KPIEntry, user, seen_version: str | None = None) -> KPIValue:
    """Write the entry's figure and commentary to the period's KPIValue (created or updated,
    with a history record naming the approver) and mark the entry approved.

    ``seen_version``: the entry as the approver read it; if its owner corrected it since,
    StaleEntry (nobody approves a figure they have not seen)."""
    entry = _lock_awaiting(entry, user, seen_version)
    value = (
        KPIValue.objects.real()
        .select_for_update()
        .filter(kpi=entry.kpi, period_end=entry.period_end)
        .first()
    ) or KPIValue(kpi=entry.kpi, period_end=entry.period_end)
    if entry.batch_id is not None:
        _remember_replaced(entry, value)
    value.value, value.numerator, value.denominator = (
        entry.value,
        entry.numerator,
        entry.denominator,
    )
    if entry.batch_id is not None:
        value.note = entry.note
        value.commentary = entry.commentary or value.commentary
        value.source = entry.batch.figure_source
    else:
        value.commentary = entry.commentary
        value.source = f"Entered by {_name(entry.entered_by)}, approved by {_name(user)}"[:300]
    value.origin = Origin.RETURN
    value._history_user = user
    value.save()
    entry.state = KPIEntry.State.APPROVED
    entry.decided_by, entry.decided_at = user, timezone.now()
    entry._history_user = user
    entry.save()
    return value


def _remember_replaced(entry: KPIEntry, value: KPIValue) -> None:
    """An imported figure approved on its own: its import's record of the period says what
    the approval replaces, as approving the whole import would, so an undo puts that back."""
    replaced = {"outcome": ImportedValue.Outcome.CREATED, "old_value": None,
                "old_numerator": None, "old_denominator": None, "old_note": "",
                "old_source": "", "old_origin": ""}  # fmt: skip
    if value.pk is not None:
        replaced = {"outcome": ImportedValue.Outcome.UPDATED, "old_value": value.value,
                    "old_numerator": value.numerator, "old_denominator": value.denominator,
                    "old_note": value.note, "old_source": value.source,
                    "old_origin": value.origin}  # fmt: skip
    ImportedValue.objects.filter(
        batch_id=entry.batch_id, kpi_id=entry.kpi_id, period_end=entry.period_end
    ).update(**replaced)


@transaction.atomic
def return_entry(
    *, entry: KPIEntry, user, comment: str, seen_version: str | None = None
) -> KPIEntry:
    """Send the entry back to its owner with what needs changing; no figure changes."""
    comment = comment.strip()
    if not comment:
        raise FigureInvalid({"comment": "Enter what needs changing"})
    entry = _lock_awaiting(entry, user, seen_version)
    entry.state = KPIEntry.State.RETURNED
    entry.decided_by, entry.decided_at = user, timezone.now()
    entry.decision_comment = comment
    entry._history_user = user
    entry.save()
    return entry


def previous_figure(kpi: KPI, period_end: dt.date) -> Decimal | None:
    """The approved real figure of the latest period before ``period_end``: what a large
    move is measured from. One query."""
    return (
        KPIValue.objects.real()
        .filter(kpi=kpi, period_end__lt=period_end)
        .order_by("-period_end")
        .values_list("value", flat=True)
        .first()
    )
