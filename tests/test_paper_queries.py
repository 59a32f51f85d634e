"""Paper pages take the same number of queries for the seed programme and for one ten times
its size (actions, measures and papers), and the number is pinned."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from actions.models import Action
from careprog.periods import ReportingPeriod
from kpis.models import KPI
from tests.kpi_factories import make_catalogue, make_value
from tests.paper_factories import draft_paper, make_meeting, publish
from tests.test_report import _copy_seed

Q2 = ReportingPeriod(2024, 2)


def papers_of(programme, officer, approver, *, extra_drafts=0):
    """A published Q2 paper, a published Q3 paper compared with it, and a Q3 draft."""
    q2 = publish(
        draft_paper(
            programme,
            officer,
            period=Q2,
            meeting=make_meeting(dt.date(2024, 12, 4)),
            figures_as_at=dt.date(2024, 12, 1),
            sections={"Report summary": "Q2.", "Background information": "Began in 2024."},
        ),
        approver,
    )
    sections = {"Report summary": "Q3.", "Background information": "Began in 2024."}
    q3 = publish(draft_paper(programme, officer, sections=sections), approver)
    draft = draft_paper(programme, officer, sections=sections)
    for n in range(extra_drafts):
        draft_paper(programme, officer, title=f"Draft {n}")
    return {"q2": q2, "q3": q3, "draft": draft}


def ten_times(seed_programme):
    big = _copy_seed(seed_programme, copies=10)
    objectives = list(big.objectives.all())
    for kpi in KPI.objects.filter(objectives__programme=seed_programme).distinct():
        kpi.objectives.add(*objectives[:4])
    for n, kpi in enumerate(make_catalogue(72)):
        kpi.objectives.add(objectives[n % len(objectives)])
        make_value(kpi, dt.date(2024, 12, 31), 10 + n % 50)
    return big


@pytest.fixture
def reader(head_of_service):
    client = Client()
    client.force_login(head_of_service)
    return client


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.fixture
def two_sizes(seed_programme, officer, head_of_service):
    """The seed programme's papers, and a programme ten times the seed's size (430 actions,
    80 measures) with the same papers and ten more drafts."""
    small = papers_of(seed_programme, officer, head_of_service)
    big = ten_times(seed_programme)
    assert Action.objects.filter(mechanism__requirement__objective__programme=big).count() == 430
    assert KPI.objects.filter(objectives__programme=big).distinct().count() == 80
    large = papers_of(big, officer, head_of_service, extra_drafts=10)
    return {seed_programme.slug: small, big.slug: large}


# session, user, the user's and their groups' permissions; the paper with its programme,
# meeting, committee and author, its sections, its timeline
PAPER = 7
# ...and for a draft, its build from live data: the previous published paper; objectives,
# requirements, mechanisms, actions, updates; KPIs, values, targets, comparators
DRAFT = PAPER + 10


@pytest.mark.parametrize(
    ("page", "url", "count"),
    [
        ("a draft", "/papers/{draft}/", DRAFT),
        ("a published paper", "/papers/{q3}/", PAPER),
        ("a published paper's changes", "/papers/{q3}/changes/", PAPER),
        ("a draft's changes", "/papers/{draft}/changes/", DRAFT),
    ],
    ids=["draft", "published", "published-changes", "draft-changes"],
)
def test_a_papers_pages_take_the_same_queries_for_a_programme_ten_times_larger(
    two_sizes, reader, page, url, count
):
    counts = [
        queries_for(reader, url.format(**{name: paper.pk for name, paper in papers.items()}))
        for papers in two_sizes.values()
    ]
    assert counts == [count, count], page


def test_the_paper_list_takes_the_same_queries_for_a_programme_ten_times_larger(
    two_sizes, reader, django_assert_num_queries
):
    small, large = two_sizes
    assert queries_for(reader, f"/programmes/{small}/papers/") == queries_for(
        reader, f"/programmes/{large}/papers/"
    )
    # session, user, the user's and their groups' permissions, programme, locks, papers,
    # whether the reader is subscribed to its published papers
    with django_assert_num_queries(8):
        reader.get(f"/programmes/{small}/papers/")
