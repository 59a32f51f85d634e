"""Programme administrators set up a programme in the app: add one, change its name,
address, quarters and description, every change in its history, a save over someone
else's refused with both versions shown, and bad input named in the error summary."""

import pytest

from actions.models import Programme
from careprog.periods import ReportingPeriod
from tests.paper_factories import Q3, draft_paper, make_meeting, publish

SEED = "/programmes/care-programme-2024-25/"
NEW = {
    "name": "Care Programme 2025-26",
    "slug": "care-programme-2025-26",
    "first_period": "2025-26 Q1",
    "last_period": "2025-26 Q4",
    "description": "The second year <of> the programme.",
}


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def edit_data(programme, **changes):
    return {
        "name": programme.name,
        "slug": programme.slug,
        "first_period": programme.first_period.label,
        "last_period": programme.last_period.label,
        "description": programme.description,
        "version": programme.version,
        **changes,
    }


def test_an_administrator_adds_a_programme_and_lands_on_its_report(admin_client, db):
    response = admin_client.post("/programmes/new/", NEW)

    programme = Programme.objects.get(slug="care-programme-2025-26")
    assert response.status_code == 302
    assert response.url == "/programmes/care-programme-2025-26/report/"
    assert programme.name == "Care Programme 2025-26"
    assert programme.first_period == ReportingPeriod(2025, 1)
    assert programme.last_period == ReportingPeriod(2025, 4)
    assert programme.description == "The second year <of> the programme."
    listed = admin_client.get("/programmes/").content.decode()
    assert "Care Programme 2025-26" in listed
    assert 'href="/programmes/care-programme-2025-26/edit/"' in listed


def test_the_programme_list_offers_adding_and_changing_only_to_administrators(
    client, seed_programme, administrator, committee_member
):
    client.force_login(committee_member)
    page = client.get("/programmes/").content.decode()
    assert "/programmes/new/" not in page
    assert "/edit/" not in page
    client.force_login(administrator)
    page = client.get("/programmes/").content.decode()
    assert 'href="/programmes/new/"' in page
    assert f'href="{SEED}edit/"' in page


def test_an_administrator_renames_a_programme_and_the_change_is_in_its_history(
    admin_client, seed_programme, administrator
):
    page = admin_client.get(f"{SEED}edit/")
    assert page.status_code == 200
    assert 'value="Care Programme 2024-25"' in page.content.decode()

    response = admin_client.post(
        f"{SEED}edit/", edit_data(seed_programme, name="Care & Support 2024-25")
    )

    assert response.status_code == 302
    seed_programme.refresh_from_db()
    assert seed_programme.name == "Care & Support 2024-25"
    latest = seed_programme.history.first()
    assert (latest.name, latest.history_type) == ("Care & Support 2024-25", "~")
    assert latest.history_user == administrator


def test_a_save_after_someone_elses_is_refused_with_409_showing_both_versions(
    admin_client, seed_programme
):
    opened = seed_programme.version
    someone_else = Programme.objects.get(pk=seed_programme.pk)
    someone_else.name = "Renamed by someone else"
    someone_else.save()

    response = admin_client.post(
        f"{SEED}edit/", edit_data(seed_programme, name="My name", version=opened)
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Renamed by someone else" in page  # what is stored now
    assert 'value="My name"' in page  # what was typed, kept
    assert Programme.objects.get(pk=seed_programme.pk).name == "Renamed by someone else"

    # Having read it, saving again applies it.
    again = admin_client.post(
        f"{SEED}edit/",
        edit_data(seed_programme, name="My name", version=someone_else.version),
    )
    assert again.status_code == 302
    assert Programme.objects.get(pk=seed_programme.pk).name == "My name"


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"name": ""}, "name", "Enter the programme&#x27;s name"),
        ({"slug": "no spaces"}, "slug", "The short name can only contain"),
        ({"first_period": "Q5"}, "first_period", "Enter a financial quarter such as 2024-25 Q3"),
        (
            {"first_period": "2025-26 Q2", "last_period": "2025-26 Q1"},
            "last_period",
            "The last quarter must be the same as or after the first quarter.",
        ),
        (
            {"slug": "care-programme-2024-25"},
            "slug",
            "There is already a programme at the address “care-programme-2024-25”",
        ),
    ],
)
def test_bad_input_is_named_in_the_error_summary_and_adds_nothing(
    admin_client, seed_programme, changes, field, message
):
    response = admin_client.post("/programmes/new/", {**NEW, **changes})

    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert f'href="#id_{field}"' in page
    assert message in page
    assert list(Programme.objects.values_list("slug", flat=True)) == ["care-programme-2024-25"]


def test_a_programme_cannot_be_shortened_past_the_quarters_its_updates_are_about(
    admin_client, seed_programme
):
    response = admin_client.post(
        f"{SEED}edit/", edit_data(seed_programme, last_period="2024-25 Q2")
    )

    assert response.status_code == 400
    assert "The programme has updates or papers for 2024-25 Q3" in response.content.decode()
    seed_programme.refresh_from_db()
    assert seed_programme.last_period == ReportingPeriod(2024, 4)


def test_renaming_a_programme_leaves_its_published_paper_as_published(
    admin_client, seed_programme, officer_actions, administrator, head_of_service
):
    paper = draft_paper(seed_programme, author=administrator, meeting=make_meeting(), period=Q3)
    publish(paper, approver=head_of_service)
    paper.refresh_from_db()
    published = (paper.snapshot, paper.snapshot_sha256)

    admin_client.post(f"{SEED}edit/", edit_data(seed_programme, name="Renamed programme"))

    paper.refresh_from_db()
    assert (paper.snapshot, paper.snapshot_sha256) == published
