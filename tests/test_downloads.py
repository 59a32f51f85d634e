"""Issue 20, point 8: every download is named in one order (careprog.downloads),
<programme>-<quarter>-<what>[-<date>][-draft].<extension>, whichever page it comes from."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from careprog.downloads import download_name
from careprog.periods import ReportingPeriod
from tests.paper_downloads import fetch
from tests.paper_factories import draft_paper, publish

Q3 = ReportingPeriod(2024, 3)
PROGRAMME_Q3 = "care-programme-2024-25-2024-25-q3"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def name_of(client, url, **query) -> str:
    response = fetch(client, url, data=query)
    assert response.status_code == 200, url
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="') and disposition.endswith('"')
    return disposition.removeprefix('attachment; filename="').removesuffix('"')


def test_the_name_puts_programme_quarter_what_date_and_draft_in_that_order():
    assert (
        download_name(
            "paper",
            "pdf",
            programme="Care Programme 2024-25",
            period=Q3,
            on=dt.date(2025, 3, 5),
            draft=True,
        )
        == f"{PROGRAMME_Q3}-paper-2025-03-05-draft.pdf"
    )
    assert download_name("my actions", "csv", on="2026-12-05") == "my-actions-2026-12-05.csv"


def test_the_action_tables_exports_are_named_for_the_table_and_today(officer, officer_actions):
    olive, today = client_for(officer), timezone.localdate().isoformat()
    assert name_of(olive, "/actions/mine/", export="csv") == f"my-actions-{today}.csv"
    assert name_of(olive, "/actions/", export="xlsx") == f"all-actions-{today}.xlsx"


def test_the_live_reports_workbook_is_named_for_its_programme_quarter_and_today(
    member_client, seed_programme
):
    url = f"/programmes/{seed_programme.slug}/report/{Q3.slug}/report.xlsx"
    today = timezone.localdate().isoformat()
    assert name_of(member_client, url) == f"{PROGRAMME_Q3}-report-{today}.xlsx"


@pytest.mark.parametrize("published", [False, True])
def test_a_papers_three_files_share_one_order_and_say_draft_until_published(
    seed_programme, officer, head_of_service, published
):
    paper = draft_paper(seed_programme, officer)
    if published:
        publish(paper, head_of_service)
    draft = "" if published else "-draft"
    olive = client_for(officer)
    assert (
        name_of(olive, f"/papers/{paper.pk}/paper.docx")
        == f"{PROGRAMME_Q3}-paper-2025-03-05{draft}.docx"
    )
    assert (
        name_of(olive, f"/papers/{paper.pk}/paper.pdf")
        == f"{PROGRAMME_Q3}-paper-2025-03-05{draft}.pdf"
    )
    assert (
        name_of(olive, f"/papers/{paper.pk}/appendix.xlsx")
        == f"{PROGRAMME_Q3}-appendices-2025-03-05{draft}.xlsx"
    )


def test_the_kpi_return_template_is_named_for_the_months_it_asks_for(administrator):
    name = name_of(
        client_for(administrator),
        "/kpis/import/template.xlsx",
        first="Oct 2024",
        last="Mar 2025",
    )
    assert name == "kpi-return-2024-10-to-2025-03.xlsx"
