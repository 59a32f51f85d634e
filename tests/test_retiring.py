"""Programme administrators retire, never delete, a part of a programme that has updates or may
appear in a published paper (issue 22, point 1). A retired part is kept, with its updates and
its history, and its own page still opens; every live read (the report, "Needs attention",
the action lists, home, reminders, carrying, a draft paper's appendices) leaves it out, and
published papers and their snapshots never change. Restoring brings it back. Only a part
nothing records may be deleted."""

import io
import re
from io import StringIO

import openpyxl
import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from actions import structure
from actions.models import Action, Mechanism, Objective, Paper, Requirement, Update
from tests.conftest import RISK_MATRIX, SAFELY_WITH_FAMILIES, seed_action
from tests.factories import make_action, make_mechanism, make_requirement, make_update
from tests.html_checker import HtmlDocument, check_html
from tests.kpi_factories import make_kpi
from tests.paper_factories import draft_paper, publish

SLUG = "care-programme-2024-25"
STRUCTURE = f"/programmes/{SLUG}/structure/"
REPORT_Q3 = f"/programmes/{SLUG}/report/2024-25-q3/"
ATTENTION_Q4 = f"/programmes/{SLUG}/attention/2024-25-q4/"
CARRY = f"/programmes/{SLUG}/carry/"


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


@pytest.fixture
def officer_client(officer):
    """The lead's own browser, beside the administrator's."""
    client = Client()
    client.force_login(officer)
    return client


@pytest.fixture
def risk_matrix(officer_actions):
    """An action the officer leads, with a Q3 update and none for Q4."""
    return seed_action(RISK_MATRIX)


def retire_page(kind, part, change="retire"):
    return f"{STRUCTURE}{kind}/{part.pk}/{change}/"


def retire(client, kind, part, change="retire", version=None):
    part = type(part).objects.get(pk=part.pk)
    return client.post(
        retire_page(kind, part, change), {"version": part.version if version is None else version}
    )


def links_to(page, action) -> bool:
    return f'href="/actions/{action.pk}/"' in page


def test_retiring_an_action_with_updates_takes_it_out_of_every_live_read(
    admin_client, officer_client, risk_matrix
):
    client = officer_client
    live_pages = [REPORT_Q3, ATTENTION_Q4, "/actions/", "/actions/mine/"]
    assert all(links_to(client.get(url).content.decode(), risk_matrix) for url in live_pages)
    assert "your 10 actions" in client.get("/").content.decode()

    response = retire(admin_client, "actions", risk_matrix)

    assert response.status_code == 302
    assert response.url == f"{STRUCTURE}#action-{risk_matrix.pk}"
    for url in live_pages:
        assert not links_to(client.get(url).content.decode(), risk_matrix), url
    assert "your 9 actions" in client.get("/").content.decode()


def test_a_retired_action_gets_no_reminder(officer, risk_matrix, administrator):
    structure.retire(
        user=administrator, model=Action, part_id=risk_matrix.pk, seen_version=risk_matrix.version
    )

    call_command("send_update_reminders", "--period", "2024-25-q4", stdout=StringIO())

    [message] = mail.outbox
    listed = [int(pk) for pk in re.findall(r"/actions/(\d+)/", message.body)]
    assert risk_matrix.pk not in listed and len(listed) == 6  # 7 not complete, less this one


def test_a_retired_action_is_left_behind_when_the_programme_is_carried(admin_client, risk_matrix):
    retire(admin_client, "actions", risk_matrix)

    preview = admin_client.get(CARRY).content.decode()
    assert "Retired actions left behind (1)" in preview
    retired_section = preview[preview.index('id="retired"') :]
    assert links_to(retired_section, risk_matrix)

    admin_client.post(CARRY, {"name": "Care Programme 2025-26", "slug": "care-programme-2025-26"})
    assert not Action.objects.filter(carried_from=risk_matrix).exists()
    assert Action.objects.filter(
        mechanism__requirement__objective__programme__slug="care-programme-2025-26"
    ).exists()


def test_a_retired_objective_is_not_copied_into_next_year(admin_client, officer_actions):
    objective = Objective.objects.get(title=SAFELY_WITH_FAMILIES)
    retire(admin_client, "objectives", objective)

    admin_client.post(CARRY, {"name": "Care Programme 2025-26", "slug": "care-programme-2025-26"})

    copied = Objective.objects.filter(programme__slug="care-programme-2025-26")
    assert copied.exists() and not copied.filter(title=SAFELY_WITH_FAMILIES).exists()


def test_a_draft_papers_report_on_progress_leaves_a_retired_action_out(
    admin_client, officer_client, officer, risk_matrix
):
    paper = draft_paper(risk_matrix.mechanism.requirement.objective.programme, officer)
    client = officer_client
    assert RISK_MATRIX in client.get(paper.get_absolute_url()).content.decode()

    retire(admin_client, "actions", risk_matrix)

    assert RISK_MATRIX not in client.get(paper.get_absolute_url()).content.decode()


# What differs between two requests of the same page: the CSP nonce and the CSRF token.
_per_request = re.compile(r'(nonce|value)="[A-Za-z0-9+/=]{20,}"')


def test_a_published_paper_and_its_snapshot_never_change_when_its_action_is_retired(
    admin_client, officer_client, officer, head_of_service, risk_matrix
):
    programme = risk_matrix.mechanism.requirement.objective.programme
    paper = publish(draft_paper(programme, officer), head_of_service)

    def record():
        stored = Paper.objects.get(pk=paper.pk)
        page = officer_client.get(paper.get_absolute_url()).content.decode()
        return stored.snapshot, stored.snapshot_sha256, _per_request.sub("", page)

    before = record()
    assert RISK_MATRIX in before[2]

    assert retire(admin_client, "actions", risk_matrix).status_code == 302

    assert record() == before


def test_a_retired_actions_page_still_opens_with_its_updates_and_says_when_it_was_retired(
    admin_client, officer_client, administrator, risk_matrix
):
    update = risk_matrix.updates.get()
    retire(admin_client, "actions", risk_matrix)
    risk_matrix.refresh_from_db()

    page = officer_client.get(f"/actions/{risk_matrix.pk}/").content.decode()

    assert f"Retired on {risk_matrix.retired_at:%-d %B %Y}" in page
    assert update.text.splitlines()[0][:40] in page
    assert 'name="text"' not in page  # no update form
    latest = risk_matrix.history.first()
    assert (latest.retired_at, latest.history_user) == (risk_matrix.retired_at, administrator)


def test_an_officer_cannot_record_an_update_on_a_retired_action(
    admin_client, officer_client, risk_matrix
):
    client = officer_client
    form = client.get(f"/actions/{risk_matrix.pk}/?period=2024-25-q4").content.decode()
    version = re.search(r'name="action_version" value="(\d+)"', form).group(1)
    retire(admin_client, "actions", risk_matrix)
    before = list(Update.objects.order_by("pk").values_list())

    response = client.post(
        f"/actions/{risk_matrix.pk}/?period=2024-25-q4",
        {
            "period": "2024-25-q4",
            "status": "on_track",
            "text": "Written after it was retired",
            "action_version": version,
            "update_version": 0,
        },
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "govuk-error-summary" in page and "This action was retired on" in page
    assert list(Update.objects.order_by("pk").values_list()) == before


def test_restoring_brings_the_action_back_into_the_report(admin_client, risk_matrix):
    retire(admin_client, "actions", risk_matrix)

    response = retire(admin_client, "actions", risk_matrix, "restore")

    assert response.status_code == 302
    assert Action.objects.get(pk=risk_matrix.pk).retired_at is None
    assert links_to(admin_client.get(REPORT_Q3).content.decode(), risk_matrix)


def test_retiring_a_mechanism_retires_its_actions_and_restoring_it_restores_only_those(
    admin_client, risk_matrix
):
    mechanism = risk_matrix.mechanism
    retired_alone = make_action("Retired before", mechanism=mechanism, position=9)
    retire(admin_client, "actions", retired_alone)
    live = list(mechanism.actions.filter(retired_at__isnull=True))

    retire(admin_client, "mechanisms", mechanism)
    assert not mechanism.actions.filter(retired_at__isnull=True).exists()

    retire(admin_client, "mechanisms", mechanism, "restore")
    assert list(mechanism.actions.filter(retired_at__isnull=True)) == live
    assert Action.objects.get(pk=retired_alone.pk).retired_at is not None


def test_an_action_under_a_retired_mechanism_cannot_be_restored_on_its_own(
    admin_client, risk_matrix
):
    retire(admin_client, "mechanisms", risk_matrix.mechanism)

    page = admin_client.get(retire_page("actions", risk_matrix, "restore")).content.decode()
    assert "restore the mechanism first" in page and 'name="version"' not in page
    response = retire(admin_client, "actions", risk_matrix, "restore")

    assert response.status_code == 409
    assert "restore the mechanism first" in response.content.decode()
    assert Action.objects.get(pk=risk_matrix.pk).retired_at is not None


def test_a_retire_from_a_page_opened_before_someone_elses_save_is_refused_with_409(
    admin_client, risk_matrix
):
    opened = Action.objects.get(pk=risk_matrix.pk).version
    Action.objects.get(pk=risk_matrix.pk).save()  # the lead's update rolled it up meanwhile

    response = retire(admin_client, "actions", risk_matrix, version=opened)

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone changed this action after you opened it" in page
    assert f"You opened version {opened}; it is now version {opened + 1}" in page
    assert f'name="version" value="{opened + 1}"' in page  # saving again applies it
    assert Action.objects.get(pk=risk_matrix.pk).retired_at is None


def test_deleting_an_action_with_updates_is_refused_retire_it_instead(admin_client, risk_matrix):
    page = admin_client.get(STRUCTURE).content.decode()
    assert f"/actions/{risk_matrix.pk}/delete/" not in page

    response = retire(admin_client, "actions", risk_matrix, "delete")

    assert response.status_code == 409
    assert "has updates (or appears in a published paper): retire it instead" in (
        response.content.decode()
    )
    assert Action.objects.filter(pk=risk_matrix.pk).exists()


def test_deleting_an_action_in_a_published_paper_is_refused(
    admin_client, officer, head_of_service, risk_matrix
):
    fresh = make_action("Typed, never updated", mechanism=risk_matrix.mechanism, position=9)
    publish(
        draft_paper(risk_matrix.mechanism.requirement.objective.programme, officer), head_of_service
    )

    response = retire(admin_client, "actions", fresh, "delete")

    assert response.status_code == 409
    assert Action.objects.filter(pk=fresh.pk).exists()


def test_a_fresh_mechanism_with_its_action_can_be_deleted(admin_client, risk_matrix):
    mechanism = make_mechanism("A mistake", requirement=risk_matrix.mechanism.requirement)
    action = make_action("Typed by mistake", mechanism=mechanism)
    page = admin_client.get(STRUCTURE).content.decode()
    assert f"/mechanisms/{mechanism.pk}/delete/" in page

    confirm = admin_client.get(retire_page("mechanisms", mechanism, "delete")).content.decode()
    assert "Delete the mechanism" in confirm

    response = retire(admin_client, "mechanisms", mechanism, "delete")

    assert response.status_code == 302
    assert not Mechanism.objects.filter(pk=mechanism.pk).exists()
    assert not Action.objects.filter(pk=action.pk).exists()
    assert Mechanism.history.filter(id=mechanism.pk, history_type="-").exists()


def test_the_structure_page_shows_a_retired_part_greyed_with_its_date(admin_client, risk_matrix):
    retire(admin_client, "actions", risk_matrix)
    risk_matrix.refresh_from_db()

    page = admin_client.get(STRUCTURE).content.decode()

    assert f'id="action-{risk_matrix.pk}" class="app-retired-part"' in page
    assert f"Retired on {risk_matrix.retired_at:%-d %B %Y}" in page
    assert f"/actions/{risk_matrix.pk}/restore/" in page


def test_the_confirmation_page_counts_what_retiring_reaches(admin_client, risk_matrix):
    objective = risk_matrix.mechanism.requirement.objective
    page = admin_client.get(retire_page("objectives", objective)).content.decode()

    requirements = Requirement.objects.filter(objective=objective).count()
    mechanisms = Mechanism.objects.filter(requirement__objective=objective).count()
    updates = Update.objects.filter(action__mechanism__requirement__objective=objective).count()
    counts = re.findall(r'govuk-summary-list__value">(\d+)<', page)
    assert counts == [str(requirements), str(mechanisms), "10", str(updates)]


def test_the_retire_pages_are_valid_html(admin_client, risk_matrix):
    mechanism = risk_matrix.mechanism
    retire(admin_client, "actions", make_action("Retired", mechanism=mechanism, position=9))
    pages = [
        admin_client.get(retire_page("actions", risk_matrix)),
        admin_client.get(retire_page("mechanisms", mechanism, "delete")),
        retire(admin_client, "actions", risk_matrix, version=0),
        admin_client.get(STRUCTURE),
    ]
    retire(admin_client, "actions", risk_matrix)
    pages += [
        admin_client.get(retire_page("actions", risk_matrix, "restore")),
        admin_client.get(f"/actions/{risk_matrix.pk}/"),
    ]
    documents = [HtmlDocument(url=str(n), html=page.content) for n, page in enumerate(pages)]

    assert check_html(documents) == []


def test_the_confirmation_page_reads_an_objective_ten_times_larger_in_the_same_queries(
    admin_client, risk_matrix, django_assert_num_queries
):
    objective = risk_matrix.mechanism.requirement.objective
    url = retire_page("objectives", objective)
    # Session, user, two for permissions, the programme, the part with what records it,
    # and four counts (requirements, mechanisms, actions, updates).
    with django_assert_num_queries(10):
        assert admin_client.get(url).status_code == 200
    for r in range(10):
        mechanism = make_mechanism(requirement=make_requirement(objective=objective, position=r))
        for a in range(10):
            make_update(make_action(f"Action {r}.{a}", mechanism=mechanism, position=a))
    with django_assert_num_queries(10):
        assert admin_client.get(url).status_code == 200


def test_admin_offers_no_delete_for_an_action_with_updates(admin_client, risk_matrix):
    change = admin_client.get(f"/admin/actions/action/{risk_matrix.pk}/change/").content.decode()
    assert "Retired at" in change or "retired" in change.lower()
    assert admin_client.get(f"/admin/actions/action/{risk_matrix.pk}/delete/").status_code == 403

    fresh = make_action("Typed by mistake", mechanism=risk_matrix.mechanism, position=9)
    assert admin_client.get(f"/admin/actions/action/{fresh.pk}/delete/").status_code == 200


def test_the_reports_excel_file_leaves_a_retired_action_out(admin_client, risk_matrix):
    def cells():
        response = admin_client.get(f"{REPORT_Q3}report.xlsx")
        workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        return " ".join(
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )

    assert RISK_MATRIX in cells()

    retire(admin_client, "actions", risk_matrix)

    assert RISK_MATRIX not in cells()


def test_nothing_is_added_under_a_retired_mechanism(admin_client, risk_matrix):
    mechanism = risk_matrix.mechanism
    retire(admin_client, "mechanisms", mechanism)

    response = admin_client.post(
        f"{STRUCTURE}mechanisms/{mechanism.pk}/actions/new/", {"title": "Added under it"}
    )

    assert response.status_code == 409
    assert "restore it before adding to it" in response.content.decode()
    assert not Action.objects.filter(title="Added under it").exists()


def test_a_retired_action_can_still_be_corrected_where_it_stands(admin_client, risk_matrix):
    retire(admin_client, "mechanisms", risk_matrix.mechanism)
    action = Action.objects.get(pk=risk_matrix.pk)

    response = admin_client.post(
        f"{STRUCTURE}actions/{action.pk}/",
        {"title": "Corrected", "mechanism": action.mechanism_id, "version": action.version},
    )

    assert response.status_code == 302
    assert Action.objects.get(pk=action.pk).title == "Corrected"


def test_a_retired_objectives_measures_leave_the_draft_paper(
    admin_client, officer_client, officer, risk_matrix
):
    objective = risk_matrix.mechanism.requirement.objective
    objective.kpis.add(make_kpi("RETIRED1", name="Only the retired objective's measure"))
    paper = draft_paper(objective.programme, officer)
    assert "Only the retired objective" in officer_client.get(paper.get_absolute_url()).text

    retire(admin_client, "objectives", objective)

    assert "Only the retired objective" not in officer_client.get(paper.get_absolute_url()).text
