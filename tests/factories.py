"""Small builders for programme hierarchy tests, so a test states the data it relies on
rather than the seed fixture's primary keys and positions.

Each builder makes what it needs above it when not given, with defaults a reader can
skip: ``make_action()`` alone gives an action in a one-objective programme.
"""

from __future__ import annotations

import itertools

from actions.models import Action, Mechanism, Objective, Programme, Requirement, Status, Update
from careprog.periods import ReportingPeriod

_numbers = itertools.count(1)
Q1, Q3, Q4 = ReportingPeriod(2024, 1), ReportingPeriod(2024, 3), ReportingPeriod(2024, 4)


def make_programme(
    name: str | None = None,
    *,
    first_period: ReportingPeriod = Q1,
    last_period: ReportingPeriod = Q4,
    **extra,
) -> Programme:
    number = next(_numbers)
    return Programme.objects.create(
        name=name or f"Programme {number}",
        slug=extra.pop("slug", f"programme-{number}"),
        first_period=first_period,
        last_period=last_period,
        **extra,
    )


def make_objective(
    title: str = "Children live safely with their families",
    *,
    programme: Programme | None = None,
    position: int = 1,
    **extra,
) -> Objective:
    return Objective.objects.create(
        programme=programme or make_programme(),
        title=title,
        statement=extra.pop("statement", f"{title}, as the programme states it"),
        position=position,
        **extra,
    )


def make_requirement(
    text: str = "What we need", *, objective: Objective | None = None, position: int = 1
) -> Requirement:
    return Requirement.objects.create(
        objective=objective or make_objective(), text=text, position=position
    )


def make_mechanism(
    text: str = "How we will make that happen",
    *,
    requirement: Requirement | None = None,
    position: int = 1,
) -> Mechanism:
    return Mechanism.objects.create(
        requirement=requirement or make_requirement(), text=text, position=position
    )


def make_action(
    title: str = "What we need to do",
    *,
    mechanism: Mechanism | None = None,
    programme: Programme | None = None,
    position: int = 1,
    **extra,
) -> Action:
    """``programme``: under a new objective, requirement and mechanism of that programme."""
    if mechanism is None:
        objective = make_objective(programme=programme) if programme else None
        mechanism = make_mechanism(requirement=make_requirement(objective=objective))
    return Action.objects.create(mechanism=mechanism, title=title, position=position, **extra)


def make_update(
    action: Action,
    period: ReportingPeriod = Q3,
    status: str = Status.ON_TRACK,
    *,
    text: str | None = None,
    **extra,
) -> Update:
    """An update saved as the app saves one. At risk and off track get a reason and next
    step unless given, as the database requires."""
    if Status(status).needs_explanation:
        extra.setdefault("reason", "A reason")
        extra.setdefault("next_step", "A next step")
    return Update.objects.create(
        action=action,
        period=period,
        status=status,
        text=text if text is not None else f"Update for {period.label}",
        **extra,
    )
