"""Carrying a programme into the next financial year (issue 22, point 3).

A new year is a new programme, so last year's record (its report, papers and snapshots)
never changes: its structure is copied, its actions not complete are carried with their
leads and delegates and linked back (Action.carried_from), and complete ones stay behind,
as do retired parts (actions/structure.py), which are not copied.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch
from django.utils.text import slugify

from actions.models import Action, Mechanism, Objective, Programme, Requirement
from actions.queries import plan_carry
from careprog.periods import financial_year_label


class CarryRefused(Exception):
    """The carry was refused; its message says why, for the form's error summary."""


def proposed_name(programme: Programme) -> str:
    """The old name with its year moved on ("Care Programme 2024-25" → "… 2025-26"), or the
    new year added when the name carries none."""
    old = financial_year_label(programme.first_period.year)
    new = financial_year_label(programme.first_period.year + 1)
    if old in programme.name:
        return programme.name.replace(old, new)
    return f"{programme.name} {new}"


def proposed_slug(programme: Programme) -> str:
    return slugify(proposed_name(programme))[:100]


def _refusal(*, programme: Programme, name: str, slug: str) -> str | None:
    if not name.strip():
        return "Enter a name for the new programme"
    if not slug or slug != slugify(slug):
        return "Enter a slug of lower-case letters, numbers and hyphens"
    if Programme.objects.filter(slug=slug).exists():
        return f"A programme with the slug ‘{slug}’ already exists: choose another"
    carried = programme.carried_into.first()
    if carried is not None:
        return f"{programme.name} has already been carried into the next year: {carried.name}"
    return None


@transaction.atomic
def carry_programme(*, programme: Programme, name: str, slug: str) -> Programme:
    """Create next year's programme from ``programme``, all or nothing, and return it.

    Refuses (CarryRefused) a blank name, a taken slug or a programme already carried. The old
    programme is only read. Actions keep their status as last reported (their update
    history stays with the old action, shown on the new one's page through carried_from).
    """
    refusal = _refusal(programme=programme, name=name, slug=slug)
    if refusal:
        raise CarryRefused(refusal)
    plan = plan_carry(programme=programme)
    new = Programme.objects.create(
        name=name.strip(),
        slug=slug,
        description=programme.description,
        committee_id=programme.committee_id,
        first_period=plan.first_period,
        last_period=plan.last_period,
        carried_from=programme,
    )
    mechanisms_now: dict[int, Mechanism] = {}
    live_mechanisms = Prefetch("mechanisms", queryset=Mechanism.objects.live())
    live_requirements = Prefetch(
        "requirements", queryset=Requirement.objects.live().prefetch_related(live_mechanisms)
    )
    for objective in (
        programme.objectives.live()
        .prefetch_related("kpis", live_requirements)
        .order_by("position", "pk")
    ):
        new_objective = Objective.objects.create(
            programme=new,
            position=objective.position,
            title=objective.title,
            statement=objective.statement,
        )
        new_objective.kpis.set(objective.kpis.all())
        for requirement in objective.requirements.all():
            new_requirement = Requirement.objects.create(
                objective=new_objective, position=requirement.position, text=requirement.text
            )
            for mechanism in requirement.mechanisms.all():
                mechanisms_now[mechanism.pk] = Mechanism.objects.create(
                    requirement=new_requirement, position=mechanism.position, text=mechanism.text
                )
    delegates = {
        a.pk: list(a.delegates.all())
        for a in Action.objects.filter(pk__in=[a.pk for a in plan.carried]).prefetch_related(
            "delegates"
        )
    }
    for action in plan.carried:
        carried = Action.objects.create(
            mechanism=mechanisms_now[action.mechanism_id],
            position=action.position,
            title=action.title,
            lead=action.lead,
            due_date=action.due_date,
            status=action.status,
            reason=action.reason,
            next_step=action.next_step,
            carried_from=action,
        )
        carried.delegates.set(delegates[action.pk])
    return new
