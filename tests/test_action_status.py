"""An action's status has one source of truth: its latest update. Action.roll_up() copies
the latest update's status, reason and next step to the action on every write of an update,
whoever makes it, so the lists, counts and reminders that read the action agree with the
report that reads the updates."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import Action, Status, Update
from actions.services import record_update
from tests.factories import Q1, Q3, Q4, make_action, make_update


def position(action):
    action.refresh_from_db()
    return (action.status, action.reason, action.next_step)


NOT_ASSESSED = (Status.NOT_ASSESSED, "", "")


def test_an_action_takes_the_status_reason_and_next_step_of_its_latest_update(db):
    action = make_action()
    assert position(action) == NOT_ASSESSED

    make_update(action, Q3, Status.ON_TRACK)
    assert position(action) == (Status.ON_TRACK, "", "")

    q4 = make_update(action, Q4, Status.AT_RISK, reason="Staff off sick", next_step="Agency")
    assert position(action) == (Status.AT_RISK, "Staff off sick", "Agency")

    q4.status, q4.reason, q4.next_step = Status.OFF_TRACK, "Funding cut", "Options paper"
    q4.save()
    assert position(action) == (Status.OFF_TRACK, "Funding cut", "Options paper")


def test_an_update_for_an_earlier_quarter_leaves_the_status_of_the_latest(db):
    action = make_action()
    make_update(action, Q4, Status.ON_TRACK)
    q3 = make_update(action, Q3, Status.COMPLETE)
    q3.status = Status.NOT_STARTED
    q3.save()
    assert position(action) == (Status.ON_TRACK, "", "")


def test_deleting_the_latest_update_rolls_back_to_the_one_before_and_then_to_not_assessed(db):
    action = make_action()
    q3 = make_update(action, Q3, Status.ON_TRACK)
    make_update(action, Q4, Status.AT_RISK).delete()
    assert position(action) == (Status.ON_TRACK, "", "")
    q3.delete()
    assert position(action) == NOT_ASSESSED


def test_the_version_and_history_move_only_when_the_rolled_up_status_changes(db):
    action = make_action()
    update = make_update(action, Q3, Status.ON_TRACK)
    action.refresh_from_db()
    version, records = action.version, action.history.count()

    update.text = "Reworded, same status"
    update.save()
    action.refresh_from_db()
    assert (action.version, action.history.count()) == (version, records)
    assert action.roll_up() is False

    update.status = Status.COMPLETE
    update.save()
    action.refresh_from_db()
    assert (action.version, action.history.count()) == (version + 1, records + 1)


def test_the_action_in_memory_sees_the_roll_up(db):
    action = make_action()
    update = Update(action=action, period=Q3, text="Going well", status=Status.ON_TRACK)
    update.save()
    assert action.status == Status.ON_TRACK  # no refresh_from_db: the same instance
    assert action.version == Action.objects.get(pk=action.pk).version


def test_bulk_writes_of_updates_roll_their_actions_up(db):
    first, second = make_action("First"), make_action("Second")

    Update.objects.bulk_create(
        [Update(action=a, period=Q3, text="Bulk", status=Status.ON_TRACK) for a in (first, second)]
    )
    assert position(first) == position(second) == (Status.ON_TRACK, "", "")

    Update.objects.filter(action=first).update(status=Status.COMPLETE)
    assert position(first) == (Status.COMPLETE, "", "")

    update = second.updates.get()
    update.status = Status.NOT_STARTED
    Update.objects.bulk_update([update], ["status"])
    assert position(second) == (Status.NOT_STARTED, "", "")

    Update.objects.filter(text="Bulk").delete()
    assert position(first) == position(second) == NOT_ASSESSED


def test_moving_an_update_to_another_action_rolls_up_both(db):
    first, second = make_action("First"), make_action("Second")
    update = make_update(first, Q3, Status.COMPLETE)
    update = Update.objects.get(pk=update.pk)  # as the admin reads it
    update.action = second
    update.save()
    assert position(first) == NOT_ASSESSED
    assert position(second) == (Status.COMPLETE, "", "")

    Update.objects.filter(pk=update.pk).update(action=first)
    assert position(first) == (Status.COMPLETE, "", "")
    assert position(second) == NOT_ASSESSED


def test_deleting_an_action_deletes_its_updates_without_rolling_it_up_first(db):
    action = make_action()
    make_update(action, Q3, Status.ON_TRACK)
    pk, records = action.pk, action.history.count()
    action.delete()
    assert not Update.objects.exists()
    assert Action.history.filter(id=pk).count() == records + 1  # only "deleted"


def test_an_officers_update_moves_the_version_once_when_it_changes_the_status(db, officer):
    action = make_action(lead=officer)
    make_update(action, Q1, Status.ON_TRACK)
    action.refresh_from_db()
    version = action.version

    def record(status, seen):
        return record_update(
            action_id=action.pk,
            period=Q3,
            text="This quarter",
            status=status,
            reason="",
            next_step="",
            author=officer,
            seen_action_version=seen,
            seen_update_version=Update.objects.filter(action=action, period=Q3)
            .values_list("version", flat=True)
            .first()
            or 0,
        )

    record(Status.ON_TRACK, version)  # same status: the action is not saved
    action.refresh_from_db()
    assert action.version == version
    record(Status.COMPLETE, version)
    action.refresh_from_db()
    assert (action.status, action.version) == (Status.COMPLETE, version + 1)


def test_rolling_up_many_actions_reads_them_in_one_query(db):
    actions = [make_action(f"Action {n}") for n in range(10)]
    Action.objects.filter(pk__in=[a.pk for a in actions]).update(status=Status.COMPLETE)
    with CaptureQueriesContext(connection) as captured:
        assert Action.objects.roll_up() == 10
    selects = [q for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    assert len(selects) == 1
    assert Action.objects.roll_up() == 0


@pytest.mark.parametrize("status", [Status.AT_RISK, Status.OFF_TRACK])
def test_a_rolled_up_at_risk_or_off_track_status_carries_the_reason_the_database_requires(
    db, status
):
    action = make_action()
    make_update(action, Q3, status, reason="Why", next_step="What next")
    assert position(action) == (status, "Why", "What next")
