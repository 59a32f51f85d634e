"""A Word table's Lead and Due columns, read as the Excel sheet's are (builder.HEADINGS): a council
heads them "Lead officer", "Lead", "Due", "Timescale" or "By when". Each lead is matched to one
person by name or email, one matching no one is listed and left empty (never invented), due dates
are read as typed, and one that is not a date is a problem named by its table and row. A lead or
due date merged down over several actions is each of those actions'."""

import datetime as dt
import io

import pytest
from docx import Document

from actions.models import Action
from actions.table_import.create import create_programme, unmatched_leads
from actions.table_import.word import read_word
from careprog.periods import ReportingPeriod

OBJECTIVE = "Children live in a family environment"
HEADER = ("Objective", "Requirements", "Mechanisms", "Action", "Lead officer", "Due")


def word_table(rows, *, header=HEADER, merge_down=()):
    """One objective's table: a bold heading above it, ``rows`` of six cells under ``header``.
    ``merge_down``: (column, top row, bottom row) merged as Word merges (w:vMerge), counting
    the header as row 0."""
    document = Document()
    document.add_paragraph().add_run(OBJECTIVE).bold = True
    table = document.add_table(rows=1 + len(rows), cols=len(header))
    for column, text in enumerate(header):
        table.cell(0, column).text = text
    for number, row in enumerate(rows, start=1):
        for column, text in enumerate(row):
            table.cell(number, column).text = text
    for column, top, bottom in merge_down:
        table.cell(top, column).merge(table.cell(bottom, column))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def row(action, lead="", due=""):
    return ("Every child has a family", "Recruit foster carers", "A campaign", action, lead, due)


def imported(parsed):
    programme = create_programme(
        parsed=parsed,
        name="Imported",
        slug="imported",
        first_period=ReportingPeriod(2024, 1),
        last_period=ReportingPeriod(2024, 4),
    )
    return list(
        Action.objects.filter(mechanism__requirement__objective__programme=programme).order_by(
            "mechanism__position", "position"
        )
    )


@pytest.mark.django_db
def test_a_word_tables_leads_are_matched_by_email_or_name_and_the_unmatched_listed(
    officer, other_officer
):
    parsed = read_word(
        word_table(
            [
                row("Launch the campaign", "OLIVE@example.org", "31/03/2025"),
                row("Hold open evenings", "Oscar Other", "30 September 2025"),
                row("Train the panel", "Pat Nobody", ""),
            ]
        )
    )

    assert parsed.problems == []
    assert unmatched_leads(parsed) == ["Pat Nobody"]
    leads_and_dates = [(a.title, a.lead, a.due_date) for a in imported(parsed)]
    assert leads_and_dates == [
        ("Launch the campaign", officer, dt.date(2025, 3, 31)),
        ("Hold open evenings", other_officer, dt.date(2025, 9, 30)),
        ("Train the panel", None, None),
    ]


@pytest.mark.parametrize(
    "lead_heading, due_heading", [("Lead", "Timescale"), ("Responsible officer", "By when")]
)
def test_the_columns_are_recognised_by_the_words_councils_head_them_with(lead_heading, due_heading):
    header = (*HEADER[:4], lead_heading, due_heading)
    parsed = read_word(word_table([row("Launch", "Olive Lead", "31/03/2025")], header=header))

    (action,) = [
        a
        for o in parsed.objectives
        for r in o.requirements
        for m in r.mechanisms
        for a in m.actions
    ]
    assert (action.lead, action.due) == ("Olive Lead", dt.date(2025, 3, 31))


def test_a_due_date_that_is_not_a_date_is_a_problem_named_by_its_table_and_row():
    parsed = read_word(word_table([row("Launch"), row("Hold open evenings", due="soon")]))

    assert [str(problem) for problem in parsed.problems] == [
        "Table 1, row 3: the due date 'soon' is not a date such as 31/03/2025"
    ]


@pytest.mark.django_db
def test_a_lead_and_due_date_merged_down_over_a_mechanisms_actions_are_each_actions(officer):
    parsed = read_word(
        word_table(
            [
                row("Launch the campaign", "Olive Lead", "31/03/2025"),
                row("Hold open evenings"),
                row("Train the panel"),
            ],
            merge_down=[(4, 1, 3), (5, 1, 3)],
        )
    )

    assert parsed.problems == []
    assert [(a.lead, a.due_date) for a in imported(parsed)] == [(officer, dt.date(2025, 3, 31))] * 3


@pytest.mark.parametrize(
    ("timescale", "due"),
    [
        ("Ongoing", None),
        ("TBC", None),
        ("n/a", None),
        ("March 2025", dt.date(2025, 3, 31)),
        ("Feb 2024", dt.date(2024, 2, 29)),
        ("31/12/2024", dt.date(2024, 12, 31)),
    ],
)
def test_a_timescale_as_plans_write_it_is_read_not_refused(timescale, due):
    """A council's Timescale column says "Ongoing" or "March 2025" as often as it gives a
    date: the table imports, an ongoing action has no due date, a month is due on its last day."""
    parsed = read_word(word_table([row("Launch", due=timescale)]))

    assert parsed.problems == []
    action = parsed.objectives[0].requirements[0].mechanisms[0].actions[0]
    assert action.due == due
