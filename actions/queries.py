"""Reads for the programme hierarchy. Each function states its query cost."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    Exists,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from actions.models import (
    Action,
    Mechanism,
    Objective,
    Paper,
    Programme,
    Requirement,
    Status,
    Update,
    update_due_by,
)
from careprog.periods import ReportingPeriod


def programmes_for_list() -> QuerySet[Programme]:
    """Programmes with their committee and their live objective and action counts: one query."""
    return (
        Programme.objects.select_related("committee")
        .annotate(
            objective_count=Count(
                "objectives", filter=Q(objectives__retired_at__isnull=True), distinct=True
            ),
            action_count=Count(
                "objectives__requirements__mechanisms__actions",
                filter=Q(objectives__requirements__mechanisms__actions__retired_at__isnull=True),
                distinct=True,
            ),
        )
        .order_by("name")
    )


def programmes_for_home(user) -> QuerySet[Programme]:
    """Programmes by name, those in which ``user`` leads or shares an action first: slice it,
    and it is one query (an EXISTS per programme shown, not a count of every action)."""
    theirs = Action.objects.filter(
        Q(lead=user) | Q(delegates=user),
        mechanism__requirement__objective__programme=OuterRef("pk"),
    )
    return Programme.objects.annotate(theirs=Exists(theirs)).order_by("-theirs", "name")


def latest_reported_period(programme: Programme) -> ReportingPeriod:
    """The latest period of the programme with any update, else the current quarter kept
    within the programme's range. One query."""
    latest = Update.objects.filter(
        action__mechanism__requirement__objective__programme=programme,
        period__gte=programme.first_period,
        period__lte=programme.last_period,
    ).aggregate(latest=Max("period"))["latest"]
    return latest if latest is not None else programme.current_period()


def objectives_for_report(programme: Programme, period: ReportingPeriod) -> QuerySet[Objective]:
    """The whole live hierarchy (retired parts left out: the report shows the structure as
    it now is) in programme order with updates up to ``period``, newest first.

    Five queries whatever the programme's size: objectives, requirements,
    mechanisms, actions and updates.
    """
    updates = Update.objects.filter(period__lte=period).order_by("action_id", "-period")
    actions = (
        Action.objects.live()
        .order_by("position", "pk")
        .prefetch_related(Prefetch("updates", queryset=updates, to_attr="updates_to_period"))
    )
    mechanisms = (
        Mechanism.objects.live()
        .order_by("position", "pk")
        .prefetch_related(Prefetch("actions", queryset=actions, to_attr="ordered_actions"))
    )
    requirements = (
        Requirement.objects.live()
        .order_by("position", "pk")
        .prefetch_related(Prefetch("mechanisms", queryset=mechanisms, to_attr="ordered_mechanisms"))
    )
    return (
        Objective.objects.live()
        .filter(programme=programme)
        .order_by("position", "pk")
        .prefetch_related(
            Prefetch("requirements", queryset=requirements, to_attr="ordered_requirements")
        )
    )


@dataclass
class ReportRow:
    """One row of the committee table. A merged cell is drawn only on the row where it
    starts, which carries its rowspan (0 elsewhere); its object is None when empty."""

    action: Action | None
    update: Update | None
    status: Status
    status_period: ReportingPeriod | None
    objective: Objective | None = None
    objective_rowspan: int = 0
    requirement: Requirement | None = None
    requirement_rowspan: int = 0
    mechanism: Mechanism | None = None
    mechanism_rowspan: int = 0

    @property
    def status_carried_forward(self) -> bool:
        return self.update is None and self.status_period is not None


@dataclass
class ObjectiveTable:
    objective: Objective
    rows: list[ReportRow] = field(default_factory=list)


def _action_row(action: Action | None, period: ReportingPeriod) -> ReportRow:
    """The update for ``period`` and the status as last reported on or before it."""
    if action is None:
        return ReportRow(action=None, update=None, status=Status.NOT_ASSESSED, status_period=None)
    latest = action.updates_to_period[0] if action.updates_to_period else None
    if latest is None:
        return ReportRow(action=action, update=None, status=Status.NOT_ASSESSED, status_period=None)
    update = latest if latest.period == period else None
    return ReportRow(
        action=action, update=update, status=Status(latest.status), status_period=latest.period
    )


def report_tables(programme: Programme, period: ReportingPeriod) -> list[ObjectiveTable]:
    """The committee progress table, one per objective, with rowspans as in the paper."""
    tables = []
    for objective in objectives_for_report(programme, period):
        table = ObjectiveTable(objective=objective)
        objective_rows: list[ReportRow] = []
        for requirement in objective.ordered_requirements:
            requirement_rows: list[ReportRow] = []
            for mechanism in requirement.ordered_mechanisms:
                actions = mechanism.ordered_actions or [None]
                mechanism_rows = [_action_row(action, period) for action in actions]
                mechanism_rows[0].mechanism = mechanism
                mechanism_rows[0].mechanism_rowspan = len(mechanism_rows)
                requirement_rows.extend(mechanism_rows)
            if not requirement_rows:
                requirement_rows = [_action_row(None, period)]
                requirement_rows[0].mechanism_rowspan = 1
            requirement_rows[0].requirement = requirement
            requirement_rows[0].requirement_rowspan = len(requirement_rows)
            objective_rows.extend(requirement_rows)
        if not objective_rows:
            objective_rows = [_action_row(None, period)]
            objective_rows[0].requirement_rowspan = objective_rows[0].mechanism_rowspan = 1
        objective_rows[0].objective = objective
        objective_rows[0].objective_rowspan = len(objective_rows)
        table.rows = objective_rows
        tables.append(table)
    return tables


def action_for_page(pk: int) -> Action:
    """One action with its place in the hierarchy, lead, delegates and updates, and its
    programme with the quarter it asks officers to update (as if read with
    Programme.objects.with_update_period(), so Programme.update_period() costs nothing):
    three queries."""
    updates = Update.objects.select_related("author").order_by("-period")
    action = get_object_or_404(
        Action.objects.select_related("mechanism__requirement__objective__programme", "lead")
        .with_overdue()
        .with_current_update()
        .prefetch_related(
            "delegates", Prefetch("updates", queryset=updates, to_attr="updates_newest_first")
        ),
        pk=pk,
    )
    action.mechanism.requirement.objective.programme.update_period_now = action.update_period
    return action


def earlier_years(action: Action) -> list[Action]:
    """The actions ``action`` was carried from (actions/carry.py), last year's first, each with
    its programme and its updates newest first, so its page shows the action's history
    across years. Two queries per earlier year; none for an action that was not carried."""
    updates = Update.objects.select_related("author").order_by("-period")
    earlier, pk = [], action.carried_from_id
    while pk is not None and len(earlier) < 50:  # a chain is one link a year
        one = (
            Action.objects.select_related("mechanism__requirement__objective__programme")
            .prefetch_related(Prefetch("updates", queryset=updates, to_attr="updates_newest_first"))
            .get(pk=pk)
        )
        earlier.append(one)
        pk = one.carried_from_id
    return earlier


def actions_with_latest_update() -> QuerySet[Action]:
    """Every live action (none retired) in programme order with its programme, lead, latest
    update period, whether it is overdue and whether it has an update for its programme's
    current quarter.

    One query for any number of rows.
    """
    return (
        Action.objects.live()
        .select_related("mechanism__requirement__objective__programme", "lead")
        .annotate(
            latest_period=Subquery(
                Update.objects.filter(action=OuterRef("pk"))
                .order_by("-period")
                .values("period")[:1]
            ),
        )
        .with_current_update()
        .with_overdue()
        .in_programme_order()
    )


def status_counts(actions: QuerySet[Action]) -> dict[str, int]:
    """How many of ``actions`` (from actions_with_latest_update(), whose
    ``missing_current_update`` the table shows too) are in each status, every status
    counted so that they add up to ``total``, and how many miss an update: one query."""
    return actions.aggregate(
        **{status.value: Count("pk", filter=Q(status=status)) for status in Status},
        missing_update=Count("pk", filter=Q(missing_current_update=True)),
        total=Count("pk"),
    )


@dataclass
class UpdatesDue:
    """How many of one person's actions in a programme miss an update for the quarter the
    programme asks about (Programme.update_period()); none once its reporting is complete."""

    programme: Programme
    missing: int
    total: int

    @property
    def period(self) -> ReportingPeriod | None:
        return self.programme.update_period()

    @property
    def reporting_complete(self) -> bool:
        return self.period is None

    @property
    def due_by(self) -> dt.date | None:
        return None if self.period is None else update_due_by(self.period)


def updates_due_for(user) -> list[UpdatesDue]:
    """For each programme in which ``user`` leads or is a delegate of live actions, how many of
    them miss an update for the quarter the programme asks about (Action.objects
    .missing_update's rule: never a locked quarter), by programme name: two queries however
    many actions and programmes."""
    mine = (
        Action.objects.live()
        .filter(Q(lead=user) | Q(delegates=user))
        .with_current_update()
        .values_list("pk", "mechanism__requirement__objective__programme", "missing_current_update")
        .distinct()
        .order_by()
    )
    total, missing = Counter(), Counter()
    for _, programme_id, is_missing in mine:
        total[programme_id] += 1
        missing[programme_id] += bool(is_missing)
    programmes = Programme.objects.with_update_period().filter(pk__in=list(total))
    return [
        UpdatesDue(programme=programme, missing=missing[programme.pk], total=total[programme.pk])
        for programme in programmes.order_by("name", "pk")
    ]


@dataclass(frozen=True)
class CarryPlan:
    """What carrying would do, for the preview: read, never written."""

    programme: Programme
    first_period: ReportingPeriod
    last_period: ReportingPeriod
    objectives: int
    requirements: int
    mechanisms: int
    carried: list[Action]
    left_behind: list[Action]
    retired: list[Action] = field(default_factory=list)


def plan_carry(*, programme: Programme) -> CarryPlan:
    """What carrying ``programme`` into next year would do (actions/carry.py), for its
    preview: the same quarters a year on, the counts of the structure copied (retired parts
    are not), the actions carried (not complete) and left behind (complete, or retired).
    Four queries whatever the programme's size: the structure's three counts and the
    actions with their leads."""
    actions = list(
        Action.objects.filter(mechanism__requirement__objective__programme=programme)
        .select_related("lead")
        .in_programme_order()
    )
    live = Objective.objects.live()
    return CarryPlan(
        programme=programme,
        first_period=programme.first_period.a_year_on(),
        last_period=programme.last_period.a_year_on(),
        objectives=live.filter(programme=programme).count(),
        requirements=Requirement.objects.live().filter(objective__programme=programme).count(),
        mechanisms=Mechanism.objects.live()
        .filter(requirement__objective__programme=programme)
        .count(),
        carried=[a for a in actions if a.status != Status.COMPLETE and a.retired_at is None],
        left_behind=[a for a in actions if a.status == Status.COMPLETE and a.retired_at is None],
        retired=[a for a in actions if a.retired_at is not None],
    )


def programme_structure(programme: Programme) -> QuerySet[Objective]:
    """The programme's tree for its structure page: objectives → requirements → mechanisms →
    actions with their leads and delegates, each level in programme order
    (``ordered_requirements``, ``ordered_mechanisms``, ``ordered_actions``), retired parts
    included (the page shows them greyed, to restore), each with what_records() (whether it
    may be deleted).

    Five queries whatever the programme's size: objectives, requirements, mechanisms,
    actions with leads, and delegates.
    """
    actions = (
        Action.objects.select_related("lead")
        .prefetch_related("delegates")
        .annotate(**what_records(Action))
        .order_by("position", "pk")
    )
    mechanisms = (
        Mechanism.objects.annotate(**what_records(Mechanism))
        .order_by("position", "pk")
        .prefetch_related(Prefetch("actions", queryset=actions, to_attr="ordered_actions"))
    )
    requirements = (
        Requirement.objects.annotate(**what_records(Requirement))
        .order_by("position", "pk")
        .prefetch_related(Prefetch("mechanisms", queryset=mechanisms, to_attr="ordered_mechanisms"))
    )
    return (
        Objective.objects.filter(programme=programme)
        .annotate(**what_records(Objective))
        .order_by("position", "pk")
        .prefetch_related(
            Prefetch("requirements", queryset=requirements, to_attr="ordered_requirements")
        )
    )


def mechanisms_of(programme: Programme, *, keeping: int | None = None) -> QuerySet[Mechanism]:
    """The programme's live mechanisms (an action moves only to one of them), and the one
    ``keeping`` names even if retired (a retired action's own, so its form still saves), in
    report order, each with its requirement and objective (to name it by them): one query."""
    return (
        Mechanism.objects.filter(Q(retired_at__isnull=True) | Q(pk=keeping))
        .filter(requirement__objective__programme=programme)
        .select_related("requirement__objective")
        .order_by(
            "requirement__objective__position",
            "requirement__objective__pk",
            "requirement__position",
            "requirement__pk",
            "position",
            "pk",
        )
    )


# Retiring and deleting (actions/structure.py): what is under a part, and what records it.
# Each level's parts under a part, as lookups from that level's model to the part.
PARTS_UNDER = {
    Objective: (
        (Requirement, "objective"),
        (Mechanism, "requirement__objective"),
        (Action, "mechanism__requirement__objective"),
    ),
    Requirement: ((Mechanism, "requirement"), (Action, "mechanism__requirement")),
    Mechanism: ((Action, "mechanism"),),
    Action: (),
}
# From an action up to a part of each level (the action itself: its pk).
ACTION_TO = {
    Objective: "mechanism__requirement__objective",
    Requirement: "mechanism__requirement",
    Mechanism: "mechanism",
    Action: "pk",
}
PROGRAMME_OF = {
    Objective: "programme",
    Requirement: "objective__programme",
    Mechanism: "requirement__objective__programme",
    Action: "mechanism__requirement__objective__programme",
}
_LONG_AGO = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)


def what_records(model) -> dict:
    """Annotations saying what records each part of ``model``, so that it must be retired,
    not deleted (actions.structure.why_not_deletable): ``has_updates`` (an update on an
    action under it), ``carried_on`` (an action under it carried into next year: the new
    one's page shows this one's history) and ``maybe_published`` (a published paper of its
    programme from after the part was first saved: a snapshot names actions and objectives
    but not requirements or mechanisms, so time is the rule that holds at every level; a
    part history has no record of counts as always there). Subqueries: no extra query."""
    first_saved = (
        model.history.model.objects.filter(id=OuterRef(OuterRef("pk")))
        .order_by("history_date")
        .values("history_date")[:1]
    )
    return {
        "has_updates": Exists(
            Update.objects.filter(**{f"action__{ACTION_TO[model]}": OuterRef("pk")})
        ),
        "carried_on": Exists(
            Action.objects.filter(**{f"carried_from__{ACTION_TO[model]}": OuterRef("pk")})
        ),
        "maybe_published": Exists(
            Paper.objects.filter(
                programme=OuterRef(PROGRAMME_OF[model]),
                state=Paper.State.PUBLISHED,
                published_at__gte=Coalesce(Subquery(first_saved), Value(_LONG_AGO)),
            )
        ),
    }


def part_for_confirmation(model, *, pk: int, programme: Programme):
    """One part of ``programme`` for a retire, restore or delete page, with what records it
    (what_records) and its parent (to say whether it is retired): one query, 404 for a part
    of another programme."""
    parent = {Objective: None, Requirement: "objective", Mechanism: "requirement"}.get(
        model, "mechanism"
    )
    parts = model.objects.annotate(**what_records(model))
    if parent:
        parts = parts.select_related(parent)
    return get_object_or_404(parts, pk=pk, **{PROGRAMME_OF[model]: programme})


@dataclass(frozen=True)
class PartsUnder:
    """How many parts under one part a retire, restore or delete would reach, and how many
    updates are on its actions (kept, whatever is done)."""

    requirements: int = 0
    mechanisms: int = 0
    actions: int = 0
    updates: int = 0


def parts_under(part, *, retired_at=None, everything: bool = False) -> PartsUnder:
    """The parts under ``part``: live ones (what retiring it reaches), or those retired at
    ``retired_at`` (what restoring it brings back), or ``everything`` (what deleting it
    removes); and the updates on the actions under it and on it. At most four queries (one
    count per level under it, and the updates)."""
    model = type(part)
    counts = {}
    for child, lookup in PARTS_UNDER[model]:
        found = child.objects.filter(**{lookup: part})
        if not everything:
            found = found.filter(retired_at=retired_at) if retired_at else found.live()
        counts[f"{child._meta.model_name}s"] = found.count()
    updates = Update.objects.filter(**{f"action__{ACTION_TO[model]}": part.pk}).count()
    return PartsUnder(**counts, updates=updates)
