"""Saving a checked return, and undoing it: the only writes of the import.

An upload is kept (``store_upload``) until it is confirmed; ``apply_return`` saves all of its
values in one transaction or none, and records each in an ImportedValue beside the batch;
``undo_import`` puts back what a batch replaced, if nothing has changed it since.

Both write in bulk (careprog.bulk), which django-simple-history does not see, so both write
the values' history records themselves, in bulk too: a KPI's Changes show the import (values
added and changed) and its undoing (values deleted and put back), by whom and when.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import (
    DateTimeField,
    Exists,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from careprog.bulk import delete_where, insert_rows, insert_select, update_rows
from kpis.importing.preview import Preview, preview_return
from kpis.models import ImportBatch, ImportedValue, KPIValue, Origin

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def store_upload(*, data: bytes, file_name: str, user: User | None) -> ImportBatch:
    """Keep an uploaded return until it is confirmed; its SHA-256 identifies it."""
    return ImportBatch.objects.create(
        file_name=file_name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        content=data,
        uploaded_by=user,
    )


AUDIT_FIELDS = [
    "batch", "kpi", "period_end", "outcome",
    "old_value", "old_numerator", "old_denominator", "old_note", "old_source", "old_origin",
    "new_value", "new_numerator", "new_denominator", "new_note",
]  # fmt: skip


VALUE_FIELDS = [
    "id", "kpi", "period_end", "value", "numerator", "denominator", "note", "origin", "source",
    "commentary",
]  # fmt: skip
HISTORY_FIELDS = [
    *VALUE_FIELDS, "history_date", "history_change_reason", "history_type", "history_user"
]  # fmt: skip


def _imported(batch: ImportBatch, outcome: str) -> QuerySet[KPIValue]:
    """The real values that the batch's records of one outcome name."""
    records = ImportedValue.objects.filter(
        batch=batch, outcome=outcome, kpi_id=OuterRef("kpi_id"), period_end=OuterRef("period_end")
    )
    return KPIValue.objects.real().filter(Exists(records))


def _record_history(values: QuerySet[KPIValue], kind: str, *, user, reason: str) -> int:
    """A history record ('+' added, '~' changed, '-' deleted) of each value as it is now, in
    one INSERT ... SELECT: the rows never pass through Python."""
    stamped = values.annotate(
        h_date=Value(timezone.now(), output_field=DateTimeField()),
        h_reason=Value(reason[:100]),
        h_type=Value(kind),
        h_user=Value(user.pk if user else None, output_field=IntegerField()),
    ).values_list(*VALUE_FIELDS, "h_date", "h_reason", "h_type", "h_user")
    return insert_select(KPIValue.history.model, HISTORY_FIELDS, stamped)


GIVEN_FIELDS = ["value", "numerator", "denominator", "note"]  # what a return may change


class ImportRefused(Exception):
    """The return cannot be imported, or the import undone; ``problems`` says why, and
    ``preview`` is the preview a refused confirmation made (None if it made none)."""

    def __init__(self, problems: list[str], *, preview: Preview | None = None):
        super().__init__("; ".join(problems[:3]))
        self.problems = problems
        self.preview = preview


@transaction.atomic
def apply_return(
    *, batch: ImportBatch, user: User | None, preview: Preview | None = None
) -> ImportBatch:
    """Save every value of a checked return in one transaction, or none if any problem.

    Without ``preview`` the stored file is read again, so that a confirmation made later
    (the web flow) respects the catalogue and values as they are now. A caller that has
    just previewed the same bytes in this process (the command line) may pass its preview.
    A refusal carries the preview, so the page that says why need not read the file again.
    """
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.PENDING:
        raise ImportRefused([f"This file was already {batch.get_status_display().lower()}."])
    if preview is None:
        preview = preview_return(bytes(batch.content))
    if not preview.can_confirm:
        raise ImportRefused(
            preview.problems or ["The file has no values to import."], preview=preview
        )
    source = f"Import {batch.pk}: {batch.file_name}"
    # Raw INSERTs (careprog.bulk): building model instances for bulk_create was most of the
    # import's time. The batch's ImportedValue rows are the audit record of what changed.
    insert_rows(
        KPIValue,
        VALUE_FIELDS[1:],  # all but the id, which the database gives
        [
            (
                c.row.kpi.pk,
                c.row.period_end,
                c.row.value,
                c.row.numerator,
                c.row.denominator,
                c.row.note or "",
                Origin.RETURN,
                source,
                "",  # a return brings no commentary; its owner may add one (kpis/entries.py)
            )
            for c in preview.new
        ],
    )
    audit = [
        (batch.pk, c.row.kpi.pk, c.row.period_end, ImportedValue.Outcome.CREATED,
         None, None, None, "", "", "",
         c.row.value, c.row.numerator, c.row.denominator, c.row.note or "")
        for c in preview.new
    ]  # fmt: skip
    updated = []
    for change in preview.changed:
        value, row = change.existing, change.row
        changed = change.changed_fields()
        audit.append(
            (batch.pk, row.kpi.pk, row.period_end, ImportedValue.Outcome.UPDATED,
             value.value, value.numerator, value.denominator,
             value.note, value.source, value.origin,
             row.value, changed.get("numerator", value.numerator),
             changed.get("denominator", value.denominator), changed.get("note", value.note))
        )  # fmt: skip
        given = {name: getattr(value, name) for name in GIVEN_FIELDS} | changed
        updated.append((*(given[name] for name in GIVEN_FIELDS), Origin.RETURN, source, value.pk))
    # Raw UPDATEs by primary key: bulk_update's CASE WHEN took 2.5 s for 2,000 values.
    update_rows(KPIValue, [*GIVEN_FIELDS, "origin", "source"], updated)
    insert_rows(ImportedValue, AUDIT_FIELDS, audit)
    _record_history(_imported(batch, ImportedValue.Outcome.CREATED), "+", user=user, reason=source)
    _record_history(_imported(batch, ImportedValue.Outcome.UPDATED), "~", user=user, reason=source)
    batch.status = ImportBatch.Status.APPLIED
    batch.applied_by, batch.applied_at = user, timezone.now()
    batch.created_count, batch.updated_count = len(preview.new), len(preview.changed)
    batch.unchanged_count = len(preview.unchanged)
    counts = ["created_count", "updated_count", "unchanged_count"]
    batch.save(update_fields=["status", "applied_by", "applied_at", *counts])  # not the file
    return batch


@transaction.atomic
def undo_import(*, batch: ImportBatch, user: User | None) -> ImportBatch:
    """Put back what a batch replaced and remove what it added, if nothing changed them since.

    In bulk, never a value at a time: the check, the deletes and their history records are
    one statement each over the batch's ImportedValue rows; the values put back are read in
    one query and written as careprog.bulk.update_rows does, then their history records in
    one statement. 50,000 values take a fraction of the time importing them did
    (benchmarks/undo_import.py)."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.APPLIED:
        status = batch.get_status_display().lower()
        raise ImportRefused([f"Only an imported file can be undone; this one is {status}."])
    current = KPIValue.objects.real().filter(
        kpi_id=OuterRef("kpi_id"), period_end=OuterRef("period_end")
    )
    moved = batch.values.exclude(Exists(current.filter(value=OuterRef("new_value"))))
    count = moved.count()
    if count:
        examples = moved.select_related("kpi").order_by("kpi__code", "period_end")[:5]
        named = ", ".join(f"{r.kpi.code} for {r.period_end:%-d %B %Y}" for r in examples)
        raise ImportRefused(
            [f"{count} values were changed after this import, e.g. {named}: "
             "undo the later imports first."]
        )  # fmt: skip
    reason = f"Undo of import {batch.pk}: {batch.file_name}"
    created = _imported(batch, ImportedValue.Outcome.CREATED)
    _record_history(created, "-", user=user, reason=reason)
    delete_where(created)
    restores = (
        batch.values.filter(outcome=ImportedValue.Outcome.UPDATED)
        .order_by()
        .annotate(
            # Records written before the origin was kept have none: such values were returns.
            origin=Coalesce(NullIf("old_origin", Value("")), Value(Origin.RETURN)),
            now=Subquery(current.values("pk")),
        )
        .values_list(
            "old_value", "old_numerator", "old_denominator", "old_note", "old_source",
            "origin", "now",
        )
    )  # fmt: skip
    update_rows(KPIValue, [*GIVEN_FIELDS, "source", "origin"], list(restores))
    updated = _imported(batch, ImportedValue.Outcome.UPDATED)
    _record_history(updated, "~", user=user, reason=reason)
    batch.status = ImportBatch.Status.UNDONE
    batch.undone_by, batch.undone_at = user, timezone.now()
    batch.save(update_fields=["status", "undone_by", "undone_at"])  # not the file again
    return batch
