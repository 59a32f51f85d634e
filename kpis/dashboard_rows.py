"""A KPI read at a glance: one line each on the dashboard and under a report's objectives,
the sentences that explain it a click away, and the dashboard's filters and sorts.

No queries: everything here works on readings already fetched (kpis/readings.py), so a
filter or a sort costs a page nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from careprog.periods import one_year_before
from kpis.charts import Sparkline, sparkline
from kpis.models import ComparatorValue, KPIGroup, KPIRank
from kpis.rating import BAND_EXPLANATION, RAG, Direction, Travel
from kpis.readings import KPIReading

# Worst first; anything else (not rated, no figure) after them.
RATINGS_WORST_FIRST = (RAG.RED, RAG.AMBER, RAG.GREEN)
TRAVEL_WORSENING_FIRST = (Travel.WORSENING, Travel.NO_CHANGE, Travel.IMPROVING, Travel.CHANGED)
BANDS_WORST_FIRST = (KPIRank.Band.D, KPIRank.Band.C, KPIRank.Band.B, KPIRank.Band.A)


def _place(order: tuple, item) -> int:
    return order.index(item) if item in order else len(order)


@dataclass(frozen=True)
class KPILine:
    """One KPI as a line: its reading and its trend drawn small."""

    reading: KPIReading
    spark: Sparkline | None

    @classmethod
    def of(cls, reading: KPIReading) -> KPILine:
        return cls(reading, sparkline(reading))

    @property
    def travel(self) -> Direction | None:
        """The direction the line shows: since the previous figure."""
        return self.reading.vs_previous

    @property
    def band(self) -> str:
        return self.reading.rank.band if self.reading.rank else ""

    @property
    def directions(self) -> list[Direction]:
        """The sentences on travel, each said once. An annual measure's previous figure is
        the one a year before, so it gets the year-before sentence alone; with no earlier
        figure at all, one sentence says so."""
        reading = self.reading
        if len(reading.series) < 2:
            return [reading.vs_previous] if reading.vs_previous else []
        previous = reading.series[-2].period_end
        if previous == one_year_before(reading.latest.period_end):
            return [reading.vs_year_before]
        return [d for d in (reading.vs_previous, reading.vs_year_before) if d]

    @property
    def comparators(self) -> list[tuple[str, str]]:
        """(name, figure as printed) for each comparator of the latest period."""
        return [
            (kind.label, self.reading.show(self.reading.comparators[kind.value].value))
            for kind in ComparatorValue.Comparator
            if kind.value in self.reading.comparators
        ]

    @property
    def target_described(self) -> str:
        reading = self.reading
        return reading.describe_target(reading.target) if reading.target else ""

    @property
    def rank_short(self) -> str:
        """'134 of 152 (D)': the column is headed "Rank (band)" and the key explains it."""
        rank = self.reading.rank
        return f"{rank.rank} of {rank.out_of} ({rank.band})" if rank else ""


@dataclass(frozen=True)
class Sort:
    key: str
    label: str
    order: Callable[[KPILine], int] | None  # None: the catalogue's order, by group


SORTS = (
    Sort("group", "Group, in the strategy's order", None),
    Sort(
        "rating",
        "Rating, worst first",
        lambda line: _place(RATINGS_WORST_FIRST, line.reading.rating.rag),
    ),
    Sort(
        "direction",
        "Direction, worsening first",
        lambda line: _place(TRAVEL_WORSENING_FIRST, line.travel and line.travel.travel),
    ),
    Sort("band", "Band, worst first", lambda line: _place(BANDS_WORST_FIRST, line.band)),
)
SORT_BY_KEY = {sort.key: sort for sort in SORTS}


def chosen(
    lines: Iterable[KPILine], *, rag: str = "", travel: str = "", band: str = ""
) -> list[KPILine]:
    """The lines matching every filter given ('' is no filter): keys of RAG, Travel, a band."""
    return [
        line
        for line in lines
        if (not rag or line.reading.rating.rag.key == rag)
        and (not travel or (line.travel is not None and line.travel.travel.key == travel))
        and (not band or line.band == band)
    ]


def in_order(lines: list[KPILine], sort: Sort) -> list[KPILine]:
    """Sorted by ``sort``; ties keep the catalogue's order (a stable sort of lines in it)."""
    return lines if sort.order is None else sorted(lines, key=sort.order)


def sections(lines: list[KPILine], sort: Sort) -> list[tuple[KPIGroup | None, list[KPILine]]]:
    """The lines under their groups, in the catalogue's order; one section, without a
    group, when sorted any other way (a group heading would repeat down the page)."""
    result: list[tuple[KPIGroup | None, list[KPILine]]] = []
    for line in lines:
        heading = line.reading.kpi.group if sort.order is None else None
        if not result or result[-1][0] != heading:
            result.append((heading, []))
        result[-1][1].append(line)
    return result


@dataclass(frozen=True)
class Key:
    """What the key above some lines explains, once: every rating and direction; the rank
    and the "Illustrative" tag only when a line shows them."""

    ranked: bool
    illustrative: bool
    ratings: tuple[RAG, ...] = tuple(RAG)
    travels: tuple[Travel, ...] = tuple(Travel)
    band_explanation: str = BAND_EXPLANATION

    @classmethod
    def of(cls, lines: Iterable[KPILine]) -> Key:
        readings = [line.reading for line in lines]
        return cls(
            ranked=any(r.rank for r in readings),
            illustrative=any(r.any_illustrative for r in readings),
        )
