"""Seed 002 is the Cabinet Member Update to Overview and Scrutiny (Children's Services and
Safeguarding) of 30 January 2024, word for word: its Councillor | Portfolio | Date table, then
unnumbered sections by service area, paragraphs and figures as bullets, on a portfolio with no
programme.

The parser below reads the source (fixtures/sources/) on its own, not with careprog's text
reader, and the tests compare what it finds with what the published paper's page shows a
committee member, and with its Word and PDF files. The judgements it makes are those of
fixtures/README.md ("cabinet_member_update_2024_01_30.json").
"""

import datetime as dt
import html
import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from actions.models import Paper, PaperEvent, PaperSection, PaperTemplate, QuarterLock
from actions.papers import content
from actions.papers.queries import paper_for_page
from tests.paper_downloads import fetch
from tests.paper_pages import article
from tests.seed_records import docx_paragraphs, missing_in_order, page_sections, pdf_text

ROOT = Path(__file__).parent.parent
SOURCE = ROOT / "fixtures/sources/cabinet_member_update_2024_01_30.txt"
FIXTURE = ROOT / "fixtures/cabinet_member_update_2024_01_30.json"
PAPER_PK = 241

# Every heading is in the record: "Children’s Social Care", over the service areas with no words
# of its own, is a section of the kind that is only a heading.
GROUPING_HEADINGS: set[str] = set()
# Longer than any heading, shorter than any paragraph.
HEADING_MOST_WORDS = 12


def _clean(words: str) -> str:
    return " ".join(words.split())


def _is_heading(line: str) -> bool:
    line = line.strip()
    return (
        bool(line)
        and not line.startswith("- ")
        and not line.endswith(".")
        and len(line.split()) <= HEADING_MOST_WORDS
    )


def parse_cabinet_update(text: str) -> dict:
    """The title block ``{"title", "meeting", "table": {column: value}}`` and the sections
    ``[{"heading", "blocks"}]`` as seed_records.page_sections gives the page's."""
    lines = text.split("\n")
    head = [line for line in lines[:8] if line.strip()]
    title, meeting = head[0].strip(), head[1].strip()
    columns, values = head[2].split("\t"), head[3].split("\t")
    block = {
        "title": title,
        "meeting": meeting,
        "table": dict(zip(columns, [_clean(v) for v in values], strict=True)),
    }
    sections: list[dict] = []
    for line in lines[8:]:
        if not line.strip():
            continue
        if _is_heading(line):
            sections.append({"heading": line.strip(), "blocks": []})
            continue
        blocks = sections[-1]["blocks"]
        if line.startswith("- "):
            if not blocks or blocks[-1][0] != "list":
                blocks.append(("list", []))
            blocks[-1][1].append((1, _clean(line[2:])))
        elif line.strip()[0].islower() and blocks and blocks[-1][0] == "paragraph":
            # A page break cut the sentence: it goes on in the same paragraph.
            blocks[-1] = ("paragraph", None, [f"{blocks[-1][2][0]} {_clean(line)}"])
        else:
            blocks.append(("paragraph", None, [_clean(line)]))
    shown = [s for s in sections if s["heading"] not in GROUPING_HEADINGS]
    headings = [s["heading"] for s in sections]
    return {"title_block": block, "sections": shown, "all_headings": headings}


def words_in_order(parsed: dict) -> list[str]:
    block = parsed["title_block"]
    values = {**block["table"], "Date": without_ordinals(block["table"]["Date"])}.values()
    words = [block["title"], block["meeting"], *block["table"], *values]
    for section in parsed["sections"]:
        words.append(section["heading"])
        for block in section["blocks"]:
            if block[0] == "list":
                words.extend(text for _, text in block[1])
            else:
                words.extend(block[2])
    return words


def without_ordinals(date: str) -> str:
    """careprog writes dates without ordinals: "30 th January 2024" is 30 January 2024."""
    return re.sub(r"(\d+)\s*(st|nd|rd|th)\b", r"\1", date)


@pytest.fixture
def source():
    return parse_cabinet_update(SOURCE.read_text(encoding="utf-8"))


@pytest.fixture
def cabinet_update(db):
    call_command("loaddata", "cabinet_member_update_2024_01_30", verbosity=0)
    return Paper.objects.get(pk=PAPER_PK)


@pytest.fixture
def reader(client, committee_member):
    client.force_login(committee_member)
    return client


def test_the_source_has_thirteen_service_areas_under_childrens_social_care(source):
    assert source["all_headings"] == [
        "Children’s Social Care",
        "Early Help",
        "Monitoring Visit",
        "Integrated Front Door",
        "Court Revocation Team",
        "Help & Protection",
        "Youth Justice Service Performance",
        "Joint Targeted Area Inspection (JTAI) Serious Youth Violence (SYV)",
        "New HMIP Inspection Framework",
        "Prevention",
        "Cared for Children and Care Experienced Sufficiency",
        "Quality Assurance of Commissioned Placements",
        "Safeguarding, Review and Quality Assurance Practice",
        "Quality Assurance",
    ]
    bullets = [b for s in source["sections"] for b in s["blocks"] if b[0] == "list"]
    assert [len(b[1]) for b in bullets] == [5]


def test_committee_member_sees_every_heading_paragraph_and_bullet_of_the_seed(
    source, cabinet_update, reader
):
    assert page_sections(reader, cabinet_update) == source["sections"]


def test_the_title_block_is_the_councillor_portfolio_and_date_table_as_printed(
    source, cabinet_update, reader
):
    shown = article(reader.get(f"/papers/{cabinet_update.pk}/"))
    heading = re.search(r'<p class="govuk-heading-m app-paper__heading">(.*?)</p>', shown, re.S)
    meeting = re.search(r'<p class="govuk-body app-paper__committee">(.*?)</p>', shown, re.S)
    assert html.unescape(heading[1]) == source["title_block"]["title"] == "CABINET MEMBER UPDATE"
    assert html.unescape(meeting[1]) == source["title_block"]["meeting"]
    table = re.search(r'<table class="[^"]*app-paper__title-table">(.*?)</table>', shown, re.S)
    cells = [html.unescape(c) for c in re.findall(r"<t[hd] [^>]*>(.*?)</t[hd]>", table[1], re.S)]
    printed = source["title_block"]["table"]
    assert dict(zip(cells[:3], cells[3:], strict=True)) == {
        **printed,
        "Date": without_ordinals(printed["Date"]),
    }
    assert cells[3:] == ["Mhairi Doyle", "Cabinet Member Children’s Services", "30 January 2024"]


def test_the_record_keeps_the_papers_own_words_and_typos(cabinet_update, reader):
    sections = {s["heading"]: s["blocks"] for s in page_sections(reader, cabinet_update)}
    assert "until the end of March 2004." in sections["Integrated Front Door"][0][2][0]
    assert sections["Early Help"][0][2][0].endswith(
        "without having to be involved with statutory services. This includes services for "
        "adolescents."
    ), "the sentence a page break cut is one paragraph"


def test_the_word_file_holds_every_word_of_the_seed_in_order(source, cabinet_update, reader):
    document = " ".join(docx_paragraphs(reader, cabinet_update))
    assert missing_in_order(document, words_in_order(source)) == []


def test_the_pdf_holds_every_word_of_the_seed_in_order(source, cabinet_update, reader):
    assert missing_in_order(pdf_text(reader, cabinet_update), words_in_order(source)) == []


def test_the_cabinet_update_is_published_on_a_portfolio_without_a_programme(cabinet_update):
    assert cabinet_update.is_published and cabinet_update.programme is None
    assert cabinet_update.meeting.date == dt.date(2024, 1, 30)
    assert cabinet_update.meeting.committee.get_kind_display() == "Overview and scrutiny"
    assert not QuarterLock.objects.filter(paper=cabinet_update).exists()
    assert cabinet_update.snapshot["generated_appendices"] is False
    events = list(cabinet_update.events.order_by("at"))
    assert [(e.step, e.by) for e in events] == [
        (PaperEvent.Step.DRAFTED, None),
        (PaperEvent.Step.PUBLISHED, None),
    ]
    assert all(e.comment.startswith("Recorded from the published paper") for e in events)
    assert events[1].at == cabinet_update.published_at < dt.datetime(2024, 1, 30, tzinfo=dt.UTC)


def test_later_edits_to_the_template_and_the_sections_leave_the_record(cabinet_update, reader):
    before = reader.get(f"/papers/{cabinet_update.pk}/").content.decode()
    template = PaperTemplate.objects.get(name="Cabinet member update to overview and scrutiny")
    template.sections.update(heading="Renamed later")
    PaperSection.objects.filter(paper=cabinet_update).update(text="Typed later")
    Paper.objects.filter(pk=cabinet_update.pk).update(councillor="Someone later")
    assert content.build(paper_for_page(cabinet_update.pk)) != cabinet_update.snapshot

    after = reader.get(f"/papers/{cabinet_update.pk}/").content.decode()
    shown = re.compile(r'<article class="app-paper".*?</article>', re.S)
    assert shown.search(after)[0] == shown.search(before)[0]
    assert "later" not in shown.search(after)[0]
    stored = json.loads(FIXTURE.read_text(encoding="utf-8"))
    (row,) = [r for r in stored if r["model"] == "actions.paper"]
    assert f'data-sha256="{row["fields"]["snapshot_sha256"]}"' in after


def test_the_shipped_snapshot_is_what_publishing_builds_from_the_typed_rows(cabinet_update):
    paper = paper_for_page(cabinet_update.pk)
    assert content.build(paper) == paper.snapshot
    assert paper.snapshot_sha256 == content.sha256(paper.snapshot)


def test_write_seed_paper_writes_the_shipped_cabinet_update_byte_for_byte(db, tmp_path):
    output = tmp_path / "paper.json"
    call_command(
        "write_seed_paper",
        "--into-empty-database",
        "--paper",
        "cabinet_member_update_2024_01_30",
        "--output",
        str(output),
    )
    assert output.read_bytes() == FIXTURE.read_bytes()
    assert not Paper.objects.exists()


def test_the_excel_file_holds_the_title_table_and_every_heading_in_order(
    source, cabinet_update, reader
):
    response = fetch(reader, f"/papers/{cabinet_update.pk}/appendix.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Covering report"], "no appendices without a programme"
    cells = [tuple(c or "" for c in row[:2]) for row in workbook.active.iter_rows(values_only=True)]
    printed = source["title_block"]["table"]
    for column in ("Councillor", "Portfolio"):
        assert (column, printed[column]) in cells
    assert ("Date", without_ordinals(printed["Date"])) in cells
    headings = [s["heading"] for s in source["sections"]]
    assert [first for first, text in cells if first in headings and not text] == headings
