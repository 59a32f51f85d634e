"""Saving a checked return, approving it, and undoing it: the only writes of the import.

An upload is kept (``store_upload``) until it is confirmed; ``apply_return`` saves all of its
figures in one transaction or none, as entries awaiting approval (kpis.models.KPIEntry, as
a figure an owner enters), and records each in an ImportedValue beside the batch. Nothing
anyone reads changes until an approver approves them: all at once (``approve_import``) or
one by one (kpis/approval.py); ``return_import`` sends them all back with a comment.
``undo_import`` withdraws the figures still awaiting approval and puts back what approved
ones replaced, if nothing has changed them since.

All write in bulk (careprog.bulk), which django-simple-history does not see, so all write
the history records themselves, in bulk too: a KPI's Changes show the import's approval
(values added and changed) and its undoing (values deleted and put back), by whom and when.
Approving is kpis.approval's one service (``approve_entries``), as for a single figure.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from careprog.bulk import delete_where, highest_id, insert_history, insert_rows, update_rows
from kpis.approval import (
    EntryRefused,
    FigureInvalid,
    Replaced,
    approve_entries,
    replaced_by_approval,
)
from kpis.importing.gate import Deadline, WorkbookRejected
from kpis.importing.preview import Preview, preview_return
from kpis.models import ImportBatch, ImportedValue, KPIEntry, KPIValue, Origin
from kpis.permissions import APPROVE_PERMISSION
from kpis.reading_cache import figures_changed

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def store_upload(
    *, data: bytes, file_name: str, user: User | None, rows: int = 0, cells: int = 0
) -> ImportBatch:
    """Keep an uploaded return until it is confirmed; its SHA-256 identifies it. ``rows``,
    ``cells``: as the upload form counted them (ImportBatch.in_background)."""
    return ImportBatch.objects.create(
        file_name=file_name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        content=data,
        uploaded_by=user,
        row_count=rows,
        cell_count=cells,
    )


# An import's record of a period: what approving its figure replaces, and the figure.
AUDIT_FIELDS = [
    "batch", "kpi", "period_end", *Replaced._fields,
    "new_value", "new_numerator", "new_denominator", "new_note",
]  # fmt: skip


def _approved_here(batch: ImportBatch):
    """The batch's approved entry for the outer row's measure and period."""
    return KPIEntry.objects.filter(
        batch=batch,
        state=KPIEntry.State.APPROVED,
        kpi_id=OuterRef("kpi_id"),
        period_end=OuterRef("period_end"),
    )


def _imported(batch: ImportBatch, outcome: str) -> QuerySet[KPIValue]:
    """The real values that the batch's approved records of one outcome name."""
    records = ImportedValue.objects.filter(
        batch=batch, outcome=outcome, kpi_id=OuterRef("kpi_id"), period_end=OuterRef("period_end")
    ).filter(Exists(_approved_here(batch)))
    return KPIValue.objects.real().filter(Exists(records))


GIVEN_FIELDS = ["value", "numerator", "denominator", "note"]  # what a return may change
# The council's own figure kept beside DfE's (KPIValue), and what clears it.
OWN_FIGURE = [
    "local_value",
    "local_numerator",
    "local_denominator",
    "local_source",
    "dfe_published_on",
]
NO_OWN_FIGURE = (None, None, None, "", None)
MAX_WARNINGS_KEPT = 1000  # for the approver; the preview lists 200, the count says the rest


class ImportRefused(Exception):
    """The return cannot be imported, or the import undone; ``problems`` says why, and
    ``preview`` is the preview a refused confirmation made (None if it made none)."""

    def __init__(self, problems: list[str], *, preview: Preview | None = None):
        super().__init__("; ".join(problems[:3]))
        self.problems = problems
        self.preview = preview


@transaction.atomic
def apply_return(
    *,
    batch: ImportBatch,
    user: User | None,
    preview: Preview | None = None,
    deadline: Deadline | None = None,
) -> ImportBatch:
    """Save every figure of a checked return in one transaction, or none if any problem, as
    entries awaiting approval: nobody reads them until an approver approves them.

    A period whose figure already awaits approval, or was returned, has that entry replaced
    (its history keeps what it said). Without ``preview`` the stored file is read again, so
    that a confirmation made later (the web flow) respects the catalogue and values as they
    are now. A caller that has just previewed the same bytes in this process (the command
    line) may pass its preview. A refusal carries the preview, so the page that says why need
    not read the file again.

    ``deadline`` (by default the request's time budget) is checked while the file is read and
    again before anything is written: past it, the confirmation is refused and saves nothing.
    The writes themselves are a few bulk statements, bounded by the row/cell limit.
    """
    deadline = deadline or Deadline()
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.PENDING:
        raise ImportRefused([f"This file was already {batch.get_status_display().lower()}."])
    if preview is None:
        preview = preview_return(bytes(batch.content), deadline=deadline)
    if not preview.can_confirm:
        raise ImportRefused(
            preview.problems or ["The file has no values to import."], preview=preview
        )
    figures_changed()  # bulk writes send no signals (kpis.reading_cache)
    now = timezone.now()
    source = batch.figure_source
    audit, figures = [], []
    for c in preview.new:
        row = c.row
        audit.append(
            (batch.pk, row.kpi.pk, row.period_end, *replaced_by_approval(None),
             row.value, row.numerator, row.denominator, row.note or "")
        )  # fmt: skip
        figures.append((row.kpi.pk, row.period_end, row.value, row.numerator, row.denominator,
                        row.note or ""))  # fmt: skip
    for change in preview.changed:
        value, row = change.existing, change.row
        given = {name: getattr(value, name) for name in GIVEN_FIELDS} | change.changed_fields()
        audit.append(
            (batch.pk, row.kpi.pk, row.period_end, *replaced_by_approval(value),
             row.value, given["numerator"], given["denominator"], given["note"])
        )  # fmt: skip
        figures.append((row.kpi.pk, row.period_end, *(given[name] for name in GIVEN_FIELDS)))
    for change in preview.beside_dfe:  # the council's own figure, kept beside DfE's
        row = change.row
        audit.append(
            (batch.pk, row.kpi.pk, row.period_end, *replaced_by_approval(change.existing),
             row.value, row.numerator, row.denominator, row.note or "")
        )  # fmt: skip
        figures.append((row.kpi.pk, row.period_end, row.value, row.numerator, row.denominator,
                        row.note or ""))  # fmt: skip
    _check_time(deadline, preview)
    open_now = _open_entries_for(figures)
    last_entry = highest_id(KPIEntry)
    waiting = (KPIEntry.State.AWAITING, user.pk if user else None, now, None, None, "", batch.pk)
    # Raw INSERTs and UPDATEs (careprog.bulk): building model instances was most of the
    # import's time. The batch's ImportedValue rows are the audit record of what it brings.
    insert_rows(
        KPIEntry,
        ["kpi", "period_end", "value", "numerator", "denominator", "note", "commentary",
         "state", "entered_by", "entered_at", "decided_by", "decided_at", "decision_comment",
         "batch"],
        [(*figure, "", *waiting) for figure in figures if figure[:2] not in open_now],
    )  # fmt: skip
    update_rows(
        KPIEntry,  # an open entry keeps its commentary: the approver still reads it
        ["value", "numerator", "denominator", "note", "state", "entered_by", "entered_at",
         "decided_by", "decided_at", "decision_comment", "batch"],
        [(*figure[2:], *waiting, open_now[figure[:2]]) for figure in figures
         if figure[:2] in open_now],
    )  # fmt: skip
    insert_rows(ImportedValue, AUDIT_FIELDS, audit)
    entries = KPIEntry.objects.filter(batch=batch)
    insert_history(entries.filter(id__gt=last_entry), "+", user=user, reason=source)
    insert_history(entries.filter(id__lte=last_entry), "~", user=user, reason=source)
    batch.status = ImportBatch.Status.APPLIED
    batch.applied_by, batch.applied_at = user, now
    batch.created_count = len(preview.new)
    batch.updated_count = len(preview.changed) + len(preview.beside_dfe)
    batch.unchanged_count = len(preview.unchanged)
    batch.warnings = preview.warnings[:MAX_WARNINGS_KEPT]
    counts = ["created_count", "updated_count", "unchanged_count", "warnings"]
    batch.save(update_fields=["status", "applied_by", "applied_at", *counts])  # not the file
    return batch


def _check_time(deadline: Deadline, preview: Preview | None = None) -> None:
    """ImportRefused, with the time budget's sentence, once ``deadline`` has passed."""
    try:
        deadline.check()
    except WorkbookRejected as late:
        raise ImportRefused([str(late)], preview=preview) from None


def _open_entries_for(figures: list[tuple]) -> dict[tuple, int]:
    """The open entry (awaiting or returned) of each (kpi, period) of ``figures``: one query
    over the return's measures and periods."""
    if not figures:
        return {}
    wanted = {figure[:2] for figure in figures}
    found = (
        KPIEntry.objects.exclude(state=KPIEntry.State.APPROVED)
        .filter(
            kpi_id__in={kpi for kpi, _ in wanted},
            period_end__in={period for _, period in wanted},
        )
        .order_by()
        .values_list("kpi_id", "period_end", "pk")
    )
    return {(kpi, period): pk for kpi, period, pk in found if (kpi, period) in wanted}


def _lock_applied(batch: ImportBatch, user, *, deciding: str) -> ImportBatch:
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.APPLIED:
        status = batch.get_status_display().lower()
        raise ImportRefused([f"Only an imported file's figures can be {deciding}; this one is "
                             f"{status}."])  # fmt: skip
    if not (user and user.is_authenticated and user.has_perm(APPROVE_PERMISSION)):
        raise EntryRefused(
            "Only a head of service or a programme administrator may approve figures."
        )
    if supplied := batch.supplied_by(user):
        raise EntryRefused(refusal_for_supplier(supplied))
    return batch


def refusal_for_supplier(supplied: str) -> str:
    """What someone who uploaded or confirmed a return is told when they would decide on it."""
    return f"You {supplied} this return, so another approver must decide on its figures."


def _awaiting(batch: ImportBatch) -> QuerySet[KPIEntry]:
    """Unordered: the default ordering (by the measure's group and position) joins the
    catalogue, which PostgreSQL planned as a nested loop over 50,000 rows (3 s)."""
    return KPIEntry.objects.filter(batch=batch, state=KPIEntry.State.AWAITING).order_by()


def _check_seen(count: int, expected: int | None) -> None:
    """Refuses a decision on a set of figures other than the one the approver saw."""
    if not count:
        raise ImportRefused(["No figures of this import await approval."])
    if expected is not None and count != expected:
        raise ImportRefused(
            [f"The import changed after you opened it: {count} of its figures "
             f"{'awaits' if count == 1 else 'await'} approval, not {expected}. Check them, then "
             "decide again."]
        )  # fmt: skip


@transaction.atomic
def approve_import(
    *, batch: ImportBatch, user: User, expected: int | None = None, deadline: Deadline | None = None
) -> int:
    """Approve every figure of the import still awaiting approval, as approving each would
    (kpis.approval.approve_entries, in bulk): each becomes the period's value (created or
    changed, with what it replaced kept for an undo). Returns how many. A figure returned to
    its owner, or corrected by them, is left to its own approval. ``expected``: how many the
    approver saw awaiting; another count is refused. Past ``deadline`` (by default the
    request's time budget) it is refused and approves none."""
    deadline = deadline or Deadline()
    batch = _lock_applied(batch, user, deciding="approved")
    figures_changed()  # bulk writes send no signals (kpis.reading_cache)
    _check_seen(_awaiting(batch).count(), expected)
    try:
        return approve_entries(
            entries=KPIEntry.objects.filter(batch=batch), user=user, deadline=deadline
        )
    except WorkbookRejected:
        raise ImportRefused(
            [f"Approving these figures took longer than {deadline.seconds:g} seconds, so none "
             "was approved: try again in a few minutes."]
        ) from None  # fmt: skip


@transaction.atomic
def return_import(
    *, batch: ImportBatch, user: User, comment: str, expected: int | None = None
) -> int:
    """Send every figure of the import still awaiting approval back to its measure's owner
    with ``comment``; no figure changes. Returns how many. ``expected`` as for approving."""
    comment = comment.strip()
    if not comment:
        raise FigureInvalid({"comment": "Enter what needs changing"})
    batch = _lock_applied(batch, user, deciding="returned")
    figures_changed()  # bulk writes send no signals (kpis.reading_cache)
    now = timezone.now()
    count = _awaiting(batch).update(
        state=KPIEntry.State.RETURNED, decided_by=user, decided_at=now, decision_comment=comment
    )
    _check_seen(count, expected)  # a refusal rolls the update back
    decided = KPIEntry.objects.filter(batch=batch, decided_at=now, state=KPIEntry.State.RETURNED)
    insert_history(decided, "~", user=user, reason=f"{batch.figure_source}, returned")
    return count


@transaction.atomic
def undo_import(*, batch: ImportBatch, user: User | None) -> ImportBatch:
    """Put back what a batch replaced and remove what it added, if nothing changed them since.

    In bulk, never a value at a time: the check, the deletes and their history records are
    one statement each over the batch's ImportedValue rows; the values put back are read in
    one query and written as careprog.bulk.update_rows does, then their history records in
    one statement. 50,000 values take a fraction of the time importing them did
    (benchmarks/undo_import.py). Figures not yet approved are withdrawn: their entries are
    deleted, with a history record each; a figure its owner corrected is theirs, not the
    import's, and stays."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    figures_changed()  # bulk writes send no signals (kpis.reading_cache)
    if batch.status != ImportBatch.Status.APPLIED:
        status = batch.get_status_display().lower()
        raise ImportRefused([f"Only an imported file can be undone; this one is {status}."])
    current = KPIValue.objects.real().filter(
        kpi_id=OuterRef("kpi_id"), period_end=OuterRef("period_end")
    )
    approved = batch.values.filter(Exists(_approved_here(batch)))
    # Beside DfE's published figure, the import's figure is the council's own (local_value).
    still_ours = Q(value=OuterRef("new_value")) | Q(
        origin=Origin.DFE, local_value=OuterRef("new_value")
    )
    moved = approved.exclude(Exists(current.filter(still_ours)))
    count = moved.count()
    if count:
        examples = moved.select_related("kpi").order_by("kpi__code", "period_end")[:5]
        named = ", ".join(f"{r.kpi.code} for {r.period_end:%-d %B %Y}" for r in examples)
        raise ImportRefused(
            [f"{count} values were changed after this import, e.g. {named}: "
             "undo the later imports first."]
        )  # fmt: skip
    reason = f"Undo of import {batch.pk}: {batch.file_name}"
    withdrawn = KPIEntry.objects.filter(batch=batch).exclude(state=KPIEntry.State.APPROVED)
    insert_history(withdrawn, "-", user=user, reason=reason)
    delete_where(withdrawn)
    created = _imported(batch, ImportedValue.Outcome.CREATED)
    # A figure DfE has published since holds the period: only the council's own goes.
    now_dfe = created.filter(origin=Origin.DFE)
    now_dfe.update(**dict(zip(OWN_FIGURE, NO_OWN_FIGURE, strict=True)))
    insert_history(now_dfe, "~", user=user, reason=reason)
    created = created.exclude(origin=Origin.DFE)
    insert_history(created, "-", user=user, reason=reason)
    delete_where(created)
    restores = (
        approved.filter(outcome=ImportedValue.Outcome.UPDATED)
        .order_by()
        .annotate(
            # Records written before the origin was kept have none: such values were returns.
            origin=Coalesce(NullIf("old_origin", Value("")), Value(Origin.RETURN)),
            now=Subquery(current.values("pk")),
            now_origin=Subquery(current.values("origin")),
        )
        .values_list(
            "old_value", "old_numerator", "old_denominator", "old_note", "old_source",
            "origin", "now", "now_origin",
        )
    )  # fmt: skip
    # DfE's figure, where it holds the period now, stays: what is put back is the council's
    # own figure beside it (or none, where DfE's was what the import found).
    restored, beside_dfe = [], []
    for value, numerator, denominator, note, source, origin, pk, now_origin in restores:
        if now_origin != Origin.DFE:
            restored.append(
                (value, numerator, denominator, note, source, origin, *NO_OWN_FIGURE, pk)
            )
        elif origin == Origin.DFE:
            beside_dfe.append((*NO_OWN_FIGURE, pk))
        else:
            beside_dfe.append((value, numerator, denominator, source, None, pk))
    update_rows(KPIValue, [*GIVEN_FIELDS, "source", "origin", *OWN_FIGURE], restored)
    update_rows(KPIValue, OWN_FIGURE, beside_dfe)
    updated = _imported(batch, ImportedValue.Outcome.UPDATED)
    insert_history(updated, "~", user=user, reason=reason)
    batch.status = ImportBatch.Status.UNDONE
    batch.undone_by, batch.undone_at = user, timezone.now()
    batch.save(update_fields=["status", "undone_by", "undone_at"])  # not the file again
    return batch
