"""DfE's published figures -> the home council's KPIs: values, comparators and ranks.

`sync()` reads the benchmark tables (loaded by `manage.py import_lait`) and, for every KPI that
DfE publishes under the same definition (`benchmark_relation` SAME and a `benchmark_code` whose
indicator is loaded), writes:

- a KPIValue (origin DFE) for each period in which the home council (the Area whose LA number is
  settings.HOME_LA_NUMBER) has a published figure; a suppressed figure gives no value at all,
  never a zero. Source: "DfE LAIT: <code> (<period label>)", with the revision if LAIT marks one,
  e.g. "DfE LAIT: KS1P_all (2025, prov)".
- ComparatorValues (origin DFE) for each period: statistical neighbours, the mean of the home
  council's current neighbours that have a published figure, with `contributors` saying how
  many; the home council's region (the REGION Area named as the council's region); England.
  A comparator with no published figure for the period gets no row. They are computed by
  kpis/comparators.py, as the benchmark page computes what it shows, and stored to 4 places.
- a KPIRank for each period in which the home council has a published figure: its place among
  all local authorities (Area kind LA) with a published figure, by the indicator's polarity.
  Ties share the best place (competition ranking: 1, 2, 2, 4); `out_of` counts the LAs with a
  figure. The band is DfE's LAIT quartile banding (see `band`). No rank is written when the
  indicator has no polarity, when the dictionary marks it No_Quartile, when the KPI has no
  polarity, or when the KPI's polarity contradicts DfE's (reported).

Which of an indicator's periods a KPI takes: a KPI measured as a 3-year average takes LAIT's
3-year figures ("2014-16") only, any other KPI everything but them. Values are stored to the
KPI tables' 4 decimal places (half up); ranks and bands use DfE's figures as stored.

What is owned here, and so kept exactly in step with the benchmark tables: every KPIValue and
ComparatorValue with origin DFE whose source starts "DfE LAIT: ", and every KPIRank. After a
sync they are exactly what the current mapping and the stored DfE data give: rows of KPIs no
longer mapped SAME, or whose indicator is not loaded, are deleted; changed figures are updated
in place; a second run writes nothing. No figure of another origin is lost: where DfE
publishes a period that holds the council's own figure (a
return, an entry or a published report's), DfE's figure becomes the period's value, the official
one for pages, ratings, ranks and papers, and the council's own is kept beside it
(KPIValue.local_*) with the day DfE's arrived (`dfe_published_on`: the indicator's last update in
DfE's dictionary, else the day of the sync); each is reported, with whether it differs. A DfE
figure keyed in by hand holds its period. Where DfE's figure for a period is withdrawn, the
council's own kept beside it becomes the period's value again.
Illustrative values and comparators of the KPIs synced are deleted: a public source covers them.

One transaction, bulk writes. django-simple-history records neither bulk inserts nor these
deletes: DfE's rows are reproducible from the benchmark tables, which are the record.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from careprog.bulk import insert_history
from kpis.comparators import ComparatorAreas, comparator_areas, comparators_for_period
from kpis.lait.loading import Counts
from kpis.models import (
    KPI,
    Area,
    BenchmarkIndicator,
    BenchmarkRelation,
    BenchmarkValue,
    ComparatorValue,
    KPIRank,
    KPIValue,
    Origin,
)
from kpis.reading_cache import figures_changed

DFE = Origin.DFE
Comparator = ComparatorValue.Comparator
Polarity = BenchmarkIndicator.Polarity
PUBLISHED = BenchmarkValue.Status.PUBLISHED
THREE_YEARS = BenchmarkValue.PeriodKind.THREE_YEARS
PLACES = Decimal("0.0001")  # KPIValue and ComparatorValue hold 4 decimal places
BATCH = 500
SOURCE = "DfE LAIT: "  # how every row written here starts its source, and how it is known
OWN = Q(origin=DFE, source__startswith=SOURCE)  # the values and comparators this module owns


class NoHomeArea(Exception):
    """No Area has the home council's LA number: the LA list is not loaded."""


@dataclass
class KPISync:
    """What the sync found for one KPI."""

    kpi: str
    indicator: str
    values: int = 0  # published periods of the home council
    suppressed: list[str] = field(default_factory=list)  # period labels not published
    ranked: int = 0
    no_rank: str = ""  # why no rank is written, if none is
    kept: list[str] = field(default_factory=list)  # the council's own figures kept, and how
    duplicate_periods: list[str] = field(default_factory=list)


@dataclass
class Report:
    home: Area
    kpis: list[KPISync] = field(default_factory=list)
    unknown_indicators: list[tuple[str, str]] = field(default_factory=list)  # (kpi, code)
    values: Counts = field(default_factory=Counts)
    comparators: Counts = field(default_factory=Counts)
    ranks: Counts = field(default_factory=Counts)
    illustrative_deleted: int = 0
    neighbours: int = 0
    region: str = ""
    england: bool = False


# --- Pure rules: rank, band ------------------------------------------------------------------


def competition_rank(value: Decimal, others: list[Decimal], polarity: str) -> int:
    """1 + how many of `others` (every LA's figure, this one's included or not) are better."""
    if polarity == Polarity.HIGH:
        return 1 + sum(1 for other in others if other > value)
    return 1 + sum(1 for other in others if other < value)


def quartiles(values: list[Decimal]) -> tuple[Decimal, Decimal, Decimal]:
    """The 25th, 50th and 75th percentiles as R's quantile() gives them by default (type 7,
    which LAIT uses): for p, h = (n - 1) p on the sorted values, interpolated linearly."""
    ordered = sorted(values)
    last = len(ordered) - 1

    def at(p: Decimal) -> Decimal:
        h = last * p
        low = int(h)
        if low >= last:
            return ordered[last]
        return ordered[low] + (h - low) * (ordered[low + 1] - ordered[low])

    return at(Decimal("0.25")), at(Decimal("0.5")), at(Decimal("0.75"))


def band(value: Decimal, values: list[Decimal], polarity: str) -> str:
    """DfE LAIT's quartile banding, A always the best quarter.

    The quartiles Q1-Q3 are taken of every LA's published figure for the period (`quartiles`).
    Higher is better: A above Q3, B above Q2 (up to Q3), C above Q1 (up to Q2), D at or below
    Q1. Lower is better: A at or below Q1, B up to Q2, C up to Q3, D above Q3. A figure on a
    quartile thus takes the band below it in value, as LAIT's calculate_quartile_band does.
    Equal figures always share a band.
    """
    q1, q2, q3 = quartiles(values)
    if polarity == Polarity.HIGH:
        return "A" if value > q3 else "B" if value > q2 else "C" if value > q1 else "D"
    return "A" if value <= q1 else "B" if value <= q2 else "C" if value <= q3 else "D"


def _rank_refusal(kpi: KPI, indicator: BenchmarkIndicator) -> str:
    """Why a KPI gets no rank, or '' if it does."""
    if indicator.polarity == Polarity.NONE:
        return "DfE gives the indicator no polarity"
    if indicator.no_quartile:
        return "DfE marks the indicator No_Quartile"
    if kpi.polarity == KPI.Polarity.NONE:
        return "the KPI has no polarity"
    if indicator.kpi_polarity != kpi.polarity:
        return (
            f"the KPI's polarity ({kpi.get_polarity_display()}) contradicts DfE's "
            f"({indicator.get_polarity_display()})"
        )
    return ""


def _q(value: Decimal) -> Decimal:
    return value.quantize(PLACES, ROUND_HALF_UP)


def _label(label: str, revision: str) -> str:
    return f"{label}, {revision}" if revision else label


# --- The sync --------------------------------------------------------------------------------


@dataclass
class _Wanted:
    values: dict[tuple[int, object], tuple[Decimal, str]] = field(default_factory=dict)
    comparators: dict[tuple[int, str, object], tuple[Decimal, int | None, str]] = field(
        default_factory=dict
    )
    ranks: dict[tuple[int, object], tuple[int, int, str]] = field(default_factory=dict)


def sync(home_la_number: int | None = None) -> Report:
    """Bring the DfE rows of every KPI in step with the benchmark tables, in one transaction.
    NoHomeArea if no Area has the home council's LA number (nothing is changed)."""
    number = settings.HOME_LA_NUMBER if home_la_number is None else home_la_number
    with transaction.atomic():
        areas = comparator_areas(number)
        if areas.home is None:
            raise NoHomeArea(f"No area has LA number {number}: load DfE's LA code list first.")
        report = Report(home=areas.home)
        figures_changed()  # bulk writes send no signals (kpis.reading_cache)
        report.neighbours = len(areas.neighbours)
        report.region = areas.region.name if areas.region else ""
        report.england = areas.england is not None
        la_ids = set(Area.objects.filter(kind=Area.Kind.LA).values_list("pk", flat=True))

        mapped = KPI.objects.filter(benchmark_relation=BenchmarkRelation.SAME).exclude(
            benchmark_code=""
        )
        indicators = {
            i.code: i
            for i in BenchmarkIndicator.objects.filter(
                code__in=mapped.values_list("benchmark_code", flat=True)
            )
        }
        wanted = _Wanted()
        synced: list[KPI] = []
        for kpi in mapped.order_by("code"):
            indicator = indicators.get(kpi.benchmark_code)
            if indicator is None:
                report.unknown_indicators.append((kpi.code, kpi.benchmark_code))
                continue
            synced.append(kpi)
            report.kpis.append(_sync_kpi(kpi, indicator, areas, la_ids, wanted))

        ids = [kpi.pk for kpi in synced]
        report.illustrative_deleted = sum(
            _raw_delete(model.objects.filter(kpi_id__in=ids).illustrative())
            for model in (KPIValue, ComparatorValue)
        )
        published_on = {
            kpi.pk: indicators[kpi.benchmark_code].last_update or timezone.localdate()
            for kpi in synced
        }
        taken = _keep_own_figures_beside(
            dict(zip(ids, report.kpis, strict=True)), wanted, published_on
        )
        _hand_back_own_figures(wanted.values)
        _write(VALUES, wanted.values, report.values)
        # Written before _write, which then found them as DfE's already: they changed.
        report.values.unchanged -= taken
        report.values.updated += taken
        _write(COMPARATORS, wanted.comparators, report.comparators)
        _write(RANKS, wanted.ranks, report.ranks)
    return report


def _sync_kpi(kpi, indicator, areas: ComparatorAreas, la_ids, wanted) -> KPISync:
    result = KPISync(kpi.code, indicator.code)
    three_year = kpi.measurement == KPI.Measurement.THREE_YEAR_AVERAGE
    rows = BenchmarkValue.objects.filter(indicator=indicator)
    rows = (
        rows.filter(period_kind=THREE_YEARS)
        if three_year
        else rows.exclude(period_kind=THREE_YEARS)
    )
    # label -> (end, {area_id: (value or None, revision)})
    periods: dict[str, tuple[object, dict[int, tuple[Decimal | None, str]]]] = {}
    for area_id, label, end, value, status, revision in rows.values_list(
        "area_id", "period_label", "period_end", "value", "status", "revision"
    ):
        figures = periods.setdefault(label, (end, {}))[1]
        figures[area_id] = (value if status == PUBLISHED else None, revision)

    # Two labels for one period end ("2024-25" and "2025") would give one KPI period two
    # figures: the label with more published figures is taken, and the other reported.
    by_end: dict[object, list[str]] = defaultdict(list)
    for label, (end, _) in periods.items():
        by_end[end].append(label)
    chosen: dict[str, object] = {}
    for end, labels in by_end.items():
        labels.sort(key=lambda lb: (_published(periods[lb][1]), lb), reverse=True)
        chosen[labels[0]] = end
        result.duplicate_periods += [f"{lb} (used {labels[0]})" for lb in labels[1:]]

    refusal = _rank_refusal(kpi, indicator)
    result.no_rank = refusal
    source = f"{SOURCE}{indicator.code}"
    for label, end in sorted(chosen.items(), key=lambda item: item[1]):
        figures = periods[label][1]
        own = figures.get(areas.home.pk)
        if own is not None:
            value, revision = own
            if value is None:
                result.suppressed.append(label)
            else:
                result.values += 1
                text = f"{source} ({_label(label, revision)})"
                wanted.values[kpi.pk, end] = (_q(value), text)
                if not refusal:
                    every_la = [v for a, (v, _) in figures.items() if a in la_ids and v is not None]
                    rank = competition_rank(value, every_la, indicator.polarity)
                    wanted.ranks[kpi.pk, end] = (
                        rank,
                        len(every_la),
                        band(value, every_la, indicator.polarity),
                    )
                    result.ranked += 1
        found = comparators_for_period({a: v for a, (v, _) in figures.items()}, areas)
        if found.neighbours is not None:
            text = (
                f"{source} ({label}): mean of the {found.contributors} of "
                f"{len(areas.neighbours)} statistical neighbours with a published figure"
            )
            wanted.comparators[kpi.pk, Comparator.STATISTICAL_NEIGHBOURS, end] = (
                _q(found.neighbours),
                found.contributors,
                text,
            )
        for comparator, area, value in (
            (Comparator.REGION, areas.region, found.region),
            (Comparator.ENGLAND, areas.england, found.england),
        ):
            if value is not None:
                text = f"{source} ({_label(label, figures[area.pk][1])}): {area.name}"
                wanted.comparators[kpi.pk, comparator, end] = (_q(value), None, text)
    return result


def _published(figures: dict) -> int:
    return sum(1 for value, _ in figures.values() if value is not None)


def _raw_delete(queryset) -> int:
    """One DELETE without loading the rows or sending signals (no history for these rows)."""
    return queryset._raw_delete(queryset.db) or 0  # None when the filter can match nothing


def _delete_ids(model, ids: list[int]) -> None:
    for start in range(0, len(ids), BATCH):
        _raw_delete(model.objects.filter(pk__in=ids[start : start + BATCH]))


OWN_FIGURE = ("local_value", "local_numerator", "local_denominator", "local_source")


def _keep_own_figures_beside(
    synced: dict[int, KPISync], wanted: _Wanted, published_on: dict[int, object]
) -> int:
    """Where DfE publishes a period that holds the council's own figure, DfE's becomes the
    period's value and the council's own is kept beside it, with the day DfE's arrived; a
    history record each says so. A DfE figure keyed in by hand holds its period. Each is
    reported, with whether it differs from DfE's. Returns how many DfE took. Whatever their
    number: a query for the values, a bulk update and one history statement for those DfE
    takes, and a query for the comparators."""
    others = KPIValue.objects.filter(kpi_id__in=list(synced)).exclude(OWN).real()
    taken = []
    for row in others.order_by("kpi_id", "period_end"):
        want = wanted.values.get((row.kpi_id, row.period_end))
        if want is None:
            continue
        same = "the same as DfE's" if row.value == want[0] else f"DfE's is {want[0].normalize():f}"
        if row.origin == DFE:
            del wanted.values[row.kpi_id, row.period_end]
            synced[row.kpi_id].kept.append(
                f"{row.period_end}: a DfE figure keyed in by hand, {row.value.normalize():f}, "
                f"kept ({same})"
            )
            continue
        synced[row.kpi_id].kept.append(
            f"{row.period_end}: the council's own figure {row.value.normalize():f} kept beside "
            f"DfE's ({same})"
        )
        own = (row.value, row.numerator, row.denominator, row.source)
        for name, value in zip(OWN_FIGURE, own, strict=True):
            setattr(row, name, value)
        row.value, row.source = want
        for name, value in VALUES.fixed.items():
            setattr(row, name, value)
        row.dfe_published_on = published_on[row.kpi_id]
        taken.append(row)
    fields = [*OWN_FIGURE, *VALUES.written, *VALUES.fixed, "dfe_published_on"]
    KPIValue.objects.bulk_update(taken, fields, batch_size=BATCH)
    if taken:
        insert_history(
            KPIValue.objects.filter(pk__in=[row.pk for row in taken]),
            "~",
            user=None,
            reason="DfE published this period: the council's own figure is kept beside it",
        )
    others = ComparatorValue.objects.filter(kpi_id__in=list(synced)).exclude(OWN).real()
    for key in others.values_list("kpi_id", "comparator", "period_end"):
        wanted.comparators.pop(key, None)
    return len(taken)


def _hand_back_own_figures(wanted_values: dict[tuple, tuple]) -> None:
    """A DfE figure no longer published (or no longer mapped) that has the council's own
    beside it: the council's own becomes the period's value again, rather than going with
    DfE's row. One query and a bulk update."""
    back = []
    for row in KPIValue.objects.filter(OWN, local_value__isnull=False):
        if (row.kpi_id, row.period_end) in wanted_values:
            continue
        row.value, row.numerator, row.denominator, row.source = (
            getattr(row, name) for name in OWN_FIGURE
        )
        row.origin = Origin.RETURN
        row.local_value = row.local_numerator = row.local_denominator = None
        row.local_source, row.dfe_published_on = "", None
        back.append(row)
    KPIValue.objects.bulk_update(
        back,
        ["value", "numerator", "denominator", "source", "origin", *OWN_FIGURE, "dfe_published_on"],
        batch_size=BATCH,
    )


@dataclass(frozen=True)
class _Owned:
    """The rows of one table that this module owns, and how one is named and compared."""

    model: type[models.Model]
    rows: Q  # which rows are ours
    key: tuple[str, ...]  # the fields that name a row: the wanted dict's keys
    written: tuple[str, ...]  # the fields taken from DfE's figures: the wanted dict's values
    fixed: dict[str, object]  # what every row of ours holds besides


VALUES = _Owned(
    KPIValue,
    OWN,
    ("kpi_id", "period_end"),
    ("value", "source"),
    {"numerator": None, "denominator": None, "note": "", "origin": DFE},
)
COMPARATORS = _Owned(
    ComparatorValue,
    OWN,
    ("kpi_id", "comparator", "period_end"),
    ("value", "contributors", "source"),
    {"origin": DFE},
)
RANKS = _Owned(KPIRank, Q(), ("kpi_id", "period_end"), ("rank", "out_of", "band"), {})


def _write(table: _Owned, wanted: dict[tuple, tuple], counts: Counts) -> None:
    """Bring the table's rows of ours in step with `wanted`, in bulk: a row no longer wanted
    is deleted, a changed one updated in place, a new one created; the rest are counted."""
    fields = [*table.written, *table.fixed]
    to_update, to_delete = [], []
    for row in table.model.objects.filter(table.rows):
        want = wanted.pop(tuple(getattr(row, name) for name in table.key), None)
        if want is None:
            to_delete.append(row.pk)
            continue
        new = (*want, *table.fixed.values())
        if tuple(getattr(row, name) for name in fields) == new:
            counts.unchanged += 1
            continue
        for name, value in zip(fields, new, strict=True):
            setattr(row, name, value)
        to_update.append(row)
    _delete_ids(table.model, to_delete)
    table.model.objects.bulk_update(to_update, fields, batch_size=BATCH)
    table.model.objects.bulk_create(
        [
            table.model(
                **dict(zip(table.key, key, strict=True)),
                **dict(zip(table.written, want, strict=True)),
                **table.fixed,
            )
            for key, want in wanted.items()
        ],
        batch_size=BATCH,
    )
    counts.created, counts.updated, counts.deleted = len(wanted), len(to_update), len(to_delete)


def describe(report: Report) -> list[str]:
    """The report as lines for a command's output."""
    home = report.home
    lines = [
        f"DfE figures for {home.name} (LA {home.la_number}): {len(report.kpis)} KPIs the same "
        f"measure as DfE's; {report.neighbours} statistical neighbours, region "
        f"{report.region or 'not loaded'}, England {'loaded' if report.england else 'not loaded'}",
        f"  KPI values: {report.values}",
        f"  comparator values: {report.comparators}",
        f"  ranks: {report.ranks}",
    ]
    if report.illustrative_deleted:
        lines.append(
            f"  illustrative values and comparators deleted (DfE publishes these measures): "
            f"{report.illustrative_deleted}"
        )
    for item in report.kpis:
        line = f"  {item.kpi} <- {item.indicator}: {item.values} published periods"
        if item.suppressed:
            line += f"; not published (suppressed): {', '.join(item.suppressed)}"
        line += f"; ranked {item.ranked}" if not item.no_rank else f"; no rank: {item.no_rank}"
        lines.append(line)
        lines += [f"    kept: {kept}" for kept in item.kept]
        if item.duplicate_periods:
            lines.append(f"    one period under two labels: {', '.join(item.duplicate_periods)}")
    for kpi, code in report.unknown_indicators:
        lines.append(f"  {kpi}: indicator {code!r} is not loaded; no DfE figures written")
    return lines
