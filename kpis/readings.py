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

from django.db.models import Min, OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from actions.models import Objective
from careprog.periods import ReportingPeriod, financial_year_of, one_year_before
from kpis.models import KPI, ComparatorValue, KPIRank, KPITarget, KPIValue
from kpis.rating import (
    RAG,
    Direction,
    Rating,
    describe_target,
    direction,
    format_value,
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
    objectives: list[Objective] = field(default_factory=list)  # the objectives it evidences
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
    def period_text(self) -> str:
        return period_name(self.latest.period_end, self.kpi) if self.latest else ""

    @property
    def target_text(self) -> str:
        return self.show(self.target.value) if self.target else "No target"

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


def with_latest_rank(kpis: QuerySet[KPI], as_at: dt.date | None = None) -> QuerySet[KPI]:
    """Annotate each KPI with its rank for the period of its latest value on or before
    ``as_at`` (any origin, as `rate_kpi` takes the latest period): correlated subqueries, so
    no query of its own."""
    latest = _up_to(KPIValue.objects.filter(kpi=OuterRef(OuterRef("pk"))), as_at).order_by(
        "-period_end"
    )
    rank = KPIRank.objects.filter(
        kpi=OuterRef("pk"), period_end=Subquery(latest.values("period_end")[:1])
    )
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


def rate_kpi(kpi: KPI, series, targets, comparators=()) -> KPIReading:
    """Rate a KPI from what is already fetched: no queries. `series` and `comparators` are
    the preferred figures (`FigureQuerySet.preferred()`), the series oldest first."""
    reading = KPIReading(kpi=kpi, series=list(series))
    unit, places, polarity = kpi.unit, kpi.decimal_places, kpi.polarity
    latest = reading.latest
    if latest is None:
        reading.rating = Rating(RAG.NONE, "No data to rate.")
        return reading
    year = financial_year_of(latest.period_end)
    reading.target = next((t for t in targets if t.financial_year == year), None)
    target = reading.target
    reading.rating = rate(
        latest.value,
        target=target.value if target else None,
        tolerance=target.amber_tolerance if target else Decimal(0),
        tolerance_is_percent=bool(target and target.tolerance_kind == KPITarget.Tolerance.PERCENT),
        polarity=polarity,
        unit=unit,
        places=places,
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


def readings(kpis: QuerySet[KPI] | None = None, as_at: dt.date | None = None) -> list[KPIReading]:
    """Every KPI (or those given) read for the dashboard, as at ``as_at`` if given: five
    queries, whatever the data and the date, and five even when there is none (subqueries,
    not id lists, so no query is skipped). Each KPI's rank for its latest period comes with
    the KPIs, as subqueries."""
    kpis = KPI.objects.all() if kpis is None else kpis
    kpi_list = list(
        with_latest_rank(kpis.select_related("group"), as_at).order_by(
            "group__position", "position", "code"
        )
    )
    chosen = KPI.objects.filter(pk__in=kpis.values("pk"))
    values, targets, comparators, objectives = (defaultdict(list) for _ in range(4))
    chosen_values = _up_to(KPIValue.objects.filter(kpi__in=chosen), as_at)
    for value in chosen_values.preferred().order_by("period_end"):
        values[value.kpi_id].append(value)
    chosen_targets = _targets_up_to(KPITarget.objects.filter(kpi__in=chosen), as_at)
    for target in chosen_targets.order_by("financial_year"):
        targets[target.kpi_id].append(target)
    preferred = _up_to(ComparatorValue.objects.filter(kpi__in=chosen), as_at).preferred()
    for comparator in preferred.order_by("period_end", "comparator"):
        comparators[comparator.kpi_id].append(comparator)
    links = (
        KPI.objectives.through.objects.filter(kpi__in=chosen)
        .select_related("objective__programme")
        .order_by("objective__programme__name", "objective__position")
    )
    for link in links:
        objectives[link.kpi_id].append(link.objective)
    result = []
    for kpi in kpi_list:
        reading = rate_kpi(kpi, values[kpi.pk], targets[kpi.pk], comparators[kpi.pk])
        reading.objectives = objectives[kpi.pk]
        result.append(reading)
    return result


def kpi_for_page(
    code: str, as_at: dt.date | None = None
) -> tuple[KPI, KPIReading, list[ComparatorValue], list[KPITarget]]:
    """One KPI with its preferred values and comparators, its targets and objectives, and its
    rank for the latest period (a subquery of the first), as at ``as_at`` if given: five
    queries either way."""
    kpi = get_object_or_404(with_latest_rank(KPI.objects.select_related("group"), as_at), code=code)
    values = _up_to(kpi.values.all(), as_at).preferred().order_by("period_end")
    targets = list(_targets_up_to(kpi.targets.all(), as_at).order_by("financial_year"))
    comparators = list(
        _up_to(kpi.comparator_values.all(), as_at).preferred().order_by("period_end", "comparator")
    )
    reading = rate_kpi(kpi, values, targets, comparators)
    reading.objectives = list(
        kpi.objectives.select_related("programme").order_by("programme__name", "position")
    )
    return kpi, reading, comparators, targets


@dataclass
class ValueRow:
    """One period of a KPI's page table: our figure, the year's target and comparators."""

    period_end: dt.date
    label: str
    value: KPIValue | None
    target: KPITarget | None
    comparators: dict[str, ComparatorValue]
    texts: dict[str, str] = field(default_factory=dict)  # each figure as printed


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
            **{kind: reading.show(c.value) for kind, c in row.comparators.items()},
        }
    return [by_period[day] for day in sorted(by_period, reverse=True)]


def evidence_by_objective(programme, as_at: dt.date | None = None) -> dict[int, list[KPIReading]]:
    """The KPIs evidencing each of a programme's objectives, read as at ``as_at`` if given
    (a report's period end, a paper's "figures as at" date): five queries."""
    kpis = KPI.objects.filter(objectives__programme=programme).distinct()
    evidence: dict[int, list[KPIReading]] = defaultdict(list)
    for reading in readings(kpis, as_at):
        for objective in reading.objectives:
            if objective.programme_id == programme.pk:
                evidence[objective.pk].append(reading)
    return evidence


def as_at_periods(today: dt.date | None = None) -> list[ReportingPeriod]:
    """The quarters a reader may see the figures as at, newest first: from the quarter of the
    earliest stored value to the current quarter (none without values). One query."""
    earliest = KPIValue.objects.aggregate(earliest=Min("period_end"))["earliest"]
    if earliest is None:
        return []
    current = ReportingPeriod.containing(today) if today else ReportingPeriod.current()
    return ReportingPeriod.containing(earliest).until(current)[::-1]
