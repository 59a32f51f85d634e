"""Publishing a quarter's paper locks its updates for officers, until an administrator reopens
it with a reason; the live report of a published quarter says so and marks what moved since."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from actions.models import QuarterLock, Update
from careprog.periods import ReportingPeriod
from tests.conftest import RISK_MATRIX, seed_action
from tests.paper_factories import Q3, draft_paper, publish
from tests.paper_pages import PAPERS, text
from tests.test_action_updates import open_form, post_update

Q4 = ReportingPeriod(2024, 4)
REOPEN = f"/programmes/care-programme-2024-25/report/{Q3.slug}/reopen/"
REPORT = f"/programmes/care-programme-2024-25/report/{Q3.slug}/"


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def action(officer_actions):
    """An action the officer leads, with the seed's Q3 update."""
    return seed_action(RISK_MATRIX)


@pytest.fixture
def paper(seed_programme, officer, head_of_service, action):
    return publish(draft_paper(seed_programme, officer), head_of_service)


def update_cell(page: str, action) -> str:
    """The report's update cell of ``action``."""
    match = re.search(rf'data-action-id="{action.pk}">(.*?)</td>', page, re.DOTALL)
    return text(match[1])


def test_the_lead_officers_q3_update_is_refused_once_q3_is_published_and_nothing_is_saved(
    officer, action, paper
):
    olive = client_for(officer)
    before = Update.objects.get(action=action, period=Q3)
    response = post_update(olive, action, open_form(olive, action, Q3), text="After committee")
    assert response.status_code == 403
    page = text(response)
    assert "2024-25 Q3 is locked" in page
    assert "Your update has not been saved." in page
    assert f'href="/papers/{paper.pk}/"' in response.content.decode()
    after = Update.objects.get(action=action, period=Q3)
    assert (after.text, after.version) == (before.text, before.version)


def test_the_action_page_shows_the_lock_instead_of_the_q3_form(officer, action, paper):
    response = client_for(officer).get(f"/actions/{action.pk}/", {"period": Q3.slug})
    page = response.content.decode()
    assert "2024-25 Q3 is locked" in text(response)
    assert f'href="/papers/{paper.pk}/"' in page
    assert f'?period={Q3.slug}" novalidate' not in page  # no update form for Q3
    assert f"?period={Q4.slug}#update-form" in page  # but Q4 is offered


def test_the_lead_officer_still_saves_q4(officer, action, paper):
    olive = client_for(officer)
    response = post_update(olive, action, open_form(olive, action, Q4), text="Q4 progress")
    assert response.status_code == 302
    assert Update.objects.get(action=action, period=Q4).text == "Q4 progress"


def test_an_administrator_reopens_q3_with_a_reason_and_then_the_officer_saves(
    officer, administrator, action, paper
):
    priya = client_for(administrator)
    assert priya.get(REOPEN).status_code == 200
    reopened = priya.post(REOPEN, {"reason": "The Risk Matrix update named the wrong team"})
    assert reopened.status_code == 302

    lock = QuarterLock.objects.get(paper=paper)
    assert (lock.reopened_by, lock.reopen_reason) == (
        administrator,
        "The Risk Matrix update named the wrong team",
    )
    assert timezone.now() - lock.reopened_at < dt.timedelta(minutes=1)
    listed = text(priya.get(PAPERS))
    assert "Reopened" in listed and "by Priya Performance" in listed
    assert "“The Risk Matrix update named the wrong team”" in listed

    olive = client_for(officer)
    response = post_update(olive, action, open_form(olive, action, Q3), text="Corrected team")
    assert response.status_code == 302
    assert Update.objects.get(action=action, period=Q3).text == "Corrected team"


def test_reopening_without_a_reason_is_refused_with_an_error_summary(administrator, paper):
    response = client_for(administrator).post(REOPEN, {"reason": "  "})
    assert response.status_code == 400
    assert 'class="govuk-error-summary"' in response.content.decode()
    assert "Enter why the quarter is being reopened" in text(response)
    assert QuarterLock.objects.get(paper=paper).reopened_at is None


@pytest.mark.parametrize("persona", ["officer", "committee_member", "head_of_service"])
def test_only_administrators_reopen_a_quarter(request, paper, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(REOPEN).status_code == 403
    assert client.post(REOPEN, {"reason": "Please"}).status_code == 403
    assert QuarterLock.objects.get(paper=paper).reopened_at is None


# --- The live report of a published quarter ---------------------------------------------


def test_the_report_of_a_published_quarter_links_to_the_paper_and_says_it_still_matches(
    member_client, paper
):
    response = member_client.get(REPORT)
    page = text(response)
    assert "Published to committee" in page
    assert f'href="/papers/{paper.pk}/"' in response.content.decode()
    assert "This page shows today's data, which still matches it." in page
    assert "Changed since published" not in page


def test_the_report_marks_the_action_whose_update_and_status_changed_since_publishing(
    member_client, administrator, action, paper
):
    priya = client_for(administrator)
    published_text = Update.objects.get(action=action, period=Q3).text
    post_update(
        priya,
        action,
        open_form(priya, action, Q3),
        status="at_risk",
        text="Corrected after committee",
        reason="Training delayed",
        next_step="New dates in March",
    )
    page = member_client.get(REPORT).content.decode()
    assert "1 action now reads differently, marked below" in text(page)
    assert page.count("Changed since published") == 1
    cell = update_cell(page, action)
    assert cell.startswith(f"Changed since published The paper said: “{published_text}”.")
    assert "Corrected after committee" in cell


def test_a_quarter_without_a_published_paper_has_no_banner(member_client, seed_programme):
    page = text(member_client.get(REPORT))
    assert "Published to committee" not in page
