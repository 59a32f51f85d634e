"""The return template carries each measure's frequency and proposes the periods programmes
report on: each measure's own months, quarters or year end in the financial years of the
programmes whose objectives it evidences, not months counted back from today."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from actions.models import Objective, Programme
from careprog.periods import ReportingPeriod
from tests.kpi_factories import make_kpi
from tests.test_kpi_import import upload

YEAR_2024_25 = ["Apr 2024", "May 2024", "Jun 2024", "Jul 2024", "Aug 2024", "Sep 2024",
                "Oct 2024", "Nov 2024", "Dec 2024", "Jan 2025", "Feb 2025", "Mar 2025"]  # fmt: skip


@pytest.fixture
def programme(db):
    """A programme reporting on 2024-25, whose objective chooses a quarterly and an annual
    measure; a monthly measure evidences nothing yet."""
    programme = Programme.objects.create(
        name="Care Programme",
        slug="care",
        first_period=ReportingPeriod(2024, 1),
        last_period=ReportingPeriod(2024, 4),
    )
    objective = Objective.objects.create(
        programme=programme, position=1, title="Family homes", statement="More children at home"
    )
    objective.kpis.add(
        make_kpi("cla-ehcp", name="Children with an EHCP", frequency="quarterly"),
        make_kpi("a10", name="Adoption timeliness", unit="days", frequency="annual"),
    )
    make_kpi("cla-count", name="Children looked after", unit="count", frequency="monthly")
    return programme


@pytest.fixture
def administrator_client(client, administrator):
    client.force_login(administrator)
    return client


def returns_sheet(response):
    return load_workbook(io.BytesIO(response.content))["Returns"]


def open_periods(sheet, code):
    """The period headings of the cells a measure's row leaves open for typing."""
    header = [cell.value for cell in sheet[1]]
    (row,) = [row for row in sheet.iter_rows(min_row=2) if row[0].value == code]
    return [header[cell.column - 1] for cell in row[4:] if not cell.protection.locked]


def test_the_template_proposes_each_measure_s_periods_in_its_programme_s_years(
    administrator_client, programme
):
    response = administrator_client.get("/kpis/import/template.xlsx")
    assert response.status_code == 200
    assert "kpi-return-2024-04-to-2025-03" in response["Content-Disposition"]
    sheet = returns_sheet(response)
    assert [cell.value for cell in sheet[1]] == [
        "KPI code", "KPI name", "Unit", "Frequency", *YEAR_2024_25
    ]  # fmt: skip
    frequencies = {row[0].value: row[3].value for row in sheet.iter_rows(min_row=2)}
    assert frequencies == {"cla-ehcp": "Quarterly", "a10": "Annual", "cla-count": "Monthly"}
    assert open_periods(sheet, "cla-ehcp") == ["Jun 2024", "Sep 2024", "Dec 2024", "Mar 2025"]
    assert open_periods(sheet, "a10") == ["Mar 2025"]
    # A measure no programme uses yet: its own periods in the programmes' years.
    assert open_periods(sheet, "cla-count") == YEAR_2024_25


def test_months_asked_for_give_each_measure_its_own_periods_between_them(
    administrator_client, programme
):
    response = administrator_client.get(
        "/kpis/import/template.xlsx", {"first": "Oct 2025", "last": "Dec 2025"}
    )
    sheet = returns_sheet(response)
    assert [cell.value for cell in sheet[1]][4:] == ["Oct 2025", "Nov 2025", "Dec 2025"]
    assert open_periods(sheet, "cla-ehcp") == ["Dec 2025"]
    assert open_periods(sheet, "a10") == []


def test_one_month_without_the_other_is_refused_with_what_to_do(administrator_client, programme):
    response = administrator_client.get("/kpis/import/template.xlsx", {"first": "Oct 2025"})
    assert response.status_code == 400
    assert "Enter the last month too, or leave both empty for the programmes" in (
        response.content.decode().replace("&#x27;", "'")
    )


def test_a_filled_in_template_imports_each_figure_as_its_measure_s_period(
    administrator_client, programme
):
    workbook = load_workbook(
        io.BytesIO(administrator_client.get("/kpis/import/template.xlsx").content)
    )
    sheet = workbook["Returns"]
    header = [cell.value for cell in sheet[1]]
    rows = {row[0].value: row[0].row for row in sheet.iter_rows(min_row=2)}
    sheet.cell(row=rows["cla-ehcp"], column=header.index("Dec 2024") + 1, value=41)
    sheet.cell(row=rows["a10"], column=header.index("Mar 2025") + 1, value=480)
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview = upload(administrator_client, buffer.getvalue()).context["preview"]
    assert preview.can_confirm, preview.problems
    assert sorted((c.row.kpi.code, c.row.period_end) for c in preview.new) == [
        ("a10", dt.date(2025, 3, 31)),
        ("cla-ehcp", dt.date(2024, 12, 31)),
    ]
