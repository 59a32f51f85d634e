"""Carrying a programme into next year in the browser: preview, then confirm."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from actions.models import Action, Paper, Programme, Status
from tests.paper_factories import draft_paper, publish
from tests.test_report import _copy_seed

pytestmark = pytest.mark.django_db

CARRY = "/programmes/care-programme-2024-25/carry/"


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def _seed_actions(programme):
    return Action.objects.filter(mechanism__requirement__objective__programme=programme)


def test_the_report_leads_an_administrator_to_carry_the_programme(admin_client, seed_programme):
    page = admin_client.get("/programmes/care-programme-2024-25/report/2024-25-q3/")

    assert 'href="/programmes/care-programme-2024-25/carry/"' in page.content.decode()


def test_the_report_offers_no_carry_to_a_committee_member(member_client, seed_programme):
    page = member_client.get("/programmes/care-programme-2024-25/report/2024-25-q3/")

    assert "/carry/" not in page.content.decode()


def test_the_preview_proposes_next_year_and_lists_what_is_carried_and_left_behind(
    admin_client, seed_programme
):
    page = admin_client.get(CARRY)

    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="Care Programme 2025-26"' in html
    assert 'value="care-programme-2025-26"' in html
    assert "2025-26 Q1 to 2025-26 Q4" in html
    assert "Actions carried (32)" in html
    assert "Complete actions left behind (11)" in html
    for action in _seed_actions(seed_programme):
        assert f'href="/actions/{action.pk}/"' in html
    assert Programme.objects.count() == 1


def test_confirming_carries_the_programme_and_opens_it(admin_client, seed_programme):
    response = admin_client.post(
        CARRY, {"name": "Care Programme 2025-26", "slug": "care-programme-2025-26"}
    )

    new = Programme.objects.get(slug="care-programme-2025-26")
    assert response.status_code == 302
    assert response.url == new.get_absolute_url()
    opened = admin_client.get(response.url, follow=True).content.decode()
    assert "Care Programme 2024-25 has been carried into Care Programme 2025-26." in opened
    assert _seed_actions(new).count() == 32
    assert not _seed_actions(new).filter(status=Status.COMPLETE).exists()
    assert _seed_actions(seed_programme).count() == 43


def test_a_taken_slug_is_shown_in_the_error_summary_and_nothing_is_carried(
    admin_client, seed_programme
):
    response = admin_client.post(CARRY, {"name": "Again", "slug": "care-programme-2024-25"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in html
    assert "A programme with the slug ‘care-programme-2024-25’ already exists" in html
    assert Programme.objects.count() == 1


def test_a_programme_already_carried_is_refused_with_a_message(admin_client, seed_programme):
    admin_client.post(CARRY, {"name": "Care Programme 2025-26", "slug": "care-programme-2025-26"})

    response = admin_client.post(CARRY, {"name": "Twice", "slug": "twice"})

    assert response.status_code == 400
    assert "has already been carried into the next year" in response.content.decode()
    assert Programme.objects.count() == 2


def test_a_blank_name_and_a_bad_slug_are_each_named(admin_client, seed_programme):
    response = admin_client.post(CARRY, {"name": "", "slug": "Not a slug!"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter a name for the new programme" in html
    assert "Enter a slug of lower-case letters, numbers and hyphens" in html


def test_a_name_typed_with_markup_is_shown_as_text(admin_client, seed_programme):
    response = admin_client.post(CARRY, {"name": "<b>New</b>", "slug": seed_programme.slug})

    html = response.content.decode()
    assert "&lt;b&gt;New&lt;/b&gt;" in html
    assert "<b>New</b>" not in html


def _queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_preview_reads_as_many_queries_for_a_programme_ten_times_larger(
    admin_client, seed_programme, django_assert_num_queries
):
    big = _copy_seed(seed_programme, copies=10)
    assert _seed_actions(big).count() == 430

    large = _queries_for(admin_client, "/programmes/large/carry/")
    assert _queries_for(admin_client, CARRY) == large
    # session, user, the user's and their groups' permissions (two), programme,
    # the three counts of the structure, the actions with their leads
    with django_assert_num_queries(9):
        admin_client.get(CARRY)


def test_a_carried_actions_page_shows_its_updates_from_last_year(admin_client, seed_programme):
    admin_client.post(CARRY, {"name": "Care Programme 2025-26", "slug": "care-programme-2025-26"})
    predecessor = (
        _seed_actions(seed_programme)
        .filter(updates__isnull=False)
        .exclude(status=Status.COMPLETE)
        .first()
    )
    successor = Action.objects.get(carried_from=predecessor)

    html = admin_client.get(f"/actions/{successor.pk}/").content.decode()

    assert '<h2 class="govuk-heading-m" id="year-2024-25">2024-25</h2>' in html
    assert f'href="/actions/{predecessor.pk}/"' in html
    for update in predecessor.updates.all():
        assert update.period.label in html
        assert str(escape(update.text)).split("\n")[0] in html


def test_an_action_that_was_not_carried_shows_no_earlier_year(admin_client, seed_programme):
    action = _seed_actions(seed_programme).first()

    html = admin_client.get(f"/actions/{action.pk}/").content.decode()

    assert 'id="year-' not in html


# What differs between two requests of the same page: the CSP nonce and the CSRF token.
_per_request = re.compile(r'(nonce|value)="[A-Za-z0-9+/=]{20,}"')


def test_carrying_leaves_the_old_programmes_report_papers_and_snapshots_as_they_were(
    admin_client, seed_programme, officer, head_of_service
):
    paper = publish(draft_paper(seed_programme, officer), head_of_service)
    report = "/programmes/care-programme-2024-25/report/2024-25-q3/"
    pages = [report, paper.get_absolute_url()]

    def record():
        stored = Paper.objects.get(pk=paper.pk)
        seen = [_per_request.sub("", admin_client.get(url).content.decode()) for url in pages]
        return stored.snapshot, stored.snapshot_sha256, stored.state, seen

    before = record()
    response = admin_client.post(
        CARRY, {"name": "Care Programme 2025-26", "slug": "care-programme-2025-26"}
    )
    assert response.status_code == 302
    admin_client.get(response.url, follow=True)  # the new programme, saying it was carried

    assert record() == before
