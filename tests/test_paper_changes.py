"""Two published papers show every kind of change in "changes since the last paper", each with
before → after: actions added and removed, status moves, new updates, measures added and
removed, figures, ratings and quartile bands, counted first and detailed after. Only changes
are listed: an action with no new update for the paper's quarter is not one. The programme's
first paper says it has none."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client

from actions.models import Objective, Status, Update
from actions.papers import changes as paper_changes
from careprog.periods import ReportingPeriod
from kpis.models import KPI, KPIRank
from tests.conftest import RISK_MATRIX, SAFELY_WITH_FAMILIES, seed_action
from tests.factories import make_action, make_update
from tests.kpi_factories import make_kpi, make_target, make_value
from tests.paper_factories import Q3, draft_paper, make_meeting, publish
from tests.paper_pages import article, text

Q2 = ReportingPeriod(2024, 2)
SEPTEMBER, DECEMBER = dt.date(2024, 9, 30), dt.date(2024, 12, 31)
CHARTER = "Agree and launch the Foster Carer Charter"


@pytest.fixture
def papers(seed_programme, officer, head_of_service):
    """A Q2 paper to the December meeting, then a change of every kind, then a Q3 paper to
    the March meeting."""
    risk_matrix = seed_action(RISK_MATRIX)
    make_update(risk_matrix, Q2, Status.ON_TRACK, text="Matrix drafted")
    juno = KPI.objects.get(code="cp-juno-occupancy")
    make_value(juno, SEPTEMBER, 58)
    make_target(juno, 2024, Decimal(60))
    KPIRank.objects.create(kpi=juno, period_end=SEPTEMBER, rank=90, out_of=150, band="C")
    q2 = publish(
        draft_paper(
            seed_programme,
            officer,
            period=Q2,
            meeting=make_meeting(dt.date(2024, 12, 4)),
            figures_as_at=SEPTEMBER,
        ),
        head_of_service,
    )

    make_action("Open a second Juno home", mechanism=risk_matrix.mechanism, position=99)
    seed_action(CHARTER).delete()
    Update.objects.filter(action=risk_matrix, period=Q3).update(
        status=Status.AT_RISK,
        text="Matrix training delayed",
        reason="Trainers off sick",
        next_step="Agency trainer booked",
    )
    KPIRank.objects.create(kpi=juno, period_end=DECEMBER, rank=20, out_of=150, band="A")
    KPI.objects.get(code="cp-mockingbird-carers").objectives.clear()
    make_kpi("cp-kinship-carers", name="Kinship carers supported", unit="count").objectives.add(
        Objective.objects.get(title=SAFELY_WITH_FAMILIES)
    )
    q3 = publish(
        draft_paper(seed_programme, officer, meeting=make_meeting(), figures_as_at=DECEMBER),
        head_of_service,
    )
    return q2, q3


@pytest.fixture
def reader(committee_member):
    client = Client()
    client.force_login(committee_member)
    return client


_ROW = re.compile(r'<tr class="govuk-table__row">(.*?)</tr>', re.DOTALL)


def change_rows(page: str) -> dict[str, list[str]]:
    """Each kind's table of changes, as rows of text: what, before, after."""
    tables = re.findall(r'data-kind="(\w+)">(.*?)</table>', page, re.DOTALL)
    return {
        kind: [text(row) for row in _ROW.findall(body)[1:]]  # the first row is the header
        for kind, body in tables
    }


RISK_MATRIX_TITLE = "Introduce a standard Risk Matrix for all cases in or at the edge of care"
# One row of each kind: what changed, then before, then after.
EVERY_KIND = {
    "actions_added": f"Open a second Juno home {SAFELY_WITH_FAMILIES} Not in the last paper "
    "No status given",
    "actions_removed": f"{CHARTER} Children live in a family environment No status given "
    "Not in this paper",
    "status_moves": f"{RISK_MATRIX_TITLE} {SAFELY_WITH_FAMILIES} On track At risk",
    "updates_changed": f"{RISK_MATRIX_TITLE} {SAFELY_WITH_FAMILIES} Matrix drafted "
    "Matrix training delayed",
    "measures_added": "Kinship carers supported Not in the last paper No figure",
    "measures_removed": "Foster carers in the first Mockingbird satellite No figure "
    "Not in this paper",
    "figures": "Juno occupancy rate 58% (2024-25 Q2) 63% (2024-25 Q3)",  # over each quarter
    "ratings": "Juno occupancy rate Off target On target",
    "bands": "Juno occupancy rate band C band A",
}


def test_the_changes_page_lists_every_kind_of_change_with_before_and_after(papers, reader):
    q2, q3 = papers
    response = reader.get(f"/papers/{q3.pk}/changes/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Compared with the last published paper" in text(page)
    assert f'href="/papers/{q2.pk}/"' in page
    rows = change_rows(page)
    assert set(rows) == set(EVERY_KIND)
    for kind, row in EVERY_KIND.items():
        assert row in rows[kind], kind


def test_the_paper_pages_appendix_lists_the_same_changes(papers, reader):
    _, q3 = papers
    content = article(reader.get(f"/papers/{q3.pk}/"))
    appendix = content[content.index('id="changes-since-last-paper"') :]
    rows = change_rows(appendix)
    for kind, row in EVERY_KIND.items():
        assert row in rows[kind], kind


def test_the_changes_are_those_published_whatever_happens_later(papers, reader):
    _, q3 = papers
    before = change_rows(reader.get(f"/papers/{q3.pk}/changes/").content.decode())
    make_action("Yet another action", mechanism=seed_action(RISK_MATRIX).mechanism, position=100)
    KPIRank.objects.filter(period_end=DECEMBER).update(band="D")
    assert change_rows(reader.get(f"/papers/{q3.pk}/changes/").content.decode()) == before


def test_the_programmes_first_published_paper_says_there_is_no_earlier_paper(papers, reader):
    q2, _ = papers
    page = text(reader.get(f"/papers/{q2.pk}/changes/"))
    assert (
        "This is the programme's first published paper, so there is no earlier paper to "
        "compare it with." in page
    )
    assert "Compared with the last published paper" not in page


def test_a_first_paper_has_no_changes_appendix_and_a_later_one_has_it_last(papers, reader):
    """The seed paper lists its appendices, and a changes appendix is not among them: a
    first paper has nothing to compare, so it prints none. A later paper's comes after the
    report on progress, in the order of the appendices' numbers."""
    q2, q3 = papers
    first = reader.get(f"/papers/{q2.pk}/").content.decode()
    assert 'id="changes-since-last-paper"' not in first
    assert "Appendix 4 Changes since the last paper" not in first
    later = reader.get(f"/papers/{q3.pk}/").content.decode()
    assert (
        later.index("Appendix 2 Key Performance Data")
        < later.index("Appendix 3 Progress to date, 2024-25 Q3")
        < later.index("Appendix 4 Changes since the last paper")
    )


def test_the_counts_come_first_and_the_details_after(papers, reader):
    _, q3 = papers
    page = reader.get(f"/papers/{q3.pk}/changes/").content.decode()
    counts = re.search(
        r'<ul class="govuk-list govuk-list--bullet app-change-counts">(.*?)</ul>', page, re.DOTALL
    )
    assert counts, "a list of counts"
    assert counts.start() < page.index('data-kind="actions_added"')
    lines = [text(item) for item in re.findall(r"<li>(.*?)</li>", counts.group(1), re.DOTALL)]
    assert lines[:4] == [
        "1 action was added",
        "1 action was removed",
        "12 actions changed status",  # the Risk Matrix, and 11 seed actions now complete
        # Q2's paper had the Risk Matrix's Q2 update only; the Q3 paper has every seed update.
        "39 actions have a new update",
    ]
    assert "1 measure was added" in lines and "1 measure's quartile band moved" in lines


Q4 = ReportingPeriod(2024, 4)
KFT = "Review the Accommodation Gateway process"


def test_an_action_with_no_new_update_for_the_quarter_is_not_a_change(
    seed_programme, officer, head_of_service, reader, client, administrator
):
    """The seed's Q3 paper, then a Q4 draft in which one action has a new update: Appendix B
    lists that one, not the 38 whose Q3 text is simply not repeated."""
    publish(draft_paper(seed_programme, officer), head_of_service)
    make_update(seed_action(RISK_MATRIX), Q4, Status.ON_TRACK, text="Matrix in use by all teams")
    q4 = draft_paper(
        seed_programme,
        officer,
        period=Q4,
        meeting=make_meeting(dt.date(2025, 6, 4)),
        figures_as_at=Q4.end,
    )
    client.force_login(administrator)
    page = client.get(f"/papers/{q4.pk}/changes/").content.decode()
    rows = change_rows(page)
    assert rows["updates_changed"] == [
        f"{RISK_MATRIX_TITLE} {SAFELY_WITH_FAMILIES} Training with staff to be completed "
        "Matrix in use by all teams"
    ]
    assert KFT not in page
    assert "(none)" not in text(page)
    assert "1 action has a new update" in text(page)


def test_a_paper_published_before_the_new_updates_rule_keeps_its_heading_and_count():
    """Its snapshot listed every update that differed, missing ones included, as "Updates
    changed": the record reads as it was published, not as "New updates"."""
    row = {"id": 1, "title": CHARTER, "objective": "", "before": "Q3 text", "after": None}
    published_before = {"previous": {"id": 1}, "updates_changed": [row]}
    assert [line["text"] for line in paper_changes.summary(published_before)] == [
        "1 action's update changed"
    ]
    [group] = paper_changes.groups(published_before)
    assert group["heading"] == "Updates changed"
    assert group["rows"][0]["after"] == "No update"

    now = {**published_before, "updates_rule": paper_changes.NEW_UPDATES_ONLY}
    assert paper_changes.groups(now)[0]["heading"] == "New updates"
    assert paper_changes.summary(now)[0]["text"] == "1 action has a new update"
