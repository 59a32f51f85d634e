"""The rules the action tables, filters, counts, action page and reminders share, each a
method of Action.objects: programme order, overdue, and an update for the current quarter."""

import datetime as dt

import pytest

from actions import queries
from actions.models import Action, Status, update_due_by
from careprog.periods import ReportingPeriod
from tests.factories import (
    make_action,
    make_mechanism,
    make_objective,
    make_programme,
    make_requirement,
    make_update,
)

TODAY = dt.date(2025, 2, 10)
Q3, Q4 = ReportingPeriod(2024, 3), ReportingPeriod(2024, 4)


def test_overdue_is_a_passed_due_date_on_an_action_not_complete(db):
    late = make_action("Late", due_date=dt.date(2025, 1, 31))
    due_today = make_action("Due today", due_date=TODAY)
    done = make_action("Done late", due_date=dt.date(2025, 1, 31), status=Status.COMPLETE)
    undated = make_action("No due date")

    assert list(Action.objects.overdue(TODAY)) == [late]
    assert set(Action.objects.not_overdue(TODAY)) == {due_today, done, undated}
    flags = {a.title: a.overdue for a in Action.objects.with_overdue(TODAY)}
    assert flags == {"Late": True, "Due today": False, "Done late": False, "No due date": False}


def test_an_action_says_it_is_overdue_by_the_same_rule_read_or_not(db):
    action = make_action(due_date=dt.date(2025, 1, 31))
    assert action.is_overdue(TODAY)
    assert not action.is_overdue(dt.date(2025, 1, 31))
    assert Action.objects.with_overdue(TODAY).get().overdue is True
    assert Action.objects.with_overdue().get().is_overdue()  # today is after 31 January 2025
    action.due_date = None  # unsaved: the rule is asked about this instance's values
    assert not action.is_overdue(TODAY)


@pytest.mark.parametrize("quarters_from_now", [-6, 0, 3])
def test_each_programme_is_asked_about_its_own_current_quarter(db, quarters_from_now):
    """Before, during and after the programme's range: the database and
    Programme.current_period() name the same quarter."""
    now = ReportingPeriod.current()
    first = now
    for _ in range(abs(quarters_from_now)):
        first = first.next() if quarters_from_now > 0 else first.previous()
    last = first.next().next()
    programme = make_programme(first_period=first, last_period=last)
    current = programme.current_period()
    assert current == {-6: last, 0: now, 3: first}[quarters_from_now]
    updated = make_action("Updated", programme=programme)
    make_update(updated, current)
    other_quarter = make_action("Updated for another quarter", mechanism=updated.mechanism)
    make_update(other_quarter, first if current != first else last)
    make_action("No update", mechanism=updated.mechanism)

    assert [a.title for a in Action.objects.updated()] == ["Updated"]
    assert [a.title for a in Action.objects.missing_update().order_by("pk")] == [
        "Updated for another quarter",
        "No update",
    ]
    flags = {a.title: a.has_current_update for a in Action.objects.with_current_update()}
    assert flags == {"Updated": True, "Updated for another quarter": False, "No update": False}
    assert [a.title for a in Action.objects.updated(current)] == ["Updated"]


def test_programme_order_follows_the_paper_and_keeps_tied_positions_together(db):
    second = make_programme("B programme")
    first = make_programme("A programme")
    # Two objectives at the same position: their actions must not interleave.
    tied = [make_objective(f"Objective {n}", programme=first, position=1) for n in (1, 2)]
    for objective in tied:
        for n in (2, 1):
            requirement = make_requirement(objective=objective, position=n)
            make_action(
                f"{objective.title}, need {n}", mechanism=make_mechanism(requirement=requirement)
            )
    make_action("In B", programme=second)

    assert [a.title for a in Action.objects.in_programme_order()] == [
        "Objective 1, need 1",
        "Objective 1, need 2",
        "Objective 2, need 1",
        "Objective 2, need 2",
        "In B",
    ]


def test_the_action_list_reads_its_columns_by_these_rules(db):
    make_action(due_date=dt.date(2020, 1, 31))
    [row] = queries.actions_with_latest_update()
    assert row.overdue is True and row.is_overdue()
    assert row.has_current_update is False
    assert row.latest_period is None


def test_a_complete_action_never_misses_an_update(db):
    """Complete as its latest update on or before the quarter says: no later update is due."""
    programme = make_programme(first_period=Q3, last_period=Q4)
    done = make_action("Done in Q3", programme=programme)
    make_update(done, Q3, Status.COMPLETE)
    reopened = make_action("Complete in Q3, reopened in Q4", mechanism=done.mechanism)
    make_update(reopened, Q3, Status.COMPLETE)
    make_update(reopened, Q4, Status.AT_RISK)
    open_ = make_action("On track in Q3", mechanism=done.mechanism)
    make_update(open_, Q3, Status.ON_TRACK)

    assert [a.title for a in Action.objects.missing_update(Q4)] == ["On track in Q3"]
    assert {a.title for a in Action.objects.not_missing_update(Q4)} == {
        "Done in Q3",
        "Complete in Q3, reopened in Q4",
    }
    # Before it was complete, it did miss its Q2 update.
    assert "Done in Q3" in {a.title for a in Action.objects.missing_update(Q3.previous())}


def test_the_action_list_says_a_complete_action_needs_no_update(db):
    done = make_action("Done")
    make_update(done, ReportingPeriod(2024, 1), Status.COMPLETE)
    [row] = queries.actions_with_latest_update()
    assert row.has_current_update is False and row.missing_current_update is False
    assert queries.status_counts(queries.actions_with_latest_update())["missing_update"] == 0


def test_updates_for_a_quarter_are_due_by_its_last_day():
    assert update_due_by(ReportingPeriod(2024, 4)) == dt.date(2025, 3, 31)
    assert update_due_by(ReportingPeriod(2024, 3)) == dt.date(2024, 12, 31)
