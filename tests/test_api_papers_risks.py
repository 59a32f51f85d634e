"""/api/papers/ and /api/risks/: committee papers as their readers may read them, each
published one with its frozen snapshot and digest, and the risk register, flat."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from actions.models import Action, Paper, RiskStatus
from actions.papers import content as paper_content
from tests.api_reading import as_text, bearer, csv_rows, read_all
from tests.factories import make_action, make_programme
from tests.paper_factories import Q3, draft_paper, make_meeting, publish
from tests.risk_factories import make_risk, review

PAPERS = "/api/papers/"
RISKS = "/api/risks/"
UNPUBLISHED = {Paper.State.DRAFT, Paper.State.SUBMITTED, Paper.State.APPROVED}


def make_paper(programme, state, *, meeting=None, n=0) -> Paper:
    """A paper in ``state`` as stored (a published one with a snapshot and its digest)."""
    published = state == Paper.State.PUBLISHED
    snapshot = {"title": f"Paper {n}", "sections": [{"heading": "Recommendation", "n": n}]}
    return Paper.objects.create(
        programme=programme,
        meeting=meeting or make_meeting(dt.date(2025, 3, 5) + dt.timedelta(days=n)),
        period=Q3,
        figures_as_at=Q3.end,
        title=f"Paper {n}",
        report_of="Director",
        state=state,
        published_at=timezone.now() if published else None,
        snapshot=snapshot if published else None,
        snapshot_sha256=paper_content.sha256(snapshot) if published else "",
    )


@pytest.fixture
def papers(seed_programme, officer, head_of_service):
    """One paper published through the services (its snapshot built from the seed), one of
    each unpublished state, and a portfolio's published paper (no programme)."""
    published = publish(draft_paper(seed_programme, officer), head_of_service)
    unpublished = [
        make_paper(seed_programme, state, n=n)
        for n, state in enumerate(sorted(UNPUBLISHED), start=1)
    ]
    portfolio = make_paper(None, Paper.State.PUBLISHED, n=9)
    return {"published": published, "unpublished": unpublished, "portfolio": portfolio}


def test_a_committee_member_s_token_never_reads_an_unpublished_paper(
    client, papers, committee_member
):
    headers = bearer(committee_member)
    rows = read_all(client, PAPERS, headers, page_size=1)  # every page walked, one by one
    assert {row["id"] for row in rows} == {papers["published"].pk, papers["portfolio"].pk}
    assert {row["state"] for row in rows} == {"published"}
    for state in UNPUBLISHED:
        assert read_all(client, PAPERS, headers, state=state) == []


def test_a_head_of_service_reads_drafts_too_without_a_snapshot(client, papers, head_of_service):
    rows = read_all(client, PAPERS, bearer(head_of_service))
    assert {row["state"] for row in rows} == UNPUBLISHED | {"published"}
    for row in rows:
        if row["state"] != "published":
            assert (row["snapshot"], row["snapshot_sha256"], row["published_at"]) == (None,) * 3


def test_a_published_paper_carries_its_snapshot_and_the_digest_its_page_prints(
    client, papers, committee_member
):
    paper = papers["published"]
    [row] = read_all(client, PAPERS, bearer(committee_member), programme=paper.programme.slug)
    assert row["snapshot"] == paper.snapshot
    assert row["snapshot_sha256"] == paper.snapshot_sha256 == paper_content.sha256(row["snapshot"])
    client.force_login(committee_member)
    assert paper.snapshot_sha256 in client.get(row["url"]).content.decode()
    for link, name in (
        ("pdf_url", "paper.pdf"),
        ("docx_url", "paper.docx"),
        ("xlsx_url", "appendix.xlsx"),
    ):
        assert row[link].endswith(f"/papers/{paper.pk}/{name}")
    assert (row["committee"], row["period"]) == (paper.meeting.committee.name, "2024-25-q3")


def test_a_portfolio_s_paper_has_no_programme(client, papers, committee_member):
    rows = read_all(client, PAPERS, bearer(committee_member))
    [portfolio] = [row for row in rows if row["id"] == papers["portfolio"].pk]
    assert portfolio["programme"] is None


def test_papers_filter_by_programme_state_and_changed_since(client, papers, head_of_service):
    headers = bearer(head_of_service)
    drafts = read_all(client, PAPERS, headers, state="draft")
    assert [row["state"] for row in drafts] == ["draft"]
    seed = read_all(client, PAPERS, headers, programme="care-programme-2024-25")
    assert papers["portfolio"].pk not in {row["id"] for row in seed} and len(seed) == 4
    assert read_all(client, PAPERS, headers, programme="no-such-programme") == []
    before = timezone.now()
    assert read_all(client, PAPERS, headers, changed_since=before.isoformat()) == []
    section = papers["unpublished"][0].sections.create(heading="Added", text="New words")
    section.save()
    changed = read_all(client, PAPERS, headers, changed_since=before.isoformat())
    assert [row["id"] for row in changed] == [papers["unpublished"][0].pk]


def test_papers_as_csv_hold_the_same_values_as_the_json(client, papers, head_of_service):
    headers = bearer(head_of_service)
    rows = read_all(client, PAPERS, headers)
    table = csv_rows(client, PAPERS, headers)
    assert len(table) == len(rows) == 5
    for cells, row in zip(table, rows, strict=True):
        assert list(cells) == list(row)
        for name, value in row.items():
            if name == "snapshot" and value is not None:
                assert json.loads(cells[name]) == value
            else:
                assert cells[name] == as_text(value), name


def test_an_unchanged_paper_list_answers_304_and_publishing_gives_a_new_etag(
    client, papers, committee_member, administrator
):
    headers = bearer(committee_member)
    etag = client.get(PAPERS, **headers)["ETag"]
    assert client.get(PAPERS, HTTP_IF_NONE_MATCH=etag, **headers).status_code == 304
    Paper.objects.filter(pk=papers["unpublished"][0].pk).update(title="Renamed, not published")
    assert client.get(PAPERS, HTTP_IF_NONE_MATCH=etag, **headers).status_code == 304
    papers["portfolio"].title = "Renamed"
    papers["portfolio"].save()
    assert client.get(PAPERS, HTTP_IF_NONE_MATCH=etag, **headers).status_code == 200


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
@pytest.mark.parametrize("url", [PAPERS, RISKS])
def test_every_role_reads_papers_and_risks_and_an_account_with_none_does_not(
    client, db, request, role, status, url
):
    person = request.getfixturevalue(role)
    assert client.get(url, **bearer(person)).status_code == status


@pytest.mark.parametrize(
    ("url", "parameter", "value"),
    [
        (PAPERS, "state", "published "),
        (PAPERS, "programme", "a/b"),
        (RISKS, "status", "OPEN"),
        (RISKS, "band", ""),
        (RISKS, "changed_since", "2025-13-01"),
    ],
)
def test_a_bad_parameter_is_a_400_that_names_it(client, committee_member, url, parameter, value):
    response = client.get(url, {parameter: value}, **bearer(committee_member))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [parameter]


@pytest.mark.parametrize("size", [3, 30])
def test_a_page_of_papers_costs_the_same_queries_at_ten_times_the_papers(
    client, db, head_of_service, size, django_assert_num_queries
):
    programme = make_programme()
    meeting = make_meeting()
    for n in range(size):
        make_paper(
            programme, Paper.State.PUBLISHED if n % 2 else Paper.State.DRAFT, meeting=meeting, n=n
        )
    headers = bearer(head_of_service)
    client.get(PAPERS, **headers)
    # The token, its person's permissions (two), the count and the rows.
    with django_assert_num_queries(5):
        assert len(client.get(PAPERS, **headers).json()["results"]) == size


# The risk register


@pytest.fixture
def register(seed_programme, officer, administrator):
    """R1 reviewed (worse since), R2 closed, R10 unowned, R3 in another programme."""
    first = make_risk(
        seed_programme, owner=officer, reference="R1", residual=(3, 4), inherent=(5, 5)
    )
    first.mitigating_actions.add(*Action.objects.order_by("pk")[:3])
    review(first, by=officer, residual=(4, 4))
    make_risk(
        seed_programme, owner=officer, reference="R2", residual=(1, 2), status=RiskStatus.CLOSED
    )
    make_risk(seed_programme, reference="R10", residual=(2, 3))
    other = make_programme("Another programme")
    make_risk(other, owner=administrator, reference="R3")
    return first


def test_the_register_reads_flat_with_scores_bands_review_and_actions(
    client, register, committee_member
):
    rows = read_all(client, RISKS, bearer(committee_member))
    # By programme name ("Another programme" first), then reference as numbered.
    assert [row["reference"] for row in rows] == ["R3", "R1", "R2", "R10"]
    assert {row["programme"] for row in rows[1:]} == {"care-programme-2024-25"}
    r1 = rows[1]
    assert (r1["owner"], r1["owner_username"]) == ("Olive Lead", "olive")
    assert (r1["inherent_score"], r1["inherent_band"]) == (25, "High")
    assert (r1["residual_likelihood"], r1["residual_impact"], r1["residual_score"]) == (4, 4, 16)
    assert (r1["band"], r1["target_band"], r1["direction"]) == ("High", "Low", "worsening")
    assert r1["last_reviewed"] is not None and rows[3]["last_reviewed"] is None
    expected = sorted(register.mitigating_actions.values_list("pk", flat=True))
    assert r1["mitigating_actions"] == "; ".join(map(str, expected))
    assert rows[3]["owner"] is None and rows[3]["direction"] is None
    assert rows[2]["status"] == "closed"


def test_the_register_filters_by_programme_status_band_and_changed_since(
    client, register, committee_member
):
    headers = bearer(committee_member)
    seed = read_all(client, RISKS, headers, programme="care-programme-2024-25")
    assert [row["reference"] for row in seed] == ["R1", "R2", "R10"]
    assert [row["reference"] for row in read_all(client, RISKS, headers, status="closed")] == ["R2"]
    low = read_all(client, RISKS, headers, band="Low", programme="care-programme-2024-25")
    assert [row["reference"] for row in low] == ["R2"]
    assert read_all(client, RISKS, headers, band="No such band") == []
    before = timezone.now()
    assert read_all(client, RISKS, headers, changed_since=before.isoformat()) == []
    review(register, by=register.owner, residual=(2, 2))
    changed = read_all(client, RISKS, headers, changed_since=before.isoformat())
    assert [(row["reference"], row["direction"]) for row in changed] == [("R1", "improving")]


def test_the_register_as_csv_holds_the_same_values_as_the_json(client, register, committee_member):
    headers = bearer(committee_member)
    rows = read_all(client, RISKS, headers)
    assert csv_rows(client, RISKS, headers) == [
        {name: as_text(value) for name, value in row.items()} for row in rows
    ]


def test_an_unchanged_register_answers_304_and_a_review_gives_a_new_etag(
    client, register, committee_member
):
    headers = bearer(committee_member)
    etag = client.get(RISKS, **headers)["ETag"]
    assert client.get(RISKS, HTTP_IF_NONE_MATCH=etag, **headers).status_code == 304
    review(register, by=register.owner, residual=(1, 1))
    assert client.get(RISKS, HTTP_IF_NONE_MATCH=etag, **headers)["ETag"] != etag


@pytest.mark.parametrize("size", [5, 50])
def test_a_page_of_risks_costs_the_same_queries_at_ten_times_the_risks(
    client, officer, size, django_assert_num_queries
):
    programme = make_programme()
    action = make_action(programme=programme)
    for n in range(size):
        risk = make_risk(programme, owner=officer, reference=f"R{n + 1}")
        risk.mitigating_actions.add(action)
        if n % 2:
            review(risk, by=officer, residual=(2, 2))
    headers = bearer(officer)
    client.get(RISKS, **headers)
    # The token, its person's permissions (two), the count, the rows and their actions.
    with django_assert_num_queries(6):
        assert len(client.get(RISKS, **headers).json()["results"]) == size
