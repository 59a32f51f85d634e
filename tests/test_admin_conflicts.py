"""Django admin cannot lose someone else's edit: a change form opened before another save is
refused (409) with what is stored now beside what was submitted, and saves nothing, the
action's inline updates included, as the app's update form does (tests/test_action_updates.py)."""

import datetime
import html

import pytest
from django.test import Client

from actions.models import Action, Status, Update
from tests.conftest import RISK_MATRIX, seed_action
from tests.factories import Q4, make_update
from tests.test_action_status import admin_form_data
from tests.test_action_updates import open_form, post_update

OLD_TEXT = "Risk Matrix launched in all teams"
OFFICER_TEXT = "Two teams have not started using the matrix"
OFFICER_REASON = "Training was cancelled in January"
OFFICER_NEXT_STEP = "Training rebooked for 10 March"
NEW_DUE = datetime.date(2025, 6, 30)


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


@pytest.fixture
def officer_client(officer):
    """A second browser: the lead officer's, beside the administrator's."""
    other = Client()
    other.force_login(officer)
    return other


@pytest.fixture
def action(officer_actions):
    """An action the officer leads, with a Q4 update that says it is complete."""
    action = seed_action(RISK_MATRIX)
    make_update(action, Q4, Status.COMPLETE, text=OLD_TEXT)
    action.refresh_from_db()
    assert action.status == Status.COMPLETE
    return action


def officer_saves_q4_at_risk(officer_client, action):
    response = post_update(
        officer_client,
        action,
        open_form(officer_client, action, Q4),
        status="at_risk",
        text=OFFICER_TEXT,
        reason=OFFICER_REASON,
        next_step=OFFICER_NEXT_STEP,
    )
    assert response.status_code == 302


def stored(action):
    """What the action and its Q4 update hold, versions included."""
    action = Action.objects.get(pk=action.pk)
    q4 = action.updates.get(period=Q4)
    return {
        "action": (action.due_date, action.status, action.reason, action.next_step),
        "action_version": action.version,
        "q4": (q4.text, q4.status, q4.reason, q4.next_step),
        "q4_version": q4.version,
    }


def officers_position(action):
    return {
        "action": (action.due_date, Status.AT_RISK, OFFICER_REASON, OFFICER_NEXT_STEP),
        "q4": (OFFICER_TEXT, Status.AT_RISK, OFFICER_REASON, OFFICER_NEXT_STEP),
    }


def shown_date(action):
    return str(action.due_date) if action.due_date else "(empty)"


def page_text(response):
    return html.unescape(response.content.decode())


def test_an_admin_save_opened_before_the_officers_update_is_refused_and_overwrites_nothing(
    admin_client, officer_client, action
):
    """The issue's steps: the administrator opens the action, the lead saves a Q4 update
    "at risk", the administrator changes only the due date and saves."""
    url = f"/admin/actions/action/{action.pk}/change/"
    opened = admin_form_data(admin_client.get(url))
    assert opened["updates-0-text"] == OLD_TEXT  # the inline shows the Q4 update

    officer_saves_q4_at_risk(officer_client, action)
    after_officer = stored(action)
    assert after_officer["q4"] == officers_position(action)["q4"]

    response = admin_client.post(url, {**opened, "due_date": NEW_DUE.isoformat()})

    assert response.status_code == 409
    assert stored(action) == after_officer  # nothing saved: neither the action nor the inline
    page = page_text(response)
    assert "Someone else saved this action after you opened this page" in page
    assert "Someone else saved this update after you opened this page" in page
    assert "so nothing has been saved" in page
    # Both versions, field by field: what is stored now, what the administrator submitted.
    assert f"Text: stored now “{OFFICER_TEXT}”; you submitted “{OLD_TEXT}”." in page
    assert "Status: stored now “At risk”; you submitted “Complete”." in page
    assert f"Reason: stored now “{OFFICER_REASON}”; you submitted “(empty)”." in page
    assert f"Due date: stored now “{shown_date(action)}”; you submitted “{NEW_DUE}”." in page

    # The report and the action page still say what the officer wrote.
    action_page = page_text(admin_client.get(f"/actions/{action.pk}/"))
    assert OFFICER_TEXT in action_page and OFFICER_NEXT_STEP in action_page
    report = admin_client.get("/programmes/care-programme-2024-25/report/2024-25-q4/")
    assert OFFICER_TEXT in page_text(report)


def test_after_opening_the_page_again_the_due_date_saves_and_keeps_the_officers_update(
    admin_client, officer_client, action
):
    url = f"/admin/actions/action/{action.pk}/change/"
    stale = admin_form_data(admin_client.get(url))
    officer_saves_q4_at_risk(officer_client, action)
    assert admin_client.post(url, {**stale, "due_date": NEW_DUE.isoformat()}).status_code == 409

    fresh = admin_form_data(admin_client.get(url))
    response = admin_client.post(url, {**fresh, "due_date": NEW_DUE.isoformat()})

    assert response.status_code == 302, page_text(response)[:3000]
    now = stored(action)
    assert now["action"] == (NEW_DUE, Status.AT_RISK, OFFICER_REASON, OFFICER_NEXT_STEP)
    assert now["q4"] == officers_position(action)["q4"]


def test_saving_the_refused_form_again_is_a_deliberate_replace(
    admin_client, officer_client, action
):
    """The refused page carries the versions stored now, as the app's "Save my update
    again" does: the administrator has seen both and chooses theirs."""
    url = f"/admin/actions/action/{action.pk}/change/"
    stale = admin_form_data(admin_client.get(url))
    officer_saves_q4_at_risk(officer_client, action)
    refused = admin_client.post(url, {**stale, "due_date": NEW_DUE.isoformat()})
    assert refused.status_code == 409

    again = admin_client.post(url, admin_form_data(refused))

    assert again.status_code == 302
    now = stored(action)
    assert now["q4"] == (OLD_TEXT, Status.COMPLETE, "", "")
    assert now["action"] == (NEW_DUE, Status.COMPLETE, "", "")


def test_the_update_change_page_refuses_a_save_opened_before_the_officers(
    admin_client, officer_client, action
):
    q4 = action.updates.get(period=Q4)
    url = f"/admin/actions/update/{q4.pk}/change/"
    opened = admin_form_data(admin_client.get(url))

    officer_saves_q4_at_risk(officer_client, action)
    after_officer = stored(action)
    response = admin_client.post(url, {**opened, "source": "Committee paper, March 2025"})

    assert response.status_code == 409
    assert stored(action) == after_officer
    page = page_text(response)
    assert "Someone else saved this update after you opened this page" in page
    assert f"Text: stored now “{OFFICER_TEXT}”; you submitted “{OLD_TEXT}”." in page
    assert "Source: stored now “(empty)”; you submitted “Committee paper, March 2025”." in page


def test_a_second_administrators_change_to_the_action_is_not_overwritten(
    admin_client, action, django_user_model
):
    url = f"/admin/actions/action/{action.pk}/change/"
    opened = admin_form_data(admin_client.get(url))

    colleague = Client()
    colleague.force_login(django_user_model.objects.get(username="performance"))
    theirs = admin_form_data(colleague.get(url))
    assert colleague.post(url, {**theirs, "title": "Risk Matrix, revised"}).status_code == 302

    response = admin_client.post(url, {**opened, "due_date": NEW_DUE.isoformat()})

    assert response.status_code == 409
    due = action.due_date
    action.refresh_from_db()
    assert (action.title, action.due_date) == ("Risk Matrix, revised", due)
    page = page_text(response)
    assert f"Title: stored now “Risk Matrix, revised”; you submitted “{RISK_MATRIX}" in page


def test_deleting_an_inline_update_that_changed_since_is_refused(
    admin_client, officer_client, action
):
    url = f"/admin/actions/action/{action.pk}/change/"
    opened = admin_form_data(admin_client.get(url))
    officer_saves_q4_at_risk(officer_client, action)

    response = admin_client.post(url, {**opened, "updates-0-DELETE": "on"})

    assert response.status_code == 409
    assert "A row you marked for deletion was saved by someone else" in page_text(response)
    assert stored(action)["q4"] == officers_position(action)["q4"]


def test_an_action_changed_on_its_own_page_is_not_overwritten_from_the_mechanism_page(
    admin_client, action
):
    mechanism_url = f"/admin/actions/mechanism/{action.mechanism_id}/change/"
    opened = admin_form_data(admin_client.get(mechanism_url))
    row = next(key for key, value in opened.items() if value == action.pk and "-id" in key)
    prefix = row.removesuffix("-id")

    action_url = f"/admin/actions/action/{action.pk}/change/"
    data = admin_form_data(admin_client.get(action_url))
    saved = admin_client.post(action_url, {**data, "title": "Risk Matrix, revised"})
    assert saved.status_code == 302

    response = admin_client.post(mechanism_url, {**opened, f"{prefix}-position": "99"})

    assert response.status_code == 409
    action.refresh_from_db()
    assert action.title == "Risk Matrix, revised" and action.position != 99


def test_a_change_posted_without_the_version_it_was_opened_on_is_refused(admin_client, action):
    url = f"/admin/actions/action/{action.pk}/change/"
    data = admin_form_data(admin_client.get(url))
    del data["seen_version"]
    before = stored(action)

    response = admin_client.post(url, {**data, "due_date": NEW_DUE.isoformat()})

    assert response.status_code == 409
    assert stored(action) == before


def test_an_unconflicted_admin_save_still_goes_through_and_moves_the_version(admin_client, action):
    url = f"/admin/actions/action/{action.pk}/change/"
    before = stored(action)
    response = admin_client.post(
        url, {**admin_form_data(admin_client.get(url)), "due_date": NEW_DUE.isoformat()}
    )
    assert response.status_code == 302
    now = stored(action)
    assert now["action"][0] == NEW_DUE
    assert now["action_version"] > before["action_version"]
    assert now["q4"] == before["q4"] and now["q4_version"] == before["q4_version"]


@pytest.mark.parametrize("model", ["action", "update"])
def test_reverting_an_action_or_update_from_its_history_is_refused(admin_client, action, model):
    """A revert would write back the old row's version number and, for an action, a status
    its updates do not say: change the update instead."""
    obj = action if model == "action" else action.updates.get(period=Q4)
    record = obj.history.earliest()
    url = f"/admin/actions/{model}/{obj.pk}/history/{record.history_id}/"
    assert admin_client.get(url).status_code == 200  # still shown
    before = stored(action)

    response = admin_client.post(url, {"text": "Reverted", "seen_version": obj.version})

    assert response.status_code == 403
    assert stored(action) == before
    assert Update.objects.filter(action=action).count() == 2
