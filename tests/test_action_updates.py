"""Officers keep the status and quarterly update of the actions they lead current."""

import html
import re

import pytest
from django.test import Client
from django.utils import timezone

from actions.models import Action, Status, Update
from careprog.periods import ReportingPeriod
from tests.conftest import PASSWORD, RISK_MATRIX, seed_action

Q3 = ReportingPeriod(2024, 3)
Q4 = ReportingPeriod(2024, 4)


def open_form(client, action, period=Q4):
    """GET the action page and return the hidden versions its update form carries."""
    response = client.get(f"/actions/{action.pk}/", {"period": period.slug})
    assert response.status_code == 200
    form = response.context["form"]
    return {
        "period": period.slug,
        "action_version": form.initial["action_version"],
        "update_version": form.initial["update_version"],
    }


def post_update(client, action, versions, **fields):
    data = {**versions, "status": "on_track", "text": "Going well", "reason": "", "next_step": ""}
    data.update(fields)
    return client.post(f"/actions/{action.pk}/?period={versions['period']}", data)


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def action(officer_actions):
    """An action the officer leads, with a Q3 update from the seed and none for Q4."""
    return seed_action(RISK_MATRIX)


def test_an_officer_posts_an_at_risk_update_and_the_committee_sees_it_in_the_q4_report(
    officer_client, officer, action, committee_member
):
    response = post_update(
        officer_client,
        action,
        open_form(officer_client, action),
        status="at_risk",
        text="Training delayed by staff absence",
        reason="Two trainers off sick",
        next_step="Agency trainer booked for February",
    )
    assert response.status_code == 302
    update = Update.objects.get(action=action, period=Q4)
    assert (update.status, update.author) == (Status.AT_RISK, officer)
    action.refresh_from_db()
    assert (action.status, action.reason) == (Status.AT_RISK, "Two trainers off sick")

    councillor = Client()
    councillor.force_login(committee_member)
    html = councillor.get("/programmes/care-programme-2024-25/report/2024-25-q4/").content.decode()
    assert "Training delayed by staff absence" in html
    assert "Two trainers off sick" in html
    assert "Agency trainer booked for February" in html


def test_the_saved_update_is_confirmed_on_the_action_page(officer_client, action):
    response = post_update(officer_client, action, open_form(officer_client, action))
    page = officer_client.get(response.url).content.decode()
    assert "Your update for 2024-25 Q4 has been saved." in page


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"status": "", "text": ""}, ["Select the action&#x27;s status", "Enter the update"]),
        (
            {"status": "at_risk", "reason": "", "next_step": ""},
            ["Enter why the action is at risk", "Enter what is being done because"],
        ),
        ({"status": "off_track", "reason": "Budget cut", "next_step": ""}, ["Enter what is"]),
        ({"text": "x" * 5001}, ["The update must be 5,000 characters or fewer"]),
        ({"status": "not_assessed"}, ["Select a valid choice"]),
    ],
)
def test_a_form_with_errors_shows_the_error_summary_and_saves_nothing(
    officer_client, action, fields, errors
):
    response = post_update(officer_client, action, open_form(officer_client, action), **fields)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "<title>Error:" in html
    for error in errors:
        assert error in html
    assert not Update.objects.filter(action=action, period=Q4).exists()
    assert Action.objects.get(pk=action.pk).version == action.version


def test_posting_again_for_the_same_quarter_edits_the_update_and_keeps_its_history(
    officer_client, action
):
    post_update(officer_client, action, open_form(officer_client, action), text="First draft")
    post_update(officer_client, action, open_form(officer_client, action), text="Second draft")
    update = Update.objects.get(action=action, period=Q4)
    assert update.text == "Second draft"
    assert [h.text for h in update.history.order_by("history_date")] == [
        "First draft",
        "Second draft",
    ]
    page = officer_client.get(f"/actions/{action.pk}/").content.decode()
    assert "First draft" in page  # in Changes: before → after


def test_the_form_opens_on_an_existing_update_for_editing(officer_client, action):
    response = officer_client.get(f"/actions/{action.pk}/", {"period": "2024-25-q3"})
    html = response.content.decode()
    assert "Edit the update for 2024-25 Q3" in html
    assert "Training with staff to be completed</textarea>" in html


def test_a_second_stale_save_is_refused_with_the_conflict_shown_not_applied(
    officer, action, django_user_model
):
    """Two sessions open the same form; the second to save must not overwrite the first."""
    first, second = Client(), Client()
    first.force_login(officer)
    second.force_login(officer)
    first_form, second_form = open_form(first, action), open_form(second, action)

    assert post_update(first, action, first_form, text="Saved first").status_code == 302
    response = post_update(second, action, second_form, text="Saved second", status="complete")

    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this action while you were writing" in html
    assert "Saved first" in html  # what is saved now
    assert "Saved second" in html  # what they wrote, kept in the form
    update = Update.objects.get(action=action, period=Q4)
    assert update.text == "Saved first"
    assert Action.objects.get(pk=action.pk).status == Status.ON_TRACK

    # Re-applying: the refreshed form carries the current versions, so saving again works.
    form = response.context["form"]
    again = {
        "period": "2024-25-q4",
        "action_version": form.data["action_version"],
        "update_version": form.data["update_version"],
    }
    assert post_update(second, action, again, text="Saved second").status_code == 302
    assert Update.objects.get(action=action, period=Q4).text == "Saved second"


def test_a_change_to_the_action_itself_also_counts_as_a_conflict(officer_client, action):
    versions = open_form(officer_client, action)
    Action.objects.get(pk=action.pk).save()  # e.g. an administrator changed the due date
    response = post_update(officer_client, action, versions)
    assert response.status_code == 409
    assert not Update.objects.filter(action=action, period=Q4).exists()


def test_an_update_for_an_earlier_quarter_does_not_change_the_current_status(
    officer_client, action
):
    post_update(officer_client, action, open_form(officer_client, action), status="on_track")
    post_update(officer_client, action, open_form(officer_client, action, Q3), status="complete")
    action.refresh_from_db()
    assert action.status == Status.ON_TRACK
    assert Update.objects.get(action=action, period=Q3).status == Status.COMPLETE


@pytest.mark.parametrize("period", ["2025-26-q1", "2023-24-q4", "nonsense"])
def test_updates_only_go_to_the_programmes_quarters_up_to_now(officer_client, action, period):
    versions = {**open_form(officer_client, action), "period": period}
    response = officer_client.post(
        f"/actions/{action.pk}/",
        {**versions, "status": "on_track", "text": "x", "reason": "", "next_step": ""},
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert Update.objects.filter(action=action).count() == 1


def test_a_delegate_may_post_an_update(client, other_officer, action):
    action.delegates.add(other_officer)
    client.force_login(other_officer)
    assert post_update(client, action, open_form(client, action)).status_code == 302


def test_changes_show_who_changed_what_from_and_to(officer_client, officer, action):
    post_update(officer_client, action, open_form(officer_client, action), status="on_track")
    post_update(
        officer_client,
        action,
        open_form(officer_client, action),
        status="off_track",
        reason="Funding withdrawn",
        next_step="Options paper to DMT",
    )
    html = officer_client.get(f"/actions/{action.pk}/").content.decode()
    assert "Olive Lead" in html
    assert "Status: On track" in html and "Off track" in html
    assert "Update for 2024-25 Q4 changed" in html
    assert "Action changed" in html


def test_history_is_in_the_admin_too(client, administrator, action):
    update = action.updates.get(period=Q3)
    update.status = Status.ON_TRACK
    update.save()  # the action rolls it up, with a history record
    client.force_login(administrator)
    response = client.get(f"/admin/actions/action/{action.pk}/history/")
    assert response.status_code == 200
    assert "On track" in response.content.decode() or "on_track" in response.content.decode()


def test_the_database_refuses_an_at_risk_action_without_reason(action):
    from django.db import IntegrityError, transaction

    action.status = Status.AT_RISK
    with pytest.raises(IntegrityError), transaction.atomic():
        action.save()


def test_sign_in_form_still_works_with_throttling_enabled(client, officer):
    response = client.post("/sign-in/", {"username": "olive", "password": PASSWORD})
    assert response.status_code == 302


def test_a_first_change_to_data_loaded_without_history_still_shows(officer_client, action):
    post_update(officer_client, action, open_form(officer_client, action), status="on_track")
    html = officer_client.get(f"/actions/{action.pk}/").content.decode()
    assert "Action changed (earlier values were not recorded)" in html
    assert "Status: (not recorded)" in html


def test_the_conflict_shows_the_status_the_officer_chose_in_words(officer, action):
    first, second = Client(), Client()
    first.force_login(officer)
    second.force_login(officer)
    first_form, second_form = open_form(first, action), open_form(second, action)
    post_update(first, action, first_form, text="Saved first")
    html = post_update(second, action, second_form, status="complete").content.decode()
    assert '<td class="govuk-table__cell">Complete</td>' in html


# Issue 20, point 8: an update's source line gives its date once, and a time only when one
# was recorded.


def source_line(client, action) -> str:
    page = client.get(f"/actions/{action.pk}/").content.decode()
    lines = re.findall(r'<p class="govuk-body-s app-secondary-text">(.*?)</p>', page, re.DOTALL)
    return html.unescape(lines[0])


def test_an_update_from_the_published_paper_names_its_date_once_and_no_time(
    officer_client, officer_actions
):
    action = seed_action(RISK_MATRIX)
    line = source_line(officer_client, action)
    assert line == (
        "From Appendix C, Report on progress, Children, Young People and Education Committee, "
        "5 March 2025"
    )


def test_an_update_typed_in_careprog_gives_who_and_when_to_the_minute(
    officer_client, officer, officer_actions
):
    action = seed_action(RISK_MATRIX)
    post_update(officer_client, action, open_form(officer_client, action, Q4), text="Q4 text")
    saved = Update.objects.get(action=action, period=Q4)
    when = timezone.localtime(saved.updated_at)
    assert source_line(officer_client, action) == f"By Olive Lead, {when:%-d %B %Y, %H:%M}"
