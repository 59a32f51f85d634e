"""Creating a programme from a progress table's tree: all of it, or nothing.

The tree is read first (word.read_word) and shown or printed; only a tree without problems may be
created, so what is saved is exactly what was previewed. Each row is saved as the admin or the
app would save it, so the history records every objective's action and update as created (a
430-action table is a few thousand small writes: see benchmarks/ once measured).
"""

from __future__ import annotations

from django.db import transaction

from actions.models import Action, Mechanism, Objective, Programme, Requirement, Update
from actions.people.queries import people_named
from careprog.periods import ReportingPeriod

from .tree import ParsedProgramme


class ImportRefused(Exception):
    """Nothing was created: one sentence saying why."""


SLUG_TAKEN = "A programme with the short name '{slug}' already exists: choose another."
HAS_PROBLEMS = "The table has {count} problem{s} to correct first: nothing was created."
NOTHING = "The table holds no actions: nothing was created."
PERIODS_OUT_OF_ORDER = "The first quarter ({first}) is after the last ({last})."
UPDATES_OUTSIDE = (
    "The updates' quarter ({period}) is not one of the programme's ({first} to {last})."
)


@transaction.atomic
def create_programme(
    *,
    parsed: ParsedProgramme,
    name: str,
    slug: str,
    first_period: ReportingPeriod,
    last_period: ReportingPeriod,
    updates_period: ReportingPeriod | None = None,
    author=None,
    source: str = "",
) -> Programme:
    """The new programme holding the tree in its order. With ``updates_period``, each action's
    update text (if any) becomes its update for that quarter, not assessed: the table says
    what happened, not how it is rated. A lead the table names is matched to one person who may
    lead by email or name (actions.people.queries.people_named); one matching no one is left
    without a lead, never invented: ``unmatched_leads`` lists them for the preview.
    ImportRefused, and nothing saved, otherwise."""
    refuse_unless_creatable(parsed, slug, first_period, last_period, updates_period)
    leads = people_named(parsed.leads())
    programme = Programme.objects.create(
        name=name, slug=slug, first_period=first_period, last_period=last_period
    )
    for o, parsed_objective in enumerate(parsed.objectives):
        objective = Objective.objects.create(
            programme=programme,
            position=o,
            title=parsed_objective.title[:200],
            statement=parsed_objective.statement,
        )
        for r, parsed_requirement in enumerate(parsed_objective.requirements):
            requirement = Requirement.objects.create(
                objective=objective, position=r, text=parsed_requirement.text
            )
            for m, parsed_mechanism in enumerate(parsed_requirement.mechanisms):
                mechanism = Mechanism.objects.create(
                    requirement=requirement, position=m, text=parsed_mechanism.text
                )
                for a, parsed_action in enumerate(parsed_mechanism.actions):
                    action = Action.objects.create(
                        mechanism=mechanism,
                        position=a,
                        title=parsed_action.title,
                        lead=leads.get(parsed_action.lead),
                        due_date=parsed_action.due,
                    )
                    if updates_period is not None and parsed_action.update:
                        Update.objects.create(
                            action=action,
                            period=updates_period,
                            text=parsed_action.update,
                            author=author,
                            source=source[:200],
                        )
    return programme


def refuse_unless_creatable(parsed, slug, first_period, last_period, updates_period):
    """ImportRefused unless create_programme would create it: the preview asks the same. One
    query (the short name)."""
    if parsed.problems:
        count = len(parsed.problems)
        raise ImportRefused(HAS_PROBLEMS.format(count=count, s="" if count == 1 else "s"))
    if not parsed.counts()["actions"]:
        raise ImportRefused(NOTHING)
    if first_period > last_period:
        raise ImportRefused(
            PERIODS_OUT_OF_ORDER.format(first=first_period.label, last=last_period.label)
        )
    if updates_period is not None and not first_period <= updates_period <= last_period:
        raise ImportRefused(
            UPDATES_OUTSIDE.format(
                period=updates_period.label, first=first_period.label, last=last_period.label
            )
        )
    if Programme.objects.filter(slug=slug).exists():
        raise ImportRefused(SLUG_TAKEN.format(slug=slug))


def unmatched_leads(parsed: ParsedProgramme) -> list[str]:
    """The leads the table names that match no one (or more than one person): their actions
    are created without a lead, for an administrator to choose. One query."""
    matched = people_named(parsed.leads())
    return [name for name in parsed.leads() if name not in matched]
