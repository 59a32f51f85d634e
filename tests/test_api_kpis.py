"""The KPI catalogue and its figures in the read API: /api/kpis/ and /api/kpi-values/ say what
the catalogue and a KPI's page say, to any role that reads KPIs, for a fixed number of queries."""

import csv
import datetime as dt
import io
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from careprog.api.tokens import issue_token
from careprog.periods import financial_year_of
from kpis.approval import approve_entry
from kpis.models import KPI, ComparatorValue, KPIEntry, KPIRank, KPITarget, KPIValue, Origin
from kpis.rating import format_value
from tests.conftest import make_user
from tests.kpi_factories import make_catalogue, make_group, make_kpi, make_target, make_value

VALUES = "/api/kpi-values/"


def month_ends(count, last=dt.date(2025, 3, 31)):
    days, year, month = [], last.year, last.month
    for _ in range(count):
        following = dt.date(year + (month == 12), month % 12 + 1, 1)
        days.append(following - dt.timedelta(days=1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return sorted(days)


def bearer(person) -> dict:
    _, secret = issue_token(person=person, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def token(committee_member):
    return bearer(committee_member)


def read(client, token, url, **params):
    response = client.get(url, params, **token)
    assert response.status_code == 200, response.content
    return response.json()


def read_all(client, token, url=VALUES, **params) -> list[dict]:
    rows, page = [], 1
    while True:
        body = read(client, token, url, page=page, **params)
        rows += body["results"]
        if body["next"] is None:
            return rows
        page += 1


@pytest.fixture
def catalogue(db):
    """A monthly percentage over 13 months with targets, comparators and ranks; an
    illustrative measure; a count with no polarity; a quarterly measure with no figures."""
    group = make_group("Vision", position=1)
    other = make_group("Priority 1. Health", position=2)
    foster = make_kpi("cla-foster", group=group, position=1, decimal_places=1, name="Foster")
    moves = make_kpi("cla-moves", group=group, position=2, polarity="lower", name="Moves")
    leavers = make_kpi("leavers", group=other, position=1, unit="count", polarity="none")
    make_kpi("kooth", group=other, position=2, unit="count", frequency="quarterly")
    days = month_ends(13)
    for i, day in enumerate(days):
        make_value(foster, day, 60 + i, source="SSDA903 return")
        make_value(moves, day, 12 - i % 3, origin=Origin.ILLUSTRATIVE)
        make_value(leavers, day, 300 + i)
    make_target(foster, 2023, 58, amber_tolerance=Decimal(2))
    make_target(foster, 2024, 75, amber_tolerance=Decimal(5))
    make_target(moves, 2024, 10, amber_tolerance=Decimal(1), origin=Origin.ILLUSTRATIVE)
    for day in days[-4:]:
        for kind, value in (("neighbours", "66.25"), ("region", "67.5"), ("england", "68.4")):
            ComparatorValue.objects.create(
                kpi=foster, comparator=kind, period_end=day, value=Decimal(value)
            )
    KPIRank.objects.create(kpi=foster, period_end=days[-1], rank=34, out_of=152, band="B")
    return {"foster": foster, "moves": moves, "leavers": leavers, "days": days}


class _FiguresTable(HTMLParser):
    """The rows of a KPI page's "Figures" table: each cell's text, words joined by spaces."""

    def __init__(self):
        super().__init__()
        self.rows, self._inside, self._cell = [], False, None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and "app-kpi-figures" in (dict(attrs).get("class") or ""):
            self._inside = True
        elif self._inside and tag == "tr":
            self.rows.append([])
        elif self._inside and tag in ("td", "th"):
            self._cell = []
        elif self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "table":
            self._inside = False
        elif self._cell is not None and tag in ("td", "th"):
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def page_table(client, code) -> list[list[str]]:
    parser = _FiguresTable()
    parser.feed(client.get(f"/kpis/{code}/").content.decode())
    return [row for row in parser.rows[1:]]  # the header row's cells are not td/th rows' data


def shown(row, name) -> str:
    return format_value(Decimal(str(row[name])), KPI.Unit(row["unit"]), row["decimal_places"])


def test_a_kpis_figures_from_the_api_equal_its_pages_table_in_the_same_order(
    client, member_client, token, catalogue
):
    for code in ("cla-foster", "cla-moves", "leavers"):
        table = page_table(member_client, code)
        api = read_all(client, token, kpi=code)
        # The page is newest first; the API oldest first: the same rows, reversed.
        assert len(api) == len(table) == 13
        for row, cells in zip(reversed(api), table, strict=True):
            period, value, target, neighbours, region, england = cells[:6]
            assert period == row["period"]
            assert value.startswith(shown(row, "value"))
            assert target.startswith(shown(row, "target") if row["target"] is not None else "None")
            for text, name in (
                (neighbours, "neighbours"),
                (region, "region"),
                (england, "england"),
            ):
                assert text.startswith(shown(row, name) if row[name] is not None else "–")


def test_the_latest_figures_rating_and_rank_are_those_its_page_shows(
    client, member_client, token, catalogue
):
    latest = read_all(client, token, kpi="cla-foster")[-1]
    html = member_client.get("/kpis/cla-foster/").content.decode()
    assert latest["rating"] == "amber"  # 72.0% against 75.0%, amber within 5
    assert latest["rating_explanation"] in html
    assert (latest["target"], latest["target_standing"]) == (75.0, "agreed")
    assert (latest["rank"], latest["out_of"], latest["band"]) == (34, 152, "B")
    assert "Ranked 34 of 152, band B" in html
    assert latest["url"] == "http://testserver/kpis/cla-foster/"


def test_an_illustrative_target_never_rates_a_real_figure_and_says_so(client, token, catalogue):
    moves = catalogue["moves"]
    make_value(moves, dt.date(2025, 4, 30), 9)  # a real figure: the illustrative ones go
    rows = read_all(client, token, kpi="cla-moves")
    assert [(row["origin"], row["target_standing"]) for row in rows] == [("return", None)]
    make_target(moves, 2025, 10, origin=Origin.ILLUSTRATIVE)
    (row,) = read_all(client, token, kpi="cla-moves")
    assert (row["target"], row["target_standing"], row["rating"]) == (10.0, "illustrative", "none")
    assert "does not rate a real figure" in row["rating_explanation"]


def test_a_real_figure_hides_the_illustrative_one_for_its_period_as_the_page_does(
    client, token, catalogue
):
    day = catalogue["days"][-1]
    make_value(catalogue["foster"], day, 1, origin=Origin.ILLUSTRATIVE)
    rows = read_all(client, token, kpi="cla-foster")
    assert [row["value"] for row in rows if row["period_end"] == day.isoformat()] == [72.0]


def test_the_catalogue_from_the_api_is_the_catalogue_in_the_dashboards_order(
    client, token, catalogue
):
    rows = read_all(client, token, "/api/kpis/")
    kpis = KPI.objects.order_by("group__position", "position", "code")
    assert [(r["code"], r["name"], r["group"], r["unit"], r["polarity"]) for r in rows] == [
        (k.code, k.name, k.group.name, k.unit, k.polarity) for k in kpis
    ]


def test_figures_come_in_the_catalogues_order_then_by_period(client, token, catalogue):
    rows = read_all(client, token, page_size=7)
    codes = [row["kpi"] for row in rows]
    assert codes == ["cla-foster"] * 13 + ["cla-moves"] * 13 + ["leavers"] * 13
    periods = [row["period_end"] for row in rows[:13]]
    assert periods == sorted(periods)
    assert rows == read_all(client, token, page_size=1000) == read_all(client, token, page_size=13)


def test_a_dfe_figure_keeps_the_councils_own_beside_it_never_over_it(client, token, catalogue):
    make_value(
        catalogue["leavers"],
        dt.date(2025, 4, 30),
        310,
        origin=Origin.DFE,
        source="DfE LAIT: CL (2025)",
        local_value=Decimal(305),
        local_source="Our return",
        dfe_published_on=dt.date(2025, 11, 1),
    )
    row = read_all(client, token, kpi="leavers")[-1]
    assert (row["value"], row["local_value"], row["local_source"]) == (310.0, 305.0, "Our return")
    assert (row["origin"], row["origin_label"]) == ("dfe", "DfE published statistics")
    assert row["dfe_published_on"] == "2025-11-01"


def test_an_entry_awaiting_approval_is_not_in_the_api_and_once_approved_says_by_whom(
    client, token, catalogue, officer, head_of_service
):
    foster = catalogue["foster"]
    day = dt.date(2025, 4, 30)
    entry = KPIEntry.objects.create(
        kpi=foster, period_end=day, value=Decimal(71), entered_by=officer,
        entered_at=timezone.now(),
    )  # fmt: skip
    assert day.isoformat() not in {r["period_end"] for r in read_all(client, token)}
    approve_entry(entry=entry, user=head_of_service)
    row = read_all(client, token, kpi="cla-foster")[-1]
    assert (row["period_end"], row["value"], row["approved_by"]) == (
        "2025-04-30",
        71.0,
        "Hannah Head",
    )
    entry.refresh_from_db()
    assert row["approved_at"].startswith(entry.decided_at.date().isoformat())
    assert "approved by Hannah Head" in row["source"]


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({"kpi": "leavers"}, {"leavers"}),
        ({"kpi": "no-such-measure"}, set()),
        ({"origin": "illustrative"}, {"cla-moves"}),
        ({"origin": "dfe"}, set()),
        ({"frequency": "quarterly"}, set()),
        ({"frequency": "monthly"}, {"cla-foster", "cla-moves", "leavers"}),
        ({"period_end_from": "2025-03-01"}, {"cla-foster", "cla-moves", "leavers"}),
        ({"period_end_from": "9999-12-31"}, set()),
        ({"period_end_to": "0001-01-01"}, set()),
    ],
)
def test_each_filter_narrows_the_figures_and_a_filter_matching_nothing_is_an_empty_list(
    client, token, catalogue, parameters, expected
):
    rows = read_all(client, token, **parameters)
    assert {row["kpi"] for row in rows} == expected
    if "period_end_from" in parameters and rows:
        assert {row["period_end"] for row in rows} == {"2025-03-31"}


def test_changed_since_lists_figures_whose_record_measure_or_target_changed_after_it(
    client, token, catalogue
):
    before = timezone.now()
    assert read_all(client, token, changed_since=before.isoformat()) == []
    value = KPIValue.objects.get(kpi=catalogue["leavers"], period_end=catalogue["days"][0])
    value.commentary = "Corrected"
    value.save()
    rows = read_all(client, token, changed_since=before.isoformat())
    assert [row["id"] for row in rows] == [value.pk]
    target = KPITarget.objects.get(kpi=catalogue["foster"], financial_year=2024)
    target.value = Decimal(70)
    target.save()
    rows = read_all(client, token, changed_since=before.isoformat())
    assert {row["kpi"] for row in rows} == {"cla-foster", "leavers"}


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("kpi=not+a+code", "kpi"),
        ("kpi=leavers%0A", "kpi"),
        ("kpi=leavers&kpi=kooth", "kpi"),
        ("origin=guess", "origin"),
        ("frequency=weekly", "frequency"),
        ("period_end_from=20250331", "period_end_from"),
        ("period_end_to=2025-02-30", "period_end_to"),
        ("changed_since=yesterday", "changed_since"),
        ("page=0", "page"),
        ("format=", "format"),
        ("format=csv&format=json", "format"),
        ("page_size=1001", "page_size"),
    ],
)
def test_a_bad_parameter_is_a_400_that_names_it(client, token, catalogue, query, parameter):
    response = client.get(f"{VALUES}?{query}", **token)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [parameter]


def test_csv_holds_the_same_rows_and_columns_as_json(client, token, catalogue):
    body = read(client, token, VALUES, page_size=20)
    response = client.get(VALUES, {"page_size": 20, "format": "csv"}, **token)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [list(row) for row in rows[:1]] == [list(body["results"][0])]

    def cell(value):
        return "" if value is None else str(value)

    assert rows == [{k: cell(v) for k, v in row.items()} for row in body["results"]]


def test_an_unchanged_page_answers_304_to_its_etag(client, token, catalogue):
    response = client.get(VALUES, **token)
    again = client.get(VALUES, HTTP_IF_NONE_MATCH=response["ETag"], **token)
    assert again.status_code == 304 and again.content == b""
    make_value(catalogue["leavers"], dt.date(2025, 4, 30), 1)
    assert client.get(VALUES, HTTP_IF_NONE_MATCH=response["ETag"], **token).status_code == 200


@pytest.mark.parametrize(
    "day", [dt.date(1, 1, 31), dt.date(1899, 12, 31), dt.date(9999, 12, 31), dt.date(1, 3, 31)]
)
@pytest.mark.parametrize("measurement", [m.value for m in KPI.Measurement])
def test_no_stored_date_makes_the_api_fail(client, token, db, day, measurement):
    kpi = make_kpi("odd", frequency="quarterly", measurement=measurement)
    make_value(kpi, day, 1)
    KPIRank.objects.create(kpi=kpi, period_end=day, rank=1, out_of=1, band="A")
    make_target(kpi, financial_year_of(day), 1)
    (row,) = read_all(client, token)
    assert row["period_end"] == day.isoformat() and row["period"]


@pytest.mark.parametrize(
    "role", ["committee_member", "officer", "head_of_service", "administrator", "superuser"]
)
def test_every_role_reads_the_figures_with_its_own_token(client, request, catalogue, role):
    token = bearer(request.getfixturevalue(role))
    for url in (VALUES, "/api/kpis/"):
        assert client.get(url, **token).status_code == 200


def test_an_account_without_a_role_is_refused_and_no_token_is_401(client, outsider, catalogue):
    for url in (VALUES, "/api/kpis/"):
        assert client.get(url, **bearer(outsider)).status_code == 403
        assert client.get(url).status_code == 401


def test_an_account_that_may_not_read_kpis_reads_no_figures(client, django_user_model, db):
    from django.contrib.auth.models import Permission

    reader = make_user(django_user_model, "actions-only")
    reader.user_permissions.add(Permission.objects.get(codename="view_action"))
    token = bearer(reader)
    assert [client.get(url, **token).status_code for url in (VALUES, "/api/kpis/")] == [403, 403]


def _queries(client, token, url) -> int:
    client.get(url, **token)  # the token's last use is written at most once a minute: not now
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **token).status_code == 200
    return len(captured)


def _figures(kpis, periods):
    days = month_ends(periods)
    KPIValue.objects.bulk_create(
        KPIValue(kpi=kpi, period_end=day, value=Decimal(i))
        for kpi in kpis
        for i, day in enumerate(days)
    )
    KPITarget.objects.bulk_create(
        KPITarget(kpi=kpi, financial_year=year, value=Decimal(5))
        for kpi in kpis
        for year in {day.year for day in days}
    )
    ComparatorValue.objects.bulk_create(
        ComparatorValue(kpi=kpi, comparator=kind, period_end=day, value=Decimal(3))
        for kpi in kpis
        for day in days
        for kind in ComparatorValue.Comparator
    )
    KPIRank.objects.bulk_create(
        KPIRank(kpi=kpi, period_end=day, rank=1, out_of=2, band="A") for kpi in kpis for day in days
    )


def test_the_figures_cost_the_same_queries_for_1_kpi_of_12_values_as_for_10_of_120(
    client, token, db, head_of_service
):
    kpis = make_catalogue(10)
    _figures(kpis[:1], 12)
    small = _queries(client, token, f"{VALUES}?page_size=1000")
    for model in (KPIValue, KPITarget, ComparatorValue, KPIRank):
        model.objects.all().delete()
    _figures(kpis, 120)
    assert KPIValue.objects.count() == 1200
    assert _queries(client, token, f"{VALUES}?page_size=1000") == small
    # The token's look-up, its person's permissions (two), the count, the rows, then the
    # targets, comparators, ranks and approvals of the page's measures and periods.
    assert small == 9


def test_the_catalogue_costs_the_same_queries_for_4_kpis_as_for_40(client, token, catalogue):
    small = _queries(client, token, "/api/kpis/")
    make_catalogue(36)
    assert KPI.objects.count() == 40
    # The token's look-up, its person's permissions (two), the count, the rows.
    assert _queries(client, token, "/api/kpis/") == small == 5


def test_an_undone_imports_approval_is_not_taken_for_the_figure_put_back(
    client, token, catalogue, officer, head_of_service, administrator
):
    from kpis.models import ImportBatch

    day = dt.date(2025, 4, 30)
    entry = KPIEntry.objects.create(
        kpi=catalogue["foster"], period_end=day, value=Decimal(71), entered_by=officer,
        entered_at=timezone.now(),
    )  # fmt: skip
    approve_entry(entry=entry, user=head_of_service)
    undone = ImportBatch.objects.create(
        file_name="r.xlsx", sha256="0" * 64, size=1, content=b"", status=ImportBatch.Status.UNDONE
    )
    KPIEntry.objects.create(
        kpi=catalogue["foster"], period_end=day, value=Decimal(99), batch=undone,
        state=KPIEntry.State.APPROVED, entered_at=timezone.now(), decided_by=administrator,
        decided_at=timezone.now() + dt.timedelta(minutes=1),
    )  # fmt: skip
    row = read_all(client, token, kpi="cla-foster")[-1]
    assert (row["value"], row["approved_by"]) == (71.0, "Hannah Head")
