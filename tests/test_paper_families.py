"""Report families (issue 24): a board update with its overview of labelled rows (one per
objective, then the template's own) and a SWOT grid, laid out as seed 001 lays them out, and
a cabinet member's update on a portfolio without a programme, with its Councillor |
Portfolio | Date title block as seed 002 prints it. Each is drafted, filled, signed off by
someone else and published; its page, snapshot and Word, PDF and Excel files hold the same
words, and later edits to the template or programme leave the record as it was."""

import datetime as dt
import io
import re

import pytest
from django.test import Client
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from actions.models import (
    Committee,
    Meeting,
    Paper,
    PaperTemplate,
    QuarterLock,
    SectionKind,
    TemplateSection,
    TitleBlock,
)
from tests.paper_downloads import fetch
from tests.paper_factories import Q3, set_today
from tests.paper_pages import article, draft_form, step, text

GROUP = "Staying Safe Strategy Group"
STRENGTHS = ["Active group members, committed to delivering the plan.", "Strong partnership."]
WEAKNESSES = ["High volume of priorities."]
OPPORTUNITIES = ["New model of early help."]
THREATS = ["Reduced budgets across partners."]
CHALLENGE = "Sustaining the pace of the early help offer"


@pytest.fixture
def today(monkeypatch):
    set_today(monkeypatch, dt.date(2025, 2, 10))


@pytest.fixture
def board_meeting(db):
    board = Committee.objects.create(name="Children's Trust Board", kind=Committee.Kind.BOARD)
    return Meeting.objects.create(committee=board, date=dt.date(2025, 3, 5), agenda_item="4")


@pytest.fixture
def board_template(db):
    template = PaperTemplate.objects.create(
        name="Board update",
        title_block=TitleBlock.BOARD_UPDATE,
        audience=Committee.Kind.BOARD,
    )
    for position, (heading, kind, numbered, extra) in enumerate(
        [
            ("Introduction", SectionKind.TEXT, True, {}),
            (
                "Overview of progress",
                SectionKind.LABELLED_ROWS,
                True,
                {
                    "one_row_per_objective": True,
                    "row_labels": "Key challenges ahead\nAreas for promotion / publicity",
                },
            ),
            ("SWOT analysis", SectionKind.SWOT, False, {}),
        ],
        1,
    ):
        TemplateSection.objects.create(
            template=template,
            position=position,
            heading=heading,
            kind=kind,
            numbered=numbered,
            **extra,
        )
    return template


def start_board_update(client, programme, template, meeting):
    response = client.post(
        f"/programmes/{programme.slug}/papers/new/",
        {
            "template": template.pk,
            "meeting": meeting.pk,
            "period": Q3.slug,
            "figures_as_at": "2025-01-31",
            "title": "Update report to the Board",
            "group_name": GROUP,
            "start_from": "template",
        },
    )
    assert response.status_code == 302, text(response)
    return Paper.objects.filter(title="Update report to the Board").latest("pk")


def fill(client, paper, *, texts=None, rows=None):
    """Post the edit form with the given section texts and rows' texts (by heading, then by
    row label), everything else as the form holds it."""
    data = draft_form(client, paper)
    for section in paper.sections.all():
        for heading, body in (texts or {}).items():
            if section.heading == heading:
                data[f"text_{section.pk}"] = body
        for index, row in enumerate(section.rows):
            typed = (rows or {}).get(section.heading, {}).get(row["label"])
            if typed is not None:
                data[f"row_{section.pk}_{index}"] = typed
    response = client.post(f"/papers/{paper.pk}/edit/", data)
    assert response.status_code == 302, text(response)


def sign_off(drafter, approver, paper):
    assert step(drafter, paper, "submit").status_code == 302
    assert step(approver, paper, "approve").status_code == 302
    assert approver.post(f"/papers/{paper.pk}/publish/", {"comment": ""}).status_code == 302
    return Paper.objects.get(pk=paper.pk)


@pytest.fixture
def drafter(officer):
    client = Client()
    client.force_login(officer)
    return client


@pytest.fixture
def approver(head_of_service):
    client = Client()
    client.force_login(head_of_service)
    return client


@pytest.fixture
def board_update(today, seed_programme, board_template, board_meeting, drafter, approver):
    """The board update, drafted, filled, approved by another person and published."""
    paper = start_board_update(drafter, seed_programme, board_template, board_meeting)
    objectives = list(seed_programme.objectives.order_by("position", "pk"))
    overview = {objective.title: f"Achieved under {objective.title}." for objective in objectives}
    overview["Key challenges ahead"] = f"- {CHALLENGE}\n- Recruiting social workers"
    fill(
        drafter,
        paper,
        texts={"Introduction": "The Staying Safe work stream aims to improve safety."},
        rows={
            "Overview of progress": overview,
            "SWOT analysis": {
                "Strengths": "\n".join(f"{n}. {item}" for n, item in enumerate(STRENGTHS, 1)),
                "Weaknesses": "\n".join(WEAKNESSES),
                "Opportunities": "\n".join(OPPORTUNITIES),
                "Threats": "\n".join(THREATS),
            },
        },
    )
    return sign_off(drafter, approver, paper)


def swot_cells(html: str) -> list[list[str]]:
    table = re.search(r'<table class="govuk-table app-paper__swot">(.*?)</table>', html, re.S)
    assert table, "the SWOT is a table"
    return [
        [text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", table[1], re.S)
    ]


def test_a_board_update_is_drafted_from_its_template_with_a_row_per_objective(
    today, seed_programme, board_template, board_meeting, drafter
):
    paper = start_board_update(drafter, seed_programme, board_template, board_meeting)
    overview = paper.sections.get(heading="Overview of progress")
    titles = list(
        seed_programme.objectives.order_by("position", "pk").values_list("title", flat=True)
    )
    assert [row["label"] for row in overview.rows] == [
        *titles,
        "Key challenges ahead",
        "Areas for promotion / publicity",
    ]
    swot = paper.sections.get(heading="SWOT analysis")
    assert [row["label"] for row in swot.rows] == [
        "Strengths",
        "Weaknesses",
        "Opportunities",
        "Threats",
    ]
    assert paper.title_block == TitleBlock.BOARD_UPDATE and paper.group_name == GROUP


def test_a_template_for_boards_refuses_a_committee_meeting(
    today, seed_programme, board_template, drafter
):
    from tests.paper_factories import make_meeting

    response = drafter.post(
        f"/programmes/{seed_programme.slug}/papers/new/",
        {
            "template": board_template.pk,
            "meeting": make_meeting().pk,
            "period": Q3.slug,
            "figures_as_at": "2025-01-31",
            "title": "Update report to the Board",
            "group_name": GROUP,
            "start_from": "template",
        },
    )
    assert response.status_code == 400
    assert "Choose a meeting of a board" in text(response)
    assert "govuk-error-summary" in response.content.decode()
    assert not Paper.objects.filter(title="Update report to the Board").exists()


def test_a_published_board_update_shows_its_overview_as_two_columns_and_its_swot_as_a_grid(
    board_update, approver, seed_programme
):
    html = article(approver.get(f"/papers/{board_update.pk}/"))
    assert f"{GROUP} Update report to the Board" in text(html)
    overview = re.search(r'<table class="govuk-table app-paper__rows">(.*?)</table>', html, re.S)
    rows = re.findall(r'<th scope="row"[^>]*>(.*?)</th>\s*<td[^>]*>(.*?)</td>', overview[1], re.S)
    labels = [text(label) for label, _ in rows]
    assert "Key challenges ahead" in labels
    challenges = text(rows[labels.index("Key challenges ahead")][1])
    assert challenges == f"{CHALLENGE} Recruiting social workers"
    assert "<li" in rows[labels.index("Key challenges ahead")][1], "bullets stay bullets"
    # The template's row with nothing written is printed, empty, as the seed prints its rows.
    assert "Areas for promotion / publicity" in labels
    assert swot_cells(html) == [
        [
            "Strengths " + " ".join(STRENGTHS),
            "Weaknesses " + " ".join(WEAKNESSES),
        ],
        ["Opportunities " + " ".join(OPPORTUNITIES), "Threats " + " ".join(THREATS)],
    ]
    assert "<ol" in html
    assert "1.0 Introduction" in text(html) and "2.0 Overview of progress" in text(html)


def test_a_board_updates_record_is_unchanged_by_later_edits_to_its_template_and_programme(
    board_update, approver, seed_programme, board_template
):
    before = approver.get(f"/papers/{board_update.pk}/")
    board_template.sections.filter(kind=SectionKind.LABELLED_ROWS).update(
        row_labels="Something else"
    )
    objective = seed_programme.objectives.order_by("position", "pk").first()
    old_title = objective.title
    objective.title = "Renamed objective"
    objective.save()
    after = approver.get(f"/papers/{board_update.pk}/")
    assert article(before) == article(after)
    assert old_title in text(article(after)) and "Renamed objective" not in text(article(after))
    paper = Paper.objects.get(pk=board_update.pk)
    from actions.papers import content as paper_content

    assert paper_content.sha256(paper.snapshot) == paper.snapshot_sha256
    assert QuarterLock.objects.filter(paper=paper).exists(), "a programme's paper locks"


def docx_of(client, paper):
    response = fetch(client, f"/papers/{paper.pk}/paper.docx")
    assert response.status_code == 200
    return Document(io.BytesIO(response.content))


def cell_text(cell) -> str:
    return " ".join(p.text for p in cell.paragraphs if p.text)


def test_a_board_updates_word_file_has_the_two_column_overview_and_the_two_by_two_swot(
    board_update, approver, seed_programme
):
    document = docx_of(approver, board_update)
    grids = [t for t in document.tables if cell_text(t.rows[0].cells[0]).startswith("Strengths")]
    assert len(grids) == 1
    swot = grids[0]
    assert (len(swot.rows), len(swot.columns)) == (2, 2)
    assert [[cell_text(c) for c in row.cells] for row in swot.rows] == [
        [
            "Strengths " + " ".join(f"{n}. {s}" for n, s in enumerate(STRENGTHS, 1)),
            "Weaknesses 1. " + WEAKNESSES[0],
        ],
        ["Opportunities 1. " + OPPORTUNITIES[0], "Threats 1. " + THREATS[0]],
    ]
    overview = next(
        t for t in document.tables if cell_text(t.rows[-1].cells[0]).startswith("Areas for")
    )
    assert len(overview.columns) == 2
    labels = [cell_text(row.cells[0]) for row in overview.rows]
    assert "Key challenges ahead" in labels
    assert CHALLENGE in cell_text(overview.rows[labels.index("Key challenges ahead")].cells[1])
    paragraphs = [p.text for p in document.paragraphs]
    assert f"{GROUP} Update report to the Board" in paragraphs


def test_a_board_updates_pdf_and_excel_hold_the_same_words(board_update, approver):
    response = fetch(approver, f"/papers/{board_update.pk}/paper.pdf")
    assert response.status_code == 200
    pdf = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
    ).split()
    squeezed = "".join(pdf)
    for words in [*STRENGTHS, *WEAKNESSES, *OPPORTUNITIES, *THREATS, CHALLENGE, GROUP]:
        assert "".join(words.split()) in squeezed, words
    response = fetch(approver, f"/papers/{board_update.pk}/appendix.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[0] == "Covering report"
    cells = [
        tuple(cell or "" for cell in row)
        for row in workbook["Covering report"].iter_rows(values_only=True)
    ]
    assert ("Strengths", f"1. {STRENGTHS[0]}") in cells
    assert ("Threats", f"1. {THREATS[0]}") in cells
    assert any(row[0] == "Key challenges ahead" and CHALLENGE in row[1] for row in cells)
    assert "Report on progress" in workbook.sheetnames, "a programme's appendices follow"


def test_a_template_without_appendices_gives_a_programmes_paper_none_and_locks_no_quarter(
    today, seed_programme, board_template, board_meeting, drafter, approver, administrator
):
    """A board update reports in its overview, not in generated tables: its template says the
    appendices do not follow, so its page and files print none, and publishing it freezes no
    quarter's updates, since it reported none."""
    board_template.generated_appendices = False
    board_template.save()
    paper = start_board_update(drafter, seed_programme, board_template, board_meeting)
    assert paper.generated_appendices is False and not paper.has_appendices
    paper = sign_off(drafter, approver, paper)

    page = text(approver.get(f"/papers/{paper.pk}/"))
    assert "Report on progress" not in page and "Key Performance Data" not in page
    assert paper.snapshot["generated_appendices"] is False
    assert not QuarterLock.objects.filter(paper=paper).exists()
    workbook = load_workbook(
        io.BytesIO(fetch(approver, f"/papers/{paper.pk}/appendix.xlsx").content)
    )
    assert workbook.sheetnames == ["Covering report"]
    docx = Document(io.BytesIO(fetch(approver, f"/papers/{paper.pk}/paper.docx").content))
    assert not any("Report on progress" in p.text for p in docx.paragraphs)


# A cabinet member's update on a portfolio, without a programme (seed 002) -------------------


@pytest.fixture
def cabinet_template(db):
    template = PaperTemplate.objects.create(
        name="Cabinet member update",
        title_block=TitleBlock.CABINET_MEMBER_UPDATE,
        audience=Committee.Kind.SCRUTINY,
    )
    for position, heading in enumerate(["Early Help", "Monitoring Visit"], 1):
        TemplateSection.objects.create(
            template=template, position=position, heading=heading, numbered=False
        )
    return template


@pytest.fixture
def scrutiny_meeting(db):
    scrutiny = Committee.objects.create(
        name="Overview and Scrutiny (Children's Services and Safeguarding)",
        kind=Committee.Kind.SCRUTINY,
    )
    return Meeting.objects.create(committee=scrutiny, date=dt.date(2025, 3, 5))


EARLY_HELP = "We are making steady progress in developing our new Early Help offer."


@pytest.fixture
def cabinet_update(today, cabinet_template, scrutiny_meeting, drafter, approver):
    response = drafter.post(
        "/papers/new/",
        {
            "template": cabinet_template.pk,
            "meeting": scrutiny_meeting.pk,
            "title": "Cabinet Member Update",
            "councillor": "Mhairi Doyle",
            "portfolio": "Cabinet Member Children's Services",
        },
    )
    assert response.status_code == 302, text(response)
    paper = Paper.objects.get(title="Cabinet Member Update")
    fill(
        drafter,
        paper,
        texts={
            "Early Help": EARLY_HELP,
            "Monitoring Visit": "The letter was published on 12th January.\n\n- 92% of visits",
        },
    )
    return sign_off(drafter, approver, paper)


def test_a_cabinet_member_update_has_no_programme_appendices_or_quarter_lock(
    cabinet_update, approver
):
    assert cabinet_update.programme is None and cabinet_update.is_published
    assert not QuarterLock.objects.filter(paper=cabinet_update).exists()
    html = article(approver.get(f"/papers/{cabinet_update.pk}/"))
    table = re.search(
        r'<table class="govuk-table app-paper__title-table">(.*?)</table>', html, re.S
    )
    assert text(table[1]).endswith(
        "Councillor Portfolio Date Mhairi Doyle Cabinet Member Children's Services 5 March 2025"
    )
    assert EARLY_HELP in text(html)
    assert "Appendix" not in text(html)
    assert "Overview and Scrutiny (Children's Services and Safeguarding)" in text(html)
    listed = approver.get("/papers/")
    assert "Cabinet Member Update" in text(listed)


def test_a_cabinet_member_updates_files_hold_its_title_table_and_sections(cabinet_update, approver):
    document = docx_of(approver, cabinet_update)
    title = document.tables[0]
    assert [[cell_text(c) for c in row.cells] for row in title.rows] == [
        ["Councillor", "Portfolio", "Date"],
        ["Mhairi Doyle", "Cabinet Member Children's Services", "5 March 2025"],
    ]
    paragraphs = [p.text for p in document.paragraphs]
    assert "Early Help" in paragraphs and EARLY_HELP in paragraphs
    assert "92% of visits" in paragraphs, "a bullet is a bullet paragraph of its own"
    response = fetch(approver, f"/papers/{cabinet_update.pk}/paper.pdf")
    assert response.status_code == 200
    assert "cabinet-member-update" in response["Content-Disposition"]
    pdf = "".join(
        "".join(page.extract_text().split())
        for page in PdfReader(io.BytesIO(response.content)).pages
    )
    for words in ["Mhairi Doyle", EARLY_HELP, "92% of visits"]:
        assert "".join(words.split()) in pdf
    workbook = load_workbook(
        io.BytesIO(fetch(approver, f"/papers/{cabinet_update.pk}/appendix.xlsx").content)
    )
    assert workbook.sheetnames == ["Covering report"], "no appendices without a programme"
    cells = [tuple(c or "" for c in row) for row in workbook.active.iter_rows(values_only=True)]
    assert ("Councillor", "Mhairi Doyle") in cells
    assert ("", EARLY_HELP) in cells


def test_a_cabinet_member_update_needs_its_councillor_and_portfolio(
    today, cabinet_template, scrutiny_meeting, drafter
):
    response = drafter.post(
        "/papers/new/",
        {"template": cabinet_template.pk, "meeting": scrutiny_meeting.pk, "title": "Update"},
    )
    assert response.status_code == 400
    page = text(response)
    assert "Enter the councillor" in page and "Enter the portfolio" in page
    assert not Paper.objects.exists()


# Query counts, pinned at two sizes ------------------------------------------------------------


def _board_update_of(programme, template, meeting, drafter, approver):
    """A board update drafted and published on ``programme``, and a draft after it."""
    paper = start_board_update(drafter, programme, template, meeting)
    swot = {"Strengths": "Strong.", "Weaknesses": "Weak.", "Opportunities": "O.", "Threats": "T."}
    fill(drafter, paper, texts={"Introduction": "Intro."}, rows={"SWOT analysis": swot})
    published = sign_off(drafter, approver, paper)
    Paper.objects.filter(pk=published.pk).update(title="Published board update")
    draft = start_board_update(drafter, programme, template, meeting)
    fill(drafter, draft, rows={"SWOT analysis": swot})
    return {"published": published, "draft": draft}


def _cabinet_update_of(sections: int, template, meeting, drafter, approver, name):
    for position in range(3, sections + 1):
        TemplateSection.objects.get_or_create(
            template=template, position=position, heading=f"Service area {position}"
        )
    response = drafter.post(
        "/papers/new/",
        {
            "template": template.pk,
            "meeting": meeting.pk,
            "title": name,
            "councillor": "Mhairi Doyle",
            "portfolio": "Children's Services",
        },
    )
    assert response.status_code == 302
    paper = Paper.objects.get(title=name)
    fill(drafter, paper, texts={s.heading: "- A point" for s in paper.sections.all()})
    return sign_off(drafter, approver, paper)


def queries_for(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    return len(queries)


def test_a_board_updates_pages_take_the_same_queries_for_a_programme_ten_times_larger(
    today, seed_programme, board_template, board_meeting, drafter, approver
):
    from tests.test_paper_queries import ten_times

    small = _board_update_of(seed_programme, board_template, board_meeting, drafter, approver)
    big = ten_times(seed_programme)
    meeting = Meeting.objects.create(committee=board_meeting.committee, date=dt.date(2025, 3, 6))
    large = _board_update_of(big, board_template, meeting, drafter, approver)
    assert len(large["draft"].sections.get(heading="Overview of progress").rows) > len(
        small["draft"].sections.get(heading="Overview of progress").rows
    ), "a row per objective: the larger programme's overview has more rows"
    for papers in (small, large):
        # session, user, permissions (two); the paper with its programme, meeting, committee
        # and author; its sections; its timeline
        assert queries_for(approver, f"/papers/{papers['published'].pk}/") == 7
        # ...and a draft's build from live data, as a committee report's (test_paper_queries)
        assert queries_for(approver, f"/papers/{papers['draft'].pk}/") == 17


def test_a_cabinet_member_updates_page_takes_the_same_queries_with_ten_times_the_sections(
    today, cabinet_template, scrutiny_meeting, drafter, approver, administrator
):
    small = _cabinet_update_of(3, cabinet_template, scrutiny_meeting, drafter, approver, "Small")
    large = _cabinet_update_of(30, cabinet_template, scrutiny_meeting, drafter, approver, "Large")
    assert large.sections.count() == 30
    # session, user, permissions (two); the paper, its sections, its timeline: nothing built
    # for a draft either, as a portfolio's paper has no appendices
    assert [queries_for(approver, f"/papers/{p.pk}/") for p in (small, large)] == [7, 7]
    # session, user, permissions (two), the papers
    assert queries_for(approver, "/papers/") == 5
    keeper = Client()
    keeper.force_login(administrator)
    # session, user, permissions (two), the templates with their numbers of sections
    assert queries_for(keeper, "/papers/templates/") == 5


def test_a_swot_typed_after_someone_elses_save_is_refused_and_nothing_is_lost(
    today, seed_programme, board_template, board_meeting, drafter, other_officer
):
    paper = start_board_update(drafter, seed_programme, board_template, board_meeting)
    swot = paper.sections.get(heading="SWOT analysis")
    mine = draft_form(drafter, paper)
    other = Client()
    other.force_login(other_officer)
    fill(other, paper, rows={"SWOT analysis": {"Strengths": "Theirs"}})
    mine[f"row_{swot.pk}_0"] = "Mine"
    response = drafter.post(f"/papers/{paper.pk}/edit/", mine)
    assert response.status_code == 409
    assert "Someone else saved this paper after you opened it" in text(response)
    assert ">Mine</textarea>" in response.content.decode()
    swot.refresh_from_db()
    assert swot.rows[0] == {"label": "Strengths", "text": "Theirs"}
    assert swot.history.first().rows[0]["text"] == "Theirs", "its history keeps the save"
