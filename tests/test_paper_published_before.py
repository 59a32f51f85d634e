"""A paper published before papers named their appendices reads as it was published, in every
form: Appendix A, B and C in that order, a first paper's changes appendix saying it has nothing
to compare, and "No update provided" where an action had no update. What later papers print
differently (the template's names, changes last and only when there are any, an empty cell) is
a later rule; the record never changes."""

import io
import re

import pytest
from django.core.management import call_command
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from actions.models import Paper
from actions.papers import content as paper_content
from actions.papers.appendices import PUBLISHED_BEFORE_NAMES
from tests.paper_downloads import fetch
from tests.paper_pages import paper_page, text

IN_ORDER = [
    PUBLISHED_BEFORE_NAMES["kpis"],
    PUBLISHED_BEFORE_NAMES["changes"],
    PUBLISHED_BEFORE_NAMES["progress"],
]
FIRST_PAPER = "This is the programme's first published paper"


@pytest.fixture
def published_before(seed_programme):
    """The seed's published paper, its snapshot as one published before appendices had names
    of their own (which it is in every other way), with its digest."""
    call_command("loaddata", "care_programme_paper_2025_03", verbosity=0)
    paper = Paper.objects.get(programme=seed_programme, state=Paper.State.PUBLISHED)
    snapshot = {key: value for key, value in paper.snapshot.items() if key != "appendices"}
    Paper.objects.filter(pk=paper.pk).update(
        snapshot=snapshot, snapshot_sha256=paper_content.sha256(snapshot)
    )
    return Paper.objects.get(pk=paper.pk)


def download(client, paper, name) -> bytes:
    response = fetch(client, f"/papers/{paper.pk}/{name}")
    assert response.status_code == 200
    return response.content


def assert_in_order(whole: str, parts: list[str]):
    squeezed = re.sub(r"\s+", "", whole)
    at = [squeezed.find(re.sub(r"\s+", "", part)) for part in parts]
    assert -1 not in at and at == sorted(at), list(zip(parts, at, strict=True))


def test_its_page_prints_appendices_a_b_and_c_in_order_as_published(
    published_before, member_client
):
    page = text(paper_page(member_client, published_before))
    assert_in_order(page, IN_ORDER)
    assert FIRST_PAPER in page
    assert "No update provided" in page


def test_its_word_file_prints_them_so_too(published_before, member_client):
    document = Document(io.BytesIO(download(member_client, published_before, "paper.docx")))
    body = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert_in_order(body, IN_ORDER)
    assert FIRST_PAPER in body
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert any("No update provided" in cell for cell in cells)


def test_its_pdf_prints_them_so_too(published_before, member_client):
    document = PdfReader(io.BytesIO(download(member_client, published_before, "paper.pdf")))
    whole = "\n".join(page.extract_text() for page in document.pages)
    assert_in_order(whole, IN_ORDER)
    assert re.sub(r"\s+", "", FIRST_PAPER) in re.sub(r"\s+", "", whole)
    assert "Noupdateprovided" in re.sub(r"\s+", "", whole)


def test_its_spreadsheet_says_no_update_provided_where_there_was_none(
    published_before, member_client
):
    workbook = load_workbook(io.BytesIO(download(member_client, published_before, "appendix.xlsx")))
    values = [str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert any("No update provided" in value for value in values)
    assert any(PUBLISHED_BEFORE_NAMES["progress"] in value for value in values)
