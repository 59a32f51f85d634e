"""A large return's preview kept on its batch as JSON (``ImportBatch.checked``): what the
background check found, so that the preview page draws it without reading the file again.

It keeps what the page shows and no more: every count, problem, notice and sheet read, the
warnings an approver is later shown (up to MAX_WARNINGS_KEPT), and the first rows of each
kind. Rows come back as the preview's own RowChange, over the catalogue's measures as they
are when the page is drawn, so both ways of previewing draw the same page with one template.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from kpis.importing.preview import KINDS, Preview, RowChange
from kpis.importing.rows import ReturnRow
from kpis.models import KPI, KPIValue

MAX_WARNINGS_KEPT = 1000  # as a confirmed import keeps for its approver


def to_json(preview: Preview, *, rows: int) -> dict:
    """The preview as the page shows it, with the first ``rows`` rows of each kind."""
    return {
        "rejected": preview.rejected,
        "can_confirm": preview.can_confirm,
        "problems": preview.problems,
        "notices": preview.notices,
        "warnings": preview.warnings[:MAX_WARNINGS_KEPT],
        "layouts": preview.parsed.layouts,
        "counts": preview.counts,
        "rows": {kind: [_row(c) for c in getattr(preview, kind)[:rows]] for kind in KINDS},
    }


def _row(change: RowChange) -> list:
    row, existing = change.row, change.existing
    stored = None if existing is None else [str(existing.value), existing.origin]
    return [row.sheet, row.ref, row.kpi.pk, row.period_end.isoformat(), str(row.value), stored]


@dataclass
class StoredPreview:
    """A preview read back from JSON: the attributes the preview page reads of a Preview,
    with ``counts`` saying how many rows of each kind there are beyond those listed."""

    rejected: str
    can_confirm: bool
    problems: list[str]
    notices: list[str]
    warnings: list[str]
    parsed: SimpleNamespace
    counts: dict[str, int]
    new: list[RowChange] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)
    beside_dfe: list[RowChange] = field(default_factory=list)
    unchanged: list[RowChange] = field(default_factory=list)


def from_json(data: dict) -> StoredPreview:
    """The stored preview, its rows' measures read in one query. A measure deleted since
    the check drops out of the rows listed (confirming reads the file again anyway)."""
    ids = {row[2] for rows in data["rows"].values() for row in rows}
    kpis = KPI.objects.in_bulk(ids) if ids else {}
    stored = StoredPreview(
        rejected=data["rejected"],
        can_confirm=data["can_confirm"],
        problems=data["problems"],
        notices=data["notices"],
        warnings=data["warnings"],
        parsed=SimpleNamespace(layouts=data["layouts"]),
        counts=data["counts"],
    )
    for kind, rows in data["rows"].items():
        getattr(stored, kind).extend(_change(kpis[row[2]], *row) for row in rows if row[2] in kpis)
    return stored


def _change(kpi, sheet, ref, _kpi_id, period_end, value, stored) -> RowChange:
    period = dt.date.fromisoformat(period_end)
    row = ReturnRow(sheet=sheet, ref=ref, kpi=kpi, period_end=period, value=Decimal(value))
    existing = None
    if stored is not None:
        existing = KPIValue(kpi=kpi, period_end=period, value=Decimal(stored[0]), origin=stored[1])
    return RowChange(row, existing)
