"""What confirming a return would do: each row set beside the stored figure, and the moves
large enough to warn about. Nothing is written to make a preview."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from kpis.figure_checks import large_move
from kpis.importing.gate import Deadline, WorkbookRejected, upload_limits
from kpis.importing.reader import open_workbook
from kpis.importing.rows import CHECK_TIME_EVERY, ParsedReturn, ReturnRow, read_return
from kpis.models import KPIValue, Origin
from kpis.rating import dfe_publishes


@dataclass
class RowChange:
    """One row of a return beside the real figure stored for its KPI and period, if any."""

    row: ReturnRow
    existing: KPIValue | None

    @property
    def outcome(self) -> str:
        """new, changed, unchanged, or beside_dfe: DfE publishes the period, so the row is
        kept beside DfE's figure as the council's own, never over it (KPIValue)."""
        if self.existing is None:
            return "new"
        if self.existing.origin == Origin.DFE:
            own = self.existing.local_value
            if self.row.value == own or (own is None and self.row.value == self.existing.value):
                return "unchanged"
            return "beside_dfe"
        return "unchanged" if self.changed_fields() == {} else "changed"

    @property
    def dfe_note(self) -> str:
        """What the cell is told where DfE publishes its period."""
        return dfe_publishes(self.existing.value, self.row.kpi)

    def changed_fields(self) -> dict:
        """What the return would change; fields it does not give are kept as stored."""
        given = {"value": self.row.value}
        for name in ("numerator", "denominator", "note"):
            if getattr(self.row, name) is not None:
                given[name] = getattr(self.row, name)
        return {name: new for name, new in given.items() if getattr(self.existing, name) != new}


KINDS = ("new", "changed", "beside_dfe", "unchanged")  # a row's outcome, as RowChange says


@dataclass
class Preview:
    """What confirming a return would do; nothing is written to make it."""

    parsed: ParsedReturn
    rejected: str = ""
    new: list[RowChange] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)
    beside_dfe: list[RowChange] = field(default_factory=list)
    unchanged: list[RowChange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def can_confirm(self) -> bool:
        return not self.rejected and self.parsed.ok and bool(self.parsed.rows)

    @property
    def counts(self) -> dict[str, int]:
        """How many rows of each kind, and warnings: the numbers the preview page gives."""
        counts = {kind: len(getattr(self, kind)) for kind in KINDS}
        return counts | {"warnings": len(self.warnings)}

    @property
    def notices(self) -> list[str]:
        """How cells were read where it is worth saying (a 1st read as its month)."""
        return self.parsed.notices

    @property
    def problems(self) -> list[str]:
        if self.rejected:
            return [self.rejected]
        return [str(problem) for problem in self.parsed.problems]


def preview_return(data: bytes, *, deadline: Deadline | None = None) -> Preview:
    """Read, check and compare a return with what is stored: two queries (the catalogue, the
    stored figures of the return's KPIs).

    Only real figures are compared: a real figure beats an illustrative one, so a row where
    there is only demo data is new, and demo data never warns of a large move.

    A workbook beyond the row/cell limit, or one whose reading outlasts ``deadline`` (by
    default the request's time budget, kpis.importing.gate.TIME_BUDGET), is rejected with one
    sentence, never left to run into the worker's timeout.
    """
    deadline = deadline or Deadline()
    try:
        workbook = open_workbook(data, upload_limits())
        parsed = read_return(workbook, deadline=deadline)
    except WorkbookRejected as rejection:
        return Preview(parsed=ParsedReturn(), rejected=str(rejection))
    preview = Preview(parsed=parsed)
    if not parsed.rows:
        if parsed.ok:
            preview.rejected = "The file has no values to import."
        return preview
    kpi_ids = {row.kpi.pk for row in parsed.rows}
    stored: dict[tuple[int, dt.date], KPIValue] = {}
    history: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for value in KPIValue.objects.real().filter(kpi_id__in=kpi_ids).order_by("period_end"):
        stored[(value.kpi_id, value.period_end)] = value
        history[value.kpi_id].append((value.period_end, value.value))
    for number, row in enumerate(parsed.rows):
        if number % CHECK_TIME_EVERY == 0:
            try:
                deadline.check()
            except WorkbookRejected as rejection:
                return Preview(parsed=ParsedReturn(), rejected=str(rejection))
        change = RowChange(row, stored.get((row.kpi.pk, row.period_end)))
        getattr(preview, change.outcome).append(change)
        history[row.kpi.pk].append((row.period_end, row.value))
    kpis = {row.kpi.pk: row.kpi for row in parsed.rows}
    preview.warnings = [*parsed.warnings, *_large_moves(history, kpis)]
    return preview


def _large_moves(history, kpis) -> list[str]:
    """Each value that moves too far from the previous period's (kpis.figure_checks.large_move)."""
    warnings = []
    for kpi_id, points in history.items():
        points = sorted(dict(points).items())
        for (_, before), (day, after) in zip(points, points[1:], strict=False):
            if warning := large_move(kpis[kpi_id], day, before, after):
                warnings.append(warning)
    return warnings
