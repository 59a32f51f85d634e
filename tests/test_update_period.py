"""The quarter officers are asked to update moves on past a locked quarter: the first quarter
from the programme's current one that no published paper holds locked, or none once every
quarter left is locked. Programme.update_period() states it in Python and
ProgrammeQuerySet.with_update_period() in SQL; these tests hold the two to one rule."""

import datetime as dt

import pytest
from django.db.models import F

from actions.models import Action, Committee, Meeting, Paper, Programme, QuarterLock
from careprog.fields import NextPeriod
from careprog.periods import ReportingPeriod
from tests.factories import make_action, make_programme, make_update

NOW = ReportingPeriod.current()


def quarters_from_now(count: int) -> ReportingPeriod:
    period = NOW
    for _ in range(abs(count)):
        period = period.next() if count > 0 else period.previous()
    return period


def lock(programme, period, *, reopened=False):
    """A published paper's lock on ``period`` (made directly: the rule reads only the lock)."""
    committee, _ = Committee.objects.get_or_create(name="Committee")
    meeting = Meeting.objects.create(committee=committee, date=period.end + dt.timedelta(days=30))
    paper = Paper.objects.create(
        programme=programme,
        meeting=meeting,
        period=period,
        figures_as_at=period.end,
        title="Paper",
        report_of="Director",
    )
    reopened_at = dt.datetime(2030, 1, 1, tzinfo=dt.UTC) if reopened else None
    return QuarterLock.objects.create(
        programme=programme,
        period=period,
        paper=paper,
        locked_at=dt.datetime(2029, 1, 1, tzinfo=dt.UTC),
        reopened_at=reopened_at,
        reopen_reason="A correction" if reopened else "",
    )


def both_ways(programme) -> tuple:
    """The rule in Python (a fresh instance, no annotation) and in SQL."""
    python = Programme.objects.get(pk=programme.pk).update_period()
    sql = Programme.objects.with_update_period().get(pk=programme.pk).update_period_now
    return python, sql


# (first, last, locked, reopened, expected), as quarters from today's; None: reporting complete.
CASES = [
    (-2, 2, [], [], 0),
    (-2, 2, [0], [], 1),
    (-2, 2, [0, 1], [], 2),
    (-2, 2, [0, 2], [], 1),
    (-2, 2, [-1, 1], [], 0),
    (-2, 2, [0, 1, 2], [], None),
    (-2, 2, [0], [0], 0),
    (-2, 2, [0, 1], [0], 0),
    (-2, 2, [1], [], 0),
    (-6, -3, [], [], -3),
    (-6, -3, [-3], [], None),
    (-6, -3, [-4], [], -3),
    (-6, -3, [-3], [-3], -3),
    (2, 5, [], [], 2),
    (2, 5, [2], [], 3),
    (-1, 0, [0], [], None),
]


@pytest.mark.parametrize(("first", "last", "locked", "reopened", "expected"), CASES)
def test_python_and_sql_name_the_same_quarter_to_update(
    db, first, last, locked, reopened, expected
):
    programme = make_programme(
        first_period=quarters_from_now(first), last_period=quarters_from_now(last)
    )
    for offset in locked:
        lock(programme, quarters_from_now(offset), reopened=offset in reopened)
    want = None if expected is None else quarters_from_now(expected)

    assert both_ways(programme) == (want, want)


@pytest.mark.parametrize(
    "period",
    [ReportingPeriod(2024, q) for q in (1, 2, 3, 4)]
    + [ReportingPeriod(1999, 4), ReportingPeriod(2099, 4), ReportingPeriod(2009, 4)],
)
def test_the_next_quarter_in_sql_is_reporting_period_next(db, period):
    programme = make_programme(first_period=period, last_period=period)
    got = (
        Programme.objects.filter(pk=programme.pk)
        .annotate(after=NextPeriod(F("first_period")))
        .values_list("after", flat=True)
        .get()
    )
    assert got == period.next()


def test_missing_an_update_asks_each_programme_about_its_own_open_quarter(db):
    open_now = make_programme(first_period=quarters_from_now(-2), last_period=quarters_from_now(2))
    moved_on = make_programme(first_period=quarters_from_now(-2), last_period=quarters_from_now(2))
    lock(moved_on, NOW)
    finished = make_programme(first_period=quarters_from_now(-3), last_period=quarters_from_now(-1))
    lock(finished, quarters_from_now(-1))
    asked_now = make_action("Asked about now", programme=open_now)
    asked_next = make_action("Asked about next quarter", programme=moved_on)
    updated_now = make_action("Updated for the locked quarter", programme=moved_on)
    make_update(updated_now, NOW)
    make_action("In a finished programme", programme=finished)

    assert {a.title for a in Action.objects.missing_update()} == {
        asked_now.title,
        asked_next.title,
        updated_now.title,  # its update is for the locked quarter, not the next one
    }
    rows = {a.title: a for a in Action.objects.with_current_update()}
    assert rows["Asked about next quarter"].update_period == quarters_from_now(1)
    assert rows["In a finished programme"].update_period is None
    assert rows["In a finished programme"].missing_current_update is False
    assert {a.title for a in Action.objects.not_missing_update()} == {"In a finished programme"}
