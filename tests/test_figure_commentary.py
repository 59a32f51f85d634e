"""An owner's commentary on a figure is read wherever the figure is: beside its period on the
KPI's page, behind "Why" in the report's evidence, and in the paper's key performance data on
the page, in Word, in PDF and in Excel; always as text."""

import datetime as dt
import html
import io
import re

import openpyxl
import pytest
from django.test import Client
from docx import Document
from pypdf import PdfReader

from actions.models import Paper
from actions.papers.xlsx import KPI_SHEET
from kpis.models import KPI
from kpis.rating import period_name
from tests.kpi_factories import make_kpi, make_value
from tests.paper_downloads import fetch
from tests.paper_factories import draft_paper, publish

DIVERTED = "Fewer starters because the Pathfinder's KFT panel diverted 12 cases."
EARLIER = "Two large sibling groups came into care."
REPORT = "/programmes/care-programme-2024-25/report/2024-25-q3/"


def text(markup: str) -> str:
    markup = re.sub(r'<span aria-hidden="true">.*?</span>', "", markup)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def row_of(markup: str, marker: str) -> str:
    """The table row holding ``marker``."""
    at = markup.index(marker)
    return markup[markup.rindex("<tr", 0, at) : markup.index("</tr>", at)]


@pytest.fixture
def starters(seed_programme):
    kpi = make_kpi(
        "cp-starters", name="Children starting to be looked after", unit="count", polarity="lower"
    )
    kpi.objectives.add(seed_programme.objectives.first())
    make_value(kpi, dt.date(2024, 11, 30), "31", commentary=EARLIER)
    make_value(kpi, dt.date(2024, 12, 31), "19", commentary=DIVERTED)
    return kpi


@pytest.fixture
def as_user(db):
    def login(user):
        client = Client()
        client.force_login(user)
        return client

    return login


def test_the_kpi_page_shows_each_periods_commentary_beside_its_figure(member_client, starters):
    markup = member_client.get(starters.get_absolute_url()).content.decode()
    table = markup[markup.index("app-kpi-figures") :]
    december, november = (
        row_of(table, f">{period_name(day, starters)}<")
        for day in (dt.date(2024, 12, 31), dt.date(2024, 11, 30))
    )

    assert "Commentary" in text(table.split("</thead>")[0])
    assert DIVERTED in text(december) and EARLIER not in text(december)
    assert EARLIER in text(november)


def test_commentary_is_shown_as_text_never_as_html(member_client, starters):
    value = starters.values.get(period_end=dt.date(2024, 12, 31))
    value.commentary = "<script>alert('x')</script> and <b>bold</b>"
    value.save()

    markup = member_client.get(starters.get_absolute_url()).content.decode()

    assert "<script>alert" not in markup and "<b>bold</b>" not in markup
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; and &lt;b&gt;bold&lt;/b&gt;" in markup


def test_the_reports_evidence_marks_a_measure_with_commentary_and_holds_it_behind_why(
    member_client, starters
):
    markup = member_client.get(REPORT).content.decode()
    line = row_of(markup, 'data-kpi="cp-starters"')

    summary = text(line[line.index("<summary") : line.index("</summary>")])
    assert summary.startswith("Why") and summary.endswith(", with commentary")
    why = line[line.index("<details") : line.index("</details>")]
    december = period_name(dt.date(2024, 12, 31), starters)
    assert f"Commentary on {december}: {DIVERTED}" in text(why)
    assert EARLIER not in markup  # the latest figure's words, not an older one's


def test_a_measure_without_commentary_is_not_marked(member_client, starters):
    starters.values.update(commentary="")

    line = row_of(member_client.get(REPORT).content.decode(), 'data-kpi="cp-starters"')

    assert "with commentary" not in line and "Commentary on" not in line


@pytest.fixture
def paper(seed_programme, officer, starters):
    return draft_paper(seed_programme, officer)


def test_the_papers_key_performance_data_has_the_figures_commentary(paper, officer, as_user):
    markup = as_user(officer).get(f"/papers/{paper.pk}/").content.decode()
    appendix = markup[markup.index('id="key-performance-data"') :]

    header = text(appendix[: appendix.index("</thead>")])
    assert "Commentary Source" in header
    assert DIVERTED in text(row_of(appendix, 'data-kpi="cp-starters"'))


def test_the_papers_word_file_has_the_commentary_under_the_measures_name(paper, officer, as_user):
    response = fetch(as_user(officer), f"/papers/{paper.pk}/paper.docx")
    document = Document(io.BytesIO(response.content))
    (table,) = [t for t in document.tables if t.rows[0].cells[0].text == "Measure"]

    cells = {row.cells[0].paragraphs[0].text: row.cells[0] for row in table.rows[1:]}
    lines = [p.text for p in cells["Children starting to be looked after"].paragraphs]
    assert lines == ["Children starting to be looked after", f"Commentary: {DIVERTED}"]


def test_the_papers_workbook_has_a_commentary_column(paper, officer, as_user):
    response = fetch(as_user(officer), f"/papers/{paper.pk}/appendix.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))[KPI_SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(row for row in rows if row[0] == "Measure")
    column = header.index("Commentary")

    (row,) = [row for row in rows if row[0] == "Children starting to be looked after"]
    assert row[column] == DIVERTED
    assert sheet.cell(rows.index(row) + 1, column + 1).data_type == "s"


def test_the_papers_pdf_has_the_commentary(paper, officer, as_user):
    response = fetch(as_user(officer), f"/papers/{paper.pk}/paper.pdf")
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]

    squeezed = re.sub(r"\s+", "", "".join(pages))
    assert re.sub(r"\s+", "", f"Commentary: {DIVERTED}") in squeezed


def test_a_paper_published_before_commentary_was_kept_still_renders_everywhere(
    paper, officer, head_of_service, member_client
):
    publish(paper, head_of_service)
    snapshot = Paper.objects.get(pk=paper.pk).snapshot
    for kpi in snapshot["kpis"]:
        del kpi["commentary"]
    Paper.objects.filter(pk=paper.pk).update(snapshot=snapshot)
    KPI.objects.filter(code="cp-starters").update(name="Renamed since")

    page = member_client.get(f"/papers/{paper.pk}/")
    assert page.status_code == 200
    assert "Children starting to be looked after" in page.content.decode()
    for download in ("paper.docx", "appendix.xlsx"):
        assert fetch(member_client, f"/papers/{paper.pk}/{download}").status_code == 200
