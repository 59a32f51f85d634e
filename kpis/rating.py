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

from careprog.periods import (
    ReportingPeriod,
    financial_year_label,
    is_financial_year_end,
    is_month_end,
    is_quarter_end,
)
from kpis.models import KPI, BenchmarkValue, KPIRank, KPITarget, KPIValue, Origin


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


def date_text(day: dt.date) -> str:
    """'31 March 2025': a day, as every page writes one."""
    return f"{day.day} {day:%B %Y}"


def _academic_year(end: dt.date) -> str:
    return financial_year_label(end.year - 1)


def _three_years(end: dt.date) -> str:
    """'2021-22 to 2023-24' (financial years), '2021-22 to 2023-24 academic years',
    '2022 to 2024' (calendar years); '3 years to ...' for any other end."""
    if is_financial_year_end(end):
        return f"{financial_year_label(end.year - 3)} to {financial_year_label(end.year - 1)}"
    if (end.month, end.day) == (8, 31):
        first, last = financial_year_label(end.year - 3), financial_year_label(end.year - 1)
        return f"{first} to {last} academic years"
    if (end.month, end.day) == (12, 31):
        return f"{end.year - 2} to {end.year}"
    return f"3 years to {f'{end:%B %Y}' if is_month_end(end) else date_text(end)}"


def _is_academic_year(end: dt.date, frequency: str, measurement: str) -> bool:
    """A figure to 31 August is DfE's academic year (attainment, absence, exclusions) when it
    is annual, or covers a year (rolling, or to date by quarters) yet ends on no quarter."""
    if (end.month, end.day) != (8, 31):
        return False
    if frequency == KPI.Frequency.ANNUAL or measurement == KPI.Measurement.ROLLING_12_MONTHS:
        return True
    return measurement == KPI.Measurement.YEAR_TO_DATE and frequency == KPI.Frequency.QUARTERLY


def _year_to_date(end: dt.date, frequency: str) -> str:
    """'2024-25' at the year's end, '2024-25 Q1 to Q3', 'April to December 2024'."""
    year = ReportingPeriod.containing(end).financial_year
    if is_financial_year_end(end):
        return year
    if frequency == KPI.Frequency.QUARTERLY and is_quarter_end(end):
        quarter = ReportingPeriod.containing(end).quarter
        return f"{year} Q1" if quarter == 1 else f"{year} Q1 to Q{quarter}"
    if frequency == KPI.Frequency.MONTHLY and is_month_end(end):
        if end.month == 4:
            return f"{end:%B %Y}"
        return f"April to {end:%B %Y}" if end.month > 4 else f"April {end.year - 1} to {end:%B %Y}"
    return f"{year} to {date_text(end)}"


def _in_period(end: dt.date, frequency: str) -> str:
    """What happened in the period the figure covers: 'January 2025', '2024-25 Q3',
    '2024-25'; by its date when it ends no such period."""
    if frequency == KPI.Frequency.MONTHLY and is_month_end(end):
        return f"{end:%B %Y}"
    if frequency == KPI.Frequency.QUARTERLY and is_quarter_end(end):
        return ReportingPeriod.containing(end).label
    if frequency == KPI.Frequency.ANNUAL and is_financial_year_end(end):
        return ReportingPeriod.containing(end).financial_year
    return date_text(end)


def _rolling_year(end: dt.date) -> str:
    """The 12 months to a 31 March are the financial year: '2024-25'; else
    '12 months to December 2024'."""
    if is_financial_year_end(end):
        return ReportingPeriod.containing(end).financial_year
    return f"12 months to {f'{end:%B %Y}' if is_month_end(end) else date_text(end)}"


Kind = BenchmarkValue.PeriodKind
_NAME_BY_KIND = {  # DfE's kinds of period: the day each ends on, and its name
    Kind.JANUARY: ((1, 31), lambda end: f"{end:%B %Y}"),  # the January school census
    Kind.FINANCIAL_YEAR: ((3, 31), _rolling_year),
    Kind.OUTTURN: ((3, 31), _rolling_year),
    Kind.ACADEMIC_YEAR: ((8, 31), lambda end: f"{_academic_year(end)} academic year"),
    Kind.CALENDAR_YEAR: ((12, 31), lambda end: f"{end.year}"),
    Kind.THREE_YEARS: (None, _three_years),
}


def _dfe_period_name(end: dt.date, kind: str) -> str:
    """A DfE figure by its kind of period; a snapshot (at 31 March, at the end of September)
    or a day the kind does not end on, by its date."""
    day, name = _NAME_BY_KIND.get(kind, (None, date_text))
    return name(end) if day in (None, (end.month, end.day)) else date_text(end)


def period_name(period_end: dt.date, kpi: KPI | None = None, *, kind: str = "") -> str:
    """The one name of the period a figure covers, on every page, chart and paper.

    A KPI's figure is named by what its measurement says it counts:

    - a snapshot, by its date: "31 March 2025" (children in care are counted on a day);
    - over the period (discharges in a quarter), by the period: "January 2025", "2024-25 Q3",
      "2024-25";
    - year to date: "2024-25 Q1 to Q3", "April to December 2024", and "2024-25" at 31 March;
    - rolling 12 months: "12 months to December 2024", and "2024-25" at 31 March;
    - a 3-year average: "2021-22 to 2023-24" (financial years);
    - a year's figure ending 31 August is DfE's academic year: "2023-24 academic year", as
      the school measures (attainment, absence, exclusions) are (see _is_academic_year).

    A DfE figure (``kind``, a BenchmarkValue.PeriodKind) is named as the KPI's own figure
    when it is the KPI's measure, so that one figure reads the same on the dashboard, the
    KPI's page and the benchmark page; without a KPI (a related measure) its kind names it
    the same way: "31 March 2025" for the snapshot at 31 March, "2024-25" for a financial
    year, "2023-24 academic year", "2024" for a calendar year. A 3-year figure is named as
    one whatever the KPI. Names are unique per measure: two period ends never share one.
    """
    three_years = KPI.Measurement.THREE_YEAR_AVERAGE
    if kpi is not None and kind and (kind == Kind.THREE_YEARS) != (kpi.measurement == three_years):
        kpi = None  # DfE's 3-year figure beside a yearly measure, or the reverse
    if kpi is None:
        return _dfe_period_name(period_end, kind)
    frequency, measurement = kpi.frequency, kpi.measurement
    if measurement == three_years:
        return _three_years(period_end)
    if _is_academic_year(period_end, frequency, measurement):
        return f"{_academic_year(period_end)} academic year"
    if measurement == KPI.Measurement.YEAR_TO_DATE:
        return _year_to_date(period_end, frequency)
    if measurement == KPI.Measurement.ROLLING_12_MONTHS:
        return _rolling_year(period_end)
    if measurement == KPI.Measurement.IN_PERIOD:
        return _in_period(period_end, frequency)
    return date_text(period_end)


def describe_target(target: KPITarget, unit: str, places: int = 0) -> str:
    """'70% (amber within 5 percentage points)', '70% (amber within 5% of the target)'."""
    text = format_value(target.value, unit, places)
    if not target.amber_tolerance:
        return text
    if target.tolerance_kind == KPITarget.Tolerance.PERCENT:
        return f"{text} (amber within {_plain(target.amber_tolerance)}% of the target)"
    return f"{text} (amber within {format_difference(target.amber_tolerance, unit, places)})"


BAND_EXPLANATION = "band A is the best quarter of councils, D the worst"


def _shown(value: Decimal, kpi: KPI) -> str:
    return format_value(value, kpi.unit, kpi.decimal_places)


def dfe_publishes(value: Decimal, kpi: KPI) -> str:
    """What a return's cell or an owner's form is told where DfE publishes its period."""
    return f"DfE publishes {_shown(value, kpi)} for this period"


PROVISIONAL = "Provisional: the council's own figure; DfE has not published this period yet."


def own_figure(figure: KPIValue | None, kpi: KPI) -> str:
    """The council's own figure where it differs from DfE's ("Council's own figure: 91.0%"),
    or "Provisional" where DfE publishes the measure and has not yet published this year: the
    short words beside a figure on a one-line reading. '' where there is nothing to say."""
    if figure is None or figure.is_illustrative:
        return ""
    if figure.origin == Origin.DFE:
        if not figure.own_figure_differs:
            return ""
        return f"Council's own figure: {_shown(figure.local_value, kpi)}"
    # DfE publishes once a year, for the year to (or at) 31 March: a month's or a quarter's
    # figure at another end is the council's own count, which DfE never publishes.
    awaited = kpi.published_by_dfe and is_financial_year_end(figure.period_end)
    return "Provisional" if awaited else ""


def figure_standing(figure: KPIValue | None, kpi: KPI) -> str:
    """How a period's figure stands beside DfE's, in a sentence: DfE's figure is the
    official one, and the council's own is shown where it differs, or marked provisional
    until DfE publishes the period. '' where there is nothing to say (a measure DfE does not
    publish, or the two agree)."""
    short = own_figure(figure, kpi)
    if short == "Provisional":
        return PROVISIONAL
    if short and figure.dfe_published_on:
        return (
            f"DfE published {_shown(figure.value, kpi)} on {date_text(figure.dfe_published_on)}; "
            f"the council's own figure was {_shown(figure.local_value, kpi)}."
        )
    return f"{short}." if short else ""


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
