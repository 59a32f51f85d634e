"""Someone not signed in reads a programme's open data: from /open/ to the programme's page,
the figures in tables with small counts as "c", and the CSV downloaded; each page passes axe
(and, like every page a browser test opens, the Nu HTML checker)."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from actions.models import Objective
from tests.browser.conftest import assert_no_axe_violations
from tests.kpi_factories import make_kpi, make_target, make_value

pytestmark = pytest.mark.browser


def test_anyone_reads_a_published_programme_and_downloads_its_figures(
    transactional_db, live_server, page, seed_programme
):
    page.goto(f"{live_server.url}/open/")
    expect(page.get_by_text("No data is published here yet")).to_be_visible()
    assert_no_axe_violations(page)

    Objective.kpis.through.objects.filter(objective__programme=seed_programme).delete()
    kpi = make_kpi("children-small", unit="count", frequency="quarterly", name="Small count")
    make_target(kpi, 2024, "10")
    make_value(kpi, dt.date(2024, 6, 30), "3")
    make_value(kpi, dt.date(2024, 9, 30), "12")
    seed_programme.objectives.order_by("position").first().kpis.add(kpi)
    seed_programme.open_data_from = timezone.now()
    seed_programme.save()

    page.goto(f"{live_server.url}/open/")
    page.get_by_role("link", name=seed_programme.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(seed_programme.name)
    table = page.get_by_role("table", name="Small count: figures, newest first")
    expect(table.get_by_role("row")).to_have_count(3)
    expect(table.get_by_role("row").nth(2).get_by_role("cell").first).to_have_text("c")
    expect(page.get_by_text("Open Government Licence v3.0")).to_be_visible()
    assert_no_axe_violations(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="All figures as CSV").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    lines = text.splitlines()
    assert lines[0].startswith("# Contains public sector information")
    assert lines[1].startswith("programme,kpi_code,kpi_name")
    assert ",2024-06-30,30 June 2024,c," in text
