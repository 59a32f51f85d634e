"""Home, the programme list and the action list cost the same at 1 and at 100 programmes:
home shows at most HOME_PROGRAMMES (the person's own first), the programme list a page at a
time, and the action list offers an objective only once a programme is chosen."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import Action, Programme
from actions.views import HOME_PROGRAMMES, PROGRAMMES_PER_PAGE
from tests.factories import make_action, make_programme, make_update

MANY = 100


def _more_programmes(count: int, lead=None) -> None:
    """``count`` programmes (named to sort after the seed's), each with one updated action."""
    for n in range(count):
        programme = make_programme(f"Side programme {n:03d}", slug=f"side-{n:03d}")
        make_update(make_action(f"Action of programme {n:03d}", programme=programme, lead=lead))


def _cost(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured), response.content.decode()


# Pinned as tests/test_programmes_side_by_side.py pins them, except home: 7 for an officer
# with no update due (8 there, where the officer has).
@pytest.mark.parametrize(("url", "queries"), [("/", 7), ("/programmes/", 5), ("/actions/", 11)])
def test_home_and_the_lists_cost_the_same_at_one_and_a_hundred_programmes(
    client, officer, seed_programme, url, queries
):
    client.force_login(officer)
    assert _cost(client, url)[0] == queries
    _more_programmes(MANY - 1)
    assert Programme.objects.count() == MANY
    assert _cost(client, url)[0] == queries


def test_the_programme_list_shows_a_page_at_a_time_with_links_either_way(
    member_client, seed_programme
):
    _more_programmes(MANY - 1)
    first = member_client.get("/programmes/").content.decode()
    assert "Care Programme 2024-25" in first and "Side programme 023" in first
    assert "Side programme 024" not in first
    assert first.count('<tr class="govuk-table__row">') == PROGRAMMES_PER_PAGE + 1  # + head
    assert "Programmes 1 to 25 by name" in first
    assert 'href="?page=2" rel="next"' in first and 'rel="prev"' not in first
    second = member_client.get("/programmes/?page=2").content.decode()
    assert "Side programme 024" in second and "Side programme 023" not in second
    assert 'href="?page=1" rel="prev"' in second and 'href="?page=3" rel="next"' in second
    last = member_client.get("/programmes/?page=4").content.decode()
    assert "Side programme 098" in last and 'rel="next"' not in last


@pytest.mark.parametrize("page", ["", "0", "-3", "two", "1.5", "99999999999999999999", "\x00"])
def test_a_page_that_is_no_number_gives_the_first_page(member_client, seed_programme, page):
    response = member_client.get("/programmes/", {"page": page})
    assert response.status_code == 200
    assert "Care Programme 2024-25" in response.content.decode()


def test_a_page_past_the_end_is_not_found(member_client, seed_programme):
    response = member_client.get("/programmes/?page=2")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.parametrize("page", ["0", "two", "99999"])
def test_the_action_list_gives_a_page_for_any_page_asked_for(member_client, seed_programme, page):
    assert member_client.get("/actions/", {"page": page}).status_code == 200


def test_home_shows_the_persons_own_programmes_first_and_links_to_the_rest(
    client, officer, seed_programme
):
    _more_programmes(MANY - 1)
    mine = make_programme("Zebra crossings programme", slug="zebra")
    make_action("Paint the stripes", programme=mine, lead=officer)
    client.force_login(officer)
    home = client.get("/").content.decode()
    listed = home.count(": needs attention</a>")
    assert listed == HOME_PROGRAMMES
    assert home.index("Zebra crossings programme: needs attention") < home.index(
        "Care Programme 2024-25: needs attention"
    )
    assert f"The first {HOME_PROGRAMMES} programmes, those you have actions in first" in home
    assert 'href="/programmes/">See all programmes</a>' in home


def test_the_action_list_offers_objectives_once_a_programme_is_chosen(
    member_client, seed_programme
):
    _more_programmes(3)
    unchosen = member_client.get("/actions/").content.decode()
    objectives = unchosen[unchosen.index('id="id_objective"') :]
    objectives = objectives[: objectives.index("</select>")]
    assert objectives.count("<option") == 1  # "All objectives"
    assert "Choose a programme first, then one of its objectives" in unchosen
    chosen = member_client.get(f"/actions/?programme={seed_programme.pk}").content.decode()
    objectives = chosen[chosen.index('id="id_objective"') :]
    objectives = objectives[: objectives.index("</select>")]
    assert objectives.count("<option") == 1 + seed_programme.objectives.count()


def test_an_objective_asked_for_without_its_programme_still_filters(member_client, seed_programme):
    objective = seed_programme.objectives.order_by("position").first()
    response = member_client.get(f"/actions/?objective={objective.pk}")
    live = Action.objects.live().filter(mechanism__requirement__objective=objective).count()
    assert response.context["counts"]["total"] == live


def test_the_page_links_keep_the_filters_and_the_export_has_every_matching_row(
    member_client, seed_programme
):
    url = f"/actions/?programme={seed_programme.pk}&per_page=5"
    page = member_client.get(url).content.decode()
    assert f"programme={seed_programme.pk}" in page[page.index("govuk-pagination") :]
    export = member_client.get(f"/actions/?programme={seed_programme.pk}&page=2&export=csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    live = Action.objects.live().filter(mechanism__requirement__objective__programme=seed_programme)
    assert len(rows) - 1 == live.count() > 25
