"""Reading one cell of a return as a period or a value, by the rules administrators expect.

Each function returns the converted value or raises CellProblem with the sentence to show
after the cell reference ("Returns!C14: 'n/a' is not a number").
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from decimal import Decimal, InvalidOperation

from careprog.periods import (
    InvalidPeriod,
    ReportingPeriod,
    financial_year_end,
    is_financial_year_label,
    month_end,
)
from kpis.figure_checks import range_problem
from kpis.importing.reader import excel_datetime
from kpis.models import KPI

MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
MONTHS["sept"] = 9


class CellProblem(ValueError):
    pass


_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[t ][\d:.]+)?$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_UK_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_MONTH_YEAR = re.compile(r"^([a-z]+)[\s\-/]+(\d{4}|\d{2})$")
_FINANCIAL_YEAR = re.compile(r"^(\d{4})[-/](\d{2})$")
_QUARTER_FIRST = re.compile(r"^q([1-4])\s+(\d{4}[-/]\d{2})$")


def _date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellProblem(f"{year}-{month:02d}-{day:02d} is not a real date") from None


@functools.lru_cache(maxsize=4096)  # a return names few periods, over and over
def parse_period(value, *, kind: str = "text", date1904: bool = False) -> dt.date:
    """The period end a cell names: a date, an Excel serial date, ISO text, 'Jan 2025',
    '2024-25 Q3' (31 December 2024) or '2024-25' (31 March 2025)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, dt.time):
        raise CellProblem(
            f"is a time ({value:%H:%M:%S}), not a period: enter a date or a month such as Jan 2025"
        )
    if isinstance(value, bool) or value is None:
        raise CellProblem("is not a period")
    if isinstance(value, int | float):
        # An Excel serial date, read as the reader reads a date-formatted cell.
        if value < 1:  # day 0, or a time alone, names no period
            raise CellProblem(f"{value!r} is not a date")
        try:
            return excel_datetime(value, date1904).date()
        except (ValueError, OverflowError):
            raise CellProblem(f"{value!r} is not a date") from None
    text = " ".join(str(value).split()).lower()
    if not text:
        raise CellProblem("is empty: enter a period such as Jan 2025 or 2024-25 Q3")
    if match := _ISO_DAY.match(text):
        return _date(int(match[1]), int(match[2]), int(match[3]))
    if match := _UK_DAY.match(text):
        return _date(int(match[3]), int(match[2]), int(match[1]))
    if (match := _FINANCIAL_YEAR.match(text)) and is_financial_year_label(
        int(match[1]), int(match[2])
    ):
        # Consecutive years are a financial year: "2011-12" is 2011-12, not December 2011.
        return financial_year_end(int(match[1]))
    if match := _ISO_MONTH.match(text):
        if not 1 <= int(match[2]) <= 12:
            raise CellProblem(f"'{value}' is not a month")
        return month_end(int(match[1]), int(match[2]))
    if match := _MONTH_YEAR.match(text):
        month = MONTHS.get(match[1])
        if month:
            year = int(match[2]) + (2000 if len(match[2]) == 2 else 0)
            return month_end(year, month)
    if match := _QUARTER_FIRST.match(text):
        text = f"{match[2]} q{match[1]}"
    try:
        return ReportingPeriod.parse(text).end
    except InvalidPeriod:
        pass
    raise CellProblem(
        f"'{value}' is not a period: use a date, a month such as Jan 2025, "
        "a quarter such as 2024-25 Q3 or a financial year such as 2024-25"
    )


_NUMBER_TEXT = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?$")
FOUR_PLACES = Decimal("0.0001")


def _decimal(number) -> Decimal:
    if isinstance(number, float):
        number = repr(number)
    try:
        return Decimal(number).quantize(FOUR_PLACES)
    except InvalidOperation:
        raise CellProblem(f"'{number}' is too large") from None


def parse_number(value, *, kind: str, percent_format: bool, unit: str) -> Decimal:
    """A value in the KPI's unit. For percentages '63', '63%' and 0.63 shown as a percentage
    all mean 63."""
    if kind == "formula_without_value":
        raise CellProblem(
            "has a formula with no saved result: "
            "open the file in Excel, save it and upload it again"
        )
    if kind == "error":
        raise CellProblem(f"'{value}' is an Excel error, not a number")
    if kind == "date":
        raise CellProblem("is a date, not a number")
    if kind == "time":
        raise CellProblem("is a time, not a number")
    if isinstance(value, bool):
        raise CellProblem(f"'{value}' is not a number")
    if value is None or (isinstance(value, str) and not value.strip()):
        raise CellProblem("is empty: enter a number")
    if isinstance(value, int | float):
        number = _decimal(value)
        if percent_format:
            if unit != KPI.Unit.PERCENTAGE:
                raise CellProblem("is formatted as a percentage but this measure is not one")
            number = _decimal(value * 100)
        return number
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    percent = text.endswith("%")
    if percent:
        if unit != KPI.Unit.PERCENTAGE:
            raise CellProblem(f"'{value}' is a percentage but this measure is not one")
        text = text[:-1]
    if text.startswith("£") or text.startswith("-£"):
        text = text.replace("£", "", 1)
    if not text or not _NUMBER_TEXT.match(text) or text in {"-", "+", "."}:
        raise CellProblem(f"'{value}' is not a number")
    return _decimal(text.replace(",", ""))


def check_range(number: Decimal, unit: str) -> None:
    """The shared range rule (kpis.figure_checks.range_problem), raised for a cell."""
    if problem := range_problem(number, unit):
        raise CellProblem(problem)
