# ruff: noqa: F811  (the families' fixtures, imported, are the tests' arguments)
"""A paper's risks section (issue 24): "the risks from the register" in a board update is the
programme's register as it stood on the paper's figures date: its open and escalated risks,
highest residual score first, each with its owner, score and band in words, target,
direction, status, next review and its mitigating actions' status. A draft reads it live;
publishing freezes it, so a later review changes the next paper and never the published
one's page, snapshot or digest. The page, PDF, Word and Excel files hold the same words, the
changes since the last paper name the risks that moved, and a paper on a portfolio, with no
register, cannot be drafted from a template that has such a section."""

import contextlib
import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from actions.models import Action, Meeting, Paper, Risk, SectionKind, TemplateSection
from actions.papers import content as paper_content
from tests.conftest import seed_action
from tests.paper_downloads import fetch
from tests.paper_pages import article, paper_page, text
from tests.risk_factories import make_risk, review
from tests.test_paper_families import (  # noqa: F401 (fixtures)
    approver,
    board_meeting,
    board_template,
    drafter,
    fill,
    queries_for,
    sign_off,
    start_board_update,
    today,
)

MATRIX = "Introduce a standard Risk Matrix for all cases in or at the edge of care"
SWOT = {"Strengths": "Strong.", "Weaknesses": "Weak.", "Opportunities": "O.", "Threats": "T."}


def noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


@contextlib.contextmanager
def on(day: dt.date):
    """Risks' history stamped at noon on ``day`` (django-simple-history takes its time from
    timezone.now), so the register can be built as it stood on days before the paper's.
    Reviews are given their time (review(when=...)): a field's default was bound earlier."""
    real = timezone.now
    timezone.now = lambda: noon(day)
    try:
        yield
    finally:
        timezone.now = real


@pytest.fixture
def risks_template(board_template):
    TemplateSection.objects.create(
        template=board_template,
        position=4,
        heading="Risks to outcome delivery",
        kind=SectionKind.RISKS,
        numbered=True,
    )
    return board_template


@pytest.fixture
def register(seed_programme, officer, head_of_service):
    """On 10 January 2025: R1 high (16) owned by the officer, mitigated by an action; R2
    medium (6); R3 escalated and high (20); R4 closed. Next reviews due in March."""
    with on(dt.date(2025, 1, 10)):
        foster = make_risk(
            seed_programme,
            owner=officer,
            reference="R1",
            title="Too few foster carers",
            residual=(4, 4),
            target_score=6,
            review_date=dt.date(2025, 3, 1),
        )
        foster.mitigating_actions.add(seed_action("Introduce a standard Risk Matrix"))
        make_risk(
            seed_programme,
            owner=head_of_service,
            reference="R2",
            title="Court delays",
            residual=(2, 3),
            review_date=dt.date(2025, 3, 1),
        )
        make_risk(
            seed_programme,
            owner=officer,
            reference="R3",
            title="Loss of placements out of area",
            residual=(4, 5),
            status=Risk.Status.ESCALATED,
            review_date=dt.date(2025, 3, 1),
        )
        make_risk(
            seed_programme,
            reference="R4",
            title="A closed risk",
            status=Risk.Status.CLOSED,
            review_date=dt.date(2025, 3, 1),
        )
    return foster


def board_update_with_risks(drafter, programme, template, meeting, *, figures_as_at=None):
    paper = start_board_update(drafter, programme, template, meeting)
    if figures_as_at:
        Paper.objects.filter(pk=paper.pk).update(figures_as_at=figures_as_at)
    fill(drafter, paper, rows={"SWOT analysis": SWOT})
    return Paper.objects.get(pk=paper.pk)


def risk_rows(html: str) -> list[list[str]]:
    table = re.search(r'<table class="govuk-table app-paper__risks">(.*?)</table>', html, re.S)
    assert table, "the risks are a table"
    body = re.search(r"<tbody[^>]*>(.*?)</tbody>", table[1], re.S)[1]
    return [
        [text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_a_drafts_risks_section_lists_the_open_and_escalated_risks_highest_score_first(
    today, seed_programme, risks_template, board_meeting, drafter, register
):
    paper = board_update_with_risks(drafter, seed_programme, risks_template, board_meeting)
    rows = risk_rows(article(drafter.get(f"/papers/{paper.pk}/")))
    assert [row[0] for row in rows] == [
        "R3: Loss of placements out of area",
        "R1: Too few foster carers",
        "R2: Court delays",
    ], "the closed risk is left out; highest residual score first"
    assert rows[1] == [
        "R1: Too few foster carers",
        "Olive Lead",
        "16 High (likelihood 4 × impact 4)",
        "6",
        "Not yet reviewed",
        "Open",
        "1 March 2025",
        f"{MATRIX}: No status given",
    ]
    assert rows[0][5] == "Escalated"
    assert "as the register stood on 31 January 2025" in text(drafter.get(f"/papers/{paper.pk}/"))


def test_the_risks_section_is_the_register_as_at_the_papers_figures_date(
    today, seed_programme, risks_template, board_meeting, drafter, register, officer
):
    with on(dt.date(2025, 2, 5)):
        review(
            register,
            by=officer,
            residual=(2, 4),
            next_review=dt.date(2025, 5, 1),
            when=noon(dt.date(2025, 2, 5)),
        )
    with on(dt.date(2025, 2, 6)):
        make_risk(seed_programme, reference="R5", title="A risk found in February")
    before = board_update_with_risks(drafter, seed_programme, risks_template, board_meeting)
    after = board_update_with_risks(
        drafter,
        seed_programme,
        risks_template,
        board_meeting,
        figures_as_at=dt.date(2025, 2, 10),
    )
    as_at_january = {row[0]: row for row in risk_rows(paper_page(drafter, before))}
    as_at_february = {row[0]: row for row in risk_rows(paper_page(drafter, after))}
    assert as_at_january["R1: Too few foster carers"][2] == "16 High (likelihood 4 × impact 4)"
    assert "R5: A risk found in February" not in as_at_january
    assert as_at_february["R1: Too few foster carers"][2:5] == [
        "8 Medium (likelihood 2 × impact 4)",
        "6",
        "↓ Improving",
    ]
    assert as_at_february["R1: Too few foster carers"][6] == "1 May 2025"
    assert "R5: A risk found in February" in as_at_february


def test_a_review_after_publication_changes_the_next_draft_but_never_the_published_paper(
    today, seed_programme, risks_template, board_meeting, drafter, approver, register, officer
):
    published = sign_off(
        drafter,
        approver,
        board_update_with_risks(drafter, seed_programme, risks_template, board_meeting),
    )
    page_before = article(approver.get(published.get_absolute_url()))
    files_before = {
        name: fetch(approver, f"/papers/{published.pk}/{name}").content
        for name in ("paper.docx", "appendix.xlsx")
    }
    day = dt.date(2025, 1, 31)  # the very day the paper's figures are taken at
    with on(day):
        review(
            register, by=officer, residual=(1, 4), next_review=dt.date(2025, 6, 1), when=noon(day)
        )
        register.title = "Renamed since"
        register.save()

    paper = Paper.objects.get(pk=published.pk)
    assert article(approver.get(published.get_absolute_url())) == page_before
    assert paper.snapshot == published.snapshot
    assert paper_content.sha256(paper.snapshot) == paper.snapshot_sha256
    for name, before in files_before.items():
        assert fetch(approver, f"/papers/{published.pk}/{name}").content == before, name
    frozen = {row[0]: row for row in risk_rows(page_before)}
    assert frozen["R1: Too few foster carers"][2].startswith("16 High")

    following = board_update_with_risks(drafter, seed_programme, risks_template, board_meeting)
    now = {row[0]: row for row in risk_rows(article(drafter.get(following.get_absolute_url())))}
    assert now["R1: Renamed since"][2] == "4 Low (likelihood 1 × impact 4)"


def test_the_changes_since_the_last_paper_name_the_risks_whose_score_or_status_moved(
    today, seed_programme, risks_template, board_meeting, drafter, approver, register, officer
):
    sign_off(
        drafter,
        approver,
        board_update_with_risks(drafter, seed_programme, risks_template, board_meeting),
    )
    day = dt.date(2025, 2, 5)
    with on(day):
        review(register, by=officer, residual=(2, 4), when=noon(day))
        r2 = Risk.objects.get(reference="R2")
        review(r2, by=officer, residual=(2, 3), status=Risk.Status.CLOSED, when=noon(day))
    following = board_update_with_risks(
        drafter,
        seed_programme,
        risks_template,
        board_meeting,
        figures_as_at=dt.date(2025, 2, 10),
    )
    moves = paper_content.build(following)["changes"]["risk_moves"]
    assert [(m["reference"], m["before"], m["after"]) for m in moves] == [
        ("R1", "16 High, open", "8 Medium, open"),
        ("R2", "6 Medium, open", "Closed or no longer on the register"),
    ]
    page = text(drafter.get(f"/papers/{following.pk}/changes/"))
    assert "2 risks' scores or statuses moved" in page
    assert "Risk Before After R1: Too few foster carers 16 High, open 8 Medium, open" in page


def test_a_programme_with_no_open_risk_says_so_in_its_risks_section(
    today, seed_programme, risks_template, board_meeting, drafter
):
    paper = board_update_with_risks(drafter, seed_programme, risks_template, board_meeting)
    page = text(paper_page(drafter, paper))
    assert "Risks to outcome delivery" in page
    assert "The register had no open or escalated risk on 31 January 2025." in page


def test_a_papers_word_pdf_and_excel_files_hold_its_risks(
    today, seed_programme, risks_template, board_meeting, drafter, approver, register
):
    paper = sign_off(
        drafter,
        approver,
        board_update_with_risks(drafter, seed_programme, risks_template, board_meeting),
    )
    document = Document(io.BytesIO(fetch(approver, f"/papers/{paper.pk}/paper.docx").content))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Risk")
    assert [c.text for c in table.rows[0].cells][2] == "Residual score"
    assert [row.cells[0].text for row in table.rows[1:]] == [
        "R3: Loss of placements out of area",
        "R1: Too few foster carers",
        "R2: Court delays",
    ]
    assert table.rows[2].cells[2].text == "16 High (likelihood 4 × impact 4)"
    assert f"{MATRIX}: No status given" in table.rows[2].cells[7].text

    pdf = PdfReader(io.BytesIO(fetch(approver, f"/papers/{paper.pk}/paper.pdf").content))
    squeezed = "".join("".join(page.extract_text() for page in pdf.pages).split())
    for words in ("R1: Too few foster carers", "Loss of placements out of area", "Olive Lead"):
        assert "".join(words.split()) in squeezed, words

    workbook = load_workbook(
        io.BytesIO(fetch(approver, f"/papers/{paper.pk}/appendix.xlsx").content)
    )
    cells = [
        tuple(cell or "" for cell in row)
        for row in workbook["Covering report"].iter_rows(values_only=True)
    ]
    foster = next(row for row in cells if row[0] == "R1: Too few foster carers")
    assert "Residual score: 16 High (likelihood 4 × impact 4)" in foster[1]
    assert "Owner: Olive Lead" in foster[1]


def test_a_portfolio_paper_cannot_be_drafted_from_a_template_with_a_risks_section(
    today, risks_template, drafter
):
    from actions.models import Committee

    meeting = Meeting.objects.create(
        committee=Committee.objects.create(name="A board", kind=Committee.Kind.BOARD),
        date=dt.date(2025, 3, 5),
    )
    response = drafter.post(
        "/papers/new/",
        {
            "template": risks_template.pk,
            "meeting": meeting.pk,
            "title": "Update report to the Board",
            "group_name": "Staying Safe Strategy Group",
        },
    )
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()
    assert "a paper on a portfolio has no register to show" in text(response)
    assert not Paper.objects.exists()


def _register_of(programme, size: int, owner, action: Action):
    with on(dt.date(2025, 1, 10)):
        for n in range(1, size + 1):
            risk = make_risk(programme, owner=owner, reference=f"Q{n}", residual=(3, 4))
            risk.mitigating_actions.add(action)
    day = dt.date(2025, 1, 20)
    with on(day):
        for risk in Risk.objects.filter(programme=programme):
            review(risk, by=owner, residual=(2, 4), when=noon(day))
            review(risk, by=owner, residual=(2, 2), when=noon(day) + dt.timedelta(hours=1))


@pytest.mark.parametrize("size", [3, 30])
def test_a_paper_with_a_risks_section_takes_the_same_queries_with_ten_times_the_risks(
    size, today, seed_programme, risks_template, board_meeting, drafter, approver, officer
):
    _register_of(seed_programme, size, officer, seed_action("Introduce a standard Risk Matrix"))
    draft = board_update_with_risks(drafter, seed_programme, risks_template, board_meeting)
    assert len(risk_rows(article(drafter.get(draft.get_absolute_url())))) == size
    # As a board update's draft (17: test_paper_families), and five for the register as at
    # its date: the bands, the risks' history, the reviews, the owners, the mitigations.
    assert queries_for(approver, draft.get_absolute_url()) == 22
    published = sign_off(drafter, approver, draft)
    # The record is read from its snapshot: no register read at all.
    assert queries_for(approver, published.get_absolute_url()) == 7
