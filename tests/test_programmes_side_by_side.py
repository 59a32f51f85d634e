"""Several programmes side by side (issue 22, point 5, and point 1's committee): a programme
reports to a committee, chooses its own measures as evidence, and every page that lists
actions, measures, papers or attention either shows one programme or says it spans them."""

import datetime as dt
import html as html_module
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actions.carry import carry_programme
from actions.models import Committee, Objective, Programme
from actions.papers import services
from tests.conftest import SAFELY_WITH_FAMILIES
from tests.factories import make_action, make_programme, make_update
from tests.kpi_factories import make_catalogue, make_kpi
from tests.paper_factories import draft_paper, make_meeting

SEED = "/programmes/care-programme-2024-25/"
LEAVING_CARE = "Leaving care well"


def words(page) -> str:
    text = page.content.decode() if hasattr(page, "content") else page
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", text)).split())


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


@pytest.fixture
def second_programme(seed_programme, officer):
    """A second programme of the same year beside the seed, with one action the officer
    leads and one it does not."""
    programme = make_programme("Care Leavers Programme 2024-25", slug="care-leavers-2024-25")
    led = make_action(LEAVING_CARE, programme=programme, lead=officer)
    make_action("Someone else's leavers action", mechanism=led.mechanism, position=2)
    make_update(led)
    return programme


def programme_data(programme, **changes):
    return {
        "name": programme.name,
        "slug": programme.slug,
        "first_period": programme.first_period.label,
        "last_period": programme.last_period.label,
        "description": programme.description,
        "committee": programme.committee_id or "",
        "version": programme.version,
        **changes,
    }


# A programme's committee


def test_an_administrator_adds_a_programme_with_its_committee_and_the_list_shows_it(
    admin_client, db
):
    cype = Committee.objects.create(name="Children, Young People and Education Committee")

    response = admin_client.post(
        "/programmes/new/",
        {
            "name": "Care Programme 2025-26",
            "slug": "care-programme-2025-26",
            "first_period": "2025-26 Q1",
            "last_period": "2025-26 Q4",
            "committee": cype.pk,
        },
    )

    assert response.status_code == 302
    assert Programme.objects.get(slug="care-programme-2025-26").committee == cype
    listed = words(admin_client.get("/programmes/"))
    assert "Care Programme 2025-26 2025-26 Q1 to 2025-26 Q4 Children, Young People" in listed


def test_changing_a_programmes_committee_is_in_its_history_and_the_form_shows_it(
    admin_client, seed_programme
):
    cype = Committee.objects.create(name="Children, Young People and Education Committee")

    response = admin_client.post(f"{SEED}edit/", programme_data(seed_programme, committee=cype.pk))

    assert response.status_code == 302
    seed_programme.refresh_from_db()
    assert [record.committee_id for record in seed_programme.history.all()][:1] == [cype.pk]
    form = admin_client.get(f"{SEED}edit/").content.decode()
    assert f'<option value="{cype.pk}" selected>' in form


def test_a_committee_that_does_not_exist_is_named_in_the_error_summary(
    admin_client, seed_programme
):
    response = admin_client.post(f"{SEED}edit/", programme_data(seed_programme, committee=9999))

    assert response.status_code == 400
    assert "Choose a committee from the list" in words(response)
    seed_programme.refresh_from_db()
    assert seed_programme.committee is None


def test_a_carried_programme_keeps_its_committee(seed_programme):
    seed_programme.committee = Committee.objects.create(name="CYPE")
    seed_programme.save()

    carried = carry_programme(
        programme=seed_programme, name="Care Programme 2025-26", slug="care-programme-2025-26"
    )

    assert carried.committee == seed_programme.committee


def _offered_meetings(client, slug):
    response = client.get(f"/programmes/{slug}/papers/new/")
    assert response.status_code == 200
    form = response.context["form"]
    return [str(meeting) for meeting in form.fields["meeting"].queryset], form["meeting"].value()


def test_a_new_paper_offers_the_programmes_committees_meetings_first_and_chooses_the_soonest(
    admin_client, seed_programme
):
    today = timezone.localdate()
    cabinet_soon = make_meeting(today + dt.timedelta(days=3), committee="Cabinet")
    cype_later = make_meeting(today + dt.timedelta(days=30), committee="CYPE")
    cype_latest = make_meeting(today + dt.timedelta(days=60), committee="CYPE")
    seed_programme.committee = cype_later.committee
    seed_programme.save()

    offered, chosen = _offered_meetings(admin_client, seed_programme.slug)

    # The others are still offered: a paper now and then goes to another committee.
    assert offered == [str(cype_later), str(cype_latest), str(cabinet_soon)]
    assert str(chosen) == str(cype_later.pk)
    assert "The meetings of CYPE, the committee Care Programme 2024-25 reports to" in words(
        admin_client.get(f"{SEED}papers/new/")
    )


def test_a_programme_with_no_committee_offers_every_meeting_soonest_first_as_before(
    admin_client, seed_programme
):
    today = timezone.localdate()
    cabinet_soon = make_meeting(today + dt.timedelta(days=3), committee="Cabinet")
    cype_later = make_meeting(today + dt.timedelta(days=30), committee="CYPE")

    offered, chosen = _offered_meetings(admin_client, seed_programme.slug)

    assert offered == [str(cabinet_soon), str(cype_later)]
    assert chosen is None


# A programme's evidence, chosen per objective


@pytest.fixture
def measures(db):
    return [
        make_kpi("care-leavers-neet", name="Care leavers not in education or work"),
        make_kpi("placement-moves", name="Children with three or more placement moves"),
        make_kpi("adoption-days", name="Days from care to adoption"),
    ]


def _objective_data(objective, chosen, **changes):
    return {
        "title": objective.title,
        "statement": objective.statement,
        "kpis": [kpi.pk for kpi in chosen],
        "version": objective.version,
        **changes,
    }


def test_an_administrator_chooses_an_objectives_measures_and_the_report_and_dashboard_show_them(
    admin_client, seed_programme, second_programme, measures
):
    objective = seed_programme.objectives.get(title=SAFELY_WITH_FAMILIES)
    url = f"{SEED}structure/objectives/{objective.pk}/"
    page = admin_client.get(url).content.decode()
    assert "Priority 1. Emotional and physical health" in page  # the catalogue, grouped
    assert 'id="id_kpis_0"' in page

    response = admin_client.post(url, _objective_data(objective, measures[:2]))

    assert response.status_code == 302
    assert set(objective.kpis.all()) == set(measures[:2])
    report = words(admin_client.get(f"{SEED}report/2024-25-q3/"))
    assert "Care leavers not in education or work" in report
    assert "Days from care to adoption" not in report
    dashboard = words(admin_client.get("/kpis/?programme=care-programme-2024-25"))
    assert "Evidences the programme: Care Programme 2024-25" in dashboard
    assert "Children with three or more placement moves" in dashboard
    assert "Days from care to adoption" not in dashboard
    # The other programme chose none: its dashboard shows none of them.
    other = words(admin_client.get("/kpis/?programme=care-leavers-2024-25"))
    assert "Care leavers not in education or work" not in other


def test_the_measures_chosen_at_each_save_are_in_the_objectives_history(
    admin_client, seed_programme, measures
):
    objective = seed_programme.objectives.get(title=SAFELY_WITH_FAMILIES)
    url = f"{SEED}structure/objectives/{objective.pk}/"
    admin_client.post(url, _objective_data(objective, measures[:1]))
    objective.refresh_from_db()
    admin_client.post(url, _objective_data(objective, measures[1:]))

    newest = objective.history.order_by("-history_id").first()
    assert {row.kpi_id for row in newest.kpis.all()} == {measures[1].pk, measures[2].pk}
    chosen_over_time = [
        {row.kpi_id for row in record.kpis.all()} for record in objective.history.all()
    ]
    assert {measures[0].pk} in chosen_over_time


def test_a_measures_save_over_someone_elses_is_refused_and_changes_nothing(
    admin_client, seed_programme, measures
):
    objective = seed_programme.objectives.get(title=SAFELY_WITH_FAMILIES)
    url = f"{SEED}structure/objectives/{objective.pk}/"
    opened = objective.version
    admin_client.post(url, _objective_data(objective, measures[:1]))

    response = admin_client.post(url, _objective_data(objective, measures, version=opened))

    assert response.status_code == 409
    assert "Someone changed this objective after you opened it" in words(response)
    assert list(objective.kpis.all()) == measures[:1]


def test_a_measure_not_in_the_catalogue_is_refused_with_the_error_summary(
    admin_client, seed_programme, measures
):
    objective = seed_programme.objectives.get(title=SAFELY_WITH_FAMILIES)
    url = f"{SEED}structure/objectives/{objective.pk}/"
    before = list(objective.kpis.all())

    response = admin_client.post(url, _objective_data(objective, [], kpis=["9999"]))

    assert response.status_code == 400
    assert 'href="#id_kpis_0"' in response.content.decode()
    assert list(objective.kpis.all()) == before


def test_a_new_objective_is_added_with_its_measures(admin_client, seed_programme, measures):
    response = admin_client.post(
        f"{SEED}structure/objectives/new/",
        {"title": "Care leavers thrive", "statement": "They do", "kpis": [measures[0].pk]},
    )

    assert response.status_code == 302
    assert list(Objective.objects.get(title="Care leavers thrive").kpis.all()) == measures[:1]


# Every list is of one programme or says it spans them


def test_all_actions_says_it_spans_the_programmes_and_names_each_rows_programme(
    member_client, second_programme
):
    page = member_client.get("/actions/")
    text = words(page)

    assert "Across all programmes All actions" in text
    rows = {row.record.title: row.get_cell("programme") for row in page.context["table"].rows}
    assert rows[LEAVING_CARE] == "Care Leavers Programme 2024-25"
    assert "Care Programme 2024-25" in rows.values()


@pytest.mark.parametrize("url", ["/actions/", "/actions/mine/"])
def test_an_action_list_for_one_programme_shows_only_its_actions_and_names_it(
    officer_client_with_both, second_programme, url
):
    page = officer_client_with_both.get(f"{url}?programme={second_programme.pk}")

    assert page.status_code == 200
    assert 'id="scope">Care Leavers Programme 2024-25</span>' in page.content.decode()
    programmes = {row.get_cell("programme") for row in page.context["table"].rows}
    assert programmes == {"Care Leavers Programme 2024-25"}


@pytest.fixture
def officer_client_with_both(client, officer, officer_actions):
    """The officer leads actions in the seed and in the second programme."""
    client.force_login(officer)
    return client


def test_my_actions_spans_the_programmes_and_each_row_names_its_own(
    officer_client_with_both, second_programme
):
    page = officer_client_with_both.get("/actions/mine/")

    assert "Across all programmes My actions" in words(page)
    programmes = {row.get_cell("programme") for row in page.context["table"].rows}
    assert programmes == {"Care Programme 2024-25", "Care Leavers Programme 2024-25"}


def test_home_names_every_programme_and_links_each_ones_updates_to_its_own_actions(
    officer_client_with_both, seed_programme, second_programme
):
    home = officer_client_with_both.get("/").content.decode()

    assert "All 2 programmes, each on one page" in words(home)
    for programme in (seed_programme, second_programme):
        assert f"{programme.name}: needs attention" in words(home)
        assert f'href="/actions/mine/?programme={programme.pk}' in home


def test_home_lists_the_papers_awaiting_a_head_across_programmes_each_named(
    client, officer, head_of_service, seed_programme, second_programme
):
    for programme in (seed_programme, second_programme):
        services.submit(paper_id=draft_paper(programme, officer).pk, user=officer)
    client.force_login(head_of_service)

    papers = words(client.get("/")).split("Committee papers awaiting you")[1]

    assert "Across all programmes: each paper names its programme." in papers
    assert "Care Programme 2024-25, paper to" in papers
    assert "Care Leavers Programme 2024-25, paper to" in papers


def test_the_pages_about_measures_say_they_span_the_programmes(
    client, head_of_service, second_programme
):
    client.force_login(head_of_service)

    assert "Across all programmes: measures from the whole catalogue" in words(client.get("/kpis/"))
    assert "Across all programmes Figures awaiting approval" in words(client.get("/kpis/entries/"))
    assert "Across all programmes My measures" in words(client.get("/kpis/mine/"))


def test_the_programme_list_says_how_many_programmes_it_shows(member_client, seed_programme):
    assert "side by side" not in words(member_client.get("/programmes/"))  # one: nothing to say
    make_programme("Care Leavers Programme 2024-25", slug="care-leavers-2024-25")
    assert "All 2 programmes, side by side" in words(member_client.get("/programmes/"))


@pytest.mark.parametrize(
    "page", ["report/2024-25-q3/", "attention/2024-25-q3/", "papers/"], ids=str
)
def test_a_programmes_own_pages_name_it_and_show_none_of_the_others_actions(
    member_client, second_programme, page
):
    response = member_client.get(f"/programmes/care-leavers-2024-25/{page}")
    seed = member_client.get(f"{SEED}{page}")

    assert response.status_code == seed.status_code == 200
    assert 'class="govuk-caption-l">Care Leavers Programme 2024-25</span>' in (
        response.content.decode()
    )
    assert 'class="govuk-caption-l">Care Programme 2024-25</span>' in seed.content.decode()
    assert LEAVING_CARE not in words(seed)


# Query counts stay the same however many programmes sit side by side


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# Each page's queries with one programme: session, user and permissions first (see
# tests/test_action_tables.py for the action tables'); choosing a programme reads it once.
PAGES = {
    "/": 8,
    "/programmes/": 5,
    "/actions/": 11,  # 13 until the objectives waited for a programme (December 2026)
    "/actions/mine/": 11,
    "/actions/?programme={pk}": 14,
    "/kpis/": 12,
    "/kpis/?programme={slug}": 12,
    "/kpis/mine/": 5,
}


@pytest.mark.parametrize(("url", "queries"), PAGES.items())
def test_the_lists_keep_their_query_count_from_one_programme_to_several(
    officer_client_with_both, seed_programme, officer, url, queries
):
    url = url.format(slug=seed_programme.slug, pk=seed_programme.pk)
    one = _queries(officer_client_with_both, url)
    assert one == queries
    for n in range(4):
        programme = make_programme(f"Programme side {n}", slug=f"side-{n}")
        make_update(make_action(f"Side action {n}", programme=programme, lead=officer))
    assert Programme.objects.count() == 5

    assert _queries(officer_client_with_both, url) == one


def test_an_objectives_page_reads_the_catalogue_in_one_query_however_large(
    admin_client, seed_programme, measures
):
    objective = seed_programme.objectives.get(title=SAFELY_WITH_FAMILIES)
    url = f"{SEED}structure/objectives/{objective.pk}/"
    small = _queries(admin_client, url)
    make_catalogue(60)

    assert _queries(admin_client, url) == small
    assert "Measure 59" in words(admin_client.get(url))
