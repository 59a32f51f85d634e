"""/api/actions/ and /api/updates/: the committee report's rows and every update, flat, read
with a personal token as Power BI would."""

import pytest
from django.utils import timezone

from actions.models import Action, Status, Update
from careprog.periods import ReportingPeriod
from tests.api_reading import as_text, bearer, csv_rows, read_all
from tests.conftest import RISK_MATRIX, SAFELY_WITH_FAMILIES, seed_action
from tests.factories import make_action, make_programme, make_update
from tests.html_tables import report_grids

ACTIONS = "/api/actions/"
UPDATES = "/api/updates/"
SEED = "care-programme-2024-25"
Q3 = ReportingPeriod(2024, 3)


def words(text: str) -> str:
    """Text as a reader of the page sees it: whitespace runs as one space."""
    return " ".join(text.split())


def expected_update_cell(row: dict) -> str:
    """What the report's update cell says for an API row, as the report writes it."""
    said = []
    if row["status"] != Status.NOT_ASSESSED:
        said.append(row["status_label"])
        if row["status_carried_forward"]:
            said.append(
                f"Status as reported for {ReportingPeriod.parse(row['status_period']).label}"
            )
    if row["update"] is None:
        said.append("No update provided")
    else:
        said.append(row["update"])
        if row["reason"]:
            said.append(f"Reason: {row['reason']}")
        if row["next_step"]:
            said.append(f"Next step: {row['next_step']}")
    return " ".join(" ".join(said).split())


def test_the_seed_s_43_actions_for_q3_are_the_report_s_rows_in_order(
    client, seed_programme, committee_member
):
    report = client
    report.force_login(committee_member)
    grids = report_grids(report.get(f"/programmes/{SEED}/report/2024-25-q3/").content.decode())
    report.logout()
    rows = read_all(client, ACTIONS, bearer(committee_member), programme=SEED, period="2024-25-q3")

    assert len(rows) == 43 == sum(len(grid) for grid in grids)
    report_rows = [(number, cells) for number, grid in enumerate(grids, 1) for cells in grid]
    for row, (number, cells) in zip(rows, report_rows, strict=True):
        assert row["objective_number"] == number
        hierarchy = ("objective_statement", "requirement", "mechanism", "action")
        assert [words(row[name]) for name in hierarchy] == cells[:4]
        assert expected_update_cell(row) == cells[4]
        assert row["period"] == "2024-25-q3"
        assert row["programme"] == SEED


@pytest.mark.parametrize("url", [ACTIONS, UPDATES])
def test_csv_holds_the_same_rows_as_the_json(client, seed_programme, committee_member, url):
    headers = bearer(committee_member)
    rows = read_all(client, url, headers)
    assert rows
    table = csv_rows(client, url, headers)
    assert list(table[0]) == list(rows[0])
    assert table == [{name: as_text(value) for name, value in row.items()} for row in rows]


def test_without_a_period_each_programme_shows_its_latest_reported_quarter(
    client, seed_programme, committee_member
):
    other = make_programme("A programme read first")
    make_update(make_action(programme=other), ReportingPeriod(2024, 2))
    rows = read_all(client, ACTIONS, bearer(committee_member))
    assert [row["programme"] for row in rows] == [other.slug] + [SEED] * 43
    assert rows[0]["period"] == "2024-25-q2"
    assert {row["period"] for row in rows[1:]} == {"2024-25-q3"}


def test_a_status_is_carried_forward_from_an_earlier_quarter_as_the_report_shows_it(
    client, committee_member
):
    action = make_action(programme=make_programme())
    make_update(action, ReportingPeriod(2024, 1), Status.AT_RISK, text="Slipping")
    [row] = read_all(client, ACTIONS, bearer(committee_member), period="2024-25-q3")
    assert (row["status"], row["status_label"]) == ("at_risk", "At risk")
    assert row["status_period"] == "2024-25-q1"
    assert row["status_carried_forward"] is True
    assert (row["update"], row["reason"], row["next_step"]) == (None, None, None)


def test_a_retired_action_is_absent_but_its_updates_are_kept(
    client, seed_programme, committee_member
):
    retired = seed_action(RISK_MATRIX)
    Action.objects.filter(pk=retired.pk).update(retired_at=timezone.now())
    headers = bearer(committee_member)
    rows = read_all(client, ACTIONS, headers, programme=SEED, period="2024-25-q3")
    assert len(rows) == 42
    assert retired.pk not in {row["action_id"] for row in rows}
    kept = read_all(client, UPDATES, headers, action=retired.pk)
    assert kept and all(row["action_retired"] for row in kept)


def test_actions_filter_by_status_lead_and_programme(client, seed_programme, officer_actions):
    headers = bearer(officer_actions[0].lead)
    q3 = {"programme": SEED, "period": "2024-25-q3"}
    everything = read_all(client, ACTIONS, headers, **q3)
    complete = read_all(client, ACTIONS, headers, **q3, status="complete")
    assert complete == [row for row in everything if row["status"] == "complete"]
    assert 0 < len(complete) < 43
    mine = read_all(client, ACTIONS, headers, **q3, lead="olive")
    assert [row["action_id"] for row in mine] == [action.pk for action in officer_actions]
    assert {row["objective_title"] for row in mine} == {SAFELY_WITH_FAMILIES}
    assert {row["lead"] for row in mine} == {"Olive Lead"}


@pytest.mark.parametrize(
    "parameters",
    [
        {"programme": "no-such-programme"},
        {"period": "2024-99-q3"},  # the shape of a quarter, but none
        {"period": "2023-24-q1"},  # a quarter, before the programme's
        {"lead": "nobody"},
        {"changed_since": "2999-01-01T00:00:00Z"},
    ],
)
def test_a_filter_that_matches_nothing_answers_an_empty_list(
    client, seed_programme, committee_member, parameters
):
    response = client.get(ACTIONS, parameters, **bearer(committee_member))
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    ("url", "parameter", "value"),
    [
        (ACTIONS, "period", "2024-25-q5"),
        (ACTIONS, "period", "2024-25-q3\n"),
        (ACTIONS, "status", "green"),
        (ACTIONS, "lead", "two words"),
        (ACTIONS, "programme", "care programme"),
        (ACTIONS, "changed_since", "yesterday"),
        (UPDATES, "action", "first"),
        (UPDATES, "action", "0"),
        (UPDATES, "period", "Q3"),
        (UPDATES, "format", ""),  # DRF alone would answer JSON
    ],
)
def test_a_bad_parameter_is_a_400_that_names_it(
    client, committee_member, db, url, parameter, value
):
    response = client.get(url, {parameter: value}, **bearer(committee_member))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [parameter]


def test_a_parameter_given_twice_is_a_400(client, committee_member, db):
    response = client.get(f"{ACTIONS}?status=complete&status=at_risk", **bearer(committee_member))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["status"]


def test_changed_since_finds_actions_whose_update_or_hierarchy_changed(
    client, seed_programme, committee_member
):
    headers = bearer(committee_member)
    before = timezone.now()
    action = seed_action(RISK_MATRIX)
    update = action.updates.get(period=Q3)
    update.text = "Rewritten"
    update.save()
    since = {"changed_since": before.isoformat(), "period": "2024-25-q3"}
    assert [row["action_id"] for row in read_all(client, ACTIONS, headers, **since)] == [action.pk]
    assert [row["update_id"] for row in read_all(client, UPDATES, headers, **since)] == [update.pk]
    requirement = action.mechanism.requirement
    requirement.text = "Reworded"
    requirement.save()
    changed = read_all(client, ACTIONS, headers, **since)
    under = Action.objects.live().filter(mechanism__requirement=requirement)
    assert {row["action_id"] for row in changed} == set(under.values_list("pk", flat=True))
    assert {row["requirement"] for row in changed} == {"Reworded"}


def test_updates_filter_by_programme_period_and_action(client, seed_programme, committee_member):
    headers = bearer(committee_member)
    other = make_update(make_action(programme=make_programme()), Q3)
    everything = read_all(client, UPDATES, headers)
    assert len(everything) == Update.objects.count() == 40
    assert {row["update_id"] for row in everything} == set(
        Update.objects.values_list("pk", flat=True)
    )
    seed = read_all(client, UPDATES, headers, programme=SEED)
    assert len(seed) == 39 and other.pk not in {row["update_id"] for row in seed}
    q3 = read_all(client, UPDATES, headers, period="2024-25-q3")
    assert {row["period"] for row in q3} == {"2024-25-q3"}
    assert len(q3) == Update.objects.filter(period=Q3).count()
    assert [
        row["update_id"] for row in read_all(client, UPDATES, headers, action=other.action_id)
    ] == [other.pk]


def test_an_update_row_says_who_wrote_it_and_when(client, officer, committee_member, db):
    update = make_update(make_action(programme=make_programme()), Q3, author=officer, text="Done")
    [row] = read_all(client, UPDATES, bearer(committee_member))
    assert row["author"] == "Olive Lead"
    assert row["text"] == "Done"
    assert row["created_at"] == update.created_at.isoformat().replace("+00:00", "Z")


@pytest.mark.parametrize("url", [ACTIONS, UPDATES])
def test_an_unchanged_list_answers_304_and_a_saved_update_gives_a_new_etag(
    client, seed_programme, committee_member, url
):
    headers = bearer(committee_member)
    first = client.get(url, **headers)
    etag = first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag, **headers).status_code == 304
    update = seed_action(RISK_MATRIX).updates.get(period=Q3)
    update.text = "A new word"
    update.save()
    again = client.get(url, HTTP_IF_NONE_MATCH=etag, **headers)
    assert again.status_code == 200
    assert again["ETag"] != etag


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("committee_member", 200),
        ("officer", 200),
        ("head_of_service", 200),
        ("administrator", 200),
        ("outsider", 403),
    ],
)
@pytest.mark.parametrize("url", [ACTIONS, UPDATES])
def test_every_role_reads_actions_and_updates_and_an_account_with_none_does_not(
    client, request, role, status, url
):
    person = request.getfixturevalue(role)
    assert client.get(url, **bearer(person)).status_code == status


@pytest.mark.parametrize("url", [ACTIONS, UPDATES])
def test_without_a_token_the_answer_is_401(client, db, url):
    assert client.get(url).status_code == 401


def _programme_of(size: int):
    """A programme of ``size`` actions under two objectives, each with a lead, a delegate and
    two quarters' updates."""
    from tests.factories import make_mechanism, make_objective, make_requirement

    programme = make_programme()
    mechanisms = [
        make_mechanism(requirement=make_requirement(objective=make_objective(programme=programme)))
        for _ in range(2)
    ]
    return programme, mechanisms


@pytest.fixture
def grow(officer, other_officer):
    def grow(size: int):
        programme, mechanisms = _programme_of(size)
        for n in range(size):
            action = make_action(mechanism=mechanisms[n % 2], position=n, lead=officer)
            action.delegates.add(other_officer)
            make_update(action, ReportingPeriod(2024, 2), Status.AT_RISK)
            if n % 3:
                make_update(action, Q3, Status.ON_TRACK)
        return programme

    return grow


# The token and its person's permissions (three), the count and the rows; the actions' delegates;
# without a period, each programme's latest reported quarter first.
@pytest.mark.parametrize(
    ("url", "parameters", "queries"),
    [
        (ACTIONS, {"period": "2024-25-q3"}, 6),
        (ACTIONS, {}, 7),
        (UPDATES, {}, 5),
        (UPDATES, {"period": "2024-25-q3"}, 5),
    ],
)
def test_a_page_costs_the_same_queries_at_ten_times_the_actions(
    client, committee_member, grow, django_assert_num_queries, url, parameters, queries
):
    headers = bearer(committee_member)
    for size in (5, 50):
        grow(size)
        client.get(url, **headers)  # the token's last use is written at most once a minute
        with django_assert_num_queries(queries):
            response = client.get(url, parameters, **headers)
        assert response.status_code == 200
        assert response.json()["results"]


def test_a_row_names_the_lead_and_delegates_and_an_action_never_reported_is_not_assessed(
    client, committee_member, officer, other_officer, head_of_service
):
    action = make_action(programme=make_programme(), lead=officer)
    action.delegates.add(other_officer, head_of_service)
    unled = make_action("", mechanism=action.mechanism, position=2)
    rows = read_all(client, ACTIONS, bearer(committee_member), period="2024-25-q3")
    assert [row["action_id"] for row in rows] == [action.pk, unled.pk]
    assert (rows[0]["lead"], rows[0]["delegates"]) == ("Olive Lead", "Hannah Head; Oscar Other")
    assert (rows[1]["lead"], rows[1]["lead_username"], rows[1]["delegates"]) == (None, None, "")
    assert rows[1]["action"] == "(no action text)"
    assert (rows[1]["status"], rows[1]["status_label"], rows[1]["status_period"]) == (
        "not_assessed",
        "Not assessed",
        None,
    )
    assert rows[1]["status_carried_forward"] is False
