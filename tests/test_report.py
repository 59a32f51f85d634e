"""The committee progress report, rendered from the database for any quarter."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import (
    UNTITLED_ACTION,
    Action,
    Mechanism,
    Objective,
    Programme,
    Requirement,
    Status,
    Update,
)
from careprog.periods import ReportingPeriod
from tests.html_tables import report_grids

REPORT = "/programmes/care-programme-2024-25/report/"
Q3 = f"{REPORT}2024-25-q3/"


def expected_rows(programme, period):
    """(objective statement, requirement, mechanism, action, update text) in programme order."""
    updates = {u.action_id: u for u in Update.objects.filter(period=period)}
    rows = []
    for objective in programme.objectives.order_by("position"):
        table = []
        for requirement in objective.requirements.order_by("position"):
            for mechanism in requirement.mechanisms.order_by("position"):
                for action in mechanism.actions.order_by("position"):
                    update = updates.get(action.pk)
                    table.append(
                        (
                            objective.statement,
                            requirement.text,
                            mechanism.text,
                            action.title or UNTITLED_ACTION,
                            update.text if update else None,
                        )
                    )
        rows.append((objective.title, table))
    return rows


def test_the_q3_report_shows_every_action_with_its_own_update_in_the_same_row(
    member_client, seed_programme
):
    response = member_client.get(Q3)
    assert response.status_code == 200
    html = response.content.decode()
    grids = report_grids(html)
    expected = expected_rows(seed_programme, ReportingPeriod(2024, 3))
    assert len(grids) == 4
    for grid, (title, rows) in zip(grids, expected, strict=True):
        assert f">{title}</h2>" in html
        assert len(grid) == len(rows)
        for cells, (statement, requirement, mechanism, action, update) in zip(
            grid, rows, strict=True
        ):
            assert cells[:4] == [statement, requirement, mechanism, action]
            if update is None:
                assert "No update provided" in cells[4]
            else:
                assert " ".join(update.split()) in cells[4]


def test_merged_cells_span_their_rows_as_in_the_paper(member_client, seed_programme):
    html = member_client.get(Q3).content.decode()
    # "Foster Carers feel valued and supported" covers eight actions.
    assert 'rowspan="8">Foster Carers feel valued and supported</td>' in html
    # The first objective's statement covers all ten of its action rows.
    assert 'rowspan="10">Less children require care as they can live safely with their' in html


def test_each_action_shows_its_status_as_a_tag_in_words_only_where_one_was_given(
    member_client, seed_programme
):
    """The seed rates 11 actions complete and leaves 32 unrated: those show no status at all,
    never "Not assessed", which no officer said."""
    html = member_client.get(Q3).content.decode()
    assert html.count('class="govuk-tag govuk-tag--blue">Complete</strong>') == 11
    cells = re.findall(r'app-report-table__update".*?</td>', html, re.DOTALL)
    assert len(cells) == 43
    assert sum('class="govuk-tag ' in cell for cell in cells) == 11
    assert "Not assessed" not in html


def test_the_column_headings_carry_the_papers_sub_headings(member_client, seed_programme):
    html = member_client.get(Q3).content.decode()
    for heading in (
        "what we want to achieve",
        "what we need",
        "how we will make that happen",
        "What we need to do",
    ):
        assert html.count(heading) == 4


def test_an_earlier_period_shows_no_update_provided_for_every_action(member_client, seed_programme):
    response = member_client.get(f"{REPORT}2024-25-q2/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("No update provided") == 43
    assert "In place- report presented to committee January 2025" not in html


def test_a_later_period_without_updates_keeps_the_last_reported_status(
    member_client, seed_programme
):
    html = member_client.get(f"{REPORT}2024-25-q4/").content.decode()
    assert html.count("No update provided") == 43
    # Only a status an officer gave is carried forward: the 11 complete.
    assert html.count("Status as reported for 2024-25 Q3") == 11
    assert html.count(">Complete</strong>") == 11


def test_the_report_without_a_period_opens_the_latest_reported_period(
    member_client, seed_programme
):
    response = member_client.get(REPORT)
    assert response.status_code == 302
    assert response.url == Q3


def test_the_period_selector_lists_the_programmes_quarters_and_leads_to_the_chosen_one(
    member_client, seed_programme
):
    html = member_client.get(Q3).content.decode()
    for slug in ("2024-25-q1", "2024-25-q2", "2024-25-q3", "2024-25-q4"):
        assert f'value="{slug}"' in html
    assert '<option value="2024-25-q3" selected>' in html
    response = member_client.get(REPORT, {"period": "2024-25-q1"})
    assert response.url == f"{REPORT}2024-25-q1/"


@pytest.mark.parametrize(
    "url",
    [
        f"{REPORT}2023-24-q4/",  # before the programme
        f"{REPORT}2025-26-q1/",  # after it
        f"{REPORT}2024-26-q1/",  # not a financial year
        f"{REPORT}?period=nonsense",
        "/programmes/no-such-programme/report/",
    ],
)
def test_a_period_or_programme_that_does_not_exist_is_not_found(member_client, seed_programme, url):
    assert member_client.get(url).status_code == 404


def test_the_programme_list_and_home_page_lead_to_the_report(member_client, seed_programme):
    home = member_client.get("/").content.decode()
    assert f'href="{REPORT}"' in home
    assert 'href="/programmes/"' in home
    listing = member_client.get("/programmes/").content.decode()
    assert f'href="{REPORT}"' in listing
    assert "Care Programme 2024-25" in listing
    assert ">43</td>" in listing  # actions


STRUCTURE = "/programmes/care-programme-2024-25/structure/"


def test_administrators_find_the_programmes_structure_from_its_report(
    client, administrator, seed_programme
):
    client.force_login(administrator)
    page = client.get(Q3).content.decode()
    assert f'href="{STRUCTURE}"' in page
    assert "Change the structure of Care Programme 2024-25" in page


@pytest.mark.parametrize(
    "persona", ["officer", "other_officer", "head_of_service", "committee_member"]
)
def test_no_one_else_is_offered_the_structure_from_the_report(
    client, seed_programme, request, persona
):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(Q3)
    assert response.status_code == 200
    assert STRUCTURE not in response.content.decode()


@pytest.mark.parametrize("url", ["/", "/programmes/", REPORT, Q3, "/admin/"])
def test_every_page_needs_sign_in(client, seed_programme, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/sign-in/" in response.url or "/admin/login/" in response.url


def test_the_sign_in_page_is_open_to_everyone(client):
    assert client.get("/sign-in/").status_code == 200


def test_a_wrong_password_shows_the_error_summary(client, committee_member):
    response = client.post("/sign-in/", {"username": "councillor", "password": "wrong"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "<title>Error: Sign in" in html


def test_signing_in_leads_to_the_page_asked_for(client, committee_member, seed_programme):
    response = client.post(
        "/sign-in/",
        {"username": "councillor", "password": "a-long-test-password", "next": Q3},
    )
    assert response.status_code == 302
    assert response.url == Q3


def _copy_seed(programme, copies):
    """A programme ``copies`` times the seed's size, with updates for Q3."""
    big = Programme.objects.create(
        name="Large programme",
        slug="large",
        first_period=programme.first_period,
        last_period=programme.last_period,
    )
    updates = []
    objectives = list(programme.objectives.prefetch_related("requirements__mechanisms__actions"))
    for copy in range(copies):
        for objective in objectives:
            new_objective = Objective.objects.create(
                programme=big,
                position=copy * 10 + objective.position,
                title=f"{objective.title} {copy}",
                statement=objective.statement,
            )
            for requirement in objective.requirements.all():
                new_requirement = Requirement.objects.create(
                    objective=new_objective, position=requirement.position, text=requirement.text
                )
                for mechanism in requirement.mechanisms.all():
                    new_mechanism = Mechanism.objects.create(
                        requirement=new_requirement,
                        position=mechanism.position,
                        text=mechanism.text,
                    )
                    actions = Action.objects.bulk_create(
                        Action(mechanism=new_mechanism, position=a.position, title=a.title)
                        for a in mechanism.actions.all()
                    )
                    updates += [
                        Update(
                            action=a,
                            period=ReportingPeriod(2024, 3),
                            text="Progressing",
                            status=Status.ON_TRACK,
                        )
                        for a in actions
                    ]
    Update.objects.bulk_create(updates)
    return big


def _queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_report_uses_the_same_number_of_queries_for_a_programme_ten_times_larger(
    member_client, seed_programme, django_assert_num_queries
):
    big = _copy_seed(seed_programme, copies=10)
    assert Action.objects.filter(mechanism__requirement__objective__programme=big).count() == 430
    seed_queries = _queries_for(member_client, Q3)
    large_queries = _queries_for(member_client, f"/programmes/{big.slug}/report/2024-25-q3/")
    assert seed_queries == large_queries
    # session, user, the user's and their groups' permissions, programme,
    # then objectives, requirements, mechanisms, actions, updates,
    # the KPIs evidencing objectives: KPIs, values, targets, comparators, links,
    # and the quarter's published paper, if any; the glossary's abbreviations
    with django_assert_num_queries(17):
        member_client.get(Q3)


def test_the_programme_list_uses_the_same_number_of_queries_however_many_programmes(
    member_client, seed_programme
):
    few = _queries_for(member_client, "/programmes/")
    for n in range(10):
        Programme.objects.create(
            name=f"Programme {n}",
            slug=f"p{n}",
            first_period=ReportingPeriod(2024, 1),
            last_period=ReportingPeriod(2024, 4),
        )
    assert _queries_for(member_client, "/programmes/") == few


def test_a_missing_report_explains_what_a_report_address_looks_like(member_client, seed_programme):
    response = member_client.get(f"{REPORT}2030-31-q1/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_with_no_updates_the_report_opens_on_the_current_quarter_within_the_programme(
    member_client, seed_programme
):
    Update.objects.all().delete()
    # Today lies after the programme, so the nearest quarter it reports on is its last.
    response = member_client.get(REPORT)
    assert response.url == f"{REPORT}2024-25-q4/"


def test_updates_outside_the_programmes_quarters_do_not_move_its_latest_report(
    member_client, seed_programme
):
    action = Action.objects.first()
    Update.objects.create(action=action, period=ReportingPeriod(2026, 1), text="Later")
    assert member_client.get(REPORT).url == Q3
