"""The KPI catalogue read for the dashboard, a KPI's page and the committee report.

A reading is one KPI with its latest figure rated, its direction of travel, comparators and
rank; the rules and words come from kpis/rating.py. Each read here states its query cost.

Every read takes an optional ``as_at`` date, to read the figures as at that date. Only values,
comparators and ranks for periods ending on or before it are fetched, and targets only for
financial years that had begun by then, so the latest figure is the latest on or before the
date and nothing later is rated, compared or shown. The filters are conditions of the same
queries, so a read costs the same with or without a date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, F, Min, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from careprog.periods import (
    FIRST_DAY,
    ReportingPeriod,
    financial_year_of,
    months_before,
    one_year_before,
)
from kpis import reading_cache
from kpis.models import KPI, ComparatorValue, KPIRank, KPITarget, KPIValue, Origin
from kpis.rating import (
    RAG,
    Direction,
    Rating,
    describe_target,
    direction,
    figure_standing,
    format_value,
    own_figure,
    period_name,
    rank_text,
    rate,
)

TREND_POINTS = 13


@dataclass
class KPIReading:
    """What a dashboard shows for one KPI: its latest figure and how to read it."""

    kpi: KPI
    series: list[KPIValue]  # one per period end, real figures preferred, oldest first
    target: KPITarget | None = None
    rating: Rating | None = None
    vs_previous: Direction | None = None
    vs_year_before: Direction | None = None
    comparators: dict[str, ComparatorValue] = field(default_factory=dict)
    rank: KPIRank | None = None  # among all councils, for the latest period, when DfE ranks it

    @property
    def latest(self) -> KPIValue | None:
        return self.series[-1] if self.series else None

    @property
    def trend(self) -> list[KPIValue]:
        return self.series[-TREND_POINTS:]

    @property
    def any_illustrative(self) -> bool:
        return any(v.is_illustrative for v in self.trend) or bool(
            self.target and self.target.is_illustrative
        )

    def show(self, value: Decimal | None) -> str:
        return format_value(value, self.kpi.unit, self.kpi.decimal_places)

    def describe_target(self, target: KPITarget) -> str:
        return describe_target(target, self.kpi.unit, self.kpi.decimal_places)

    @property
    def latest_text(self) -> str:
        return self.show(self.latest.value) if self.latest else "No data yet"

    @property
    def own_figure_text(self) -> str:
        """Beside the latest figure: the council's own where it differs from DfE's, or
        "Provisional" (kpis.rating.own_figure)."""
        return own_figure(self.latest, self.kpi)

    @property
    def standing_text(self) -> str:
        """The latest figure beside DfE's, in a sentence (kpis.rating.figure_standing)."""
        return figure_standing(self.latest, self.kpi)

    @property
    def period_text(self) -> str:
        return period_name(self.latest.period_end, self.kpi) if self.latest else ""

    @property
    def target_text(self) -> str:
        if self.target:
            return self.show(self.target.value)
        return (
            "No agreed target" if self.latest and not self.latest.is_illustrative else "No target"
        )

    @property
    def rating_is_real(self) -> bool:
        """A real figure rated against an agreed target: what summary counts count."""
        return (
            self.rating is not None
            and self.rating.rag is not RAG.NONE
            and not self.latest.is_illustrative
            and not self.target.is_illustrative
        )

    @property
    def rank_text(self) -> str:
        return rank_text(self.rank)


def _up_to(figures: QuerySet, as_at: dt.date | None) -> QuerySet:
    """Values or comparators for periods ending on or before ``as_at`` (all of them without)."""
    return figures if as_at is None else figures.filter(period_end__lte=as_at)


def _targets_up_to(targets: QuerySet[KPITarget], as_at: dt.date | None) -> QuerySet[KPITarget]:
    """Targets for the financial years begun by ``as_at``: a value on or before it can only
    be rated against one of these, and a later year's target is not shown as if it were known."""
    if as_at is None:
        return targets
    return targets.filter(financial_year__lte=financial_year_of(as_at))


def _latest_end(as_at: dt.date | None, *, real: bool, before: bool = False) -> Subquery:
    """The period end of a KPI's latest value on or before ``as_at`` (its latest real one if
    ``real``; the one before its ``latest_end`` if ``before``), as a correlated subquery of
    the KPI."""
    values = _up_to(KPIValue.objects.filter(kpi=OuterRef("pk")), as_at)
    if before:
        values = values.filter(period_end__lt=OuterRef("latest_end"))
    if real:
        values = values.real()
    return Subquery(values.order_by("-period_end").values("period_end")[:1])


def with_latest_rank(kpis: QuerySet[KPI], as_at: dt.date | None = None) -> QuerySet[KPI]:
    """Annotate each KPI with the period of the figure read as its latest on or before
    ``as_at`` (``latest_end``: its latest real figure where it has one, else its latest
    illustrative one, as `honest_series` reads it; ``has_real``) and its rank for that period:
    correlated subqueries, so no query of its own."""
    kpis = kpis.annotate(latest_real_end=_latest_end(as_at, real=True)).annotate(
        latest_end=Coalesce(F("latest_real_end"), _latest_end(as_at, real=False))
    )
    kpis = kpis.annotate(
        previous_end=Case(
            When(latest_real_end__isnull=False, then=_latest_end(as_at, real=True, before=True)),
            default=_latest_end(as_at, real=False, before=True),
        )
    )
    rank = KPIRank.objects.filter(kpi=OuterRef("pk"), period_end=OuterRef("latest_end"))
    return kpis.annotate(
        **{
            f"latest_rank_{name}": Subquery(rank.values(name)[:1])
            for name in ("period_end", "rank", "out_of", "band")
        }
    )


def _latest_rank(kpi: KPI) -> KPIRank | None:
    if getattr(kpi, "latest_rank_rank", None) is None:
        return None
    return KPIRank(
        kpi=kpi,
        period_end=kpi.latest_rank_period_end,
        rank=kpi.latest_rank_rank,
        out_of=kpi.latest_rank_out_of,
        band=kpi.latest_rank_band,
    )


def honest_series(series) -> list[KPIValue]:
    """A KPI's series as read: where it has real figures, only those. An illustrative figure
    is then never its latest (a later invented value must not displace an earlier real one),
    nor the previous figure a real one is compared with."""
    series = list(series)
    if any(not value.is_illustrative for value in series):
        return [value for value in series if not value.is_illustrative]
    return series


def target_for(latest: KPIValue, targets) -> tuple[KPITarget | None, KPITarget | None]:
    """The target that may rate ``latest`` (its financial year's, of the same standing), and
    the year's target that may not: an illustrative target never rates a real figure."""
    year = financial_year_of(latest.period_end)
    target = next((t for t in targets if t.financial_year == year), None)
    if target and target.is_illustrative and not latest.is_illustrative:
        return None, target
    return target, None


def rate_figure(
    kpi: KPI, value: Decimal, *, illustrative: bool, target: KPITarget | None
) -> Rating:
    """One figure rated against its financial year's target (None if the year has none):
    the rule a reading's latest figure and each figure in the API are rated by. An
    illustrative target never rates a real figure. No queries."""
    if target and target.is_illustrative and not illustrative:
        if kpi.polarity != KPI.Polarity.NONE:
            return Rating(
                RAG.NONE,
                "Not rated: no agreed target for this year. The illustrative target is "
                "demonstration data and does not rate a real figure.",
            )
        target = None
    return rate(
        value,
        target=target.value if target else None,
        tolerance=target.amber_tolerance if target else Decimal(0),
        tolerance_is_percent=bool(target and target.tolerance_kind == KPITarget.Tolerance.PERCENT),
        polarity=kpi.polarity,
        unit=kpi.unit,
        places=kpi.decimal_places,
    )


def rate_kpi(kpi: KPI, series, targets, comparators=()) -> KPIReading:
    """Rate a KPI from what is already fetched: no queries. `series` and `comparators` are
    the preferred figures (`FigureQuerySet.preferred()`), the series oldest first; where the
    series holds real figures only they are read (`honest_series`)."""
    reading = KPIReading(kpi=kpi, series=honest_series(series))
    unit, places, polarity = kpi.unit, kpi.decimal_places, kpi.polarity
    latest = reading.latest
    if latest is None:
        reading.rating = Rating(RAG.NONE, "No data to rate.")
        return reading
    reading.target, unusable = target_for(latest, targets)
    reading.rating = rate_figure(
        kpi, latest.value, illustrative=latest.is_illustrative, target=reading.target or unusable
    )
    previous = reading.series[-2] if len(reading.series) > 1 else None
    reading.vs_previous = direction(
        latest.value,
        previous.value if previous else None,
        polarity=polarity,
        unit=unit,
        places=places,
        against=(
            f"the previous figure ({period_name(previous.period_end, kpi)})"
            if previous
            else "the previous figure"
        ),
    )
    year_before = one_year_before(latest.period_end)
    earlier = next((v for v in reading.series if v.period_end == year_before), None)
    reading.vs_year_before = direction(
        latest.value,
        earlier.value if earlier else None,
        polarity=polarity,
        unit=unit,
        places=places,
        against=f"a year before ({period_name(year_before, kpi)})",
    )
    at_latest = {c.comparator: c for c in comparators if c.period_end == latest.period_end}
    for kind in ComparatorValue.Comparator:
        if kind in at_latest:
            reading.comparators[kind.value] = at_latest[kind]
    reading.rank = _latest_rank(kpi)
    return reading


MONTHS_PER_PERIOD = {KPI.Frequency.MONTHLY: 1, KPI.Frequency.QUARTERLY: 3, KPI.Frequency.ANNUAL: 12}


def drawn_periods(kpi: KPI) -> tuple[dt.date, dt.date] | None:
    """The periods a one-line reading of ``kpi`` draws, as (from, up to), both inclusive:
    the trend's TREND_POINTS periods up to its latest figure, which hold the figure a year
    before, and the previous figure however long before. None without a figure. Needs the
    annotations of `with_latest_rank`. (Inclusive, so that a figure on the calendar's first
    day, which has no day before it, is drawn.)"""
    if kpi.latest_end is None:
        return None
    months = MONTHS_PER_PERIOD.get(kpi.frequency, 1) * (TREND_POINTS - 1)
    # The day after the month end a month more back: a value "at 1 February" a year before
    # is still in. (That month end is before the latest figure: there is a day after it.)
    back = months_before(kpi.latest_end, months + 1)
    first = back if back == FIRST_DAY else back + dt.timedelta(days=1)
    if kpi.previous_end and kpi.previous_end < first:
        first = kpi.previous_end
    return first, kpi.latest_end


def _drawn(kpi_list: list[KPI], *, latest_only: bool = False) -> Q:
    """Values (or comparators) in the periods each KPI's reading draws: one condition per
    distinct window, which KPIs of one frequency and latest period share, so the condition
    stays short however many KPIs there are and nothing older is read."""
    windows: dict[tuple, list[int]] = defaultdict(list)
    for kpi in kpi_list:
        window = drawn_periods(kpi)
        if window:
            windows[(*window, kpi.latest_real_end is not None)].append(kpi.pk)
    # Without a window, a condition that matches nothing but still runs: a page's query count
    # does not depend on the data. (Not OR-ed with the windows: SQLite would scan the table.)
    condition = Q(kpi_id=None)
    for number, ((first, up_to, real_only), ids) in enumerate(windows.items()):
        period = (
            Q(period_end=up_to) if latest_only else Q(period_end__gte=first, period_end__lte=up_to)
        )
        window = Q(kpi_id__in=ids) & period & (~Q(origin=Origin.ILLUSTRATIVE) if real_only else Q())
        condition = window if number == 0 else condition | window
    return condition


def readings(kpis: QuerySet[KPI] | None = None, as_at: dt.date | None = None) -> list[KPIReading]:
    """Every KPI (or those given) read for the dashboard, as at ``as_at`` if given, from the
    cache when no figure, target or the catalogue has changed since it was last read
    (kpis.reading_cache: no query then); else `read_catalogue`'s four queries."""
    kpis = KPI.objects.all() if kpis is None else kpis
    return reading_cache.cached_readings(kpis, as_at, lambda: read_catalogue(kpis, as_at))


def read_catalogue(kpis: QuerySet[KPI], as_at: dt.date | None = None) -> list[KPIReading]:
    """The KPIs given read for the dashboard, as at ``as_at`` if given, from the database.

    Reads only what a one-line reading draws: each KPI's values for its trend's periods
    (`drawn_periods`) and its comparators for its latest period, so the cost does not grow
    with the length of the stored history. Four queries, whatever the data and the date (the
    KPIs, with their latest period and rank as subqueries; values; targets; comparators); one
    when there are no KPIs."""
    kpi_list = list(
        with_latest_rank(kpis.select_related("group"), as_at).order_by(
            "group__position", "position", "code"
        )
    )
    # Subqueries, not id lists, and a condition that matches nothing rather than none: with
    # no KPIs the queries still run, so a page's count does not depend on the data.
    ids = KPI.objects.filter(pk__in=kpis.values("pk")).values("pk")
    values, targets, comparators = (defaultdict(list) for _ in range(3))
    for value in KPIValue.objects.filter(_drawn(kpi_list)).preferred().order_by("period_end"):
        values[value.kpi_id].append(value)
    chosen_targets = _targets_up_to(KPITarget.objects.filter(kpi_id__in=ids), as_at)
    for target in chosen_targets.order_by("financial_year"):
        targets[target.kpi_id].append(target)
    at_latest = ComparatorValue.objects.filter(_drawn(kpi_list, latest_only=True)).preferred()
    for comparator in at_latest.order_by("period_end", "comparator"):
        comparators[comparator.kpi_id].append(comparator)
    return [rate_kpi(kpi, values[kpi.pk], targets[kpi.pk], comparators[kpi.pk]) for kpi in kpi_list]


def rating_counts(readings: list[KPIReading]) -> dict[RAG, int]:
    """How many readings are rated each way, counting real ratings only (a real figure
    against an agreed target); the rest are counted as not rated."""
    counts = dict.fromkeys(RAG, 0)
    for reading in readings:
        counts[reading.rating.rag if reading.rating_is_real else RAG.NONE] += 1
    return counts


def kpi_with_rank(code: str, as_at: dt.date | None = None) -> KPI:
    """The KPI ``code`` with its group and its rank for the latest period as at ``as_at``:
    one query (404 if there is none)."""
    return get_object_or_404(
        with_latest_rank(KPI.objects.select_related("group"), as_at), code=code
    )


def kpi_for_page(
    code: str, as_at: dt.date | None = None, *, kpi: KPI | None = None
) -> tuple[KPI, KPIReading, list[ComparatorValue], list[KPITarget]]:
    """One KPI with its preferred values and comparators, its targets, and its rank for the
    latest period (a subquery of the first), as at ``as_at`` if given: four queries either
    way, three when ``kpi`` is given as `kpi_with_rank` read it for the same date."""
    kpi = kpi or kpi_with_rank(code, as_at)
    values = _up_to(kpi.values.all(), as_at).preferred().order_by("period_end")
    targets = list(_targets_up_to(kpi.targets.all(), as_at).order_by("financial_year"))
    comparators = list(
        _up_to(kpi.comparator_values.all(), as_at).preferred().order_by("period_end", "comparator")
    )
    reading = rate_kpi(kpi, values, targets, comparators)
    return kpi, reading, comparators, targets


@dataclass
class ValueRow:
    """One period of a KPI's page table: our figure with its commentary, the year's target
    and comparators."""

    period_end: dt.date
    label: str
    value: KPIValue | None
    target: KPITarget | None
    comparators: dict[str, ComparatorValue]
    texts: dict[str, str] = field(default_factory=dict)  # each figure as printed

    @property
    def commentary(self) -> str:
        """The owner's approved words on our figure for the period."""
        return self.value.commentary if self.value else ""


def value_table(
    reading: KPIReading, comparators: list[ComparatorValue], targets: list[KPITarget]
) -> list[ValueRow]:
    """Newest first, every period with a figure or a comparator: no queries. `comparators`
    are the preferred ones, as `kpi_for_page` gives them; the table holds only what it
    fetched, so nothing after its ``as_at``."""
    kpi = reading.kpi
    by_period: dict[dt.date, ValueRow] = {}

    def row_for(period_end: dt.date) -> ValueRow:
        if period_end not in by_period:
            label = period_name(period_end, kpi)
            by_period[period_end] = ValueRow(period_end, label, None, None, {})
        return by_period[period_end]

    for value in reading.series:
        row_for(value.period_end).value = value
    for kind in ComparatorValue.Comparator:
        for comparator in comparators:
            if comparator.comparator == kind:
                row_for(comparator.period_end).comparators[kind.value] = comparator
    by_year = {target.financial_year: target for target in targets}
    for row in by_period.values():
        row.target = by_year.get(financial_year_of(row.period_end))
        row.texts = {
            "value": reading.show(row.value.value) if row.value else "No figure",
            "target": reading.show(row.target.value) if row.target else "None",
            "standing": figure_standing(row.value, kpi),
            **{kind: reading.show(c.value) for kind, c in row.comparators.items()},
        }
    return [by_period[day] for day in sorted(by_period, reverse=True)]


AS_AT_YEARS = 5  # how far back the "Figures as at" choice goes: committees look back a term


def as_at_periods(today: dt.date | None = None) -> list[ReportingPeriod]:
    """The quarters a reader may choose to see the figures as at, newest first: from the
    quarter of the earliest stored value (at most AS_AT_YEARS years back) to the current
    quarter; none without values. The dashboard explains any other quarter asked for.
    One query."""
    earliest = KPIValue.objects.aggregate(earliest=Min("period_end"))["earliest"]
    if earliest is None:
        return []
    current = ReportingPeriod.containing(today) if today else ReportingPeriod.current()
    first = max(
        ReportingPeriod.containing(earliest),
        ReportingPeriod(current.year - AS_AT_YEARS, current.quarter),
    )
    return first.until(current)[::-1]
