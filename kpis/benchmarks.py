"""A KPI's benchmark page: the home council beside its statistical neighbours, region and
England, from DfE's published figures (the benchmark tables kpis/lait/ loads)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.shortcuts import get_object_or_404

from kpis.comparators import comparator_areas, comparators_for_period
from kpis.models import KPI, Area, BenchmarkIndicator, BenchmarkRelation, BenchmarkValue, KPIRank
from kpis.rating import format_value, period_name, rank_text

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
        return self.kpi.benchmark_relation == BenchmarkRelation.RELATED

    @property
    def polarity(self) -> str:
        """A KPI.Polarity: the indicator's, else (for the same measure) the KPI's."""
        if self.indicator and self.indicator.kpi_polarity != KPI.Polarity.NONE:
            return self.indicator.kpi_polarity
        return KPI.Polarity.NONE if self.is_related else self.kpi.polarity

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

    @property
    def unit(self) -> str:
        """The KPI.Unit the figures are written in: DfE's related measure as a plain number."""
        return KPI.Unit.COUNT if self.is_related else self.kpi.unit

    @property
    def is_total(self) -> bool:
        """Whether the region's and England's figures are totals of many councils' (a count,
        a sum of money), not on the council's scale."""
        if self.is_related:
            return bool(self.indicator and self.indicator.unit.lower().startswith("number"))
        return self.kpi.is_total

    def show(self, value: Decimal | None) -> str:
        if value is None:
            return NOT_PUBLISHED
        # A related measure is in DfE's unit, named in the headings.
        return format_value(value, self.unit, self.places)

    @property
    def rank_text(self) -> str:
        return rank_text(self.latest.rank if self.latest else None)

    @property
    def home_name(self) -> str:
        return self.home.name if self.home else "This council"

    @property
    def order_text(self) -> str:
        if self.polarity == KPI.Polarity.HIGHER_IS_BETTER:
            return "Best first: higher is better."
        if self.polarity == KPI.Polarity.LOWER_IS_BETTER:
            return "Best first: lower is better."
        return "Highest first: neither higher nor lower is better."

    @property
    def home_place(self) -> int | None:
        """The home council's place among the bars, 1 the first."""
        return next((i for i, bar in enumerate(self.bars, 1) if bar.is_home), None)


def benchmark_for_page(code: str) -> Benchmark:
    """A KPI's DfE benchmark: five queries whatever the years or areas (the KPI, the areas,
    the indicator, their figures, the ranks), or one when the KPI has no benchmark_code."""
    kpi = get_object_or_404(KPI.objects.select_related("group"), code=code)
    page = Benchmark(kpi=kpi)
    if not kpi.benchmark_code:
        return page
    areas = comparator_areas(settings.HOME_LA_NUMBER)
    page.indicator = BenchmarkIndicator.objects.filter(code=kpi.benchmark_code).first()
    figures = BenchmarkValue.objects.filter(
        indicator__code=kpi.benchmark_code, area_id__in=areas.ids
    ).order_by("period_end", "area_id", "period_label")
    ranks = {rank.period_end: rank for rank in KPIRank.objects.filter(kpi=kpi)}

    page.home, page.region = areas.home, areas.region
    page.neighbour_count = len(areas.neighbours)
    by_period: dict[dt.date, dict[int, BenchmarkValue]] = defaultdict(dict)
    for figure in figures:
        by_period[figure.period_end][figure.area_id] = figure

    def value(period: dict[int, BenchmarkValue], area: Area | None) -> Decimal | None:
        figure = period.get(area.pk) if area else None
        return figure.value if figure is not None else None

    # DfE's figure for the KPI's own measure is named as the KPI's figure for the period is, so
    # it reads the same here as on the dashboard; a related measure by DfE's kind of period.
    own = None if page.is_related else kpi
    for period_end in sorted(by_period):
        period = by_period[period_end]
        found = comparators_for_period({a: f.value for a, f in period.items()}, areas)
        row = BenchmarkPeriod(
            period_end=period_end,
            label=period_name(period_end, own, kind=next(iter(period.values())).period_kind),
            home=value(period, page.home),
            neighbours=found.neighbours,
            contributors=found.contributors,
            region=found.region,
            england=found.england,
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
        for a in areas.neighbours
    ]
    if page.region:
        bars.append(BenchmarkBar(page.region, "region", f"{page.region.name} (region)", None, ""))
    if areas.england:
        bars.append(BenchmarkBar(areas.england, "england", "England", None, ""))
    for bar in bars:
        bar.value = value(period, bar.area)
        bar.text = page.show(bar.value)
    page.unpublished = [bar for bar in bars if bar.value is None]
    drawn = [bar for bar in bars if bar.value is not None]
    # Stable sort: on a tie the home council, then the closer neighbour, comes first.
    page.bars = sorted(
        drawn, key=lambda bar: bar.value, reverse=page.polarity != KPI.Polarity.LOWER_IS_BETTER
    )
    return page
