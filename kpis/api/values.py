"""/api/kpi-values/: every approved figure, one row per measure and period, flat, with what a
KPI's page shows beside it: the year's target and the rating, the comparators, the rank, and
who approved it.

Only approved figures exist as KPIValue (an entry awaiting approval is a KPIEntry until
approved: kpis/approval.py), so the list needs no filter to keep them out. The figures are
the ones the app reads: a real figure beats an illustrative one for its period, and a
measure with any real figure shows no illustrative ones (kpis.readings.honest_series); where
DfE publishes a period, ``value`` is DfE's and the council's own is ``local_value`` beside it.

Six queries a page whatever its size (the count; the rows, measure and group joined; then
for the page's measures and periods: targets, comparators, ranks, approved entries), two
for a page with no rows. Rows are built as dicts from ``values_list()`` rather than through model
serializers: a full read of 100,000 figures costs what benchmarks/api_kpi_values.py says.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict

from django.db.models import Count, Exists, FloatField, OuterRef, Q
from django.db.models.functions import Cast
from rest_framework import serializers
from rest_framework.permissions import BasePermission, IsAuthenticated

from careprog.api.views import MayRead, ReadList
from careprog.periods import InvalidPeriod, financial_year_of
from kpis.lait.sync import OWN as SYNCED_FROM_DFE
from kpis.models import (
    KPI,
    ComparatorValue,
    ImportBatch,
    KPIEntry,
    KPIRank,
    KPITarget,
    KPIValue,
    Origin,
)
from kpis.permissions import VIEW_PERMISSION
from kpis.rating import RAG, date_text, period_name
from kpis.readings import rate_figure

# A KPI's code is a slug of at most 40 characters (KPI.code); the schema says the same.
KPI_CODE = r"^[-a-zA-Z0-9_]{1,40}$"
ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
CATALOGUE_ORDER = ("kpi__group__position", "kpi__group__name", "kpi__position", "kpi__code")


class MayReadFigures(BasePermission):
    """The KPI pages' own permission (kpis.permissions.VIEW_PERMISSION): the API shows no
    figure to an account that could not read it on its page."""

    message = "Your account may not read the KPI catalogue's figures."

    def has_permission(self, request, view):
        return bool(request.user and request.user.has_perm(VIEW_PERMISSION))


def _number(**extra):
    return serializers.FloatField(allow_null=True, **extra)


class FigureRow(serializers.Serializer):
    """One figure. Numbers are the stored figures (to 4 decimal places), not rounded for
    show: ``decimal_places`` says how the app shows them."""

    id = serializers.IntegerField(help_text="The figure's id: stable while it exists")
    kpi = serializers.CharField(help_text="The measure's code")
    kpi_name = serializers.CharField(help_text="The measure's name, as the catalogue writes it")
    group = serializers.CharField(help_text="The catalogue's heading over the measure")
    unit = serializers.ChoiceField(choices=KPI.Unit.choices)
    decimal_places = serializers.IntegerField(help_text="How many places the app shows")
    polarity = serializers.ChoiceField(choices=KPI.Polarity.choices)
    frequency = serializers.ChoiceField(choices=KPI.Frequency.choices)
    period_end = serializers.DateField(help_text="The last day of the period the figure is for")
    period = serializers.CharField(help_text="The period as the KPI's page names it")
    value = serializers.FloatField(
        help_text="The figure the app shows and rates: DfE's where DfE publishes the period"
    )
    numerator = _number(help_text="What the figure counts, where it is a share or rate")
    denominator = _number(help_text="Out of how many, where it is a share or rate")
    local_value = _number(
        help_text="The council's own figure, kept beside DfE's published one (null otherwise)"
    )
    local_numerator = _number(help_text="The council's own numerator beside DfE's figure")
    local_denominator = _number(help_text="The council's own denominator beside DfE's figure")
    local_source = serializers.CharField(help_text="Where the council's own figure came from")
    origin = serializers.ChoiceField(choices=Origin.choices, help_text="Where `value` came from")
    origin_label = serializers.CharField(help_text="Where `value` came from, in words")
    source = serializers.CharField(help_text="The document, return, file or DfE indicator")
    note = serializers.CharField(help_text="A note kept with the figure (e.g. a revision)")
    commentary = serializers.CharField(help_text="Its owner's approved words on the figure")
    dfe_published_on = serializers.DateField(
        allow_null=True,
        help_text="When DfE's figure arrived over the council's own (null if it did not)",
    )
    approved_by = serializers.CharField(
        allow_null=True,
        help_text="Who approved the council's figure for the period in careprog (beside a DfE "
        "figure: the council's own); null where its source vouches for it (DfE, a published "
        "report, illustrative data) or no approval is recorded",
    )
    approved_at = serializers.DateTimeField(allow_null=True, help_text="When it was approved")
    target = _number(help_text="The target for the figure's financial year, if set")
    target_standing = serializers.ChoiceField(
        choices=[("agreed", "Agreed"), ("illustrative", "Illustrative")],
        allow_null=True,
        help_text="Only an agreed target rates a real figure",
    )
    rating = serializers.ChoiceField(
        choices=[(rag.key, rag.label) for rag in RAG], help_text="RAG against the target"
    )
    rating_label = serializers.CharField(help_text="The rating in words")
    rating_explanation = serializers.CharField(help_text="The rule and the gap, in a sentence")
    neighbours = _number(help_text="Statistical neighbours' average for the period")
    region = _number(help_text="The region's figure for the period")
    england = _number(help_text="England's figure for the period")
    rank = serializers.IntegerField(
        allow_null=True, help_text="The council's place among all councils (1 is the best)"
    )
    out_of = serializers.IntegerField(allow_null=True, help_text="Councils with a figure")
    band = serializers.ChoiceField(
        choices=KPIRank.Band.choices, allow_null=True, help_text="A is the best quarter"
    )
    url = serializers.CharField(help_text="The measure's page in careprog")

    def to_representation(self, row):
        # Built whole, in this order, by figure_rows: no per-field work here.
        return row


FIELDS = list(FigureRow().fields)


class StrictText(serializers.RegexField):
    """Text matching ``regex`` whole, as the schema's pattern says: no surrounding space
    trimmed away, no newline slipping past ``$``."""

    def __init__(self, regex, **kwargs):
        super().__init__(regex, trim_whitespace=False, **kwargs)
        self._whole = re.compile(regex.removeprefix("^").removesuffix("$"))

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not self._whole.fullmatch(value):
            self.fail("invalid")
        return value


class StrictDate(serializers.DateField):
    """A date written YYYY-MM-DD only (Python also reads "20240131" and week dates)."""

    def to_internal_value(self, value):
        if not isinstance(value, str) or not re.fullmatch(ISO_DATE.strip("^$"), value):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


class FigureParameters(serializers.Serializer):
    kpi = StrictText(KPI_CODE, required=False, help_text="Only this measure's figures (its code)")
    origin = serializers.ChoiceField(choices=Origin.choices, required=False)
    frequency = serializers.ChoiceField(choices=KPI.Frequency.choices, required=False)
    period_end_from = StrictDate(
        required=False, help_text="Only periods ending on or after this day (YYYY-MM-DD)"
    )
    period_end_to = StrictDate(
        required=False, help_text="Only periods ending on or before this day (YYYY-MM-DD)"
    )
    changed_since = serializers.DateTimeField(
        required=False,
        help_text="Only figures that may have changed after this moment (ISO 8601): those whose "
        "record, measure or target changed since, by their history, and every figure DfE's "
        "sync writes (it keeps no history). A figure removed since is simply absent.",
    )


def honest_figures():
    """Every figure as the app reads it: a measure with any real figure shows only its real
    ones (kpis.readings.honest_series), which also leaves out an illustrative figure with a
    real twin (FigureQuerySet.preferred). A correlated subquery: no query of its own."""
    real = KPIValue.objects.real().filter(kpi=OuterRef("kpi"))
    return KPIValue.objects.exclude(Q(origin=Origin.ILLUSTRATIVE) & Q(Exists(real)))


def changed_since(figures, moment):
    changed = Q(pk__in=KPIValue.history.filter(history_date__gt=moment).values("id"))
    changed |= Q(kpi__in=KPI.history.filter(history_date__gt=moment).values("id"))
    changed |= Q(kpi__in=KPITarget.history.filter(history_date__gt=moment).values("kpi_id"))
    return figures.filter(changed | SYNCED_FROM_DFE)


ROW_FIELDS = (
    "id", "kpi_id", "kpi__code", "kpi__name", "kpi__group__name", "kpi__unit",
    "kpi__decimal_places", "kpi__polarity", "kpi__frequency", "kpi__measurement",
    "period_end", "value", "numerator_", "denominator_", "local_value_", "local_numerator_",
    "local_denominator_", "local_source", "origin", "source", "note", "commentary",
    "dfe_published_on",
)  # fmt: skip
# Figures beside `value` go out as they are, so they come as floats from the database rather
# than through Decimal and back (`value` stays a Decimal: it is rated as shown).
AS_FLOATS = {
    f"{name}_": Cast(name, FloatField())
    for name in ("numerator", "denominator", "local_value", "local_numerator", "local_denominator")
}


class CatalogueOrdered:
    """Figures in the catalogue's order, as the paginator reads them: ``count()`` and a
    slice of rows (tuples of ROW_FIELDS).

    Ordered in SQL by their measure's group and position, every page sorted the whole table
    before its OFFSET, so a full read grew with the square of its size. Here the count is one
    GROUP BY measure, in the catalogue's order, and a page reads only the measures it spans,
    through the (kpi, period_end) index: still two queries a page."""

    def __init__(self, figures):
        self.figures = figures.order_by()
        self._per_measure = None

    def per_measure(self) -> list[tuple[int, int]]:
        if self._per_measure is None:
            self._per_measure = list(
                self.figures.order_by(*CATALOGUE_ORDER, "kpi_id")
                .values_list("kpi_id")
                .annotate(figures=Count("pk"))
            )
        return self._per_measure

    def count(self) -> int:
        return sum(figures for _, figures in self.per_measure())

    def __getitem__(self, page: slice) -> list[tuple]:
        start, stop = page.start or 0, page.stop
        spanned, skipped, seen = [], 0, 0
        for kpi_id, figures in self.per_measure():
            if seen >= stop:
                break
            if seen + figures > start:
                if not spanned:
                    skipped = start - seen
                spanned.append(kpi_id)
            seen += figures
        if not spanned:
            return []
        rows = self.figures.filter(kpi_id__in=spanned).order_by(
            *CATALOGUE_ORDER, "kpi_id", "period_end", "pk"
        )
        rows = rows.annotate(**AS_FLOATS).values_list(*ROW_FIELDS)
        return list(rows[skipped : skipped + stop - start])


class FigureList(ReadList):
    """Every approved figure, in the catalogue's order (group, position, code), each measure's
    oldest period first."""

    serializer_class = FigureRow
    parameters = FigureParameters
    permission_classes = [IsAuthenticated, MayRead, MayReadFigures]

    def rows(self, parameters):
        rows = honest_figures()
        if "origin" in parameters:
            rows = rows.filter(origin=parameters["origin"])
        if "kpi" in parameters:
            rows = rows.filter(kpi__code=parameters["kpi"])
        if "frequency" in parameters:
            rows = rows.filter(kpi__frequency=parameters["frequency"])
        if "period_end_from" in parameters:
            rows = rows.filter(period_end__gte=parameters["period_end_from"])
        if "period_end_to" in parameters:
            rows = rows.filter(period_end__lte=parameters["period_end_to"])
        if "changed_since" in parameters:
            rows = changed_since(rows, parameters["changed_since"])
        return CatalogueOrdered(rows)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else figure_rows(page, self.request)


_DATETIME = serializers.DateTimeField()
_ORIGIN_LABELS = dict(Origin.choices)


def _float(number):
    return None if number is None else float(number)


@functools.lru_cache(maxsize=8192)  # measures of one frequency share their periods' names
def _period(period_end, frequency: str, measurement: str) -> str:
    """The KPI page's name for the period; a day outside the years careprog's quarters span
    (before 1900, after 9998) by its date rather than an error."""
    kpi = KPI(frequency=frequency, measurement=measurement)
    try:
        return period_name(period_end, kpi)
    except InvalidPeriod:
        return date_text(period_end)


def _day(day) -> str | None:
    return None if day is None else day.isoformat()


def figure_rows(page: list[tuple], request) -> list[dict]:
    """The page's rows, whole: four queries for the page's measures and the span of its
    periods (so a page costs the same however many rows it holds), none with no rows."""
    if not page:
        return []
    kpi_ids = {row[1] for row in page}
    first, last = min(row[10] for row in page), max(row[10] for row in page)
    years = (financial_year_of(first), financial_year_of(last))
    targets = {
        (t.kpi_id, t.financial_year): t
        for t in KPITarget.objects.filter(kpi_id__in=kpi_ids, financial_year__range=years)
        .order_by()
        .only("kpi_id", "financial_year", "value", "amber_tolerance", "tolerance_kind", "origin")
    }
    comparators = defaultdict(dict)
    for kpi_id, kind, period_end, value in (
        ComparatorValue.objects.filter(kpi_id__in=kpi_ids, period_end__range=(first, last))
        .preferred()
        .order_by()
        .values_list("kpi_id", "comparator", "period_end", "value")
    ):
        comparators[kpi_id, period_end][kind] = float(value)
    ranks = {
        (kpi_id, period_end): rank
        for kpi_id, period_end, *rank in KPIRank.objects.filter(
            kpi_id__in=kpi_ids, period_end__range=(first, last)
        )
        .order_by()
        .values_list("kpi_id", "period_end", "rank", "out_of", "band")
    }
    approvals = {}
    for kpi_id, period_end, at, first_name, last_name, username in (
        KPIEntry.objects.filter(
            state=KPIEntry.State.APPROVED,
            kpi_id__in=kpi_ids,
            period_end__range=(first, last),
            decided_at__isnull=False,
        )
        # An undone import's approvals approved figures that are no longer there.
        .exclude(batch__status=ImportBatch.Status.UNDONE)
        .order_by("decided_at", "pk")
        .values_list(
            "kpi_id", "period_end", "decided_at", "decided_by__first_name",
            "decided_by__last_name", "decided_by__username",
        )
    ):  # fmt: skip
        name = f"{first_name} {last_name}".strip() or username  # as User.get_full_name
        approvals[kpi_id, period_end] = (name, _DATETIME.to_representation(at))
    kpis, urls = {}, {}
    base = request.build_absolute_uri("/")[:-1]
    rows = []
    for (
        pk, kpi_id, code, name, group, unit, places, polarity, frequency, measurement,
        period_end, value, numerator, denominator, local_value, local_numerator,
        local_denominator, local_source, origin, source, note, commentary, dfe_published_on,
    ) in page:  # fmt: skip
        kpi = kpis.get(kpi_id)
        if kpi is None:
            kpi = kpis[kpi_id] = KPI(
                pk=kpi_id, code=code, unit=unit, decimal_places=places, polarity=polarity,
                frequency=frequency, measurement=measurement,
            )  # fmt: skip
            urls[kpi_id] = base + kpi.get_absolute_url()
        target = targets.get((kpi_id, financial_year_of(period_end)))
        illustrative = origin == Origin.ILLUSTRATIVE
        rating = rate_figure(kpi, value, illustrative=illustrative, target=target)
        compared = comparators.get((kpi_id, period_end), {})
        rank, out_of, band = ranks.get((kpi_id, period_end), (None, None, None))
        approved_by, approved_at = approvals.get((kpi_id, period_end), (None, None))
        if origin != Origin.RETURN and local_value is None:  # vouched for by its source
            approved_by = approved_at = None
        rows.append(
            {
                "id": pk,
                "kpi": code,
                "kpi_name": name,
                "group": group,
                "unit": unit,
                "decimal_places": places,
                "polarity": polarity,
                "frequency": frequency,
                "period_end": period_end.isoformat(),
                "period": _period(period_end, frequency, measurement),
                "value": float(value),
                "numerator": numerator,
                "denominator": denominator,
                "local_value": local_value,
                "local_numerator": local_numerator,
                "local_denominator": local_denominator,
                "local_source": local_source,
                "origin": origin,
                "origin_label": _ORIGIN_LABELS[origin],
                "source": source,
                "note": note,
                "commentary": commentary,
                "dfe_published_on": _day(dfe_published_on),
                "approved_by": approved_by,
                "approved_at": approved_at,
                "target": _float(target.value) if target else None,
                "target_standing": target.standing if target else None,
                "rating": rating.rag.key,
                "rating_label": rating.rag.label,
                "rating_explanation": rating.explanation,
                "neighbours": compared.get(ComparatorValue.Comparator.STATISTICAL_NEIGHBOURS),
                "region": compared.get(ComparatorValue.Comparator.REGION),
                "england": compared.get(ComparatorValue.Comparator.ENGLAND),
                "rank": rank,
                "out_of": out_of,
                "band": band,
                "url": urls[kpi_id],
            }
        )
    return rows
