"""A table's Lead and Due date columns: each lead is matched to one person by email or name, a
lead matching no one is listed and left empty (never invented), and a due date that is not a
date is a problem named by its cell."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from actions.models import Action
from actions.table_import.create import create_programme, unmatched_leads
from actions.table_import.excel import read_excel
from careprog.periods import ReportingPeriod
from tests.table_files import appendix_c_xlsx
from tests.test_seed_fixture import SOURCE, parse_appendix_c


def with_leads(rows):
    """Appendix C with Lead and Due date columns (G, H) filled on its first action rows."""
    appendix_c = parse_appendix_c(SOURCE.read_text(encoding="utf-8"))
    book = load_workbook(io.BytesIO(appendix_c_xlsx(appendix_c, theme_column=True, merge=False)))
    sheet = book.active
    sheet["G1"], sheet["H1"] = "Lead officer", "Due date"
    for number, (lead, due) in enumerate(rows, start=2):
        sheet.cell(number, 7).value = lead
        sheet.cell(number, 8).value = due
    out = io.BytesIO()
    book.save(out)
    return read_excel(out.getvalue())


@pytest.mark.django_db
def test_leads_are_matched_by_email_or_full_name_and_the_unmatched_listed(officer, other_officer):
    parsed = with_leads(
        [
            ("OLIVE@example.org", dt.datetime(2025, 3, 31)),
            ("Oscar Other", "30/09/2025"),
            ("Pat Nobody", None),
        ]
    )
    assert parsed.problems == []
    assert unmatched_leads(parsed) == ["Pat Nobody"]
    programme = create_programme(
        parsed=parsed,
        name="Imported",
        slug="imported",
        first_period=ReportingPeriod(2024, 1),
        last_period=ReportingPeriod(2024, 4),
    )
    first, second, third = Action.objects.filter(
        mechanism__requirement__objective__programme=programme
    ).order_by(
        "mechanism__requirement__objective__position",
        "mechanism__requirement__position",
        "mechanism__position",
        "position",
    )[:3]
    assert (first.lead, first.due_date) == (officer, dt.date(2025, 3, 31))
    assert (second.lead, second.due_date) == (other_officer, dt.date(2025, 9, 30))
    assert (third.lead, third.due_date) == (None, None)


def test_a_due_date_that_is_not_a_date_is_a_problem_named_by_its_cell():
    parsed = with_leads([("", "soon")])
    assert [str(p) for p in parsed.problems] == [
        "Sheet 'Progress', cell H2: the due date 'soon' is not a date such as 31/03/2025"
    ]


@pytest.mark.django_db
def test_a_lead_and_due_date_merged_down_over_three_actions_are_each_actions(officer):
    appendix_c = parse_appendix_c(SOURCE.read_text(encoding="utf-8"))
    book = load_workbook(io.BytesIO(appendix_c_xlsx(appendix_c, theme_column=True, merge=False)))
    sheet = book.active
    sheet["G1"], sheet["H1"] = "Lead officer", "Timescale"
    sheet["G2"], sheet["H2"] = "Olive Lead", "31/03/2025"
    sheet.merge_cells("G2:G4")
    sheet.merge_cells("H2:H4")
    out = io.BytesIO()
    book.save(out)
    parsed = read_excel(out.getvalue())
    assert parsed.problems == []
    programme = create_programme(
        parsed=parsed,
        name="Imported",
        slug="imported",
        first_period=ReportingPeriod(2024, 1),
        last_period=ReportingPeriod(2024, 4),
    )
    first_four = Action.objects.filter(
        mechanism__requirement__objective__programme=programme
    ).order_by(
        "mechanism__requirement__objective__position",
        "mechanism__requirement__position",
        "mechanism__position",
        "position",
    )[:4]
    assert [(a.lead, a.due_date) for a in first_four] == [(officer, dt.date(2025, 3, 31))] * 3 + [
        (None, None)
    ]
