"""Carrying a programme into the next financial year (issue 22, point 3): the service."""

import pytest

from actions.carry import CarryRefused, carry_programme, proposed_name, proposed_slug
from actions.models import Action, Mechanism, Objective, Programme, Requirement, Status, Update
from actions.queries import plan_carry
from careprog.periods import ReportingPeriod
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

# The seed's Appendix C: 43 actions, of which 11 are reported complete.
SEED_ACTIONS, SEED_COMPLETE = 43, 11


def _carry(programme, **kwargs):
    return carry_programme(
        programme=programme,
        name=kwargs.get("name", proposed_name(programme)),
        slug=kwargs.get("slug", proposed_slug(programme)),
    )


def _actions(programme):
    return Action.objects.filter(mechanism__requirement__objective__programme=programme)


def test_the_next_years_name_slug_and_quarters_are_proposed(seed_programme):
    plan = plan_carry(programme=seed_programme)

    assert proposed_name(seed_programme) == "Care Programme 2025-26"
    assert proposed_slug(seed_programme) == "care-programme-2025-26"
    assert (plan.first_period, plan.last_period) == (
        ReportingPeriod.parse("2025-26-q1"),
        ReportingPeriod.parse("2025-26-q4"),
    )


def test_the_preview_lists_the_seeds_actions_carried_and_left_behind(seed_programme):
    plan = plan_carry(programme=seed_programme)

    assert (plan.objectives, plan.requirements, plan.mechanisms) == (4, 9, 16)
    assert len(plan.carried) == SEED_ACTIONS - SEED_COMPLETE
    assert len(plan.left_behind) == SEED_COMPLETE
    assert all(a.status == Status.COMPLETE for a in plan.left_behind)
    assert not any(a.status == Status.COMPLETE for a in plan.carried)
    assert Programme.objects.count() == 1, "the preview writes nothing"


def test_carrying_the_seed_copies_its_structure_and_carries_the_actions_not_complete(
    seed_programme,
):
    new = _carry(seed_programme)

    assert new.name == "Care Programme 2025-26"
    assert str(new.first_period) == str(ReportingPeriod.parse("2025-26-q1"))
    old_tree = [
        (o.title, o.statement, sorted(o.kpis.values_list("pk", flat=True)))
        for o in seed_programme.objectives.all()
    ]
    new_tree = [
        (o.title, o.statement, sorted(o.kpis.values_list("pk", flat=True)))
        for o in new.objectives.all()
    ]
    assert new_tree == old_tree
    assert Requirement.objects.filter(objective__programme=new).count() == 9
    assert Mechanism.objects.filter(requirement__objective__programme=new).count() == 16
    carried = list(_actions(new).in_programme_order())
    assert len(carried) == SEED_ACTIONS - SEED_COMPLETE
    expected = [
        (a.title, a.status, a.mechanism.text, a.mechanism.requirement.objective.title)
        for a in _actions(seed_programme).exclude(status=Status.COMPLETE).in_programme_order()
    ]
    assert [
        (a.title, a.status, a.mechanism.text, a.mechanism.requirement.objective.title)
        for a in carried
    ] == expected
    assert all(
        a.carried_from.mechanism.requirement.objective.programme == seed_programme for a in carried
    )
    assert not Update.objects.filter(action__in=carried).exists()


def test_carried_actions_keep_their_leads_and_delegates(
    seed_programme, officer, other_officer, django_user_model
):
    action = _actions(seed_programme).exclude(status=Status.COMPLETE).first()
    action.lead = officer
    action.save()
    action.delegates.set([other_officer, make_user(django_user_model, "deputy")])

    new = _carry(seed_programme)

    successor = Action.objects.get(carried_from=action)
    assert successor.mechanism.requirement.objective.programme == new
    assert successor.lead == officer
    assert set(successor.delegates.values_list("username", flat=True)) == {"oscar", "deputy"}


def test_the_old_programme_is_untouched(seed_programme):
    def record():
        actions = _actions(seed_programme).order_by("pk")
        return (
            list(actions.values()),
            list(Update.objects.filter(action__in=actions).order_by("pk").values()),
            list(Objective.objects.filter(programme=seed_programme).order_by("pk").values()),
        )

    before = record()
    _carry(seed_programme)
    assert record() == before


def test_a_taken_slug_is_refused_and_nothing_is_written(seed_programme):
    with pytest.raises(CarryRefused, match="already exists"):
        _carry(seed_programme, slug=seed_programme.slug)
    assert Programme.objects.count() == 1


def test_a_programme_is_carried_only_once(seed_programme):
    _carry(seed_programme)

    with pytest.raises(CarryRefused, match="already been carried"):
        _carry(seed_programme, slug="another-go")
    assert Programme.objects.count() == 2


def test_a_programme_whose_actions_are_all_complete_is_still_carried_only_once(seed_programme):
    _actions(seed_programme).update(status=Status.COMPLETE)
    new = _carry(seed_programme)
    assert not _actions(new).exists()

    with pytest.raises(CarryRefused, match="already been carried into the next year: Care"):
        _carry(seed_programme, slug="another-go")
    assert new.carried_from == seed_programme
