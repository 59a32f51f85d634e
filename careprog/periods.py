"""Financial periods: the UK financial year, its quarters and month ends.

The only home of calendar arithmetic in careprog: the financial year runs 1 April to
31 March, so "2024-25 Q3" is October to December 2024 and "2024-25 Q4" is January to
March 2025. A year is named by the calendar year it starts in (2024 for 2024-25). A
period's URL form is its slug, e.g. ``2024-25-q3``. Imports nothing from the apps.

A figure may be stored for any day Python's calendar holds (1 January of year 1 to
31 December 9999), so the arithmetic here never steps outside it: a step before the
first day or after the last stops there (``months_before``, ``one_year_before``,
``financial_year_start``/``_end``), and every stored day lies in a quarter, from
"0000-01 Q4" (January to March of year 1) to "9999-00 Q3".
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass

_PERIOD_RE = re.compile(r"^\s*(\d{4})[-/](\d{2})[\s-]*q([1-4])\s*$", re.IGNORECASE)

FIRST_DAY, LAST_DAY = dt.date.min, dt.date.max
# The first and last quarters whose days Python's calendar holds: every date lies in one.
FIRST_QUARTER, LAST_QUARTER = (0, 4), (9999, 3)


class InvalidPeriod(ValueError):
    """Raised for text that is not a financial quarter such as '2024-25 Q3'."""


# --- Working days ----------------------------------------------------------------------------

# The UK's nations by the code python-holidays gives each (settings.BANK_HOLIDAYS_REGION).
BANK_HOLIDAY_REGIONS = {
    "ENG": "England",
    "WLS": "Wales",
    "SCT": "Scotland",
    "NIR": "Northern Ireland",
}


@functools.cache
def bank_holidays(region: str, year: int) -> frozenset[dt.date]:
    """One nation's bank holidays in a year, substitute days and one-off ones included, from
    python-holidays (imported here, not at start-up: most commands never need it)."""
    import holidays

    return frozenset(holidays.country_holidays("GB", subdiv=region, years=year))


def is_working_day(day: dt.date, region: str) -> bool:
    """Monday to Friday, not a bank holiday in ``region``."""
    return day.weekday() < 5 and day not in bank_holidays(region, day.year)


def add_working_days(day: dt.date, count: int, region: str) -> dt.date:
    """The ``count``th working day after ``day``: the 10th after 31 December 2024 is
    15 January 2025 in England (New Year's Day is not one), 16 January in Scotland (nor is
    2 January there)."""
    while count > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day, region):
            count -= 1
    return day


# --- Financial years and month ends ----------------------------------------------------------


def financial_year_of(day: dt.date) -> int:
    """The financial year a date falls in, named by its first calendar year (2024 for 2024-25)."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(year: int) -> str:
    """'2024-25' for the year starting 1 April 2024 ('0999-00' for 999: four digits, as
    slugs are read)."""
    return f"{year:04d}-{(year + 1) % 100:02d}"


def is_financial_year_label(first: int, second: int) -> bool:
    """Whether '2024' and '25' name consecutive years, as a financial year's label does."""
    return (first + 1) % 100 == second


def _day(year: int, month: int, day: int) -> dt.date:
    """The date, or the calendar's first or last day for a year before or after it."""
    if year < FIRST_DAY.year:
        return FIRST_DAY
    if year > LAST_DAY.year:
        return LAST_DAY
    return dt.date(year, month, day)


def financial_year_start(year: int) -> dt.date:
    return _day(year, 4, 1)


def financial_year_end(year: int) -> dt.date:
    return _day(year + 1, 3, 31)


def months_into_financial_year(day: dt.date) -> int:
    """1 for April ... 12 for March."""
    return (day.month - 4) % 12 + 1


@functools.lru_cache(maxsize=4096)  # imports and generators ask for few month ends, often
def month_end(year: int, month: int) -> dt.date:
    """The last day of the month; the calendar's first or last day outside it."""
    if not FIRST_DAY.year <= year <= LAST_DAY.year:
        return _day(year, month, 1)
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def is_month_end(day: dt.date) -> bool:
    return day == month_end(day.year, day.month)


def is_quarter_end(day: dt.date) -> bool:
    """The last day of June, September, December or March."""
    return is_month_end(day) and day.month in (3, 6, 9, 12)


def is_financial_year_end(day: dt.date) -> bool:
    return day.month == 3 and day.day == 31


def months_before(day: dt.date, months: int) -> dt.date:
    """The month end ``months`` months before the month of ``day``."""
    index = day.year * 12 + day.month - 1 - months
    return month_end(index // 12, index % 12 + 1)


def month_ends_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month end from the month of ``first`` to the month of ``last``, inclusive."""
    months = (last.year - first.year) * 12 + last.month - first.month
    return [months_before(last, n) for n in reversed(range(months + 1))]


def one_year_before(day: dt.date) -> dt.date:
    """The same point a year earlier; a month end maps to a month end (29 Feb ↔ 28 Feb). In
    year 1, the calendar's first day (a year earlier is not in it)."""
    if day.year == FIRST_DAY.year:
        return FIRST_DAY
    if is_month_end(day):
        return month_end(day.year - 1, day.month)
    return dt.date(day.year - 1, day.month, min(day.day, month_end(day.year - 1, day.month).day))


# --- Quarters --------------------------------------------------------------------------------


@dataclass(frozen=True, order=True, slots=True)
class ReportingPeriod:
    """A quarter of the financial year that starts on 1 April of ``year``."""

    year: int
    quarter: int

    def __post_init__(self):
        if self.quarter not in (1, 2, 3, 4):
            raise InvalidPeriod(f"Quarter must be 1 to 4, not {self.quarter}.")
        if not FIRST_QUARTER <= (self.year, self.quarter) <= LAST_QUARTER:
            raise InvalidPeriod(f"{self.year} Q{self.quarter} is outside the calendar.")

    @classmethod
    def parse(cls, text: str) -> ReportingPeriod:
        """Read '2024-25-q3', '2024-25 Q3' or '2024/25 Q3'; the years must be consecutive."""
        match = _PERIOD_RE.match(str(text))
        if not match:
            raise InvalidPeriod(f"{text!r} is not a financial quarter such as '2024-25 Q3'.")
        year, next_year, quarter = int(match[1]), int(match[2]), int(match[3])
        if not is_financial_year_label(year, next_year):
            raise InvalidPeriod(f"{text!r}: {year} is not followed by {next_year:02d}.")
        return cls(year, quarter)

    @classmethod
    def containing(cls, day: dt.date) -> ReportingPeriod:
        """The financial quarter that a date falls in."""
        return cls(financial_year_of(day), (months_into_financial_year(day) - 1) // 3 + 1)

    @classmethod
    def current(cls) -> ReportingPeriod:
        from django.utils import timezone

        return cls.containing(timezone.localdate())

    @property
    def financial_year(self) -> str:
        return financial_year_label(self.year)

    @property
    def label(self) -> str:
        return f"{self.financial_year} Q{self.quarter}"

    @property
    def slug(self) -> str:
        return f"{self.financial_year}-q{self.quarter}"

    @property
    def start(self) -> dt.date:
        month = 4 + 3 * (self.quarter - 1)
        return dt.date(self.year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> dt.date:
        # The month end two months on, not the day before the next quarter: 9999 Q3 has none.
        return months_before(self.start, -2)

    @property
    def months(self) -> str:
        """'October to December 2024': how committee papers name a quarter."""
        end = self.end
        return f"{self.start:%B} to {end:%B} {end.year}"

    def next(self) -> ReportingPeriod:
        if self.quarter == 4:
            return ReportingPeriod(self.year + 1, 1)
        return ReportingPeriod(self.year, self.quarter + 1)

    def previous(self) -> ReportingPeriod:
        if self.quarter == 1:
            return ReportingPeriod(self.year - 1, 4)
        return ReportingPeriod(self.year, self.quarter - 1)

    def a_year_on(self) -> ReportingPeriod:
        """The same quarter of the next financial year: where a programme carried into next
        year reports (actions/carry.py)."""
        return ReportingPeriod(self.year + 1, self.quarter)

    def until(self, last: ReportingPeriod) -> list[ReportingPeriod]:
        """Every period from this one to ``last`` inclusive."""
        periods, period = [], self
        while period <= last:
            periods.append(period)
            if period == last:
                break
            period = period.next()
        return periods

    def __str__(self) -> str:
        return self.label


class ReportingPeriodConverter:
    """URL converter: '2024-25-q3' in a path becomes a ReportingPeriod for the view.

    A slug that matches the pattern but is no real period (e.g. '2024-26-q3') is a 404:
    Django treats the ValueError from ``to_python`` as no match.
    """

    regex = r"\d{4}-\d{2}-q[1-4]"

    def to_python(self, value: str) -> ReportingPeriod:
        return ReportingPeriod.parse(value)

    def to_url(self, value) -> str:
        return (
            value.slug if isinstance(value, ReportingPeriod) else ReportingPeriod.parse(value).slug
        )
