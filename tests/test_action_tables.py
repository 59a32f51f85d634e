"""My actions and All actions: filters, counts, sorting, pages and safe exports."""

import csv
import datetime as dt
import html as html_module
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from actions.models import Action, Mechanism, Status, Update
from careprog.periods import ReportingPeriod
from tests.conftest import RISK_MATRIX, SAFELY_WITH_FAMILIES, WITHIN_FAMILY_NETWORK, seed_action
from tests.factories import make_action, make_update

Q3 = ReportingPeriod(2024, 3)
Q4 = ReportingPeriod(2024, 4)
ENHANCE_QA = "Enhance quality assurance processes"
WILLOWTREE = "Present an Options Paper to CYPE Committee on using Willowtree"
COOL_OFF_BEDS = "Present an Options Paper to CYPE Committee for ‘cool-off beds’"


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def words(page: str) -> str:
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def rows_of(response):
    return [row.record for row in response.context["table"].paginated_rows]


def test_my_actions_lists_the_actions_the_officer_leads_or_is_delegated(
    officer_client, officer, officer_actions, seed_programme
):
    delegated = Action.objects.get(title="Introduce bi-monthly meetings with CAFCASS")
    delegated.delegates.add(officer)
    response = officer_client.get("/actions/mine/")
    listed = {action.pk for action in rows_of(response)}
    assert listed == {a.pk for a in officer_actions} | {delegated.pk}
    assert response.context["counts"]["total"] == 11


def rate(title, status, **explained):
    """Rate a seed action through its latest (Q3) update, which the action rolls up."""
    update = seed_action(title).updates.get(period=Q3)
    update.status = status
    update.reason, update.next_step = explained.get("reason", ""), explained.get("next_step", "")
    update.save()


def test_counts_at_the_top_add_up_the_filtered_actions(member_client, seed_programme):
    rate(RISK_MATRIX, Status.ON_TRACK)
    rate(ENHANCE_QA, Status.ON_TRACK)
    rate(WILLOWTREE, Status.AT_RISK, reason="r", next_step="n")
    rate(COOL_OFF_BEDS, Status.OFF_TRACK, reason="r", next_step="n")
    counts = member_client.get("/actions/").context["counts"]
    assert counts == {
        "total": 43,
        "on_track": 2,
        "at_risk": 1,
        "off_track": 1,
        "complete": 11,
        "not_started": 0,
        "not_assessed": 28,
        # nothing yet for 2024-25 Q4, the programme's current quarter; complete ones need none
        "missing_update": 32,
    }
    html = member_client.get("/actions/").content.decode()
    assert "missing an update for the current quarter" in html


def test_my_actions_summary_adds_up_to_the_total_not_assessed_included(client, officer):
    """Issue 20, point 8: the statuses listed add up to the actions counted."""
    make_action("Not assessed yet", lead=officer)
    make_update(make_action("Not started", lead=officer), Q3, Status.NOT_STARTED)
    done = make_action("Done", lead=officer)
    make_update(done, Q3, Status.COMPLETE)
    client.force_login(officer)
    summary = words(client.get("/actions/mine/").content.decode())
    assert (
        "3 actions 0 on track 0 at risk 0 off track 1 complete 1 not started 1 not assessed"
        in summary
    )
    assert "Of these, 2 are missing an update for the current quarter." in summary


def with_ids(query, programme):
    """The query with each objective (given by title) and programme (given as "seed") as
    the id the filter form posts."""
    query = dict(query)
    if "objective" in query:
        query["objective"] = programme.objectives.get(title=query["objective"]).pk
    if "programme" in query:
        query["programme"] = programme.pk
    return query


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "complete"}, 11),
        ({"objective": WITHIN_FAMILY_NETWORK}, 11),
        ({"programme": "seed"}, 43),
        ({"missing_update": "yes"}, 31),  # neither the one updated for Q4 nor the 11 complete
        ({"missing_update": "no"}, 12),
        ({"overdue": "yes"}, 1),
        ({"overdue": "no"}, 42),
        ({"status": "complete", "objective": SAFELY_WITH_FAMILIES}, 3),
    ],
)
def test_filters_narrow_the_table_and_its_counts(member_client, seed_programme, query, expected):
    action = seed_action(RISK_MATRIX)
    action.due_date = dt.date(2025, 1, 31)
    action.save()
    Update.objects.create(action=seed_action(ENHANCE_QA), period=Q4, text="Done")
    response = member_client.get("/actions/", with_ids(query, seed_programme))
    assert response.context["counts"]["total"] == expected
    assert len(rows_of(response)) == min(expected, 25)


def test_the_lead_filter_lists_leads_by_name(member_client, officer, officer_actions):
    response = member_client.get("/actions/", {"lead": officer.pk})
    assert response.context["counts"]["total"] == 10
    assert "Olive Lead" in response.content.decode()


def test_an_invalid_filter_value_shows_the_form_not_an_error(member_client, seed_programme):
    response = member_client.get("/actions/", {"status": "purple", "programme": "x"})
    assert response.status_code == 200


def test_the_table_is_paginated_25_to_a_page(member_client, seed_programme):
    first = member_client.get("/actions/")
    second = member_client.get("/actions/", {"page": 2})
    assert len(rows_of(first)) == 25
    assert len(rows_of(second)) == 18
    assert 'aria-label="Page 2"' in first.content.decode()


def test_sorting_by_a_column_orders_the_rows(member_client, seed_programme):
    titles = [a.title for a in rows_of(member_client.get("/actions/", {"sort": "title"}))]
    assert titles == sorted(titles)
    reverse = [a.title for a in rows_of(member_client.get("/actions/", {"sort": "-title"}))]
    assert reverse == sorted(reverse, reverse=True)
    html = member_client.get("/actions/", {"sort": "title"}).content.decode()
    assert 'aria-sort="ascending"' in html


def _hostile_action(seed_programme):
    """Text an attacker might put in an action title, to run when the export is opened."""
    return Action.objects.create(
        mechanism=Mechanism.objects.first(),
        position=99,
        title='=HYPERLINK("http://evil.example","click")',
    )


def test_the_csv_export_holds_the_filtered_rows_with_formulas_made_inert(
    member_client, seed_programme
):
    _hostile_action(seed_programme)
    response = member_client.get("/actions/", {"status": "not_assessed", "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Action", "Programme", "Objective"]
    assert len(rows) == 1 + 33  # every filtered row, not just one page
    titles = [row[0] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil.example","click")' in titles
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_xlsx_export_holds_the_filtered_rows_with_formulas_made_inert(
    member_client, seed_programme
):
    _hostile_action(seed_programme)
    response = member_client.get("/actions/", {"export": "xlsx"})
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(values) == 1 + 44
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
    # The title as typed, as a string cell (an apostrophe is only needed in CSV, which has no
    # cell types): tests/test_spreadsheet_text.py opens it in LibreOffice.
    assert '=HYPERLINK("http://evil.example","click")' in [row[0] for row in values]


def test_an_unknown_export_format_is_not_found(member_client, seed_programme):
    assert member_client.get("/actions/", {"export": "pdf"}).status_code == 404


def _grow(seed_programme, copies):
    """Copy every seed action ``copies`` times, with leads and a Q3 update each."""
    actions = list(Action.objects.all())
    new = Action.objects.bulk_create(
        Action(
            mechanism_id=a.mechanism_id,
            position=a.position + 100 * (n + 1),
            title=a.title,
            lead_id=a.lead_id,
        )
        for n in range(copies)
        for a in actions
    )
    Update.objects.bulk_create(
        Update(action=a, period=ReportingPeriod(2024, 3), text="Copied") for a in new
    )


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/actions/", "/actions/mine/", "/actions/?sort=-lead"])
def test_the_tables_keep_their_query_count_as_the_data_grows(
    officer_client, officer_actions, seed_programme, url
):
    small = _queries(officer_client, url)
    # session, user, the user's and their groups' permissions; the page's row count, the
    # status counts, each filter's choices (programmes and leads: a count and the rows each;
    # no objectives until a programme is chosen, since December 2026: was 13), then the rows
    # with overdue and this quarter's update worked out in SQL
    assert small == 11
    _grow(seed_programme, copies=9)
    assert Action.objects.count() == 430
    assert _queries(officer_client, url) == small


def test_the_action_page_keeps_its_query_count_as_history_grows(
    officer_client, officer, officer_actions
):
    action = seed_action(RISK_MATRIX)
    url = f"/actions/{action.pk}/"
    small = _queries(officer_client, url)
    # session, user, the user's and their groups' permissions; the action with its place,
    # lead and overdue; its delegates; its updates; whether a published paper locked the
    # form's quarter; the action's and its updates' history
    assert small == 10
    for n in range(10):
        Update.objects.update_or_create(
            action=action, period=ReportingPeriod(2024, 4), defaults={"text": f"Edit {n}"}
        )
        action.refresh_from_db()
        action.due_date = dt.date(2025, 3, 1) + dt.timedelta(days=n)
        action.save()
    action.delegates.add(officer)
    assert _queries(officer_client, url) == small
