"""Pure rules for reading a KPI: its words (a value, a gap, a period, a target, a rank), its
RAG rating and its direction of travel. No queries.

Every rating carries the sentence that explains it, so that a councillor can see how far
from target a figure is and which rule produced the colour. The words live here, beside the
rules, because those sentences are made of them: a page that prints a figure and a rating
that explains it must say it the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

from careprog.periods import ReportingPeriod, is_financial_year_end, is_month_end, is_quarter_end
from kpis.models import KPI, KPIRank, KPITarget


def _rounded(value: Decimal, places: int) -> Decimal:
    # "+ 0" turns a negative zero (e.g. -0.4 shown to no places) into zero: never "-0" or "-£0".
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) + 0


def _number(value: Decimal, places: int) -> str:
    return f"{_rounded(value, places):,.{places}f}"


def _plain(number: Decimal) -> str:
    """A number as given, without trailing zeros: 10 -> '10', 2.25 -> '2.25'."""
    text = f"{Decimal(number):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_value(value: Decimal | None, unit: str, places: int = 0) -> str:
    """'63.0%', '87 per 10,000', '412 days', '£4,531,000', '699'."""
    if value is None:
        return "No data"
    if unit == KPI.Unit.PERCENTAGE:
        return f"{_number(value, places)}%"
    if unit == KPI.Unit.RATE_PER_10000:
        return f"{_number(value, places)} per 10,000"
    if unit == KPI.Unit.DAYS:
        text = _number(value, places)
        return f"{text} day" if text == "1" else f"{text} days"
    if unit == KPI.Unit.CURRENCY:
        sign = "-" if _rounded(value, places) < 0 else ""
        return f"{sign}£{_number(abs(value), places)}"
    return _number(value, places)


def format_difference(difference: Decimal, unit: str, places: int = 0) -> str:
    """A gap between two values, in words that suit the unit ('2.5 percentage points')."""
    size = abs(difference)
    if unit == KPI.Unit.PERCENTAGE:
        text = _number(size, places)
        return f"{text} percentage point" + ("" if text == "1" else "s")
    return format_value(size, unit, places)


def period_label(period_end: dt.date, frequency: str) -> str:
    """How a committee paper names the period a value covers."""
    if not is_month_end(period_end):
        return f"at {period_end.day} {period_end:%B %Y}"
    if frequency == KPI.Frequency.MONTHLY:
        return f"{period_end:%B %Y}"
    if frequency == KPI.Frequency.QUARTERLY and is_quarter_end(period_end):
        return ReportingPeriod.containing(period_end).label
    if frequency == KPI.Frequency.ANNUAL and is_financial_year_end(period_end):
        return ReportingPeriod.containing(period_end).financial_year
    return f"at {period_end.day} {period_end:%B %Y}"


def describe_target(target: KPITarget, unit: str, places: int = 0) -> str:
    """'70% (amber within 5 percentage points)', '70% (amber within 5% of the target)'."""
    text = format_value(target.value, unit, places)
    if not target.amber_tolerance:
        return text
    if target.tolerance_kind == KPITarget.Tolerance.PERCENT:
        return f"{text} (amber within {_plain(target.amber_tolerance)}% of the target)"
    return f"{text} (amber within {format_difference(target.amber_tolerance, unit, places)})"


BAND_EXPLANATION = "band A is the best quarter of councils, D the worst"


def rank_text(rank: KPIRank | None) -> str:
    """'Ranked 34 of 152, band B'; '' without a rank."""
    return f"Ranked {rank.rank} of {rank.out_of}, band {rank.band}" if rank else ""


class RAG(Enum):
    GREEN = ("green", "On target", "●", "govuk-tag--green")
    AMBER = ("amber", "Near target", "▲", "govuk-tag--orange")
    RED = ("red", "Off target", "■", "govuk-tag--red")
    NONE = ("none", "Not rated", "○", "govuk-tag--grey")

    def __init__(self, key, label, shape, tag_class):
        self.key, self.label, self.shape, self.tag_class = key, label, shape, tag_class


@dataclass(frozen=True)
class Rating:
    rag: RAG
    explanation: str


def rate(
    value: Decimal | None,
    *,
    target: Decimal | None,
    tolerance: Decimal = Decimal(0),
    tolerance_is_percent: bool = False,
    polarity: str,
    unit: str,
    places: int = 0,
) -> Rating:
    """Green on or better than target; amber short of it by no more than the tolerance;
    red further off. A measure with no polarity or no target is not rated."""
    if value is None:
        return Rating(RAG.NONE, "No data to rate.")
    if polarity == KPI.Polarity.NONE:
        return Rating(RAG.NONE, "Not rated: neither higher nor lower is better for this measure.")
    if target is None:
        return Rating(RAG.NONE, "Not rated: no target is set for this year.")
    value, target = _rounded(value, places), _rounded(target, places)  # rate what is shown
    shortfall = (target - value) if polarity == KPI.Polarity.HIGHER_IS_BETTER else (value - target)
    shown_target = format_value(target, unit, places)
    # The allowance is a distance, so a percentage of a negative target is still positive; and
    # like the value and target it is taken as shown, so the sentence never contradicts the colour.
    allowed = _rounded(abs(target) * tolerance / 100 if tolerance_is_percent else tolerance, places)
    allowed_text = (
        f"{_plain(tolerance)}% of the target ({format_difference(allowed, unit, places)})"
        if tolerance_is_percent
        else format_difference(allowed, unit, places)
    )
    direction = "above" if polarity == KPI.Polarity.HIGHER_IS_BETTER else "below"
    if shortfall <= 0:
        gap = (
            "exactly on target"
            if shortfall == 0
            else f"{format_difference(shortfall, unit, places)} better than"
        )
        how = gap if shortfall == 0 else f"{gap} the target of {shown_target}"
        return Rating(RAG.GREEN, f"Green: {how}. Rule: at or {direction} target is green.")
    gap = f"{format_difference(shortfall, unit, places)} worse than the target of {shown_target}"
    if shortfall <= allowed:
        return Rating(RAG.AMBER, f"Amber: {gap}, within the amber tolerance of {allowed_text}.")
    return Rating(RAG.RED, f"Red: {gap}, beyond the amber tolerance of {allowed_text}.")


class Travel(Enum):
    IMPROVING = ("improving", "Improving", "↑")
    WORSENING = ("worsening", "Worsening", "↓")
    NO_CHANGE = ("no_change", "No change", "→")
    CHANGED = ("changed", "Changed", "↕")
    UNKNOWN = ("unknown", "No earlier figure", "–")

    def __init__(self, key, label, arrow):
        self.key, self.label, self.arrow = key, label, arrow


@dataclass(frozen=True)
class Direction:
    travel: Travel
    explanation: str


def direction(
    value: Decimal | None,
    earlier: Decimal | None,
    *,
    polarity: str,
    unit: str,
    places: int = 0,
    against: str = "the previous figure",
) -> Direction:
    """Improving or worsening by the measure's polarity, never a bare "increase".

    Values are compared as shown (rounded to the KPI's decimal places), so a change too
    small to see is no change.
    """
    if value is None or earlier is None:
        return Direction(Travel.UNKNOWN, f"No figure for {against} to compare with.")
    change = _rounded(value, places) - _rounded(earlier, places)
    was = format_value(earlier, unit, places)
    if change == 0:
        return Direction(Travel.NO_CHANGE, f"No change from {was}, {against}.")
    size = format_difference(change, unit, places)
    moved = "up" if change > 0 else "down"
    if polarity == KPI.Polarity.NONE:
        return Direction(
            Travel.CHANGED,
            f"{moved.capitalize()} {size} from {was}, {against}; "
            "neither higher nor lower is better for this measure.",
        )
    better = (change > 0) == (polarity == KPI.Polarity.HIGHER_IS_BETTER)
    travel = Travel.IMPROVING if better else Travel.WORSENING
    return Direction(travel, f"{travel.label}: {moved} {size} from {was}, {against}.")
