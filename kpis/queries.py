"""Reads for the KPI catalogue. Each function states its query cost."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from actions.models import Objective
from careprog.periods import financial_year_label, financial_year_of, one_year_before
from kpis.models import (
    KPI,
    Area,
    BenchmarkIndicator,
    BenchmarkValue,
    ComparatorValue,
    KPIRank,
    KPITarget,
    KPIValue,
    Origin,
    StatisticalNeighbour,
)
from kpis.rating import (
    RAG,
    Direction,
    Rating,
    direction,
    format_difference,
    format_value,
    period_label,
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
        """'70% (amber within 5 percentage points)'."""
        text = self.show(target.value)
        if not target.amber_tolerance:
            return text
        if target.tolerance_kind == "percent":
            return f"{text} (amber within {target.amber_tolerance.normalize():f}% of the target)"
        tolerance = format_difference(
            target.amber_tolerance, self.kpi.unit, self.kpi.decimal_places
        )
        return f"{text} (amber within {tolerance})"

    @property
    def latest_text(self) -> str:
        return self.show(self.latest.value) if self.latest else "No data yet"

    @property
    def period_text(self) -> str:
        return period_label(self.latest.period_end, self.kpi.frequency) if self.latest else ""

    @property
    def target_text(self) -> str:
        return self.show(self.target.value) if self.target else "No target"

    @property
    def rank_text(self) -> str:
        return rank_text(self.rank)


BAND_EXPLANATION = "band A is the best quarter of councils, D the worst"


def rank_text(rank: KPIRank | None) -> str:
    """'Ranked 34 of 152, band B'; '' without a rank."""
    return f"Ranked {rank.rank} of {rank.out_of}, band {rank.band}" if rank else ""


def with_latest_rank(kpis: QuerySet[KPI]) -> QuerySet[KPI]:
    """Annotate each KPI with its rank for the period of its latest value (any origin, as
    `read` takes the latest period): correlated subqueries, so no query of its own."""
    latest = KPIValue.objects.filter(kpi=OuterRef(OuterRef("pk"))).order_by("-period_end")
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


def preferred_series(values):
    """One figure per period end, oldest first; a real figure wins over an illustrative one.

    Works for values and comparators alike (anything with period_end and is_illustrative).
    """
    by_period = {}
    for value in values:
        current = by_period.get(value.period_end)
        if current is None or (current.is_illustrative and not value.is_illustrative):
            by_period[value.period_end] = value
    return [by_period[day] for day in sorted(by_period)]


def read(kpi: KPI, values, targets, comparators=()) -> KPIReading:
    """Rate a KPI from its values and targets (already fetched): no queries."""
    reading = KPIReading(kpi=kpi, series=preferred_series(values))
    unit, places, polarity = kpi.unit, kpi.decimal_places, kpi.polarity
    latest = reading.latest
    if latest is not None:
        year = financial_year_of(latest.period_end)
        reading.target = next((t for t in targets if t.financial_year == year), None)
        target = reading.target
        reading.rating = rate(
            latest.value,
            target=target.value if target else None,
            tolerance=target.amber_tolerance if target else Decimal(0),
            tolerance_is_percent=bool(target and target.tolerance_kind == "percent"),
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
                f"the previous figure ({period_label(previous.period_end, kpi.frequency)})"
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
            against=f"a year before ({period_label(year_before, kpi.frequency)})",
        )
        for kind in ComparatorValue.Comparator:
            at_latest = preferred_series(
                c for c in comparators if c.comparator == kind and c.period_end == latest.period_end
            )
            if at_latest:
                reading.comparators[kind.value] = at_latest[0]
        reading.rank = _latest_rank(kpi)
    else:
        reading.rating = Rating(RAG.NONE, "No data to rate.")
    return reading


def readings(kpis: QuerySet[KPI] | None = None) -> list[KPIReading]:
    """Every KPI (or those given) read for the dashboard: five queries, whatever the data,
    and five even when there is none (subqueries, not id lists, so no query is skipped).
    Each KPI's rank for its latest period comes with the KPIs, as subqueries."""
    kpis = KPI.objects.all() if kpis is None else kpis
    kpi_list = list(
        with_latest_rank(kpis.select_related("group")).order_by(
            "group__position", "position", "code"
        )
    )
    chosen = KPI.objects.filter(pk__in=kpis.values("pk"))
    values, targets, comparators, objectives = (defaultdict(list) for _ in range(4))
    for value in KPIValue.objects.filter(kpi__in=chosen).order_by("period_end"):
        values[value.kpi_id].append(value)
    for target in KPITarget.objects.filter(kpi__in=chosen):
        targets[target.kpi_id].append(target)
    for comparator in ComparatorValue.objects.filter(kpi__in=chosen):
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
        reading = read(kpi, values[kpi.pk], targets[kpi.pk], comparators[kpi.pk])
        reading.objectives = objectives[kpi.pk]
        result.append(reading)
    return result


def kpi_for_page(code: str) -> tuple[KPI, KPIReading, list[ComparatorValue], list[KPITarget]]:
    """One KPI with all its values, targets, comparators and objectives, and its rank for
    the latest period (a subquery of the first): six queries."""
    kpi = get_object_or_404(with_latest_rank(KPI.objects.select_related("group")), code=code)
    values = list(kpi.values.order_by("period_end"))
    targets = list(kpi.targets.order_by("financial_year"))
    comparators = list(kpi.comparator_values.order_by("period_end", "comparator"))
    reading = read(kpi, values, targets, comparators)
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
    """Newest first, every period with a figure or a comparator: no queries."""
    kpi = reading.kpi
    by_period: dict[dt.date, ValueRow] = {}
    for value in reading.series:
        by_period[value.period_end] = ValueRow(
            value.period_end, period_label(value.period_end, kpi.frequency), value, None, {}
        )
    for kind in ComparatorValue.Comparator:
        for comparator in preferred_series(c for c in comparators if c.comparator == kind):
            row = by_period.setdefault(
                comparator.period_end,
                ValueRow(
                    comparator.period_end,
                    period_label(comparator.period_end, kpi.frequency),
                    None,
                    None,
                    {},
                ),
            )
            row.comparators[kind.value] = comparator
    by_year = {target.financial_year: target for target in targets}
    for row in by_period.values():
        row.target = by_year.get(financial_year_of(row.period_end))
        row.texts = {
            "value": reading.show(row.value.value) if row.value else "No figure",
            "target": reading.show(row.target.value) if row.target else "None",
            **{kind: reading.show(c.value) for kind, c in row.comparators.items()},
        }
    return [by_period[day] for day in sorted(by_period, reverse=True)]


def changes_for_kpi(kpi: KPI):
    """Recorded changes to the KPI's definition, values and targets, newest first: 3 queries."""
    from actions.history import changes_from_records

    def show(name, record, *, unknown=False):
        if unknown:
            return "(not recorded)"
        value = getattr(record, name) if record is not None else None
        if value in (None, ""):
            return "(none)"
        if name in ("value", "amber_tolerance") and isinstance(value, Decimal):
            return format_value(value, kpi.unit, kpi.decimal_places)
        if name == "origin":
            return Origin(value).label
        return str(value)

    kpi_fields = {
        "name": "Name",
        "definition": "Definition",
        "method": "Method",
        "unit": "Unit",
        "polarity": "Polarity",
        "frequency": "Frequency",
        "source": "Source",
    }
    value_fields = {"value": "Value", "note": "Note", "origin": "Origin", "source": "Source"}
    target_fields = {"value": "Target", "amber_tolerance": "Amber tolerance"}
    ordered = ("history_date", "history_id")
    changes = changes_from_records(
        kpi.history.select_related("history_user").order_by(*ordered),
        kpi_fields,
        lambda r: "KPI",
        show,
    )
    changes += changes_from_records(
        KPIValue.history.filter(kpi_id=kpi.pk).select_related("history_user").order_by(*ordered),
        value_fields,
        lambda r: f"Value for {period_label(r.period_end, kpi.frequency)}",
        show,
    )
    changes += changes_from_records(
        KPITarget.history.filter(kpi_id=kpi.pk).select_related("history_user").order_by(*ordered),
        target_fields,
        lambda r: f"Target for {financial_year_label(r.financial_year)}",
        show,
    )
    return sorted(changes, key=lambda change: change.when, reverse=True)


def evidence_by_objective(programme) -> dict[int, list[KPIReading]]:
    """The KPIs evidencing each of a programme's objectives, read: five queries."""
    kpis = KPI.objects.filter(objectives__programme=programme).distinct()
    evidence: dict[int, list[KPIReading]] = defaultdict(list)
    for reading in readings(kpis):
        for objective in reading.objectives:
            if objective.programme_id == programme.pk:
                evidence[objective.pk].append(reading)
    return evidence


# --- Benchmarks: the home council beside its statistical neighbours, region and England ------

TREND_FROM = dt.date(2016, 1, 1)
NOT_PUBLISHED = "not published"


@dataclass
class BenchmarkBar:
    """One area's figure for the latest period, as the bar chart and its table show it."""

    area: Area
    role: str  # "home", "neighbour", "region" or "england"
    label: str  # "Wirral (this council)", "Sefton", "North West (region)"
    value: Decimal | None  # None: suppressed or not published
    text: str
    position: int | None = None  # a neighbour's closeness, 1 the closest

    @property
    def is_home(self) -> bool:
        return self.role == "home"


@dataclass
class BenchmarkPeriod:
    """One period of the trend: the home figure, the neighbours' mean, region and England."""

    period_end: dt.date
    label: str
    home: Decimal | None
    neighbours: Decimal | None
    contributors: int  # neighbours with a published figure
    region: Decimal | None
    england: Decimal | None
    rank: KPIRank | None = None
    texts: dict[str, str] = field(default_factory=dict)


@dataclass
class Benchmark:
    """What the benchmark page shows for a KPI with a DfE indicator."""

    kpi: KPI
    indicator: BenchmarkIndicator | None = None
    home: Area | None = None
    region: Area | None = None
    neighbour_count: int = 0
    latest: BenchmarkPeriod | None = None
    bars: list[BenchmarkBar] = field(default_factory=list)  # published, best first
    unpublished: list[BenchmarkBar] = field(default_factory=list)  # in neighbour order
    trend: list[BenchmarkPeriod] = field(default_factory=list)  # oldest first, since 2016

    @property
    def is_related(self) -> bool:
        return self.kpi.benchmark_relation == "related"

    @property
    def polarity(self) -> str:
        """ "higher", "lower" or "none": the indicator's, else (for the same measure) the KPI's."""
        indicator = self.indicator.polarity if self.indicator else "none"
        if indicator in ("high", "low"):
            return {"high": "higher", "low": "lower"}[indicator]
        return self.kpi.polarity if not self.is_related else "none"

    @property
    def places(self) -> int:
        if self.indicator and self.indicator.decimal_places is not None:
            return self.indicator.decimal_places
        return self.kpi.decimal_places

    @property
    def unit_label(self) -> str:
        if self.indicator and self.indicator.unit:
            return self.indicator.unit
        return self.kpi.get_unit_display()

    def show(self, value: Decimal | None) -> str:
        if value is None:
            return NOT_PUBLISHED
        if self.is_related:  # DfE's measure, in DfE's unit (named in the headings)
            return format_value(value, "count", self.places)
        return format_value(value, self.kpi.unit, self.places)

    @property
    def rank_text(self) -> str:
        return rank_text(self.latest.rank if self.latest else None)

    @property
    def home_name(self) -> str:
        return self.home.name if self.home else "This council"

    @property
    def order_text(self) -> str:
        if self.polarity == "higher":
            return "Best first: higher is better."
        if self.polarity == "lower":
            return "Best first: lower is better."
        return "Highest first: neither higher nor lower is better."

    @property
    def home_place(self) -> int | None:
        """The home council's place among the bars, 1 the first."""
        return next((i for i, bar in enumerate(self.bars, 1) if bar.is_home), None)


def _mean(values: list[Decimal]) -> Decimal | None:
    return sum(values) / len(values) if values else None


def benchmark_for_page(code: str) -> Benchmark:
    """A KPI's DfE benchmark: five queries whatever the years or areas (the KPI, the areas,
    the indicator, their figures, the ranks), or one when the KPI has no benchmark_code."""
    kpi = get_object_or_404(KPI.objects.select_related("group"), code=code)
    page = Benchmark(kpi=kpi)
    if not kpi.benchmark_code:
        return page
    home_la = settings.HOME_LA_NUMBER
    neighbours = StatisticalNeighbour.objects.filter(area__la_number=home_la)
    wanted = (
        Q(la_number=home_la)
        | Q(pk__in=neighbours.values("neighbour"))
        | Q(kind=Area.Kind.REGION, name__in=Area.objects.filter(la_number=home_la).values("region"))
        | Q(kind=Area.Kind.ENGLAND)
    )
    areas = list(
        Area.objects.filter(wanted).annotate(
            neighbour_position=Subquery(
                neighbours.filter(neighbour=OuterRef("pk")).values("position")[:1]
            )
        )
    )
    page.indicator = BenchmarkIndicator.objects.filter(code=kpi.benchmark_code).first()
    figures = list(
        BenchmarkValue.objects.filter(
            indicator__code=kpi.benchmark_code, area__in=Area.objects.filter(wanted)
        ).order_by("period_end")
    )
    ranks = {rank.period_end: rank for rank in KPIRank.objects.filter(kpi=kpi)}

    page.home = next((a for a in areas if a.la_number == home_la), None)
    page.region = next(
        (
            a
            for a in areas
            if a.kind == Area.Kind.REGION and page.home and a.name == page.home.region
        ),
        None,
    )
    england = next((a for a in areas if a.kind == Area.Kind.ENGLAND), None)
    neighbour_areas = sorted(
        (a for a in areas if a.neighbour_position is not None),
        key=lambda a: a.neighbour_position,
    )
    page.neighbour_count = len(neighbour_areas)
    neighbour_ids = {a.pk for a in neighbour_areas}
    by_period: dict[dt.date, dict[int, BenchmarkValue]] = defaultdict(dict)
    for figure in figures:
        by_period[figure.period_end][figure.area_id] = figure

    def value(period: dict[int, BenchmarkValue], area: Area | None) -> Decimal | None:
        figure = period.get(area.pk) if area else None
        return figure.value if figure is not None else None

    for period_end in sorted(by_period):
        period = by_period[period_end]
        published = [
            f.value for f in period.values() if f.area_id in neighbour_ids and f.value is not None
        ]
        row = BenchmarkPeriod(
            period_end=period_end,
            label=next(iter(period.values())).period_label,
            home=value(period, page.home),
            neighbours=_mean(published),
            contributors=len(published),
            region=value(period, page.region),
            england=value(period, england),
            rank=ranks.get(period_end),
        )
        row.texts = {
            name: page.show(getattr(row, name))
            for name in ("home", "neighbours", "region", "england")
        }
        if row.home is not None:
            page.latest = row
        if period_end >= TREND_FROM:
            page.trend.append(row)

    if page.latest is None:
        return page
    period = by_period[page.latest.period_end]
    bars = []
    if page.home:
        bars.append(BenchmarkBar(page.home, "home", f"{page.home.name} (this council)", None, ""))
    bars += [
        BenchmarkBar(a, "neighbour", a.name, None, "", position=a.neighbour_position)
        for a in neighbour_areas
    ]
    if page.region:
        bars.append(BenchmarkBar(page.region, "region", f"{page.region.name} (region)", None, ""))
    if england:
        bars.append(BenchmarkBar(england, "england", "England", None, ""))
    for bar in bars:
        bar.value = value(period, bar.area)
        bar.text = page.show(bar.value)
    page.unpublished = [bar for bar in bars if bar.value is None]
    drawn = [bar for bar in bars if bar.value is not None]
    # Stable sort: on a tie the home council, then the closer neighbour, comes first.
    page.bars = sorted(drawn, key=lambda bar: bar.value, reverse=page.polarity != "lower")
    return page
