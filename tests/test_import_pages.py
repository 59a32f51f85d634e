"""Import pages speak in measures, not codes: each measure's name and unit beside its code,
figures with their units ("90.0%", "£4,531,000"), and the preview's warnings shown to the
approver who decides on the figures."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client

from kpis import approval
from kpis.models import ImportBatch
from tests.import_files import long_return
from tests.kpi_factories import make_kpi, make_value
from tests.test_kpi_import import confirm, upload
from tests.test_kpi_import import text as html_text

JAN = dt.date(2025, 1, 31)
RETURN = long_return(
    [
        ["placements", "Jan 2025", 90, ""],
        ["overspend", "Jan 2025", 4531000, ""],
        ["placements", "Feb 2025", 0.63, ""],  # a bare fraction: warned of
    ]
)
WARNING = "Returns!C4: 0.63 for placements, a percentage: did you mean 63%?"


@pytest.fixture
def measures(db, officer):
    return {
        "placements": make_kpi(
            "placements", name="Children placed within 20 miles", owned_by=officer
        ),
        "overspend": make_kpi("overspend", name="Placements overspend", unit="currency"),
    }


def text(response) -> str:
    """The page's words as a reader sees them: tags dropped, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html_text(response)).split()).replace(" )", ")")


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_preview_names_each_measure_with_its_unit_and_shows_figures_in_it(
    administrator, measures
):
    make_value(measures["placements"], JAN, Decimal(88))
    page = text(upload(signed_in(administrator), RETURN))
    assert "Children placed within 20 miles (placements, percentage)" in page
    assert "Placements overspend (overspend, currency (£))" in page
    assert "88.0%" in page and "90.0%" in page and "£4,531,000" in page


def test_the_approver_sees_names_units_figures_and_the_preview_s_warnings(
    administrator, head_of_service, measures
):
    importer = signed_in(administrator)
    preview = upload(importer, RETURN)
    assert WARNING in text(preview)
    confirm(importer, preview, approve=False)
    batch = ImportBatch.objects.get()

    page = text(signed_in(head_of_service).get(f"/kpis/entries/import/{batch.pk}/"))
    assert "Warnings from the preview (2)" in page and WARNING in page
    assert "Children placed within 20 miles (placements, percentage)" in page
    assert "90.0%" in page and "0.63%" in page and "£4,531,000" in page

    batch_page = text(importer.get(f"/kpis/import/{batch.pk}/"))
    assert "Placements overspend (overspend, currency (£))" in batch_page


def test_the_batch_page_shows_before_and_after_in_the_measure_s_unit(administrator, measures):
    make_value(measures["overspend"], JAN, Decimal(4000000))
    importer = signed_in(administrator)
    confirm(importer, upload(importer, RETURN))
    page = text(importer.get(f"/kpis/import/{ImportBatch.objects.get().pk}/"))
    assert "£4,000,000" in page and "£4,531,000" in page
    assert "Children placed within 20 miles (placements, percentage)" in page


def test_figures_awaiting_approval_name_the_measure_its_code_and_unit(
    officer, head_of_service, measures
):
    approval.enter_figure(
        kpi=measures["placements"], user=officer, period_end=JAN, value=Decimal(90),
        numerator=None, denominator=None, commentary="", seen_version="none",
        today=dt.date(2025, 3, 1),
    )  # fmt: skip
    page = text(signed_in(head_of_service).get("/kpis/entries/"))
    assert "Children placed within 20 miles (placements, percentage)" in page
    assert "90.0%" in page


@pytest.mark.parametrize("months", [2, 12])
def test_the_approval_page_reads_its_figures_in_the_same_queries_whatever_their_number(
    administrator, head_of_service, measures, months, django_assert_num_queries
):
    """Names, units and figures come with the rows: no query per figure."""
    rows = [["placements", dt.date(2024, month, 1), 80 + month, ""] for month in range(1, 13)]
    importer = signed_in(administrator)
    confirm(importer, upload(importer, long_return(rows[:months])), approve=False)
    approver = signed_in(head_of_service)
    url = f"/kpis/entries/import/{ImportBatch.objects.get().pk}/"
    with django_assert_num_queries(QUERIES_FOR_THE_APPROVAL_PAGE):
        page = text(approver.get(url))
    assert page.count("Children placed within 20 miles (placements, percentage)") == months


# The session, the user, their permissions (two), the import, the page's count, the counts
# by state, and the figures with their measures.
QUERIES_FOR_THE_APPROVAL_PAGE = 8
