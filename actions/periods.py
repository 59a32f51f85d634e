"""Reporting periods: quarters of the UK financial year.

The financial year runs 1 April to 31 March, so "2024-25 Q3" is October to
December 2024 and "2024-25 Q4" is January to March 2025. A period's URL form
is its slug, e.g. ``2024-25-q3``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_PERIOD_RE = re.compile(r"^\s*(\d{4})[-/](\d{2})[\s-]*q([1-4])\s*$", re.IGNORECASE)

MIN_YEAR = 1900
MAX_YEAR = 9998


class InvalidPeriod(ValueError):
    """Raised for text that is not a financial quarter such as '2024-25 Q3'."""


@dataclass(frozen=True, order=True, slots=True)
class ReportingPeriod:
    """A quarter of the financial year that starts on 1 April of ``year``."""

    year: int
    quarter: int

    def __post_init__(self):
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise InvalidPeriod(f"Financial year {self.year} is out of range.")
        if self.quarter not in (1, 2, 3, 4):
            raise InvalidPeriod(f"Quarter must be 1 to 4, not {self.quarter}.")

    @classmethod
    def parse(cls, text: str) -> ReportingPeriod:
        """Read '2024-25-q3', '2024-25 Q3' or '2024/25 Q3'; the years must be consecutive."""
        match = _PERIOD_RE.match(str(text))
        if not match:
            raise InvalidPeriod(f"{text!r} is not a financial quarter such as '2024-25 Q3'.")
        year, next_year, quarter = int(match[1]), int(match[2]), int(match[3])
        if (year + 1) % 100 != next_year:
            raise InvalidPeriod(f"{text!r}: {year} is not followed by {next_year:02d}.")
        return cls(year, quarter)

    @classmethod
    def containing(cls, day: dt.date) -> ReportingPeriod:
        """The financial quarter that a date falls in."""
        months_into_year = (day.month - 4) % 12
        year = day.year if day.month >= 4 else day.year - 1
        return cls(year, months_into_year // 3 + 1)

    @classmethod
    def current(cls) -> ReportingPeriod:
        from django.utils import timezone

        return cls.containing(timezone.localdate())

    @property
    def financial_year(self) -> str:
        return f"{self.year}-{(self.year + 1) % 100:02d}"

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
        return self.next().start - dt.timedelta(days=1)

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

    def until(self, last: ReportingPeriod) -> list[ReportingPeriod]:
        """Every period from this one to ``last`` inclusive."""
        periods, period = [], self
        while period <= last:
            periods.append(period)
            period = period.next()
        return periods

    def __str__(self) -> str:
        return self.label
