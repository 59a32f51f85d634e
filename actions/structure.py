"""Writes that shape a programme in the app: the programme itself, its objectives,
requirements, mechanisms and actions.

Kept by programme administrators (actions.permissions.can_manage), never in Django admin
alone. Each write is keyword-only and atomic, refuses with StructureRefused, whose message
says why and which field it concerns, and is recorded in the model's history. A form opened
before someone else's save is refused with StaleStructure (409), carrying what is stored
now, as an action's update is (actions.services.StaleEdit).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from actions import queries
from actions.models import Action, Mechanism, Objective, Paper, Programme, Requirement, Update
from actions.people.queries import people_who_may_lead
from actions.permissions import can_manage
from careprog.periods import ReportingPeriod


class StructureRefused(Exception):
    """A write the programme's structure does not allow; ``field`` names the form field it
    is about (None when it is about the whole request)."""

    def __init__(self, message: str, *, status: int = 400, field: str | None = None):
        super().__init__(message)
        self.message, self.status, self.field = message, status, field


class StaleStructure(StructureRefused):
    """Someone saved the object after the form was opened: nothing is written, and
    ``current`` is what is stored now, for the form to show and to be saved over."""

    def __init__(self, message: str, *, current):
        super().__init__(message, status=409)
        self.current = current


def _quarters_in_use(programme: Programme) -> set[ReportingPeriod]:
    """Quarters the programme's updates and papers are written for: two queries."""
    updates = Update.objects.filter(
        action__mechanism__requirement__objective__programme=programme
    ).values_list("period", flat=True)
    papers = Paper.objects.filter(programme=programme).values_list("period", flat=True)
    return set(updates.distinct()) | set(papers.distinct())


@transaction.atomic
def save_programme(
    *,
    user,
    name: str,
    slug: str,
    description: str,
    first_period: ReportingPeriod,
    last_period: ReportingPeriod,
    committee_id: int | None = None,
    open_data: bool = False,
    programme_id: int | None = None,
    seen_version: int | None = None,
) -> Programme:
    """A new programme, or a programme changed (``programme_id``, opened at
    ``seen_version``: a save after someone else's, or one that says no version, is refused
    with StaleStructure). Slugs are unique (they are the programme's addresses), and a
    programme's quarters must still hold every quarter its updates and papers are about:
    shortening it never hides what was written. ``committee_id``: the committee its papers
    usually go to, or None. ``open_data``: whether its published papers and approved
    figures are open data at /open/; switching it on keeps the moment it was first switched
    on (``open_data_from``), switching it off clears it."""
    if not can_manage(user):
        raise StructureRefused("You cannot add or change programmes.", status=403)
    if programme_id is None:
        programme = Programme()
    else:
        programme = Programme.objects.select_for_update().filter(pk=programme_id).first()
        if programme is None:
            raise StructureRefused("This programme no longer exists.", status=409)
        if seen_version is None or programme.version != seen_version:
            raise StaleStructure(
                f"Someone changed this programme after you opened it: it is now called "
                f"“{programme.name}” and reports on {programme.first_period.label} to "
                f"{programme.last_period.label}. Check the details below and save again.",
                current=programme,
            )
    name, slug = name.strip(), slug.strip()
    if Programme.objects.filter(slug=slug).exclude(pk=programme.pk).exists():
        raise StructureRefused(
            f"There is already a programme at the address “{slug}”. Choose another.",
            field="slug",
        )
    if first_period > last_period:
        raise StructureRefused(
            "The last quarter must be the same as or after the first quarter.",
            field="last_period",
        )
    if programme.pk is not None:
        outside = sorted(
            period
            for period in _quarters_in_use(programme)
            if not first_period <= period <= last_period
        )
        if outside:
            raise StructureRefused(
                f"The programme has updates or papers for {outside[0].label}: its quarters "
                f"must include {', '.join(period.label for period in outside)}.",
                field="first_period" if outside[0] < first_period else "last_period",
            )
    programme.name, programme.slug, programme.description = name, slug, description
    programme.first_period, programme.last_period = first_period, last_period
    programme.committee_id = committee_id
    if not open_data:
        programme.open_data_from = None
    elif programme.open_data_from is None:
        programme.open_data_from = timezone.now()
    programme.save()
    return programme


def _refuse_under_retired(model, parent_id: int, *, field: str | None = None) -> None:
    """A part is added or moved only under a live parent: a retired parent keeps what was
    under it when it was retired, and nothing new (one query)."""
    parent = model.objects.filter(pk=parent_id, retired_at__isnull=False).first()
    if parent is not None:
        name = model._meta.verbose_name
        raise StructureRefused(
            f"The {name} “{parent}” was retired on {parent.retired_at:%-d %B %Y}: restore it "
            f"before adding to it.",
            status=409,
            field=field,
        )


def _next_position(siblings) -> int:
    """After the last of ``siblings``: one query."""
    return (siblings.aggregate(last=Max("position"))["last"] or 0) + 1


def _open_for_change(model, *, user, part_id: int | None, seen_version: int | None, what: str):
    """The part locked for change, having checked the user may and that nobody saved it
    since the form was opened; None for a new one."""
    if not can_manage(user):
        raise StructureRefused("You cannot change a programme's structure.", status=403)
    if part_id is None:
        return None
    part = model.objects.select_for_update().filter(pk=part_id).first()
    if part is None:
        raise StructureRefused(f"This {what} no longer exists.", status=409)
    if seen_version is None or part.version != seen_version:
        raise StaleStructure(
            f"Someone changed this {what} after you opened it: it now reads “{part}”. "
            "Check it below and save again.",
            current=part,
        )
    return part


@transaction.atomic
def save_objective(
    *,
    user,
    programme_id: int,
    title: str,
    statement: str,
    kpi_ids: list[int] | None = None,
    objective_id: int | None = None,
    seen_version: int | None = None,
) -> Objective:
    """A new objective, last in its programme, or one renamed (``objective_id``, opened at
    ``seen_version``; a save after someone else's is refused with StaleStructure).

    ``kpi_ids``: the catalogue's measures that evidence it, replacing those chosen before
    (None leaves them as they are). A change of measures alone still raises the version,
    so a form opened before it is refused rather than silently putting the old ones back;
    the objective's history records the measures chosen at each save."""
    objective = _open_for_change(
        Objective, user=user, part_id=objective_id, seen_version=seen_version, what="objective"
    )
    if objective is None:
        objective = Objective(
            programme_id=programme_id,
            position=_next_position(Objective.objects.filter(programme_id=programme_id)),
        )
    objective.title, objective.statement = title.strip(), statement.strip()
    objective.save()
    if kpi_ids is not None:
        objective.kpis.set(kpi_ids)
    return objective


@transaction.atomic
def save_requirement(
    *,
    user,
    objective_id: int,
    text: str,
    requirement_id: int | None = None,
    seen_version: int | None = None,
) -> Requirement:
    """A new requirement, last under its objective, or one reworded (as save_objective)."""
    requirement = _open_for_change(
        Requirement,
        user=user,
        part_id=requirement_id,
        seen_version=seen_version,
        what="requirement",
    )
    if requirement is None:
        _refuse_under_retired(Objective, objective_id)
        requirement = Requirement(
            objective_id=objective_id,
            position=_next_position(Requirement.objects.filter(objective_id=objective_id)),
        )
    requirement.text = text.strip()
    requirement.save()
    return requirement


@transaction.atomic
def save_mechanism(
    *,
    user,
    requirement_id: int,
    text: str,
    mechanism_id: int | None = None,
    seen_version: int | None = None,
) -> Mechanism:
    """A new mechanism, last under its requirement, or one reworded (as save_objective)."""
    mechanism = _open_for_change(
        Mechanism, user=user, part_id=mechanism_id, seen_version=seen_version, what="mechanism"
    )
    if mechanism is None:
        _refuse_under_retired(Requirement, requirement_id)
        mechanism = Mechanism(
            requirement_id=requirement_id,
            position=_next_position(Mechanism.objects.filter(requirement_id=requirement_id)),
        )
    mechanism.text = text.strip()
    mechanism.save()
    return mechanism


def _same_programme(mechanism_id: int, other_id: int) -> bool:
    """One query."""
    programmes = Mechanism.objects.filter(pk__in=[mechanism_id, other_id]).values_list(
        "requirement__objective__programme_id", flat=True
    )
    found = list(programmes)
    return len(found) == 2 and found[0] == found[1]


@transaction.atomic
def save_action(
    *,
    user,
    mechanism_id: int,
    title: str,
    lead_id: int | None,
    delegate_ids: list[int],
    due_date: dt.date | None,
    action_id: int | None = None,
    seen_version: int | None = None,
) -> Action:
    """A new action, last under its mechanism, or one changed (as save_objective: opened at
    ``seen_version``, the version an officer's update also moves). Given another mechanism
    of its programme, the action moves there, last, with its updates (its history records
    the move). Its status stays its latest update's."""
    action = _open_for_change(
        Action, user=user, part_id=action_id, seen_version=seen_version, what="action"
    )
    may_lead = set(
        people_who_may_lead()
        .filter(pk__in=[i for i in [lead_id, *delegate_ids] if i is not None])
        .values_list("pk", flat=True)
    )
    if lead_id is not None and lead_id not in may_lead:
        raise StructureRefused(
            "The lead must be someone who may update actions (an officer): change their role"
            " on the People page first.",
            field="lead",
        )
    if set(delegate_ids) - may_lead:
        raise StructureRefused(
            "Delegates must be people who may update actions (officers).", field="delegates"
        )
    if action is None or action.mechanism_id != mechanism_id:
        if action is not None and not _same_programme(action.mechanism_id, mechanism_id):
            raise StructureRefused(
                "An action moves only to a mechanism of its own programme.", field="mechanism"
            )
        _refuse_under_retired(
            Mechanism, mechanism_id, field="mechanism" if action is not None else None
        )
        action = action or Action()
        action.mechanism_id = mechanism_id
        action.position = _next_position(Action.objects.filter(mechanism_id=mechanism_id))
    action.title, action.lead_id, action.due_date = title.strip(), lead_id, due_date
    action._change_reason = _delegates_changed(action, delegate_ids)
    action.save()
    action.delegates.set(delegate_ids)
    return action


def _delegates_changed(action: Action, delegate_ids: list[int]) -> str | None:
    """The history record's reason when the delegates change ("Delegates: Olive Lead, Oscar
    Other", or "none"), else None. Delegates are not a field of the action's history (recording
    them there would cost every read of an action's history a query), so the record of the save
    that changed them says who they became. Two queries, only when an action is saved here."""
    before = set(action.delegates.values_list("pk", flat=True)) if action.pk else set()
    if before == set(delegate_ids):
        return None
    people = (
        get_user_model()
        .objects.filter(pk__in=delegate_ids)
        .order_by("first_name", "last_name", "username")
    )
    names = [person.get_full_name() or person.get_username() for person in people]
    return "Delegates: " + (", ".join(names) if names else "none")


# Each part's siblings: the parts under the same parent, which its position orders it among.
PARENT_FIELD = {
    Objective: "programme_id",
    Requirement: "objective_id",
    Mechanism: "requirement_id",
    Action: "mechanism_id",
}


@transaction.atomic
def reorder(*, user, model: type, part_id: int, direction: str):
    """Move a part one place up or down among its siblings, renumbering them 1, 2, 3 … in
    their current order first (imported and seeded parts may share a position). Positions
    are written with update(): a new order is not a change of what the part says, so it
    leaves the part's version (open forms stay valid) and its history alone, as
    Action.history already leaves position out. The live report follows at once;
    published papers keep the order they were published in (their snapshots)."""
    if not can_manage(user):
        raise StructureRefused("You cannot change a programme's structure.", status=403)
    if direction not in ("up", "down"):
        raise StructureRefused("Choose to move it up or down.")
    name = model._meta.verbose_name
    part = model.objects.select_for_update().filter(pk=part_id).first()
    if part is None:
        raise StructureRefused(f"This {name} no longer exists.", status=409)
    parent = PARENT_FIELD[model]
    siblings = list(
        model.objects.select_for_update()
        .filter(**{parent: getattr(part, parent)})
        .order_by("position", "pk")
    )
    here = next(index for index, sibling in enumerate(siblings) if sibling.pk == part.pk)
    there = here - 1 if direction == "up" else here + 1
    if not 0 <= there < len(siblings):
        edge = "first" if direction == "up" else "last"
        raise StructureRefused(f"The {name} “{part}” is already {edge}.", status=409)
    siblings[here], siblings[there] = siblings[there], siblings[here]
    for position, sibling in enumerate(siblings, start=1):
        if sibling.position != position:
            model.objects.filter(pk=sibling.pk).update(position=position)
    return part


# Retiring, restoring and deleting a part: each reaches the parts under it
# (actions.queries.PARTS_UNDER).


def _open_to_retire(model, *, user, part_id: int, seen_version: int | None):
    """The part locked, as _open_for_change, for retiring, restoring or deleting."""
    return _open_for_change(
        model,
        user=user,
        part_id=part_id,
        seen_version=seen_version,
        what=model._meta.verbose_name,
    )


def parent_of(part):
    """The part above ``part`` that can be retired (None for an objective)."""
    field = PARENT_FIELD[type(part)]
    return None if field == "programme_id" else getattr(part, field.removesuffix("_id"))


def under_retired_parent(part, parent) -> str:
    """The sentence refusing to restore ``part`` under its retired ``parent``."""
    name, above = type(part)._meta.verbose_name, type(parent)._meta.verbose_name
    return (
        f"This {name} is under the {above} “{parent}”, which was retired on "
        f"{parent.retired_at:%-d %B %Y}: restore the {above} first."
    )


@transaction.atomic
def retire(*, user, model: type, part_id: int, seen_version: int | None, now=None):
    """Retire a part: kept, with its updates and history, and left out of every live read
    (the report, "Needs attention", the action lists, reminders, carrying, a draft paper);
    published papers keep it in their snapshots. Everything under it not yet retired is
    retired with it at the same moment, each saved so its history records it.

    Restoring the part restores exactly what was retired at that moment (restore()): a
    child an administrator retired on its own before keeps its own, earlier, date and stays
    retired. Sharing the timestamp needs no extra table and is what history shows anyway."""
    part = _open_to_retire(model, user=user, part_id=part_id, seen_version=seen_version)
    name = model._meta.verbose_name
    if part.retired_at is not None:
        raise StructureRefused(
            f"This {name} was already retired on {part.retired_at:%-d %B %Y}.", status=409
        )
    now = now or timezone.now()
    for child_model, lookup in queries.PARTS_UNDER[model]:
        for child in child_model.objects.select_for_update().live().filter(**{lookup: part}):
            child.retired_at = now
            child.save()
    part.retired_at = now
    part.save()
    return part


@transaction.atomic
def restore(*, user, model: type, part_id: int, seen_version: int | None):
    """Bring a retired part back into the live report, with everything under it that was
    retired with it (the same moment: retire()). A part under a retired parent is refused:
    restore the parent first, or the tree would show a live part under a retired one."""
    part = _open_to_retire(model, user=user, part_id=part_id, seen_version=seen_version)
    name = model._meta.verbose_name
    if part.retired_at is None:
        raise StructureRefused(f"This {name} is not retired.", status=409)
    parent = parent_of(part)
    if parent is not None and parent.retired_at is not None:
        raise StructureRefused(under_retired_parent(part, parent), status=409)
    for child_model, lookup in queries.PARTS_UNDER[model]:
        for child in child_model.objects.select_for_update().filter(
            **{lookup: part, "retired_at": part.retired_at}
        ):
            child.retired_at = None
            child.save()
    part.retired_at = None
    part.save()
    return part


def why_not_deletable(part) -> str | None:
    """Why ``part`` must be retired rather than deleted, or None when nothing records it.
    Read from the part when it was read with actions.queries.what_records() (the rule, and
    what the structure page uses to offer Delete), else one query.

    Something records a part when an update was written on an action under it, an action
    under it was carried into next year, or a published paper of its programme may show it.
    Delegations record nothing (they say who may write, not what was written): they go
    with the part."""
    model = type(part)
    if not hasattr(part, "has_updates"):
        part = model.objects.annotate(**queries.what_records(model)).get(pk=part.pk)
    name = model._meta.verbose_name
    if part.has_updates or part.maybe_published:
        return f"This {name} has updates (or appears in a published paper): retire it instead."
    if part.carried_on:
        return (
            f"This {name} was carried into next year's programme (its page there shows this "
            "one's history): retire it instead."
        )
    return None


@transaction.atomic
def delete(*, user, model: type, part_id: int, seen_version: int | None):
    """Delete a part nothing records (why_not_deletable): a mistake, typed and not yet
    used. Everything under it goes with it. History keeps its deletion. Anything that has
    updates, was carried on or may appear in a published paper is refused: retire it."""
    part = _open_to_retire(model, user=user, part_id=part_id, seen_version=seen_version)
    refusal = why_not_deletable(part)
    if refusal:
        raise StructureRefused(refusal, status=409)
    part.delete()  # cascades: the parts under it go too, each deletion in its history
    return part
