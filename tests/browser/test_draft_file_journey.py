"""An officer downloads a draft paper's PDF and Word document: each is prepared by a background
job while a page waits (its script polling the job's status and reloading once it is done),
then offered to download. The pages pass axe and, at the session's end, the Nu checker."""

import re

import pytest
from docx import Document
from playwright.sync_api import expect
from pypdf import PdfReader

from careprog import jobs
from tests.browser.conftest import assert_no_axe_violations, sign_in
from tests.paper_factories import draft_paper

pytestmark = pytest.mark.browser

PASSWORD = "a-long-test-password"


def test_an_officer_waits_for_a_drafts_pdf_then_downloads_it_and_its_word_document(
    transactional_db, live_server, page, officer, seed_programme, settings
):
    paper = draft_paper(seed_programme, officer, title="Care Programme draft")
    sign_in(page, live_server, "olive", PASSWORD)
    page.goto(f"{live_server.url}/papers/{paper.pk}/")

    # Nothing runs the job until the test says so: the page waits, and says it is waiting.
    settings.TASKS_RUN = "manual"
    page.get_by_role("link", name=re.compile("^The paper as PDF")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Preparing the PDF")
    expect(page.get_by_role("status")).to_have_text("Waiting to start.")
    assert_no_axe_violations(page)

    assert jobs.run_ready() == 1  # the worker builds it; the page's script notices and reloads
    expect(page.get_by_role("heading", level=1)).to_have_text("Your PDF is ready", timeout=10_000)
    assert_no_axe_violations(page)
    with page.expect_download() as pdf:
        page.get_by_role("link", name=re.compile("^Download the PDF")).click()
    assert pdf.value.suggested_filename.endswith("-paper-2025-03-05-draft.pdf")
    texts = [sheet.extract_text() for sheet in PdfReader(pdf.value.path()).pages]
    assert texts and all("Draft" in text for text in texts)

    # Jobs run as their request commits, as a worker would run them at once: ready on arrival.
    settings.TASKS_RUN = "on-commit"
    page.get_by_role("link", name="Back to the paper").click()
    page.get_by_role("link", name=re.compile("^The paper as Word")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your Word document is ready")
    assert_no_axe_violations(page)
    with page.expect_download() as word:
        page.get_by_role("link", name=re.compile("^Download the Word document")).click()
    assert word.value.suggested_filename.endswith("-paper-2025-03-05-draft.docx")
    assert "Care Programme draft" in "\n".join(
        paragraph.text for paragraph in Document(word.value.path()).paragraphs
    )
