"""A committee paper as PDF (actions/papers/pdf.py), read back with pypdf as a reader would.

The seed paper's actions and updates are checked against the independent parser of the
published Appendix C (tests/test_seed_fixture.py), its measures against the figures the paper
quotes (tests/test_seed_paper.py). Text is compared with its whitespace removed: the PDF breaks
lines wherever a cell's width ends, and pypdf reads each line break as a newline.
"""

import datetime as dt
import io
import logging
import re
import shutil
import socket
import subprocess
import time

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from actions.models import Paper, Status, Update
from actions.papers import pdf
from careprog.periods import ReportingPeriod
from kpis.models import KPI
from tests.conftest import RISK_MATRIX, seed_action
from tests.factories import make_update
from tests.paper_downloads import fetch
from tests.paper_factories import draft_paper, make_meeting
from tests.test_seed_fixture import SOURCE as APPENDIX_C
from tests.test_seed_fixture import flatten, parse_appendix_c
from tests.test_seed_paper import PAPER_QUOTES, _load_everything_known_later

COMMITTEE = "Children, Young People and Education Committee"
MEETING = "Wednesday 5 March 2025"
# The names the paper's own text gives its appendices (its APPENDICES list).
KPI_APPENDIX = "Appendix 2 Key Performance Data"
PROGRESS_APPENDIX = "Appendix 3 Progress to date, 2024-25 Q3"
CHANGES_APPENDIX = "Appendix 4 Changes since the last paper"


@pytest.fixture
def seed_paper(seed_programme):
    call_command("loaddata", "care_programme_paper_2025_03", verbosity=0)
    return Paper.objects.get(programme=seed_programme, state=Paper.State.PUBLISHED)


def download(client, paper):
    response = fetch(client, f"/papers/{paper.pk}/paper.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response.content


def pages(document: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(document)).pages]


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


class InOrder:
    """Finds each text after the last one found, across the whole document."""

    def __init__(self, text):
        self.text, self.at = squeezed(text), 0

    def find(self, wanted, why):
        found = self.text.find(squeezed(wanted), self.at)
        assert found >= 0, f"{why}: {wanted!r} not found after position {self.at}"
        self.at = found + len(squeezed(wanted))
        return found


@pytest.fixture
def seed_pdf(seed_paper, member_client):
    return download(member_client, seed_paper)


def test_the_published_pdf_holds_all_43_actions_and_their_updates_in_order_under_their_objectives(
    seed_pdf, seed_paper
):
    text = "\n".join(pages(seed_pdf))
    progress = text[text.index(PROGRESS_APPENDIX) :]
    expected = flatten(parse_appendix_c(APPENDIX_C.read_text(encoding="utf-8")))
    statuses = [row["status_label"] for t in seed_paper.snapshot["progress"] for row in t["rows"]]
    assert len(expected) == len(statuses) == 43

    reader = InOrder(progress)
    seen = (None, None, None, None)
    for row, status in zip(expected, statuses, strict=True):
        title, statement, requirement, mechanism, action, update = row
        if title != seen[0]:
            reader.find(title, "objective")
            reader.find(statement, "objective statement")
        # A requirement or mechanism is printed once, in the first row of its merged cell.
        if requirement and (title, requirement) != seen[:2]:
            reader.find(requirement, "requirement")
        if mechanism and (title, requirement, mechanism) != seen[:3]:
            reader.find(mechanism, "mechanism")
        if action:
            reader.find(action, "action")
        if status:  # only where one was given: 11 complete
            reader.find(status, f"status of {action!r}")
        if update:  # a blank cell where the seed's is blank
            reader.find(update, f"update of {action!r}")
        seen = (title, requirement, mechanism, action)
    assert "Not assessed" not in progress and "No update provided" not in progress
    assert "Action with no title" not in progress


def test_the_published_pdf_holds_every_measure_with_its_figure(seed_pdf):
    text = "\n".join(pages(seed_pdf))
    appendix = text[text.index(KPI_APPENDIX) : text.index(PROGRESS_APPENDIX)]
    reader = InOrder(appendix)
    for code, (figure, date) in PAPER_QUOTES.items():
        reader.find(KPI.objects.get(code=code).name, code)
        reader.find(figure, code)
        reader.find(date, code)


def test_the_pdf_is_titled_authored_dated_by_its_publication_and_in_british_english(
    seed_pdf, seed_paper
):
    reader = PdfReader(io.BytesIO(seed_pdf))
    assert reader.metadata.title == "CARE PROGRAMME: 2024-25 Q3"
    assert reader.metadata.author == "DIRECTOR FOR CHILDREN, FAMILIES AND EDUCATION"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert reader.metadata.creation_date == seed_paper.published_at


def test_every_page_is_numbered_page_x_of_y_under_the_committee_and_meeting(seed_pdf):
    texts = pages(seed_pdf)
    assert len(texts) > 5
    for number, text in enumerate(texts, 1):
        assert f"Page {number} of {len(texts)}" in text, number
        assert f"{COMMITTEE}, {MEETING}" in text, number


# The report's title, then each appendix: what each page names in its header.
# The seed is the programme's first paper, so it has no changes appendix, as its own list says.
PARTS = ["CARE PROGRAMME", KPI_APPENDIX, PROGRESS_APPENDIX]
PORTRAIT = {"CARE PROGRAMME"}


def test_each_page_names_its_part_and_the_wide_appendices_print_in_landscape(seed_pdf):
    parts = []
    for page in PdfReader(io.BytesIO(seed_pdf)).pages:
        # The running header, which pypdf reads last: the covering report's own APPENDICES
        # list names the appendices too, in its text.
        text = page.extract_text()
        header = text[text.rindex(f"{COMMITTEE}, {MEETING}") :]
        part = next(p for p in reversed(PARTS) if p in header)
        parts.append((part, page.mediabox.width > page.mediabox.height))
    names = [part for part, _ in parts]
    assert names == sorted(names, key=PARTS.index)  # each part from its first page to its last
    assert set(names) == set(PARTS)
    assert {landscape for part, landscape in parts if part in PORTRAIT} == {False}
    assert {landscape for part, landscape in parts if part not in PORTRAIT} == {True}
    assert names.count(PROGRESS_APPENDIX) >= 4


def test_the_progress_tables_repeat_their_header_row_on_every_page(seed_pdf):
    progress_pages = [text for text in pages(seed_pdf) if PROGRESS_APPENDIX in text]
    for text in progress_pages:
        for heading in [
            "Objective what we want to achieve",
            "Requirements what we need",
            "Mechanisms how we will make that happen",
            "Action What we need to do",
            "Updates 2024-25 Q3",
        ]:
            assert squeezed(heading) in squeezed(text)


def test_a_draft_says_draft_on_every_page_and_the_published_paper_on_none(
    seed_pdf, seed_programme, officer, client
):
    assert not any("Draft" in text for text in pages(seed_pdf))

    draft = draft_paper(seed_programme, officer, title="Care Programme draft")
    client.force_login(officer)
    response = fetch(client, f"/papers/{draft.pk}/paper.pdf")
    assert "-draft.pdf" in response["Content-Disposition"]
    texts = pages(response.content)
    assert all("Draft" in text for text in texts)
    assert all(f"Page {n} of {len(texts)}" in text for n, text in enumerate(texts, 1))


def test_the_published_pdf_is_the_same_file_after_later_edits_imports_and_renames(
    seed_pdf, seed_paper, seed_programme, member_client, officer, client
):
    _load_everything_known_later(seed_programme)  # an edited Q3 update, DfE's figures, new values
    Update.objects.filter(action=seed_action(RISK_MATRIX)).update(text="Edited after committee")
    KPI.objects.filter(code="cp-children-in-care").update(name="Renamed after the committee")

    assert download(member_client, seed_paper) == seed_pdf

    # A draft on the same quarter shows the later data: the edits were there to be picked up.
    draft = draft_paper(seed_programme, officer, title="Later draft")
    client.force_login(officer)
    live = squeezed("".join(pages(download(client, draft))))
    assert squeezed("Edited after committee") in live
    assert squeezed("Renamed after the committee") in live


def test_a_committee_member_gets_404_for_a_drafts_pdf_and_the_published_paper_as_a_download(
    seed_paper, seed_programme, officer, member_client
):
    draft = draft_paper(seed_programme, officer)
    assert fetch(member_client, f"/papers/{draft.pk}/paper.pdf").status_code == 404

    response = fetch(member_client, f"/papers/{seed_paper.pk}/paper.pdf")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="care-programme-2024-25-2024-25-q3-paper-2025-03-05.pdf"'
    )
    assert response.content.startswith(b"%PDF-")
    page = member_client.get(f"/papers/{seed_paper.pk}/").content.decode()
    assert f'href="/papers/{seed_paper.pk}/paper.pdf" download>The paper as PDF' in page


HOSTILE = "<img src=x onerror=alert(1)> and url(http://example.org) and <link href=//example.org>"


def test_user_text_is_printed_literally_and_nothing_is_fetched(
    seed_programme, officer, client, monkeypatch
):
    paper = draft_paper(seed_programme, officer, sections={"Report summary": HOSTILE})
    attempts = []

    def no_network(sock, address):
        attempts.append(address)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    fetched = []
    refuse = pdf.refuse_every_url

    def spying_refusal():
        fetcher = refuse()
        fetch = fetcher.fetch
        fetcher.fetch = lambda url, headers=None: fetched.append(url) or fetch(url, headers)
        return fetcher

    monkeypatch.setattr(pdf, "refuse_every_url", spying_refusal)
    client.force_login(officer)
    text = "\n".join(pages(download(client, paper)))

    assert squeezed(HOSTILE) in squeezed(text)
    assert fetched == [] and attempts == []


def test_the_pdf_fetcher_refuses_every_url_it_is_asked_for(monkeypatch, caplog):
    from weasyprint import HTML

    def no_network(sock, address):
        raise AssertionError(f"connected to {address}")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    html = (
        '<img src="http://127.0.0.1:9/x.png"><img src="file:///etc/passwd">'
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css"><p>Still printed</p>'
    )
    with caplog.at_level(logging.WARNING, logger="actions.papers.pdf"):
        document = HTML(string=html, base_url=None, url_fetcher=pdf.refuse_every_url()).write_pdf()
    assert "Still printed" in pages(document)[0]
    refused = [r.getMessage() for r in caplog.records if r.name == "actions.papers.pdf"]
    assert len(refused) == 3 and all("refused" in message for message in refused)


def test_the_seed_paper_renders_in_a_few_seconds_without_a_warning(seed_paper, caplog):
    """Measured: about 1.5 s of CPU here; the bound leaves room for a busy CI machine. A warning
    from WeasyPrint would mean CSS it ignored or a resource it was refused."""
    started = time.process_time()
    with caplog.at_level(logging.WARNING):
        pdf.render(seed_paper.snapshot, draft=False, published_at=seed_paper.published_at)
    assert time.process_time() - started < 10
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_a_later_papers_pdf_ends_with_the_changes_counted_first(
    seed_paper, seed_programme, officer, client
):
    """After the seed's Q3 paper, a Q4 draft in which one action has a new update: its last
    appendix counts the changes, then lists that one action, never "(none)"."""
    q4 = ReportingPeriod(2024, 4)
    make_update(seed_action(RISK_MATRIX), q4, Status.ON_TRACK, text="Matrix in use by all teams")
    draft = draft_paper(
        seed_programme,
        officer,
        period=q4,
        meeting=make_meeting(dt.date(2025, 6, 4)),
        figures_as_at=q4.end,
    )
    client.force_login(officer)
    text = "\n".join(pages(fetch(client, f"/papers/{draft.pk}/paper.pdf").content))
    changes = text[text.index(CHANGES_APPENDIX) :]
    assert text.index("Appendix 3 Progress to date, 2024-25 Q4") < text.index(CHANGES_APPENDIX)
    reader = InOrder(changes)
    reader.find("1 action has a new update", "the count")
    reader.find("New updates (1)", "the details' heading")
    reader.find("Matrix in use by all teams", "the new update")
    assert "(none)" not in changes
    assert "Review the Accommodation Gateway process" not in changes


def _pdfinfo(document: bytes, tmp_path) -> dict[str, str]:
    """What poppler's pdfinfo says of the file, as a screen-reader user's tools would see it."""
    path = tmp_path / "paper.pdf"
    path.write_bytes(document)
    command = shutil.which("pdfinfo")
    assert command, "pdfinfo is needed: apt-get install poppler-utils (make test installs it)"
    said = subprocess.run([command, str(path)], check=True, capture_output=True, text=True)
    return dict(
        (key.strip(), value.strip())
        for key, _, value in (line.partition(":") for line in said.stdout.splitlines())
    )


def _structure(document: bytes) -> list[str]:
    """The tag tree's element types in reading order (pypdf), e.g. ['Document', 'H1', ...]."""
    root = PdfReader(io.BytesIO(document)).trailer["/Root"]
    found = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, dict):
            if "/S" in node:
                found.append(str(node["/S"])[1:])
            kids = node.get("/K")
            if kids is not None:
                for kid in kids if isinstance(kids, list) else [kids]:
                    walk(kid)
        elif isinstance(node, list):
            for kid in node:
                walk(kid)

    walk(root["/StructTreeRoot"])
    return found


def test_the_published_pdf_is_tagged_with_its_language_title_headings_and_table_headers(
    seed_pdf, tmp_path
):
    """The accessibility regulations: a council publishes tagged PDFs. pdfinfo says so; the
    tags hold the paper's title as its one H1, its sections and appendices as H2, each
    objective's table under an H3, and header cells (TH) in every table."""
    info = _pdfinfo(seed_pdf, tmp_path)
    assert info["Tagged"] == "yes"
    assert info["Title"] == "CARE PROGRAMME: 2024-25 Q3"
    reader = PdfReader(io.BytesIO(seed_pdf))
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert reader.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"]
    assert b"pdfuaid:part" in reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    tags = _structure(seed_pdf)
    assert tags.count("H1") == 1 and tags.index("H1") < tags.index("H2")
    assert tags.count("H3") == 4  # the four objectives of Appendix C
    # The key performance data and one per objective, each tagged again on every page it
    # runs onto, with its header row repeated.
    assert tags.count("Table") >= 5
    assert tags.count("TH") >= 5 * tags.count("Table")


def test_a_drafts_pdf_is_tagged_too(seed_programme, officer, client, tmp_path):
    client.force_login(officer)
    draft = draft_paper(seed_programme, officer)
    assert _pdfinfo(download(client, draft), tmp_path)["Tagged"] == "yes"
