"""What open data reads. Only what an administrator published: programmes with
``open_data_from`` set, their published papers, and the real (never illustrative) approved
figures of the measures their live objectives chose. A KPIValue is an approved figure by
construction: an entry becomes one only when approved (kpis/approval.py), so entries
awaiting approval are never read here.

Each read states its cost; tests/test_open_data.py pins the pages' totals at two sizes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from actions.models import Objective, Paper, Programme
from careprog.periods import financial_year_of
from kpis.models import KPI, ComparatorValue, KPITarget, KPIValue, Origin


def open_programmes() -> QuerySet[Programme]:
    """Programmes published as open data, by name: one query."""
    return Programme.objects.filter(open_data_from__isnull=False).order_by("name", "pk")


def open_programme(slug: str) -> Programme:
    """A programme published as open data, else 404 (unknown and unpublished alike, so the
    answer says nothing of which programmes exist): one query."""
    return get_object_or_404(open_programmes(), slug=slug)


def published_papers(programme: Programme) -> QuerySet[Paper]:
    """The programme's published papers, newest meeting first, with their meeting and
    committee: one query."""
    return (
        Paper.objects.filter(programme=programme, state=Paper.State.PUBLISHED)
        .select_related("meeting__committee")
        .order_by("-meeting__date", "-published_at", "-pk")
    )


def published_paper(programme: Programme, pk: int) -> Paper:
    """One of the programme's published papers, else 404 (a draft too): one query."""
    return get_object_or_404(
        Paper.objects.select_related("programme", "meeting__committee"),
        pk=pk,
        programme=programme,
        state=Paper.State.PUBLISHED,
    )


@dataclass
class Figure:
    """One approved figure of a measure, with the year's target and DfE's comparators for
    its period (as the dashboard and a KPI's page show them)."""

    kpi: KPI
    value: KPIValue
    target: KPITarget | None
    comparators: dict[str, ComparatorValue] = field(default_factory=dict)

    @property
    def period_end(self) -> dt.date:
        return self.value.period_end


def programme_measures(programme: Programme) -> QuerySet[KPI]:
    """The measures the programme's live objectives chose, each once, in the catalogue's
    order (not evaluated here: a subquery of the reads below)."""
    chosen = Objective.objects.live().filter(programme=programme).values("kpis")
    return KPI.objects.filter(pk__in=chosen)


def programme_figures(programme: Programme) -> list[Figure]:
    """Every real approved figure of the programme's measures, by measure in the catalogue's
    order then by period, oldest first. Three queries whatever the number of measures and
    figures (values with their KPI; targets; comparators)."""
    measures = programme_measures(programme).values("pk")
    values = (
        KPIValue.objects.real()
        .filter(kpi__in=measures)
        .select_related("kpi")
        .order_by("kpi__group__position", "kpi__position", "kpi__code", "period_end", "pk")
    )
    targets: dict[tuple[int, int], KPITarget] = {}
    real_targets = KPITarget.objects.filter(kpi__in=measures).exclude(origin=Origin.ILLUSTRATIVE)
    for target in real_targets.order_by("pk"):
        targets[(target.kpi_id, target.financial_year)] = target
    comparators: dict[tuple[int, dt.date], dict[str, ComparatorValue]] = defaultdict(dict)
    for comparator in ComparatorValue.objects.real().filter(kpi__in=measures).order_by("pk"):
        comparators[(comparator.kpi_id, comparator.period_end)][comparator.comparator] = comparator
    return [
        Figure(
            kpi=value.kpi,
            value=value,
            target=targets.get((value.kpi_id, financial_year_of(value.period_end))),
            comparators=comparators.get((value.kpi_id, value.period_end), {}),
        )
        for value in values
    ]
