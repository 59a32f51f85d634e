"""Needs attention: the one-page exception view a councillor reads for a programme's quarter.

Everything is read here, in a fixed number of queries whatever the programme's size (see
``needs_attention``); the view only renders it. The rules are the ones the rest of careprog
states: a status as last reported on or before the quarter (actions.queries.report_tables),
missing an update (Action.objects.missing_update), overdue (Action.objects.overdue), what
moved since the last published paper (actions.papers.changes.compare) and a measure's
rating, direction and quartile band (kpis.readings).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from actions.evidence import programme_measures
from actions.models import (
    NEEDS_EXPLANATION,
    Action,
    Objective,
    Paper,
    Programme,
    QuarterLock,
    Risk,
    Status,
    Update,
)
from actions.papers.changes import compare
from actions.papers.content import progress_of
from actions.papers.queries import lock_for
from actions.queries import report_tables
from actions.risks.queries import overdue_reviews
from careprog.periods import ReportingPeriod
from kpis import readings as kpi_readings
from kpis.models import KPIRank
from kpis.rating import RAG, Travel

_PROGRAMME = "mechanism__requirement__objective__programme"
BOTTOM_QUARTILE = KPIRank.Band.D  # band A is the best quarter of councils, D the worst


@dataclass
class ObjectiveCounts:
    """How many of an objective's actions are in each status at the quarter."""

    objective: Objective
    by_status: dict[Status, int]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    def in_order(self) -> list[tuple[Status, int]]:
        """Each status with its count: on a phone each count is shown beside its name."""
        return [(status, self.by_status[status]) for status in Status]


@dataclass
class Concern:
    """An action at risk or off track at the quarter, with what its lead said about it."""

    action: Action
    objective: Objective
    status: Status
    update: Update  # the latest on or before the quarter, which gave the status


@dataclass
class Attention:
    programme: Programme
    period: ReportingPeriod
    today: dt.date
    counts: list[ObjectiveCounts] = field(default_factory=list)
    concerns: list[Concern] = field(default_factory=list)
    missing_update: list[Action] = field(default_factory=list)
    overdue: list[Action] = field(default_factory=list)
    any_due_date: bool = False
    lock: QuarterLock | None = None
    previous_paper: Paper | None = None
    status_moves: list[dict] = field(default_factory=list)
    kpis_of_concern: list[kpi_readings.KPIReading] = field(default_factory=list)
    kpis_bottom_quartile: list[kpi_readings.KPIReading] = field(default_factory=list)
    overdue_risk_reviews: list[Risk] = field(default_factory=list)

    @property
    def totals(self) -> list[tuple[Status, int]]:
        return [(status, sum(c.by_status[status] for c in self.counts)) for status in Status]

    @property
    def total(self) -> int:
        return sum(c.total for c in self.counts)

    @property
    def update_period(self) -> ReportingPeriod | None:
        """The quarter officers are asked about now, which a locked quarter's page names
        instead of chasing its own."""
        return self.programme.update_period()

    @property
    def figures_as_at(self) -> dt.date:
        """Measures are read as at the quarter's end, as the report reads them."""
        return self.period.end


def needs_attention(
    programme: Programme, period: ReportingPeriod, today: dt.date | None = None
) -> Attention:
    """Everything the page lists. Fourteen queries whatever the programme's size: five for
    the report's tables (objectives, requirements, mechanisms, actions, updates), one each
    for the actions missing an update, those overdue and the risks whose review is overdue
    (as at today, as overdue actions are), one for the quarter's lock, one
    for the last published paper, four for the measures evidencing the programme
    (kpis.readings.readings); ``programme`` read with Programme.objects.with_update_period()
    saves one more (its update_period())."""
    today = today or timezone.localdate()
    attention = Attention(programme=programme, period=period, today=today)
    tables = report_tables(programme, period)
    for table in tables:
        by_status = dict.fromkeys(Status, 0)
        for row in table.rows:
            if row.action is None:
                continue
            by_status[row.status] += 1
            attention.any_due_date |= row.action.due_date is not None
            if row.status in NEEDS_EXPLANATION:
                attention.concerns.append(
                    Concern(
                        action=row.action,
                        objective=table.objective,
                        status=row.status,
                        update=row.action.updates_to_period[0],
                    )
                )
        attention.counts.append(ObjectiveCounts(objective=table.objective, by_status=by_status))
    attention.concerns.sort(key=lambda c: c.status != Status.OFF_TRACK)  # off track first

    in_programme = (
        Action.objects.live()
        .filter(**{_PROGRAMME: programme})
        .select_related("mechanism__requirement__objective", "lead")
    )
    attention.missing_update = list(in_programme.missing_update(period).in_programme_order())
    attention.overdue = list(in_programme.overdue(today).order_by("due_date", "pk"))
    attention.overdue_risk_reviews = overdue_reviews(programme, today)
    attention.lock = lock_for(programme.pk, period)

    attention.previous_paper = last_published_paper(programme, period)
    if attention.previous_paper is not None:
        attention.status_moves = _status_moves(
            attention.previous_paper.snapshot["progress"], progress_of(tables)
        )

    kpis = programme_measures(programme)
    for reading in kpi_readings.readings(kpis, as_at=attention.figures_as_at):
        if is_off_target_or_worsening(reading):
            attention.kpis_of_concern.append(reading)
        if reading.rank is not None and reading.rank.band == BOTTOM_QUARTILE:
            attention.kpis_bottom_quartile.append(reading)
    return attention


def last_published_paper(programme: Programme, period: ReportingPeriod) -> Paper | None:
    """The programme's latest published paper on this quarter or an earlier one, with its
    snapshot: one query."""
    return (
        Paper.objects.filter(programme=programme, period__lte=period, state=Paper.State.PUBLISHED)
        .select_related("meeting__committee")
        .order_by("-period", "-meeting__date", "-published_at", "-pk")
        .first()
    )


def _status_moves(published: list[dict], now: list[dict]) -> list[dict]:
    """compare()'s status moves between a paper's progress tables and today's. Only the
    progress tables are compared, so the measures are not read a second time."""
    return compare({"progress": published, "kpis": []}, {"progress": now, "kpis": []})[
        "status_moves"
    ]


def is_off_target_or_worsening(reading: kpi_readings.KPIReading) -> bool:
    """Off target counts only a real rating (a real figure against an agreed target), as the
    dashboard's counts do; a worsening figure is listed whatever its standing, marked."""
    off_target = reading.rating_is_real and reading.rating.rag == RAG.RED
    worsening = reading.vs_previous is not None and reading.vs_previous.travel == Travel.WORSENING
    return off_target or worsening
