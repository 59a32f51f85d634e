"""/api/actions/ and /api/updates/: the committee report's rows and every update, flat, read
with a personal token as Power BI would."""

from actions.models import Status
from careprog.api.tokens import issue_token
from careprog.periods import ReportingPeriod
from tests.html_tables import report_grids

ACTIONS = "/api/actions/"
UPDATES = "/api/updates/"
SEED = "care-programme-2024-25"
Q3 = ReportingPeriod(2024, 3)


def bearer(person) -> dict:
    _, secret = issue_token(person=person, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def read_all(client, url, headers, **parameters) -> list[dict]:
    """Every row of a list, walking its pages by their ``next`` links."""
    rows, response = [], client.get(url, {**parameters, "page_size": 1000}, **headers)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        if not body["next"]:
            return rows
        response = client.get(body["next"], **headers)


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
