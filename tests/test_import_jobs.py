"""A large return is read, confirmed and approved by background jobs (kpis.importing.background):
each step answers at once with a waiting page that says how far the job has got, then shows
the page the step shows today, with the same outcome in the database. Smaller returns keep
the steps in the request."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.test import Client, override_settings
from django_tasks_db.models import DBTaskResult

from careprog import jobs, roles
from kpis.importing import background, gate
from kpis.importing.apply import apply_return, store_upload
from kpis.models import ImportBatch, ImportedValue, KPIEntry, KPIValue, Origin
from tests.import_files import long_return, xlsx
from tests.kpi_factories import make_kpi, make_value
from tests.test_kpi_import import text, upload

JAN, FEB = dt.date(2025, 1, 31), dt.date(2025, 2, 28)
RETURN = long_return(
    [
        ["placements", "Jan 2025", 64, "Recounted"],
        ["placements", "Feb 2025", 0.66, ""],  # a bare fraction: warned of
        ["placements", "Mar 2025", 66, ""],
        ["starters", "Jan 2025", 12, ""],
        ["starters", "Feb 2025", 40, ""],  # a large move: warned of
    ]
)
BAD_RETURN = long_return(
    [
        ["placements", "Jan 2025", 140, ""],
        ["no-such-kpi", "Jan 2025", 1, ""],
        ["starters", "soon", 1, ""],
        ["starters", "Feb 2025", 4, ""],
    ]
)
BAD_CELLS = [
    "Returns!C2: 140% is outside 0 to 100",
    "Returns!A3: 'no-such-kpi' is not a KPI code",
    "Returns!B4: 'soon' is not a period",
]


def large():
    """Settings under which RETURN is a large return and jobs wait to be run."""
    return override_settings(KPI_IMPORT_QUEUE_ROWS=2, TASKS_RUN="manual")


@pytest.fixture
def measures(db, officer):
    placements = make_kpi("placements", name="Children placed near home", owned_by=officer)
    starters = make_kpi("starters", unit="count", owned_by=officer)
    make_value(placements, JAN, Decimal(60), source="Published")
    make_value(starters, JAN, Decimal(12))
    return placements, starters


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def words(response) -> str:
    """The page as a reader reads it: tags dropped, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", text(response)).split())


def test_a_small_return_is_still_checked_in_the_request(administrator, measures):
    response = upload(signed_in(administrator), RETURN)
    assert response.context["preview"].can_confirm
    assert ImportBatch.objects.get().row_count == 6  # the heading and five rows
    assert not DBTaskResult.objects.exists()


def test_a_large_return_answers_at_once_with_a_waiting_page_then_the_same_preview(
    administrator, measures
):
    importer = signed_in(administrator)
    in_request = upload(importer, RETURN)
    with large():
        waiting = upload(importer, RETURN)
        batch = ImportBatch.objects.latest("pk")
        assert waiting.status_code == 200 and batch.job_step == "check"
        assert "Checking the return" in words(waiting) and "Waiting to start" in words(waiting)
        assert f'data-job-status="/kpis/import/{batch.pk}/status/"' in text(waiting)
        assert "job-progress.mjs" in text(waiting)
        status = importer.get(f"/kpis/import/{batch.pk}/status/").json()
        assert (status["status"], status["finished"]) == ("waiting", False)

        assert jobs.run_ready() == 1
        assert importer.get(f"/kpis/import/{batch.pk}/status/").json()["finished"]
        shown = importer.get(f"/kpis/import/{batch.pk}/preview/")
    assert shown.status_code == 200
    assert words(shown) == words(in_request)
    assert "Import 4 new and changed values" in words(shown)
    assert not KPIEntry.objects.exists() and KPIValue.objects.count() == 2


def test_a_large_bad_return_ends_in_the_error_summary_with_every_bad_cell_saving_nothing(
    administrator, measures
):
    importer = signed_in(administrator)
    in_request = upload(importer, BAD_RETURN)
    with large():
        upload(importer, BAD_RETURN)
        jobs.run_ready()
        batch = ImportBatch.objects.latest("pk")
        shown = importer.get(f"/kpis/import/{batch.pk}/preview/")
        assert "The return cannot be imported: 3 problems" in words(shown)
        assert all(cell in text(shown) for cell in BAD_CELLS)
        assert words(shown) == words(in_request)
        assert "Import " not in words(shown).split("Check the return")[-1].split("Problems")[0]
        refused = importer.post(f"/kpis/import/{batch.pk}/preview/", follow=True)
        jobs.run_ready()
        refused = importer.get(f"/kpis/import/{batch.pk}/preview/")
    assert refused.status_code == 409 and "The return was not imported" in words(refused)
    assert all(cell in text(refused) for cell in BAD_CELLS)
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.PENDING
    assert not KPIEntry.objects.exists() and KPIValue.objects.count() == 2


def database(batch) -> dict:
    """What an import and its approval leave, without ids (the import's own in its source)."""
    own = f"Import {batch.pk}:"
    values = [
        (v.kpi.code, v.period_end, v.value, v.note, v.source.replace(own, "Import:"), v.origin,
         v.commentary)
        for v in KPIValue.objects.select_related("kpi")
    ]  # fmt: skip
    entries = [
        (e.kpi.code, e.period_end, e.value, e.state, e.entered_by.username,
         e.decided_by.username if e.decided_by else None)
        for e in KPIEntry.objects.select_related("kpi", "entered_by", "decided_by")
    ]  # fmt: skip
    records = [
        (r.kpi.code, r.period_end, r.outcome, r.old_value, r.new_value, r.old_source)
        for r in ImportedValue.objects.select_related("kpi")
    ]
    history = [
        (h.history_type, h.history_user.username if h.history_user else None)
        for h in [*KPIValue.history.all(), *KPIEntry.history.all()]
    ]
    fields = ["status", "applied_by", "created_count", "updated_count", "unchanged_count"]
    return {
        "values": sorted(values, key=repr),
        "entries": sorted(entries, key=repr),
        "records": sorted(records, key=repr),
        "history": sorted(history, key=repr),
        "batch": ImportBatch.objects.filter(pk=batch.pk).values(*fields, "warnings").get(),
    }


def import_and_approve(importer, approver, *, large: bool):
    """Upload, confirm and approve RETURN through the pages; in the background if ``large``,
    each job run as a worker would run it before the page is looked at again."""
    with override_settings(KPI_IMPORT_QUEUE_ROWS=2 if large else 10_000, TASKS_RUN="manual"):
        upload(importer, RETURN)
        jobs.run_ready()
        batch = ImportBatch.objects.latest("pk")
        confirmed = importer.post(f"/kpis/import/{batch.pk}/preview/", follow=True)
        if large:
            assert "Importing the return" in words(confirmed)
            jobs.run_ready()
            confirmed = importer.get(f"/kpis/import/{batch.pk}/preview/", follow=True)
        assert "has been imported: its figures await approval" in words(confirmed)
        url = f"/kpis/entries/import/{batch.pk}/"
        decided = approver.post(url, {"decision": "approve", "awaiting": 4}, follow=True)
        if large:
            assert "Approving the figures" in words(decided)
            jobs.run_ready()
            decided = approver.get(url)
        assert "4 figures were approved: committee members now see them." in words(decided)
        assert "were approved" not in words(approver.get(url))  # said once
    return batch


def test_confirming_and_approving_as_jobs_leave_the_database_as_the_requests_do(
    administrator, head_of_service, measures
):
    importer, approver = signed_in(administrator), signed_in(head_of_service)
    KPIValue.history.all().delete()  # the measures' figures before either import
    in_request = database(import_and_approve(importer, approver, large=False))
    KPIEntry.objects.all().delete()
    ImportBatch.objects.all().delete()
    KPIValue.objects.all().delete()
    KPIValue.history.all().delete()
    KPIEntry.history.all().delete()
    placements, starters = measures
    make_value(placements, JAN, Decimal(60), source="Published")
    make_value(starters, JAN, Decimal(12))
    KPIValue.history.all().delete()

    in_background = database(import_and_approve(importer, approver, large=True))
    assert in_background == in_request
    assert {e[5] for e in in_background["entries"]} == {"hannah"}  # who pressed the button
    assert KPIValue.objects.get(kpi=placements, period_end=JAN).value == 64


def _large_import(administrator):
    with large():
        importer = signed_in(administrator)
        upload(importer, RETURN)
        jobs.run_ready()
        batch = ImportBatch.objects.get()
        importer.post(f"/kpis/import/{batch.pk}/preview/")
        jobs.run_ready()
    return ImportBatch.objects.get()


@large()
def test_whoever_supplied_a_return_is_refused_at_once_and_by_the_job_if_queued_for_them(
    administrator, measures
):
    batch = _large_import(administrator)
    importer = signed_in(administrator)
    url = f"/kpis/entries/import/{batch.pk}/"
    refused = importer.post(url, {"decision": "approve", "awaiting": 4})
    assert refused.status_code == 403 and "You uploaded and confirmed this return" in words(refused)
    assert DBTaskResult.objects.count() == 2  # the check and the confirmation: nothing queued

    # Queued for them all the same (a check skipped): the job checks again when it runs.
    background.start_approve(batch=batch, user=administrator, expected=4)
    jobs.run_ready()
    shown = importer.get(url)
    assert shown.status_code == 403 and "You uploaded and confirmed this return" in words(shown)
    assert set(KPIEntry.objects.values_list("state", flat=True)) == {KPIEntry.State.AWAITING}


@large()
def test_an_approver_who_lost_the_role_before_the_job_ran_approves_nothing(
    administrator, head_of_service, measures
):
    batch = _large_import(administrator)
    approver = signed_in(head_of_service)
    url = f"/kpis/entries/import/{batch.pk}/"
    assert approver.post(url, {"decision": "approve", "awaiting": 4}).status_code == 302
    head_of_service.groups.remove(Group.objects.get(name=roles.HEADS_OF_SERVICE))
    jobs.run_ready()
    assert set(KPIEntry.objects.values_list("state", flat=True)) == {KPIEntry.State.AWAITING}
    assert not KPIValue.objects.filter(origin=Origin.RETURN, period_end=FEB).exists()


@large()
def test_the_waiting_page_and_its_status_say_how_far_the_job_has_got(
    administrator, measures, monkeypatch
):
    importer = signed_in(administrator)
    upload(importer, RETURN)
    batch = ImportBatch.objects.get()
    monkeypatch.setattr(background.JobClock, "every", 0.0)
    background.JobClock(batch).check(4)
    assert ImportBatch.objects.get().progress == "Checked 4 of 6 rows."

    DBTaskResult.objects.update(status="RUNNING", started_at=dt.datetime.now(dt.UTC))
    status = importer.get(f"/kpis/import/{batch.pk}/status/").json()
    assert status["status"] == "running" and status["progress"] == "Checked 4 of 6 rows."
    assert status["message"].endswith(". Checked 4 of 6 rows.")
    assert "Checked 4 of 6 rows." in words(importer.get(f"/kpis/import/{batch.pk}/preview/"))


@large()
def test_a_second_press_queues_no_second_job(administrator, measures):
    importer = signed_in(administrator)
    upload(importer, RETURN)
    jobs.run_ready()
    batch = ImportBatch.objects.get()
    importer.post(f"/kpis/import/{batch.pk}/preview/")
    again = importer.post(f"/kpis/import/{batch.pk}/preview/")
    assert again.status_code == 409 and "Importing the return" in words(again)
    assert DBTaskResult.objects.count() == 2


@large()
def test_a_check_that_stopped_says_so_and_can_be_started_again(administrator, measures):
    importer = signed_in(administrator)
    upload(importer, RETURN)
    batch = ImportBatch.objects.get()
    DBTaskResult.objects.all().delete()  # cleared before it ran
    stopped = importer.get(f"/kpis/import/{batch.pk}/preview/")
    assert "The return was not checked" in words(stopped) and "Start it again" in words(stopped)
    importer.post(f"/kpis/import/{batch.pk}/preview/", {"step": "check"})
    jobs.run_ready()
    assert importer.get(f"/kpis/import/{batch.pk}/preview/").context["preview"].can_confirm


@large()
@pytest.mark.parametrize("rows", [3, 30])
def test_the_waiting_page_takes_the_same_queries_whatever_the_return_size(
    administrator, measures, rows, django_assert_num_queries
):
    importer = signed_in(administrator)
    data = long_return([["starters", f"{dt.date(2024, 12, 1) - dt.timedelta(days=31 * n):%b %Y}",
                         n, ""] for n in range(rows)])  # fmt: skip
    upload(importer, data)
    batch = ImportBatch.objects.get()
    # The session, the person, their permissions (2), the import, the job, the jobs before it.
    with django_assert_num_queries(8):
        page = importer.get(f"/kpis/import/{batch.pk}/preview/")
    assert "Checking the return" in words(page)
    with django_assert_num_queries(8):
        importer.get(f"/kpis/import/{batch.pk}/status/")


def test_a_job_is_bounded_and_ends_in_a_sentence_before_its_page_would_call_it_stopped(
    administrator, measures, monkeypatch
):
    assert gate.JOB_TIME_BUDGET < jobs.STALLED_AFTER.total_seconds()
    monkeypatch.setattr(gate, "JOB_TIME_BUDGET", 0.0)
    importer = signed_in(administrator)
    with large():
        upload(importer, RETURN)
        jobs.run_ready()
        batch = ImportBatch.objects.get()
        shown = importer.get(f"/kpis/import/{batch.pk}/preview/")
    assert "This return took longer than 0 seconds to check, so nothing was saved" in words(shown)
    assert not shown.context["preview"].can_confirm and not KPIEntry.objects.exists()


@large()
def test_an_approvals_outcome_is_shown_to_whoever_pressed_the_button_not_to_another_approver(
    administrator, head_of_service, superuser, measures
):
    batch = _large_import(administrator)
    url = f"/kpis/entries/import/{batch.pk}/"
    signed_in(head_of_service).post(url, {"decision": "approve", "awaiting": 4})
    jobs.run_ready()
    other = signed_in(superuser).get(url)
    assert other.status_code == 200 and "were approved" not in words(other)
    assert "4 figures were approved" in words(signed_in(head_of_service).get(url))
    assert set(KPIEntry.objects.values_list("decided_by__username", flat=True)) == {"hannah"}


def test_a_wide_return_of_few_rows_but_many_figures_is_checked_in_the_background_too(
    administrator, measures
):
    months = [f"{month} 2024" for month in ["Jan", "Feb", "Mar", "Apr", "May", "Jun"]]
    wide = xlsx([["KPI code", *months], ["starters", 10, 11, 12, 11, 10, 11]])
    with override_settings(KPI_IMPORT_QUEUE_ROWS=2, TASKS_RUN="manual"):  # 12 cells at most
        waiting = upload(signed_in(administrator), wide)
        batch = ImportBatch.objects.get()
        assert (batch.row_count, batch.cell_count) == (2, 14)
        assert "Checking the return" in words(waiting)
        jobs.run_ready()
        shown = signed_in(administrator).get(f"/kpis/import/{batch.pk}/preview/")
    assert shown.context["preview"].counts["new"] == 6


@large()
@pytest.mark.parametrize("rows", [3, 30])
def test_the_approvals_waiting_page_takes_the_same_queries_whatever_the_import_size(
    administrator, head_of_service, measures, rows, django_assert_num_queries
):
    data = long_return([["starters", f"{dt.date(2024, 12, 1) - dt.timedelta(days=31 * n):%b %Y}",
                         n, ""] for n in range(rows)])  # fmt: skip
    batch = apply_return(
        batch=store_upload(data=data, file_name="r.xlsx", user=administrator, rows=rows + 1),
        user=administrator,
    )
    background.start_approve(batch=batch, user=head_of_service, expected=rows)
    approver = signed_in(head_of_service)
    # The session, the person, their permissions (2), the import, the job, the jobs before it.
    with django_assert_num_queries(8):
        page = approver.get(f"/kpis/entries/import/{batch.pk}/")
    assert "Approving the figures" in words(page)
    with django_assert_num_queries(8):
        approver.get(f"/kpis/entries/import/{batch.pk}/status/")
