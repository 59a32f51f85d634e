"""LAIT's `Years` text -> the period a figure covers, and which revision of a figure is latest.

Pure functions of the text and the indicator's Year_Type (from DfE's data dictionary), so the
rules are tested as a table (tests/test_lait_import.py). The rules:

- A bare year "2025" is the year of that name ending as the Year_Type says: a financial year
  ends 31 March 2025 (2024-25), an academic year 31 August 2025 (2024/25), a calendar year
  31 December 2025; "Annual (end of Sept)" is 30 September 2025, "Annual - January" is
  31 January 2025 (the January census), and "Annual" is the snapshot at 31 March 2025 (the
  children looked after, in need and on plans at 31 March).
- "2024-25" and "2024/25" name one financial year (to 31 March 2025) or one academic year (to
  31 August 2025) by Year_Type; for any other Year_Type the label is ambiguous and refused.
- "2024-25 (OT)" is a financial-year outturn: 31 March 2025, whatever the Year_Type.
- "2014-16" and "2013/14-15/16" are 3-year figures ending with the last year, read as a bare
  year of the indicator's Year_Type: 2016 (or 2015/16) ends 31 Dec 2016 for a calendar year,
  31 March 2016 for a financial year.
- Anything else (LAIT has a meaningless "0") raises UnparseablePeriod with the reason.

Revisions: "(prov)", "(Rev)" and "(Final)" are stripped from the label and kept as the
figure's revision. When one indicator, area and label is given more than once, in one file or
across imports, the latest is kept. "Latest" is by `revision_rank` first: provisional < not
marked < revised < final; between equal ranks, the later row of a file and the later import
win (a correction published without a new marker). DfE publishes a provisional figure first
and replaces it; LAIT marks the replacement "(Rev)" or "(Final)", or for most series simply
drops the marker (KS1P_*: 2016-2024 unmarked, 2025 "(prov)"; KS5's A3A: 2016-17 unmarked,
2018-19 "(Rev)", 2020-21 "(Final)", 2022-25 "(Rev)"), so an unmarked figure ranks above a
provisional one and below one explicitly revised or final. The 2025 file never gives one
figure twice: the rule decides between releases.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

from kpis.models import BenchmarkIndicator, BenchmarkValue

YearType = BenchmarkIndicator.YearType
Kind = BenchmarkValue.PeriodKind
Revision = BenchmarkValue.Revision

# The dictionary's Year_Type text, compared lower-case with spaces collapsed.
YEAR_TYPES = {
    "financial year": YearType.FINANCIAL,
    "academic year": YearType.ACADEMIC,
    "calendar year": YearType.CALENDAR,
    "annual (end of sept)": YearType.END_OF_SEPTEMBER,
    "annual - january": YearType.JANUARY,
    "annual": YearType.ANNUAL,
}

# A bare year Y of each Year_Type: (month, day) it ends on in year Y, and the period's kind.
_YEAR_ENDS = {
    YearType.FINANCIAL: ((3, 31), Kind.FINANCIAL_YEAR),
    YearType.ACADEMIC: ((8, 31), Kind.ACADEMIC_YEAR),
    YearType.CALENDAR: ((12, 31), Kind.CALENDAR_YEAR),
    YearType.END_OF_SEPTEMBER: ((9, 30), Kind.END_OF_SEPTEMBER),
    YearType.JANUARY: ((1, 31), Kind.JANUARY),
    YearType.ANNUAL: ((3, 31), Kind.SNAPSHOT_MARCH),
}
_SPLIT_YEAR_TYPES = (YearType.FINANCIAL, YearType.ACADEMIC)  # the ones "2024-25" can name

_SUFFIX = re.compile(r"\s*\(([^()]*)\)\s*$")
_TAGS = {
    "prov": Revision.PROVISIONAL,
    "provisional": Revision.PROVISIONAL,
    "rev": Revision.REVISED,
    "revised": Revision.REVISED,
    "final": Revision.FINAL,
}
_OUTTURN = "ot"
_SINGLE = re.compile(r"(\d{4})")
_SPAN = re.compile(r"(\d{4})([-/])(\d{2}|\d{4})")
_THREE_SPLIT_YEARS = re.compile(r"(\d{4})/(\d{2})-(\d{2})/(\d{2})")

_RANKS = {Revision.PROVISIONAL: 0, Revision.NONE: 1, Revision.REVISED: 2, Revision.FINAL: 3}


class Period(NamedTuple):
    label: str  # the Years text without its revision, e.g. "2025", "2024-25"
    end: dt.date
    kind: str  # a BenchmarkValue.PeriodKind
    revision: str  # a BenchmarkValue.Revision


class UnparseablePeriod(ValueError):
    """The Years text names no period we can date; str() is the reason, for the report."""


def year_type_from_text(text: str) -> str | None:
    """The dictionary's Year_Type ('Academic Year', 'Annual - January'...) or None."""
    return YEAR_TYPES.get(" ".join(text.split()).lower())


def revision_rank(revision: str) -> int:
    """Higher is later: provisional 0, not marked 1, revised 2, final 3."""
    return _RANKS[revision]


def parse_period(years: str, year_type: str) -> Period:
    """The period LAIT's `Years` text names for an indicator of `year_type` (see the module
    docstring for the rules); UnparseablePeriod if it names none."""
    body, revision, outturn = _strip_suffixes(years)
    if year_type not in _YEAR_ENDS:
        raise UnparseablePeriod(f"unknown Year_Type {year_type!r}")

    if match := _SINGLE.fullmatch(body):
        year = int(match[1])
        if outturn:
            return Period(body, _date(year, 3, 31), Kind.OUTTURN, revision)
        return Period(body, *_year_end(year, year_type), revision)

    if match := _SPAN.fullmatch(body):
        start, separator = int(match[1]), match[2]
        end_year = _full_year(start, match[3])
        if end_year == start + 1:
            if outturn:
                return Period(body, _date(end_year, 3, 31), Kind.OUTTURN, revision)
            if year_type not in _SPLIT_YEAR_TYPES:
                raise UnparseablePeriod(f"a split year for a {_label(year_type)} measure")
            return Period(body, *_year_end(end_year, year_type), revision)
        if end_year == start + 2 and separator == "-" and not outturn:
            end, _ = _year_end(end_year, year_type)
            return Period(body, end, Kind.THREE_YEARS, revision)
        raise UnparseablePeriod("not a one-year or three-year range")

    if (match := _THREE_SPLIT_YEARS.fullmatch(body)) and not outturn:
        first = int(match[1])
        first_end = _full_year(first, match[2])
        last_start = _full_year(first, match[3])
        last_end = _full_year(last_start, match[4])
        if first_end != first + 1 or last_start != first + 2 or last_end != last_start + 1:
            raise UnparseablePeriod("not three consecutive split years")
        if year_type not in _SPLIT_YEAR_TYPES:
            raise UnparseablePeriod(f"split years for a {_label(year_type)} measure")
        end, _ = _year_end(last_end, year_type)
        return Period(body, end, Kind.THREE_YEARS, revision)

    if not body:
        raise UnparseablePeriod("empty")
    if body.strip("0") == "":
        raise UnparseablePeriod("no year (0)")
    raise UnparseablePeriod("not a year LAIT uses")


def _strip_suffixes(years: str) -> tuple[str, str, bool]:
    """'2024-25 (OT)' -> ('2024-25', '', True); '2025 (prov)' -> ('2025', 'prov', False)."""
    body, revision, outturn = years.strip(), Revision.NONE, False
    while match := _SUFFIX.search(body):
        tag = " ".join(match[1].split()).lower()
        if tag == _OUTTURN:
            outturn = True
        elif tag in _TAGS and revision == Revision.NONE:
            revision = _TAGS[tag]
        else:
            raise UnparseablePeriod(f"unknown marker ({match[1]})")
        body = body[: match.start()]
    return body, revision, outturn


def _year_end(year: int, year_type: str) -> tuple[dt.date, str]:
    (month, day), kind = _YEAR_ENDS[year_type]
    return _date(year, month, day), kind


def _date(year: int, month: int, day: int) -> dt.date:
    if not 1900 <= year <= 2200:
        raise UnparseablePeriod(f"year {year} is out of range")
    return dt.date(year, month, day)


def _full_year(start: int, digits: str) -> int:
    """The year '16' means after `start` (2014 -> 2016; 2099 and '01' -> 2101)."""
    if len(digits) == 4:
        return int(digits)
    year = start - start % 100 + int(digits)
    return year + 100 if year < start else year


def _label(year_type: str) -> str:
    return YearType(year_type).label.lower()
