"""No query string gets a 500: every list page and admin change list answers whatever its
parameters hold (NUL characters, huge or negative numbers, text where a number goes) with a
page or a 4xx. The issue's examples first, then hypothesis over each page's parameters."""

import datetime

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from actions.models import Action
from tests.conftest import SEED_SLUG
from tests.kpi_factories import make_kpi, make_value

HUGE = "99999999999999999999"  # 20 digits


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


@pytest.fixture
def data(seed_programme, officer_actions):
    """The seed programme, the officer's actions, and a KPI with a figure, so every change
    list and its date hierarchy has rows."""
    kpi = make_kpi("cla-1")
    make_value(kpi, datetime.date(2025, 3, 31), "61.5")
    return seed_programme


# The examples


@pytest.mark.parametrize("query", ["per_page=-1", "per_page=-5&page=2", f"per_page={HUGE}"])
@pytest.mark.parametrize("page", ["/actions/", "/actions/mine/"])
def test_a_per_page_that_is_not_one_gives_the_default_page(client, officer, data, page, query):
    """The officer leads 10 of the 43 actions: /actions/ has two pages of 25, theirs one."""
    client.force_login(officer)
    response = client.get(f"{page}?{query}")
    assert response.status_code == 200
    table = response.context["table"]
    assert table.paginator.per_page == 25
    assert table.paginator.num_pages == (2 if page == "/actions/" else 1)
    assert table.page.number == (2 if "page=2" in query else 1) if page == "/actions/" else 1


def test_per_page_within_bounds_is_honoured_and_a_page_past_the_end_gives_the_last(
    admin_client, data
):
    response = admin_client.get("/actions/", {"per_page": "10", "page": HUGE})
    table = response.context["table"]
    assert response.status_code == 200
    assert (table.paginator.per_page, table.page.number) == (10, table.paginator.num_pages)
    assert len(table.page) == Action.objects.count() - 10 * (table.paginator.num_pages - 1)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/actions/action/?status=%00",
        "/admin/actions/action/?q=%00",
        "/admin/kpis/kpivalue/?origin=%00",
        f"/admin/kpis/kpivalue/?period_end__year={HUGE}",
        f"/admin/kpis/kpivalue/?period_end__year=2025&period_end__month={HUGE}",
        f"/admin/axes/accessattempt/?attempt_time__year={HUGE}",
        "/admin/auth/user/?username=%00",
    ],
)
def test_an_admin_filter_it_cannot_use_gives_the_unfiltered_list(admin_client, data, url):
    """Django admin's own answer to a bad filter: a redirect to the list with ?e=1."""
    response = admin_client.get(url)
    assert response.status_code == 302
    assert response.url.endswith("?e=1")
    assert admin_client.get(response.url).status_code == 200


# Every parameter of every list page, drawn by hypothesis

# Values that have reached a 500 somewhere: NUL (PostgreSQL text cannot hold it), numbers
# too large for a date, an integer column or a C long, negatives, floats Python reads as inf.
HOSTILE = ["\x00", "a\x00b", "-1", "0", "1e309", HUGE, "-" + HUGE]
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
# Values some parameter accepts, so filters and sorts that work are mixed with those that don't.
VALID = ["rating", "direction", "band", "group", "worsening", "improving", "D", "red", "2024-25-q3"]
VALUES = st.one_of(
    st.sampled_from(HOSTILE),
    st.sampled_from(VALID),
    TEXT,
    st.integers().map(str),
    st.integers(min_value=10**15, max_value=10**40).map(str),
    st.dates().map(str),
)


def queries(parameters: list[str]):
    """A query string over ``parameters`` (and an unknown one), each once or repeated."""
    keys = st.sampled_from([*parameters, "unknown"])
    return st.lists(st.tuples(keys, VALUES), min_size=1, max_size=6)


PAGES = {
    "/actions/": [
        "programme",
        "objective",
        "lead",
        "status",
        "overdue",
        "missing_update",
        "sort",
        "page",
        "per_page",
    ],
    "/actions/mine/": ["programme", "status", "overdue", "sort", "page", "per_page"],
    "/kpis/": ["group", "programme", "rag", "direction", "band", "sort", "as_at"],
    "/kpis/import/history/": ["page"],
    f"/programmes/{SEED_SLUG}/report/": ["period"],
    f"/programmes/{SEED_SLUG}/papers/new/": ["meeting"],
    "/meetings/new/": ["committee", "next"],
    "/admin/actions/action/": [
        "status",
        "status__exact",
        "mechanism__requirement__objective__programme__id__exact",
        "lead__id__exact",
        "lead__isnull",
        "q",
        "o",
        "p",
        "all",
        "e",
    ],
    "/admin/actions/update/": ["period", "period__exact", "status__exact", "q", "o", "p"],
    "/admin/kpis/kpi/": [
        "group__id__exact",
        "unit__exact",
        "polarity__exact",
        "frequency__exact",
        "q",
        "o",
    ],
    "/admin/kpis/kpivalue/": [
        "origin__exact",
        "kpi__group__id__exact",
        "period_end__year",
        "period_end__month",
        "period_end__day",
        "q",
        "o",
        "p",
    ],
    "/admin/axes/accessattempt/": [
        "attempt_time__year",
        "attempt_time__month",
        "attempt_time__day",
        "path_info",
        "locked_out",
        "q",
    ],
    "/admin/auth/user/": ["is_staff__exact", "groups__id__exact", "username", "q", "o"],
}


@pytest.mark.parametrize("page", PAGES)
def test_no_query_string_gets_a_500(admin_client, data, page):
    """Every hostile value in every parameter alone (explicit examples), then 50 drawn query
    strings mixing them."""
    parameters = PAGES[page]

    def answers(query):
        response = admin_client.get(page, query)
        assert response.status_code < 500, (page, query)

    test = given(query=queries(parameters))(answers)
    for parameter in parameters:
        for value in HOSTILE:
            test = example(query=[(parameter, value)])(test)
    settings(
        max_examples=50,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )(test)()


@given(query=queries(PAGES["/actions/"]), export=st.sampled_from(["csv", "xlsx", "pdf", "\x00"]))
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_query_string_gets_a_500_from_the_exports(admin_client, data, query, export):
    response = admin_client.get("/actions/", [*query, ("export", export)])
    assert response.status_code < 500, (query, export)


@given(query=queries(["period"]))
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_query_string_gets_a_500_on_an_action_page(admin_client, data, query):
    action = Action.objects.order_by("pk").first()
    response = admin_client.get(f"/actions/{action.pk}/", query)
    assert response.status_code < 500, query
