"""A measure's owner enters a period's figure and commentary; an approver approves it or
returns it with a comment. Each step is one transaction with its rows locked.

Only approval writes a KPIValue (every KPIValue is an approved figure, so everything that
reads figures reads approved ones only); until then the figure lives in its KPIEntry.
Approval is one service, ``approve_entries``, over one entry (``approve_entry``) or an
import's thousands (kpis.importing.apply.approve_import); what an approved figure makes of
its period's value is written once, in ``approved_figure``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from careprog.bulk import highest_id, insert_history, insert_rows, update_rows
from kpis.figure_checks import check_figure
from kpis.importing.gate import Deadline
from kpis.models import KPI, ImportBatch, ImportedValue, KPIEntry, KPIValue, Origin
from kpis.permissions import can_approve, can_enter
from kpis.reading_cache import figures_changed


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
        .exclude(batch__uploaded_by=user)
        .count()
    )


def approved_value(kpi: KPI, period_end: dt.date) -> KPIValue | None:
    return KPIValue.objects.real().filter(kpi=kpi, period_end=period_end).first()


def dfe_figure(kpi: KPI, period_end: dt.date) -> KPIValue | None:
    """DfE's published figure for the period, if DfE publishes it: the official one, beside
    which an owner's figure is kept as the council's own. One query."""
    return KPIValue.objects.filter(kpi=kpi, period_end=period_end, origin=Origin.DFE).first()


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
    entry = (
        KPIEntry.objects.select_for_update(of=("self", "kpi"))  # not the nullable batch
        .select_related("kpi", "batch")
        .defer("batch__content")
        .get(pk=entry.pk)
    )
    if not can_approve(user, entry):
        if entry.entered_by_id == user.pk:
            reason = "You entered this figure, so another approver must decide on it."
        elif entry.batch_id and (supplied := entry.batch.supplied_by(user)):
            reason = (
                f"You {supplied} the return this figure came from, so another approver must "
                "decide on it."
            )
        else:
            reason = "Only a head of service or a programme administrator may approve figures."
        raise EntryRefused(reason)
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
    """Approve one entry (``approve_entries``) and return the period's value it wrote.

    ``seen_version``: the entry as the approver read it; if its owner corrected it since,
    StaleEntry (nobody approves a figure they have not seen)."""
    entry = _lock_awaiting(entry, user, seen_version)
    approve_entries(entries=KPIEntry.objects.filter(pk=entry.pk), user=user)
    return KPIValue.objects.real().get(kpi=entry.kpi, period_end=entry.period_end)


class ApprovedFigure(NamedTuple):
    """What a period's value holds once an entry is approved: KPIValue's fields, by name."""

    value: Decimal
    numerator: Decimal | None
    denominator: Decimal | None
    note: str
    source: str
    commentary: str
    origin: str = Origin.RETURN
    local_value: Decimal | None = None
    local_numerator: Decimal | None = None
    local_denominator: Decimal | None = None
    local_source: str = ""
    dfe_published_on: dt.date | None = None


class Replaced(NamedTuple):
    """What an approval replaced, as an import's record of the period (ImportedValue) keeps
    it: what an undo of the import puts back."""

    outcome: str
    old_value: Decimal | None = None
    old_numerator: Decimal | None = None
    old_denominator: Decimal | None = None
    old_note: str = ""
    old_source: str = ""
    old_origin: str = ""


def approved_figure(
    entry, current, *, import_source: str, entered_by: str, approver: str
) -> ApprovedFigure:
    """The value an approved entry makes of its period, given the value there now
    (``current``, None if none): the entry's figure, from a local return. An imported
    figure takes its import's source and note, and its commentary or else the value's; a
    figure its owner entered says who entered and approved it, and brings its commentary but
    leaves the value's note alone. ``entry`` and ``current`` need only the fields used.

    Where the period holds DfE's published figure, DfE's stays the period's value, and the
    entry's figure is kept beside it as the council's own (``local_*``): no approval ever
    writes over DfE's figure (KPIValue says why)."""
    if entry.batch_id is not None:
        note, source = entry.note, import_source
        commentary = entry.commentary or (current.commentary if current else "")
    else:
        note = current.note if current else ""
        source = f"Entered by {entered_by}, approved by {approver}"[:300]
        commentary = entry.commentary
    if current is not None and current.origin == Origin.DFE:
        return ApprovedFigure(
            value=current.value,
            numerator=current.numerator,
            denominator=current.denominator,
            note=current.note,
            source=current.source,
            commentary=commentary,
            origin=Origin.DFE,
            local_value=entry.value,
            local_numerator=entry.numerator,
            local_denominator=entry.denominator,
            local_source=source,
        )
    return ApprovedFigure(
        value=entry.value,
        numerator=entry.numerator,
        denominator=entry.denominator,
        note=note,
        source=source,
        commentary=commentary,
    )


NOTHING_REPLACED = Replaced(outcome=ImportedValue.Outcome.CREATED)


def replaced_by_approval(current) -> Replaced:
    """What approving a figure over ``current`` (None if the period has no value) replaces."""
    if current is None:
        return NOTHING_REPLACED
    return Replaced(
        outcome=ImportedValue.Outcome.UPDATED,
        old_value=current.value,
        old_numerator=current.numerator,
        old_denominator=current.denominator,
        old_note=current.note,
        old_source=current.source,
        old_origin=current.origin,
    )


@transaction.atomic
def approve_entries(*, entries: QuerySet[KPIEntry], user, deadline: Deadline | None = None) -> int:
    """Approve those of ``entries`` that await approval: each becomes its period's value
    (created or changed, as ``approved_figure`` says), an imported one brings its import's
    record of what it replaced up to date (for an undo), and each value and entry gets a
    history record naming ``user``. Returns how many were approved.

    The caller has locked what it decides on (the entry, or the import) and checked that
    ``user`` may approve it. The same statements whatever the number of entries, as
    careprog.bulk writes them: the rows are read once, the values and the import's records
    written in bulk, and each kind of history record is one INSERT ... SELECT
    (django-simple-history sees none of these writes). ``deadline``, if given, is checked in
    the loop over the entries and before the writes: past it, WorkbookRejected (the caller's
    transaction rolls back) rather than a request the worker's timeout ends."""
    awaiting = entries.filter(state=KPIEntry.State.AWAITING).order_by()
    to_approve = list(
        awaiting.values_list(
            "kpi_id", "period_end", "value", "numerator", "denominator", "note", "commentary",
            "batch_id", "entered_by_id", named=True,
        )
    )  # fmt: skip
    if not to_approve:
        return 0
    figures_changed()  # bulk writes send no signals (kpis.reading_cache)
    here = awaiting.filter(kpi_id=OuterRef("kpi_id"), period_end=OuterRef("period_end"))
    # The values approval replaces, locked, so that what it records as replaced is what it
    # replaces.
    current = {
        (value.kpi_id, value.period_end): value
        for value in KPIValue.objects.real()
        .select_for_update()
        .filter(Exists(here))
        .order_by()
        .values_list(
            "kpi_id", "period_end", "pk", "value", "numerator", "denominator", "note", "source",
            "origin", "commentary", named=True,
        )
    }  # fmt: skip
    batches = {entry.batch_id for entry in to_approve} - {None}
    import_sources = {
        batch.pk: batch.figure_source
        for batch in ImportBatch.objects.filter(pk__in=batches).only("pk", "file_name")
    }
    people = get_user_model().objects.filter(pk__in={entry.entered_by_id for entry in to_approve})
    names = {None: _name(None)} | {person.pk: _name(person) for person in people}
    recorded = {}  # an import's record of each of its periods: what it says was replaced
    if batches:
        records = ImportedValue.objects.filter(
            Exists(here.filter(batch_id=OuterRef("batch_id")))
        ).order_by()
        for pk, batch, kpi, period, *replaced in records.values_list(
            "pk", "batch_id", "kpi_id", "period_end", *Replaced._fields
        ):
            recorded[batch, kpi, period] = (pk, tuple(replaced))
    approver = _name(user)
    new_values, changed_values, records_now = [], [], []
    for number, entry in enumerate(to_approve):
        if deadline and number % 500 == 0:
            deadline.check()
        period = (entry.kpi_id, entry.period_end)
        was = current.get(period)
        figure = approved_figure(
            entry,
            was,
            import_source=import_sources.get(entry.batch_id, ""),
            entered_by=names[entry.entered_by_id],
            approver=approver,
        )
        if was is None:
            new_values.append((*period, *figure))
        else:
            changed_values.append((*figure, was.pk))
        record, recorded_as = recorded.get((entry.batch_id, *period), (None, None))
        # Only where the period changed between the import's confirmation and now.
        if record is not None and recorded_as != (replaced := replaced_by_approval(was)):
            records_now.append((*replaced, record))
    if deadline:
        deadline.check()
    last_value = highest_id(KPIValue)
    insert_rows(KPIValue, ["kpi", "period_end", *ApprovedFigure._fields], new_values)
    update_rows(KPIValue, list(ApprovedFigure._fields), changed_values)
    update_rows(ImportedValue, list(Replaced._fields), records_now)
    reason = _approval_reason(list(import_sources.values()))
    approved = KPIValue.objects.real().filter(Exists(here))
    insert_history(approved.filter(id__gt=last_value), "+", user=user, reason=reason)
    insert_history(approved.filter(id__lte=last_value), "~", user=user, reason=reason)
    now = timezone.now()
    count = awaiting.update(state=KPIEntry.State.APPROVED, decided_by=user, decided_at=now)
    decided = entries.filter(state=KPIEntry.State.APPROVED, decided_by=user, decided_at=now)
    insert_history(decided, "~", user=user, reason=reason)
    return count


def _approval_reason(import_sources: list[str]) -> str | None:
    """The history records' reason: the imports approved, if any (an owner's figure has
    none: its value's source says who entered and approved it)."""
    return f"{', '.join(sorted(import_sources))}, approved" if import_sources else None


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
    figures_changed()  # no figure changes, but what pages say of it may (kpis.reading_cache)
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
