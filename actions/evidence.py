"""A programme's evidence: the measures each of its objectives chose from the KPI catalogue,
read through kpis' public reads.

The link (``Objective.kpis``) lives here, with the programme, because the catalogue is the lower
layer and knows no programme. `ProgrammeEvidence` is this app's use of the catalogue, registered
with kpis.evidence when the app starts (actions/apps.py), so that the KPI dashboard can be
filtered by programme and a measure's page can list the objectives it evidences.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import F, QuerySet

from actions.models import Objective, Programme
from kpis.dashboard_rows import KPILine
from kpis.evidence import Evidenced
from kpis.models import KPI
from kpis.readings import KPIReading, readings


def evidence_by_objective(programme, as_at: dt.date | None = None) -> dict[int, list[KPIReading]]:
    """The KPIs evidencing each of a programme's objectives, read as at ``as_at`` if given
    (a report's period end, a paper's "figures as at" date), each objective's in the
    catalogue's order: five queries (the links, then `kpis.readings.readings`' four)."""
    chosen = Objective.kpis.through.objects.filter(objective__programme=programme)
    links = defaultdict(list)
    for objective_id, kpi_id in chosen.values_list("objective_id", "kpi_id"):
        links[kpi_id].append(objective_id)
    evidence: dict[int, list[KPIReading]] = defaultdict(list)
    # A subquery, not the ids: with no measures chosen the reads still run (same cost).
    for reading in readings(KPI.objects.filter(pk__in=chosen.values("kpi_id")), as_at):
        for objective_id in links[reading.kpi.pk]:
            evidence[objective_id].append(reading)
    return evidence


def evidence_lines(programme, as_at: dt.date | None = None) -> dict[int, list[KPILine]]:
    """The lines evidencing each of a programme's objectives, read as at ``as_at``: the five
    queries of `evidence_by_objective`."""
    return {
        objective: [KPILine.of(reading) for reading in objective_readings]
        for objective, objective_readings in evidence_by_objective(programme, as_at).items()
    }


def programme_measures(programme) -> QuerySet[KPI]:
    """The measures evidencing any of the programme's live objectives (a retired objective's
    measures leave its draft papers and "Needs attention" with it): no query until read."""
    return KPI.objects.filter(pk__in=_chosen_by(programme=programme))


def _chosen_by(**programme) -> QuerySet:
    """The ids of the measures a programme's live objectives choose, as a subquery. Not a join
    with DISTINCT: that compared every column of the readings' KPI query, subqueries included,
    and grew with the links of every programme choosing the same measures."""
    return Objective.kpis.through.objects.filter(
        **{f"objective__{name}": value for name, value in programme.items()},
        objective__retired_at__isnull=True,
    ).values("kpi_id")


class ProgrammeEvidence:
    """The programmes' use of the catalogue (a kpis.evidence.Use)."""

    parameter = "programme"
    label = "Evidences the programme"
    spanning = "Across all programmes"

    def choices(self) -> list[tuple[str, str]]:
        return list(Programme.objects.order_by("name").values_list("slug", "name"))

    def filter(self, kpis: QuerySet[KPI], value: str) -> QuerySet[KPI]:
        return kpis.filter(pk__in=_chosen_by(programme__slug=value))

    def evidenced_by(self, kpi: KPI) -> list[Evidenced]:
        objectives = (
            Objective.objects.live()
            .filter(kpis=kpi)
            .select_related("programme")
            .order_by("programme__name", "position")
        )
        return [
            Evidenced(
                f"{objective.programme.name}: {objective.title}", objective.get_absolute_url()
            )
            for objective in objectives
        ]

    def reporting_years(self) -> list[tuple[int | None, int, int]]:
        """Each programme's financial years, once for itself (None) and once for each measure
        its objectives choose: one query."""
        rows = (
            Programme.objects.order_by("pk")
            .annotate(kpi=F("objectives__kpis"))
            .values_list("kpi", "first_period", "last_period")
            .distinct()
        )
        found = []
        for kpi, first, last in rows:
            found.append((kpi, first.year, last.year))
            found.append((None, first.year, last.year))
        return list(dict.fromkeys(found))


PROGRAMME_EVIDENCE = ProgrammeEvidence()
