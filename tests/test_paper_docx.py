"""The committee paper as Word: what committee services open is the paper, laid out as the
council lays out its reports, in styles they can change, and for a published paper the same
file whatever happens to the live data afterwards.

The seed paper (5 March 2025) is checked against the independent parsers of its source
extracts (tests/test_seed_paper.py, tests/test_seed_fixture.py), not against careprog's own
content builder, and LibreOffice Writer opens and prints every file.
"""

import datetime as dt
import io
import re
import zipfile

import pytest
from django.core.management import call_command
from django.test import Client
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from actions.models import UNTITLED_ACTION, Paper
from actions.papers import content as paper_content
from actions.papers import word
from actions.papers.queries import paper_for_page
from kpis.importing.apply import apply_return, store_upload
from kpis.models import KPI
from tests.conftest import RISK_MATRIX, seed_action
from tests.import_files import long_return
from tests.kpi_factories import approve_imports
from tests.libreoffice import pdf_text, to_pdf
from tests.paper_downloads import fetch
from tests.paper_factories import Q3, draft_paper, publish
from tests.test_action_updates import open_form, post_update
from tests.test_seed_fixture import SOURCE as APPENDIX_C
from tests.test_seed_fixture import flatten, parse_appendix_c
from tests.test_seed_paper import PAPER_QUOTES, parse_seed
from tests.test_seed_paper import SOURCE as REPORT

COMMITTEE = "Children, Young People and Education Committee"
MEETING = "Wednesday 5 March 2025"
# The seed's appendices as its own text names them; being the programme's first paper, it has
# no changes appendix. A later paper's comes last.
KPI_APPENDIX = "Appendix 2 Key Performance Data"
PROGRESS_APPENDIX = "Appendix 3 Progress to date"
CHANGES_APPENDIX = "Appendix 4 Changes since the last paper"
SECTION_NAMES = [word.COVERING_REPORT, KPI_APPENDIX, PROGRESS_APPENDIX]
PROGRESS_HEADINGS = [
    ("Objective", "what we want to achieve"),
    ("Requirements", "what we need"),
    ("Mechanisms", "how we will make that happen"),
    ("Action", "What we need to do"),
    ("Updates", "2024-25 Q3"),
]


@pytest.fixture
def seed_paper(seed_programme):
    call_command("loaddata", "care_programme_paper_2025_03", verbosity=0)
    return Paper.objects.get(programme=seed_programme, meeting__date=dt.date(2025, 3, 5))


@pytest.fixture
def member(client, committee_member):
    client.force_login(committee_member)
    return client


def download(client, paper) -> bytes:
    response = fetch(client, f"/papers/{paper.pk}/paper.docx")
    assert response.status_code == 200
    assert response["Content-Type"] == word.MIME
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return response.content


@pytest.fixture
def seed_docx(seed_paper, member):
    return download(member, seed_paper)


def open_docx(data: bytes):
    return Document(io.BytesIO(data))


def body_in_order(document):
    """(section index, Paragraph or Table) for the body, in reading order: a section ends at
    the (empty) paragraph that carries its w:sectPr, which is left out."""
    section = 0
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:p"):
            if element.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
                assert Paragraph(element, document).text == ""
                section += 1
            else:
                yield section, Paragraph(element, document)
        elif element.tag == qn("w:tbl"):
            yield section, Table(element, document)


def progress_tables(document):
    """[(objective heading, table)] of Appendix C."""
    found, heading = [], None
    for _, block in body_in_order(document):
        if isinstance(block, Paragraph) and block.style.name == "Objective Heading":
            heading = block.text
        elif isinstance(block, Table) and block.rows[0].cells[0].text.startswith("Objective"):
            found.append((heading, block))
    return found


def cell_lines(cell) -> list[str]:
    return [paragraph.text for paragraph in cell.paragraphs]


def v_merge(tc) -> str | None:
    """The cell's vertical merge: "restart", "continue" or None (not merged)."""
    merge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
    if merge is None:
        return None
    return merge.get(qn("w:val")) or "continue"  # an absent w:val means continue


def header_text(section) -> str:
    return "\n".join(paragraph.text for paragraph in section.header.paragraphs)


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist()}


# --- The covering report -----------------------------------------------------------------


def covering_report(document):
    """The title block's paragraphs and the sections as test_seed_paper.parse_seed gives them."""
    title_block, sections = [], []
    for section, block in body_in_order(document):
        if section > 0:
            break
        style = block.style.name
        if style == "Heading 1":
            sections.append((block.text.replace("\t", " "), []))
        elif not sections:
            title_block.append(block.text)
        elif style.startswith("List Bullet"):
            blocks = sections[-1][1]
            if not blocks or blocks[-1][0] != "list":
                blocks.append(("list", []))
            blocks[-1][1].append((2 if style == "List Bullet 2" else 1, block.text))
        else:
            number, _, text = block.text.partition("\t")
            if style != "Numbered Paragraph":
                number, text = None, block.text
            sections[-1][1].append(("paragraph", number, text.split("\n")))
    return title_block, sections


def test_the_covering_report_holds_every_heading_number_paragraph_and_point_of_the_seed(
    seed_docx,
):
    seed = parse_seed(REPORT.read_text(encoding="utf-8"))
    title_block, sections = covering_report(open_docx(seed_docx))
    assert sections == seed["sections"]
    assert title_block == [
        COMMITTEE,
        MEETING,
        "CARE PROGRAMME",
        "Report of: DIRECTOR FOR CHILDREN, FAMILIES AND EDUCATION",
        "Quarter reported: 2024-25 Q3 (October to December 2024)",
        "Figures as at: 1 February 2025",
    ]


def test_the_report_is_written_in_named_styles_committee_services_can_change(seed_docx):
    document = open_docx(seed_docx)
    used = {p.style.name for _, p in body_in_order(document) if isinstance(p, Paragraph)}
    assert {"Paper Committee", "Paper Title", "Heading 1", "Numbered Paragraph"} <= used
    assert {"List Bullet", "List Bullet 2", "Appendix Heading", "Objective Heading"} <= used
    for _, table in progress_tables(document):
        assert table.style.name == "Paper Table"
        cells = {p.style.name for row in table.rows for c in row.cells for p in c.paragraphs}
        assert {"Table Heading", "Table Subheading", "Table Text"} <= cells
        assert {name for name in cells if name.startswith("Status ")} <= {
            word.status_style(status) for status in word.STATUS_COLOURS
        }
        assert document.styles[word.status_style("complete")].base_style.name == "Status"
    # No direct formatting: a run names at most its character style, a paragraph its style.
    xml = document.element.body
    for run_properties in xml.iter(qn("w:rPr")):
        assert [child.tag for child in run_properties] == [qn("w:rStyle")]
    for paragraph_properties in xml.iter(qn("w:pPr")):
        assert {child.tag for child in paragraph_properties} <= {qn("w:pStyle"), qn("w:sectPr")}
    defined = {style.style_id for style in document.styles}
    for reference in xml.iter(qn("w:pStyle"), qn("w:rStyle"), qn("w:tblStyle")):
        assert reference.get(qn("w:val")) in defined


# --- Appendix C: the report on progress ---------------------------------------------------


def outline_level(style) -> int | None:
    """The outline level a paragraph of ``style`` has, read as Word does: from the style, or
    else the style it is based on."""
    while style is not None:
        properties = style.element.pPr
        level = None if properties is None else properties.find(qn("w:outlineLvl"))
        if level is not None:
            return int(level.get(qn("w:val")))
        style = style.base_style
    return None


def built_in_heading(style) -> str | None:
    """The built-in "Heading n" the style is, or is based on."""
    while style is not None:
        if re.fullmatch(r"Heading [1-9]", style.name):
            return style.name
        style = style.base_style
    return None


def test_every_heading_is_a_heading_style_with_an_outline_level_for_navigation(seed_docx):
    """Word's navigation pane and accessibility checker find headings by outline level: the
    title, each section, each appendix and each objective is one, and nothing else is."""
    document = open_docx(seed_docx)
    headings = [
        (paragraph.text.replace("\t", " "), outline_level(paragraph.style))
        for _, paragraph in body_in_order(document)
        if isinstance(paragraph, Paragraph) and outline_level(paragraph.style) is not None
    ]
    seed = parse_seed(REPORT.read_text(encoding="utf-8"))
    appendix_c = parse_appendix_c(APPENDIX_C.read_text(encoding="utf-8"))
    assert headings == [
        ("CARE PROGRAMME", 0),
        *((heading, 0) for heading, _ in seed["sections"]),
        (KPI_APPENDIX, 0),
        (f"{PROGRESS_APPENDIX}, 2024-25 Q3", 0),
        *((title, 1) for title, _, _ in appendix_c),
    ]
    for _, paragraph in body_in_order(document):
        if isinstance(paragraph, Paragraph) and outline_level(paragraph.style) is not None:
            assert built_in_heading(paragraph.style), paragraph.style.name


def test_all_43_actions_and_updates_are_in_order_under_their_objective_requirement_mechanism(
    seed_docx, seed_paper
):
    appendix_c = parse_appendix_c(APPENDIX_C.read_text(encoding="utf-8"))
    tables = progress_tables(open_docx(seed_docx))
    assert [heading for heading, _ in tables] == [title for title, _, _ in appendix_c]
    shown = []
    for heading, table in tables:
        header = table.rows[0].cells
        assert [tuple(cell_lines(cell)) for cell in header] == PROGRESS_HEADINGS
        for row in table.rows[1:]:  # a merged cell reads as its text on every row it spans
            cells = row.cells
            shown.append((heading, *(cells[i].text for i in range(4)), cell_lines(cells[4])))
    expected = flatten(appendix_c)
    snapshot_rows = [row for table in seed_paper.snapshot["progress"] for row in table["rows"]]
    assert len(shown) == len(expected) == len(snapshot_rows) == 43
    for row, source, snapshot_row in zip(shown, expected, snapshot_rows, strict=True):
        title, statement, requirement, mechanism, action, update = source
        assert row[:5] == (
            title,
            statement,
            requirement,
            mechanism,
            action or UNTITLED_ACTION,
        )
        lines = row[5]
        if snapshot_row["status_label"]:  # the status, as text, before the update: 11 given
            assert lines[0] == snapshot_row["status_label"] == "Complete"
            lines = lines[1:]
        # The update as printed, and a blank cell where the seed's is blank: no "No update
        # provided" and no "Not assessed", which the committee never saw.
        assert " ".join(" ".join(lines).split()) == " ".join(update.split()), action


def test_merged_cells_span_the_rows_they_span_on_the_page(seed_docx, seed_paper):
    tables = progress_tables(open_docx(seed_docx))
    for (_, table), content in zip(tables, seed_paper.snapshot["progress"], strict=True):
        rows = content["rows"]
        expected = {0: _spans([len(rows)] + [0] * (len(rows) - 1))}
        expected[1] = _spans([row["requirement_rowspan"] for row in rows])
        expected[2] = _spans([row["mechanism_rowspan"] for row in rows])
        for column, merges in expected.items():
            shown = [v_merge(tr.tc_lst[column]) for tr in table._tbl.tr_lst[1:]]
            assert shown == merges, (content["objective"]["title"], column)
        for tr in table._tbl.tr_lst[1:]:
            assert [v_merge(tc) for tc in tr.tc_lst[3:]] == [None, None]
    merged_requirements = [
        row for table in seed_paper.snapshot["progress"] for row in table["rows"]
    ]
    assert any(row["requirement_rowspan"] > 1 for row in merged_requirements)


def _spans(rowspans):
    """What each row's cell must say: a span of one is no merge; a longer one restarts on its
    first row and continues on the rest."""
    merges = []
    for span in rowspans:
        if span == 1:
            merges.append(None)
        elif span > 1:
            merges.append("restart")
        else:
            merges.append("continue")
    return merges


def test_table_header_rows_repeat_on_every_page_and_no_row_breaks_across_pages(seed_docx):
    document = open_docx(seed_docx)
    tables = [block for _, block in body_in_order(document) if isinstance(block, Table)]
    assert len(tables) == 5  # the measures, and one per objective
    for table in tables:
        for index, tr in enumerate(table._tbl.tr_lst):
            properties = tr.trPr
            assert properties.find(qn("w:cantSplit")) is not None
            assert (properties.find(qn("w:tblHeader")) is not None) == (index == 0)


def test_the_report_on_progress_is_a_landscape_section_of_its_own(seed_docx):
    document = open_docx(seed_docx)
    orientations = [section.orientation for section in document.sections]
    # The covering report, the measures, the progress tables (no changes: the first paper).
    assert orientations == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.LANDSCAPE]
    for section in document.sections:
        wider = section.page_width > section.page_height
        assert wider == (section.orientation == WD_ORIENT.LANDSCAPE)
    progress = {index for index, block in body_in_order(document) if isinstance(block, Table)}
    assert progress == {1, 2}  # the measures' table and the progress tables


# --- Appendix A: the key performance data --------------------------------------------------


def test_every_measure_of_the_paper_is_in_the_key_performance_data_with_its_figure(
    seed_docx, seed_paper
):
    document = open_docx(seed_docx)
    (table,) = [
        block
        for _, block in body_in_order(document)
        if isinstance(block, Table) and block.rows[0].cells[0].text == "Measure"
    ]
    assert [cell.text for cell in table.rows[0].cells] == [
        "Measure",
        "Figure",
        "Target",
        "Rating",
        "Direction",
        "Statistical neighbours",
        "England",
        "Rank and band",
        "Source",
    ]
    names = {kpi["code"]: kpi["name"] for kpi in seed_paper.snapshot["kpis"]}
    shown = {row.cells[0].text: cell_lines(row.cells[1]) for row in table.rows[1:]}
    assert shown == {names[code]: [figure, date] for code, (figure, date) in PAPER_QUOTES.items()}
    for row in table.rows[1:]:
        assert cell_lines(row.cells[2]) == ["No agreed target"]
        rating, reason = cell_lines(row.cells[3])
        assert rating == "○ Not rated" and reason.startswith("Not rated")


# --- Headers, footers, the draft mark ------------------------------------------------------


def test_every_section_has_the_running_header_and_a_page_number(seed_docx):
    document = open_docx(seed_docx)
    assert len(document.sections) == len(SECTION_NAMES)
    for section, name in zip(document.sections, SECTION_NAMES, strict=True):
        assert not section.header.is_linked_to_previous
        assert header_text(section) == f"{COMMITTEE}, {MEETING}: {name}"
        instructions = [t.text.strip() for t in section.footer._element.iter(qn("w:instrText"))]
        assert instructions == ["PAGE", "NUMPAGES"]
        assert section.footer.paragraphs[0].text == "Page 1 of 1"  # until Word lays it out


def test_a_drafts_document_says_draft_on_every_page_and_a_published_one_nowhere(
    seed_programme, seed_docx, officer, client
):
    published = open_docx(seed_docx)
    assert all("Draft" not in header_text(section) for section in published.sections)
    draft = draft_paper(seed_programme, officer)
    client.force_login(officer)
    response = fetch(client, f"/papers/{draft.pk}/paper.docx")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-draft.docx"')
    document = open_docx(response.content)
    # The seed is published, so this draft has changes since it: their appendix comes last.
    names = [*SECTION_NAMES, CHANGES_APPENDIX]
    for section, name in zip(document.sections, names, strict=True):
        assert header_text(section).splitlines() == [
            f"{COMMITTEE}, {MEETING}: {name}",
            "Draft: this paper shows today's data and will change until it is published.",
        ]


def test_a_committee_member_gets_the_published_papers_document_but_not_a_drafts(
    seed_programme, seed_paper, member, officer
):
    draft = draft_paper(seed_programme, officer)
    assert fetch(member, f"/papers/{draft.pk}/paper.docx").status_code == 404
    assert fetch(member, f"/papers/{seed_paper.pk}/paper.docx").status_code == 200
    page = member.get(f"/papers/{seed_paper.pk}/").content.decode()
    assert f'href="/papers/{seed_paper.pk}/paper.docx"' in page
    assert "The paper as Word" in page


# --- Opened in a word processor -------------------------------------------------------------


@pytest.mark.slow
def test_libreoffice_writer_prints_the_document_with_every_action(seed_docx, tmp_path):
    source = tmp_path / "paper.docx"
    source.write_bytes(seed_docx)
    text = " ".join(pdf_text(to_pdf(source)).split())
    appendix_c = parse_appendix_c(APPENDIX_C.read_text(encoding="utf-8"))
    for *_, action, update in flatten(appendix_c):
        assert " ".join(action.split()) in text, action
        assert " ".join(update.split()) in text, update
    assert "Page 1 of" in text and f"{PROGRESS_APPENDIX}, 2024-25 Q3" in text


# --- The record ----------------------------------------------------------------------------


def test_a_published_papers_document_is_the_same_file_after_later_edits(
    seed_paper, seed_docx, member, administrator
):
    corrector = Client()
    corrector.force_login(administrator)
    action = seed_action(RISK_MATRIX)
    edited = post_update(
        corrector, action, open_form(corrector, action, Q3), text="Corrected after committee"
    )
    assert edited.status_code == 302
    data = long_return([["cp-children-in-care", "2025-01-31", 702, "Recounted"]])
    batch = apply_return(
        batch=store_upload(data=data, file_name="return.xlsx", user=administrator),
        user=administrator,
    )
    assert batch.updated_count == 1  # January 2025: 699 in the paper
    approve_imports()
    kpi = KPI.objects.get(code="cp-juno-occupancy")
    kpi.name = "Juno: places occupied"
    kpi.save()
    # A build from today's data would read differently in all three places.
    live = paper_content.build(paper_for_page(seed_paper.pk))
    assert live != seed_paper.snapshot

    after = download(member, seed_paper)
    before_parts, after_parts = parts(seed_docx), parts(after)
    for name in before_parts:
        if name == "word/document.xml" or re.match(r"word/(header|footer)\d+\.xml", name):
            assert after_parts[name] == before_parts[name], name
    assert after_parts["docProps/core.xml"] == before_parts["docProps/core.xml"]
    assert after == seed_docx  # byte for byte: the package's members are dated too
    assert b"Corrected after committee" not in after_parts["word/document.xml"]
    assert b"Juno: places occupied" not in after_parts["word/document.xml"]


def test_the_document_properties_come_from_the_published_paper(seed_docx, seed_paper):
    properties = open_docx(seed_docx).core_properties
    assert properties.title == "CARE PROGRAMME: 2024-25 Q3"
    assert properties.author == "DIRECTOR FOR CHILDREN, FAMILIES AND EDUCATION"
    assert properties.subject == f"{COMMITTEE}, {MEETING}"
    assert properties.language == "en-GB"
    published = seed_paper.published_at.astimezone(dt.UTC).replace(microsecond=0)
    assert properties.created == properties.modified == published
    assert "python-docx" not in (properties.comments + properties.author)


# --- User text stays text -------------------------------------------------------------------


def test_what_authors_type_stays_literal_text(seed_programme, officer, client):
    typed = '<w:t>bold</w:t> & "quoted" =1+1 @SUM(A1) </w:p><w:p>'
    paper = draft_paper(
        seed_programme,
        officer,
        title='=HYPERLINK("http://example.org")',
        sections={"Report summary": typed, "Background information": f"- {typed}"},
    )
    client.force_login(officer)
    document = open_docx(fetch(client, f"/papers/{paper.pk}/paper.docx").content)
    texts = [block.text for _, block in body_in_order(document) if isinstance(block, Paragraph)]
    assert typed in texts
    assert '=HYPERLINK("http://example.org")' in texts
    assert document.element.body.find(f".//{qn('w:fldSimple')}") is None
    assert texts.count(typed) == 2  # the paragraph and the bullet point, each whole


def test_characters_xml_cannot_hold_are_dropped_not_a_failed_download(seed_paper):
    content = {**seed_paper.snapshot, "title": "Care\x00 Programme\x0b"}
    data = word.paper_docx(content, draft=True, at=seed_paper.published_at)
    texts = [p.text for p in open_docx(data).paragraphs]
    assert "Care Programme" in texts


def test_appendix_b_lists_what_changed_since_the_last_paper_before_and_after(
    seed_programme, officer_actions, officer, head_of_service, administrator, client
):
    publish(draft_paper(seed_programme, officer), head_of_service)
    corrector = Client()
    corrector.force_login(administrator)
    action = seed_action(RISK_MATRIX)
    versions = open_form(corrector, action, Q3)
    assert post_update(corrector, action, versions, text="Training done").status_code == 302
    paper = draft_paper(seed_programme, officer)
    client.force_login(officer)
    document = open_docx(download(client, paper))
    blocks = [block for section, block in body_in_order(document) if section == 3]
    texts = [block.text for block in blocks if isinstance(block, Paragraph)]
    assert texts[0] == CHANGES_APPENDIX
    # The counts first, then the details.
    assert texts[2:4] == ["1 action changed status", "1 action has a new update"]
    assert texts.index("Status moves (1)") < texts.index("New updates (1)")
    (updates,) = [
        table
        for heading, table in zip(blocks, blocks[1:], strict=False)
        if isinstance(table, Table) and heading.text == "New updates (1)"
    ]
    assert [cell.text for cell in updates.rows[0].cells] == ["Action", "Before", "After"]
    row = [cell_lines(cell) for cell in updates.rows[1].cells]
    assert row[0][0].startswith(RISK_MATRIX)
    assert row[1:] == [["Training with staff to be completed"], ["Training done"]]
