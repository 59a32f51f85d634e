"""Saving a checked return, and undoing it: the only writes of the import.

An upload is kept (``store_upload``) until it is confirmed; ``apply_return`` saves all of its
values in one transaction or none, and records each in an ImportedValue beside the batch;
``undo_import`` puts back what a batch replaced, if nothing has changed it since.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from careprog.bulk import insert_rows
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
        ["kpi", "period_end", "value", "numerator", "denominator", "note", "origin", "source"],
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
        for name, new in changed.items():
            setattr(value, name, new)
        value.origin, value.source = Origin.RETURN, source
        updated.append(value)
    KPIValue.objects.bulk_update(
        updated, ["value", "numerator", "denominator", "note", "origin", "source"], batch_size=2000
    )
    insert_rows(ImportedValue, AUDIT_FIELDS, audit)
    batch.status = ImportBatch.Status.APPLIED
    batch.applied_by, batch.applied_at = user, timezone.now()
    batch.created_count, batch.updated_count = len(preview.new), len(preview.changed)
    batch.unchanged_count = len(preview.unchanged)
    batch.save()
    return batch


@transaction.atomic
def undo_import(*, batch: ImportBatch, user: User | None) -> ImportBatch:
    """Put back what a batch replaced and remove what it added, if nothing changed them since."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.APPLIED:
        status = batch.get_status_display().lower()
        raise ImportRefused([f"Only an imported file can be undone; this one is {status}."])
    records = list(batch.values.select_related("kpi"))
    current = {
        (v.kpi_id, v.period_end): v
        for v in KPIValue.objects.real().filter(kpi_id__in={r.kpi_id for r in records})
    }
    moved = [
        f"{r.kpi.code} for {r.period_end:%-d %B %Y}"
        for r in records
        if (value := current.get((r.kpi_id, r.period_end))) is None or value.value != r.new_value
    ]
    if moved:
        raise ImportRefused(
            [
                f"{len(moved)} values were changed after this import, e.g. {', '.join(moved[:5])}: "
                "undo the later imports first."
            ]
        )
    remove, restore = [], []
    for record in records:
        value = current[(record.kpi_id, record.period_end)]
        if record.outcome == ImportedValue.Outcome.CREATED:
            remove.append(value.pk)
        else:
            value.value, value.numerator = record.old_value, record.old_numerator
            value.denominator, value.note = record.old_denominator, record.old_note
            value.source, value.origin = record.old_source, record.old_origin or Origin.RETURN
            restore.append(value)
    KPIValue.objects.filter(pk__in=remove).delete()
    KPIValue.objects.bulk_update(
        restore, ["value", "numerator", "denominator", "note", "source", "origin"], batch_size=2000
    )
    batch.status = ImportBatch.Status.UNDONE
    batch.undone_by, batch.undone_at = user, timezone.now()
    batch.save()
    return batch
