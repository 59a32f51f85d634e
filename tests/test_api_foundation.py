"""What every list in the API does the same way (careprog/api): paging that never guesses,
CSV that Excel cannot run as formulas, errors as JSON that name the parameter, conditional
requests, and caching that a refresh may revalidate but a shared proxy may not keep."""

import csv
import io

import pytest
from django.core.cache import caches
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careprog.api.renderers import cell
from careprog.api.tokens import issue_token
from tests.kpi_factories import make_catalogue, make_group, make_kpi


@pytest.fixture
def reader(committee_member):
    _, secret = issue_token(person=committee_member, name="Power BI")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def catalogue(db):
    return make_catalogue(7, groups=2)


def test_pages_follow_next_to_the_last_and_every_row_comes_once(client, reader, catalogue):
    url, codes = "/api/kpis/?page_size=3", []
    while url:
        page = client.get(url, **reader).json()
        assert page["count"] == 7
        codes += [row["code"] for row in page["results"]]
        url = page["next"]
    assert sorted(codes) == sorted(kpi.code for kpi in catalogue) and len(codes) == 7


def test_a_page_names_its_neighbours_in_a_link_header_too(client, reader, catalogue):
    response = client.get("/api/kpis/?page_size=3&page=2", **reader)
    assert response["Link"] == (
        '<http://testserver/api/kpis/?page=3&page_size=3>; rel="next", '
        '<http://testserver/api/kpis/?page_size=3>; rel="prev"'
    )


def test_a_page_past_the_last_is_empty_not_an_error_and_points_back_to_the_last(
    client, reader, catalogue
):
    page = client.get("/api/kpis/?page=9&page_size=3", **reader).json()
    assert page == {
        "count": 7,
        "next": None,
        "previous": "http://testserver/api/kpis/?page=3&page_size=3",
        "results": [],
    }


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("page=", "page"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=1.5", "page"),
        ("page=one", "page"),
        ("page=1&page=2", "page"),
        ("page_size=1001", "page_size"),
        ("page_size=0", "page_size"),
        ("frequency=fortnightly", "frequency"),
        ("frequency=monthly&frequency=annual", "frequency"),
        ("changed_since=yesterday", "changed_since"),
    ],
)
def test_a_parameter_not_as_documented_is_a_400_naming_it_never_guessed(
    client, reader, catalogue, query, parameter
):
    response = client.get(f"/api/kpis/?{query}", **reader)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()["errors"]) == [parameter]


def test_an_error_asked_for_as_csv_still_answers_json(client, reader, catalogue):
    response = client.get("/api/kpis/?format=csv&page=0", **reader)
    assert response.status_code == 400 and response["Content-Type"] == "application/json"


# The client and the token serve every example alike: nothing in them changes between them.
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(page=st.text(max_size=12), size=st.text(max_size=12))
def test_whatever_is_sent_as_paging_the_answer_is_a_page_or_a_400(client, reader, page, size):
    response = client.get("/api/programmes/", {"page": page, "page_size": size}, **reader)
    assert response.status_code in {200, 400}


def test_the_csv_is_the_jsons_page_with_its_columns_in_order(client, reader, catalogue):
    json_page = client.get("/api/kpis/?page_size=4", **reader).json()
    response = client.get("/api/kpis/?page_size=4&format=csv", **reader)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [list(row) for row in rows[:1]] == [list(json_page["results"][0])]
    assert rows == [{k: cell(v) for k, v in row.items()} for row in json_page["results"]]
    assert "next" in response["Link"]


def test_text_that_excel_would_run_as_a_formula_is_kept_as_text(client, reader, db):
    make_kpi("formula", name='=HYPERLINK("http://evil.example","click")', group=make_group())
    response = client.get("/api/kpis/?format=csv", **reader)
    row = next(csv.DictReader(io.StringIO(response.content.decode())))
    assert row["name"] == '\'=HYPERLINK("http://evil.example","click")'
    assert cell("-12.5") == "-12.5" and cell(-3) == "-3" and cell(None) == ""
    assert cell(True) == "true" and cell([1, "a"]) == '[1,"a"]'


def test_an_unchanged_list_answers_304_and_a_change_gives_a_new_etag(client, reader, catalogue):
    first = client.get("/api/kpis/", **reader)
    etag = first["ETag"]
    again = client.get("/api/kpis/", HTTP_IF_NONE_MATCH=etag, **reader)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    kpi = catalogue[0]
    kpi.name = "Renamed"
    kpi.save()
    changed = client.get("/api/kpis/", HTTP_IF_NONE_MATCH=etag, **reader)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_a_client_may_keep_a_copy_but_must_ask_and_no_shared_cache_may(client, reader, catalogue):
    response = client.get("/api/kpis/", **reader)
    assert response["Cache-Control"] == "private, no-cache"
    assert {"Authorization", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}


def test_the_rate_limit_is_per_token_and_says_when_to_come_back(
    client, reader, committee_member, settings, db
):
    settings.API_RATE_LIMIT = "3/minute"
    caches["throttle"].clear()
    for _ in range(3):
        assert client.get("/api/programmes/", **reader).status_code == 200
    refused = client.get("/api/programmes/", **reader)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    _, other = issue_token(person=committee_member, name="Excel")
    assert client.get("/api/programmes/", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 200
    caches["throttle"].clear()
