"""The checks every figure passes, however it arrives: typed by its owner on the entry form
(kpis/approval.py) or read from a cell of a return (kpis/importing). One rule each, so the
two ways in cannot drift apart; each returns the sentence to show, or None.

A return reports a problem against its cell ("Returns!B2: ..."), the entry form against its
field: the sentences read well after either.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings

from kpis.models import KPI

# What KPI.accepts_period_end asks of each frequency.
PERIOD_END_HINTS = {
    KPI.Frequency.MONTHLY: " (use a month end)",
    KPI.Frequency.QUARTERLY: " (use the end of a quarter: June, September, December, March)",
    KPI.Frequency.ANNUAL: " (use 31 March, the end of the financial year)",
}

_NOT_NEGATIVE = (KPI.Unit.COUNT, KPI.Unit.DAYS, KPI.Unit.RATE_PER_10000)


def unit_name(unit: str) -> str:
    return {
        KPI.Unit.COUNT: "count",
        KPI.Unit.DAYS: "number of days",
        KPI.Unit.RATE_PER_10000: "rate",
    }.get(unit, unit)


def _number(number: Decimal) -> str:
    return f"{number.normalize():f}"


def period_problem(
    kpi: KPI, period_end: dt.date, *, today: dt.date, named: str = "", hint: bool = True
) -> str | None:
    """A figure is for a period that has ended and that fits the measure's frequency.

    ``named`` is how the sentence names the period (a return's wide layout says "the
    column's period, 31 May 2025,"); by default, its date."""
    named = named or f"{period_end:%-d %B %Y}"
    if period_end > today:
        return f"{named} is in the future"
    if not kpi.accepts_period_end(period_end):
        return (
            f"{named} does not fit {kpi.code}, which is {kpi.get_frequency_display().lower()}"
            + (PERIOD_END_HINTS.get(kpi.frequency, "") if hint else "")
        )
    return None


def range_problem(number: Decimal, unit: str) -> str | None:
    """Counts, days and rates cannot be negative; percentages lie between 0 and 100."""
    if unit == KPI.Unit.PERCENTAGE and not 0 <= number <= 100:
        return f"{_number(number)}% is outside 0 to 100"
    if unit in _NOT_NEGATIVE and number < 0:
        return f"{_number(number)} is negative, which a {unit_name(unit)} cannot be"
    return None


def part_problem(name: str, number: Decimal | None) -> str | None:
    """A numerator or denominator counts something: never negative, and a denominator
    never 0 (the database refuses it too)."""
    if number is None:
        return None
    if number < 0:
        return f"the {name} is negative, which a count cannot be"
    if name == "denominator" and number == 0:
        return "the denominator is 0"
    return None


def check_figure(
    kpi: KPI,
    period_end: dt.date,
    value: Decimal,
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
    *,
    today: dt.date,
) -> dict[str, str]:
    """Every problem with one figure, by the name of what is wrong ("period_end", "value",
    "numerator", "denominator"); empty when it may be stored."""
    found = {
        "period_end": period_problem(kpi, period_end, today=today),
        "value": range_problem(value, kpi.unit),
        "numerator": part_problem("numerator", numerator),
        "denominator": part_problem("denominator", denominator),
    }
    return {name: problem for name, problem in found.items() if problem}


def large_move(
    kpi: KPI, period_end: dt.date, previous: Decimal | None, value: Decimal
) -> str | None:
    """A warning when a figure moves by more than KPI_IMPORT_WARN_CHANGE_PERCENT from the
    previous period's: worth a second look, never a refusal."""
    limit = Decimal(settings.KPI_IMPORT_WARN_CHANGE_PERCENT)
    if not previous or abs(value - previous) / abs(previous) * 100 <= limit:
        return None
    return (
        f"{kpi.code} for {period_end:%-d %B %Y}: {_number(value)} is more than "
        f"{_number(limit)}% away from the previous figure, {_number(previous)}. "
        "Check it is right."
    )
