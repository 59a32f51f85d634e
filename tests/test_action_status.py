"""An action's status has one source of truth: its latest update. Action.roll_up() copies
the latest update's status, reason and next step to the action on every write of an update,
whoever makes it, so the lists, counts and reminders that read the action agree with the
report that reads the updates."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.forms import MultiWidget
from django.test.utils import CaptureQueriesContext

from actions.models import Action, Status, Update
from actions.services import StaleEdit, record_update
from tests.conftest import RISK_MATRIX, seed_action
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
    """record_update checks the version the form was opened on, then the roll-up moves it:
    only when the status changes, so a form opened before a same-status save still saves."""
    action = make_action(lead=officer)
    make_update(action, Q1, Status.ON_TRACK)
    action.refresh_from_db()
    opened_on = action.version

    def record(status, seen_update_version):
        return record_update(
            action_id=action.pk,
            period=Q3,
            text="This quarter",
            status=status,
            reason="",
            next_step="",
            author=officer,
            seen_action_version=opened_on,
            seen_update_version=seen_update_version,
        )

    update = record(Status.ON_TRACK, 0)  # the same status: the action is not saved
    action.refresh_from_db()
    assert action.version == opened_on
    record(Status.COMPLETE, update.version)
    action.refresh_from_db()
    assert (action.status, action.version) == (Status.COMPLETE, opened_on + 1)
    with pytest.raises(StaleEdit):  # the update's version is current; the action's is not
        record(Status.ON_TRACK, Update.objects.get(pk=update.pk).version)


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


# --- Through Django admin: every page that shows a status agrees afterwards -----------------

ERT = "Extend the capacity of the Emergency Response Team (ERT)"  # complete in the seed
REPORT = "/programmes/care-programme-2024-25/report/"
REPORT_CELL = re.compile(r'data-action-id="(\d+)">(.*?)</td>', re.DOTALL)
TABLE_ROW = re.compile(r'<tr class="govuk-table__row">(.*?)</tr>', re.DOTALL)
ACTION_LINK = re.compile(r'href="/actions/(\d+)/"')
TAG = re.compile(r'<strong class="govuk-tag [^"]*">([^<]+)</strong>')
PAGE_STATUS = re.compile(
    r'Status</dt>\s*<dd class="govuk-summary-list__value"><strong class="govuk-tag [^"]*">'
    r"([^<]+)</strong>"
)


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def list_statuses(client, **filters):
    """Action pk → the status the All actions table shows, over all its pages."""
    statuses, page = {}, 1
    while True:
        response = client.get("/actions/", {**filters, "page": page})
        for row in TABLE_ROW.findall(response.content.decode()):
            link, tag = ACTION_LINK.search(row), TAG.search(row)
            if link and tag:
                statuses[int(link.group(1))] = tag.group(1)
        if len(statuses) >= response.context["counts"]["total"]:
            return statuses
        page += 1


def report_statuses(client, period_slug):
    """Action pk → the status its row in the report shows, "Not assessed" where it shows none
    (the report shows a status only where an officer gave one)."""
    html = client.get(f"{REPORT}{period_slug}/").content.decode()
    statuses = {}
    for pk, cell in REPORT_CELL.findall(html):
        tag = TAG.search(cell)
        statuses[int(pk)] = tag.group(1) if tag else "Not assessed"
    return statuses


def page_status(client, action):
    html = client.get(f"/actions/{action.pk}/").content.decode()
    return PAGE_STATUS.search(html).group(1)


def reminded(action):
    """Whether the reminders for 2024-25 Q4 (no update yet) list the action."""
    out = StringIO()
    call_command("send_update_reminders", "--period", "2024-25-q4", "--dry-run", stdout=out)
    return f"/actions/{action.pk}/" in out.getvalue()


def assert_every_page_shows(client, action, label):
    assert list_statuses(client)[action.pk] == label
    assert page_status(client, action) == label
    assert report_statuses(client, "2024-25-q3")[action.pk] == label
    assert reminded(action) is (label != "Complete")


def assert_report_and_list_agree(client, seed_programme):
    """For every seed action, the latest report and the last quarter's (carried forward)
    show the status the action list shows."""
    latest = client.get(REPORT).url.rstrip("/").rsplit("/", 1)[-1]
    listed = list_statuses(client)
    assert len(listed) == 43
    assert report_statuses(client, latest) == listed
    assert report_statuses(client, "2024-25-q4") == listed


def admin_form_data(response):
    """What the admin change page posts back when nothing is changed: its form's and its
    inlines' current values, named as their widgets name them."""
    data = {}

    def add(form):
        for name, field in form.fields.items():
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(field.widget, MultiWidget):
                for index, part in enumerate(field.widget.decompress(value)):
                    data[f"{key}_{index}"] = "" if part is None else part
            elif value not in (None, False):
                data[key] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for form in inline.formset.forms:
            add(form)
    return data


def test_the_seeds_report_and_action_list_show_the_same_status_for_every_action(
    member_client, seed_programme
):
    assert_report_and_list_agree(member_client, seed_programme)


def test_an_admin_edit_of_the_latest_updates_status_shows_on_every_page_and_in_reminders(
    admin_client, seed_programme, officer_actions
):
    action = seed_action(ERT)
    assert action in officer_actions  # so it has a lead to remind
    assert_every_page_shows(admin_client, action, "Complete")
    update = action.updates.get(period=Q3)
    url = f"/admin/actions/update/{update.pk}/change/"

    data = admin_form_data(admin_client.get(url))
    data.update(status="at_risk", reason="Two vacancies", next_step="Agency cover from April")
    response = admin_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert position(action) == (Status.AT_RISK, "Two vacancies", "Agency cover from April")
    assert_every_page_shows(admin_client, action, "At risk")
    assert "Agency cover from April" in admin_client.get(f"/actions/{action.pk}/").content.decode()
    counts = admin_client.get("/actions/").context["counts"]
    assert (counts["at_risk"], counts["complete"]) == (1, 10)
    assert list(list_statuses(admin_client, status="at_risk")) == [action.pk]
    assert_report_and_list_agree(admin_client, seed_programme)


def test_an_admin_edit_through_the_actions_update_inline_is_not_undone_by_the_action_form(
    admin_client, seed_programme, officer_actions
):
    action = seed_action(RISK_MATRIX)
    assert_every_page_shows(admin_client, action, "Not assessed")
    url = f"/admin/actions/action/{action.pk}/change/"

    data = admin_form_data(admin_client.get(url))
    data.update({"title": action.title + ".", "updates-0-status": "complete"})
    response = admin_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    action.refresh_from_db()
    assert (action.title[-1], action.status) == (".", Status.COMPLETE)
    assert_every_page_shows(admin_client, action, "Complete")
    assert_report_and_list_agree(admin_client, seed_programme)


def test_the_admin_shows_an_actions_status_reason_and_next_step_but_never_takes_them(
    admin_client, seed_programme
):
    action = seed_action(ERT)
    url = f"/admin/actions/action/{action.pk}/change/"
    response = admin_client.get(url)
    html = response.content.decode()
    assert 'name="status"' not in html and 'name="reason"' not in html
    assert "Complete" in html  # shown, read-only

    data = admin_form_data(response)
    data.update(status="off_track", reason="Typed", next_step="Typed")
    assert admin_client.post(url, data).status_code == 302
    assert position(action) == (Status.COMPLETE, "", "")

    mechanism = action.mechanism
    html = admin_client.get(f"/admin/actions/mechanism/{mechanism.pk}/change/").content.decode()
    assert 'name="actions-0-status"' not in html


def test_deleting_the_latest_update_in_admin_rolls_the_status_back_to_the_one_before(
    admin_client, seed_programme, officer_actions
):
    action = seed_action(ERT)
    make_update(action, Q4, Status.AT_RISK, reason="Two vacancies", next_step="Agency")
    latest = action.updates.get(period=Q4)
    assert page_status(admin_client, action) == "At risk"

    url = f"/admin/actions/update/{latest.pk}/delete/"
    assert admin_client.post(url, {"post": "yes"}).status_code == 302

    assert position(action) == (Status.COMPLETE, "", "")
    assert_every_page_shows(admin_client, action, "Complete")
    assert_report_and_list_agree(admin_client, seed_programme)


def test_deleting_an_update_through_the_inline_or_the_list_rolls_the_status_back(
    admin_client, seed_programme, officer_actions
):
    inline, listed = seed_action(ERT), seed_action(RISK_MATRIX)
    for action in (inline, listed):
        make_update(action, Q4, Status.OFF_TRACK, reason="Funding cut", next_step="Options")

    url = f"/admin/actions/action/{inline.pk}/change/"
    data = admin_form_data(admin_client.get(url))
    assert data["updates-0-period"] == "2024-25 Q4"  # newest first
    data["updates-0-DELETE"] = "on"
    assert admin_client.post(url, data).status_code == 302
    assert position(inline) == (Status.COMPLETE, "", "")

    latest = listed.updates.get(period=Q4)
    response = admin_client.post(
        "/admin/actions/update/",
        {"action": "delete_selected", "_selected_action": [latest.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert position(listed) == NOT_ASSESSED

    assert_report_and_list_agree(admin_client, seed_programme)
