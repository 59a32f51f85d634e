"""A large return is checked in the background: the administrator's upload answers at once
with a waiting page, whose script shows how far the job has got and then, once it has
finished, reloads the page to show the preview."""

import re

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import expect

from careprog import jobs
from kpis.models import ImportBatch
from tests.browser.conftest import assert_no_axe_violations, sign_in
from tests.conftest import PASSWORD
from tests.import_files import long_return
from tests.kpi_factories import make_kpi

pytestmark = pytest.mark.browser

PREVIEW = re.compile(r"/kpis/import/(\d+)/preview/$")


def test_a_large_returns_waiting_page_shows_progress_then_the_preview_by_itself(
    live_server, page, transactional_db, administrator, settings, tmp_path
):
    settings.KPI_IMPORT_QUEUE_ROWS, settings.TASKS_RUN = 2, "manual"
    make_kpi("starters", unit="count")
    path = tmp_path / "large-return.xlsx"
    rows = [["starters", "Jan 2024", 10, ""], ["starters", "Feb 2024", 11, ""]]
    path.write_bytes(long_return(rows))
    sign_in(page, live_server, "performance", PASSWORD)
    page.goto(f"{live_server.url}/kpis/import/")
    page.get_by_label("Upload a return").set_input_files(path)
    page.get_by_role("button", name="Check the return").click()
    page.wait_for_url(PREVIEW)
    expect(page.get_by_role("heading", level=1)).to_have_text("Checking the return")
    message = page.get_by_role("status")
    expect(message).to_have_text("Waiting to start.")
    assert_no_axe_violations(page)

    batch = ImportBatch.objects.get()
    ImportBatch.objects.filter(pk=batch.pk).update(progress="Checked 2 of 3 rows.")
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now())
    expect(message).to_contain_text("Checked 2 of 3 rows.", timeout=10_000)

    DBTaskResult.objects.update(status="READY", started_at=None)
    assert jobs.run_ready() == 1
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the return", timeout=10_000)
    expect(page.locator(".app-counts__item")).to_have_text(
        ["2 new", "0 changed", "0 unchanged", "0 warnings"]
    )
    expect(page.get_by_role("button", name="Import 2 new and changed values")).to_be_visible()
