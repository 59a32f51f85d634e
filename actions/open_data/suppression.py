"""Which figures open data shows as "c", as DfE's statistics suppress small numbers.

The rule, one function so the page, the CSV and the JSON cannot disagree:

- A count of people below the council's threshold (PublicInformation.open_data_threshold,
  default 5) is "c": the value of a KPI whose unit is a count, and any numerator or
  denominator.
- Zero is shown. A count of nobody identifies nobody, and DfE's children's social care
  tables (children in need, looked-after children) suppress counts of 1 to 5 and publish
  zeros; suppressing zero as well, as a few DfE tables do, would hide the good news a
  programme works for ("no child waiting") and gain no protection here.
- A figure worked out from counts is "c" when either count is: a percentage or rate shown
  beside its denominator gives the numerator back (numerator = value × denominator), and
  beside its numerator gives the denominator back. So value, numerator and denominator are
  all "c" whenever any count in them is suppressed.

Targets and DfE's comparators (statistical neighbours, region, England) are not the
council's counts of its own children: they are shown as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from kpis.models import KPI

SUPPRESSED = "c"


@dataclass(frozen=True)
class ShownFigure:
    """A figure as open data shows it: each part a Decimal, None (not given) or "c"."""

    value: Decimal | str
    numerator: Decimal | str | None
    denominator: Decimal | str | None

    @property
    def suppressed(self) -> bool:
        return self.value == SUPPRESSED


def _small(count: Decimal | None, threshold: int) -> bool:
    return count is not None and 0 < count < threshold


def shown_figure(
    *,
    unit: str,
    value: Decimal,
    numerator: Decimal | None,
    denominator: Decimal | None,
    threshold: int,
) -> ShownFigure:
    """``value`` with its ``numerator`` and ``denominator`` as open data may show them: all
    three "c" if any count among them is below ``threshold`` (and above zero), else as
    they are."""
    counts = [numerator, denominator]
    if unit == KPI.Unit.COUNT:
        counts.append(value)
    if any(_small(count, threshold) for count in counts):
        return ShownFigure(
            value=SUPPRESSED,
            numerator=None if numerator is None else SUPPRESSED,
            denominator=None if denominator is None else SUPPRESSED,
        )
    return ShownFigure(value=value, numerator=numerator, denominator=denominator)
