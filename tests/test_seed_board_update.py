"""Seed 001 is the Staying Safe Strategy Group's update report to the Wirral Children's Trust
Board, word for word: its numbered sections, the overview as a table of labelled rows, the
SWOT grid, the report author and contact, and its three risks in the Staying Safe Plan's
register.

The source is the report as extracted (fixtures/sources/), a mixture of text, HTML fragments
and `•` bullets run together. The parser below reads it on its own, not with careprog's text
reader (actions/papers/text.py), and the tests compare what it finds with what the published
paper's page shows a committee member, and with its Word and PDF files. The judgements it
makes are those of fixtures/README.md ("staying_safe_board_update_2013_14.json").
"""

import datetime as dt
import html
import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from actions.models import (
    Objective,
    Paper,
    PaperEvent,
    PaperSection,
    QuarterLock,
    Risk,
    TemplateSection,
)
from actions.papers import content
from actions.papers.queries import paper_for_page
from careprog.periods import ReportingPeriod
from tests.paper_downloads import fetch
from tests.paper_pages import article
from tests.seed_records import docx_paragraphs, missing_in_order, page_sections, pdf_text
from tests.test_paper_queries import PAPER as PUBLISHED_PAPER_QUERIES

ROOT = Path(__file__).parent.parent
SOURCE = ROOT / "fixtures/sources/staying_safe_update_childrens_trust_board_2013_14.txt"
FIXTURE = ROOT / "fixtures/staying_safe_board_update_2013_14.json"
PAPER_PK = 240

# careprog's heading for the SWOT grid, which the report prints under 2.0 with none of its own.
SWOT_HEADING = "SWOT analysis"
ACHIEVEMENTS = "Key recent achievements"
# Where the second and third priorities' achievements start in the overview's one cell.
NEXT_PRIORITY = "There are improved outcomes for"

NUMBERED_HEADING = re.compile(r"^(\d+)\.0 (.+?):?$")
UNNUMBERED_HEADINGS = {"Report Author:", "Contact:"}


# The source, read on its own ------------------------------------------------------------


def _clean(words: str) -> str:
    return " ".join(words.replace("**", "").split())


def _tokens(cell: str) -> list[tuple[str, int, str]]:
    """A cell's text as ("paragraph" | "bullet", level, words) in order: HTML paragraphs,
    `•` items after a list tag, markdown "- " bullets (" - " one level down), a bracketed
    address as a paragraph of its own, plain lines as paragraphs."""
    tokens = []
    for line in cell.split("\n"):
        if not line.strip():
            continue
        if "<" in line or "•" in line:
            for match in re.finditer(
                r"<p>(.*?)</p>|•\s*([^•<]+)|<(https?://[^>]+)>", line.replace("\t", " ")
            ):
                if match[1] is not None:
                    words = _clean(match[1])
                    if words.startswith("- "):
                        tokens.append(("bullet", 1, words[2:]))
                    else:
                        tokens.append(("paragraph", 0, words))
                elif match[2] is not None:
                    tokens.append(("bullet", 1, _clean(match[2])))
                else:
                    tokens.append(("paragraph", 0, match[3]))
            continue
        bullet = re.match(r"^( ?)- (.*)$", line)
        if bullet:
            tokens.append(("bullet", 2 if bullet[1] else 1, _clean(bullet[2])))
        elif tokens and line.strip()[0].islower():
            # A page break cut the sentence: the words go on in the same item.
            kind, level, words = tokens[-1]
            tokens[-1] = (kind, level, f"{words} {_clean(line)}")
        else:
            tokens.append(("paragraph", 0, _clean(line)))
    return tokens


def _as_blocks(tokens) -> list[tuple]:
    blocks: list[tuple] = []
    for kind, level, words in tokens:
        if kind == "paragraph":
            blocks.append(("paragraph", None, [words]))
        else:
            if not blocks or blocks[-1][0] != "list":
                blocks.append(("list", []))
            blocks[-1][1].append((level, words))
    return blocks


def _overview(lines: list[str]) -> tuple[list[tuple], dict]:
    """The 2.0 table's rows [(label, blocks)] and the SWOT grid {quadrant: [items]}."""
    cells, quadrants = [], {}
    for line in lines:
        if line.startswith(("<p>Strengths:", "<p>Opportunities:")):
            for half in line.split("\t"):
                label, items = re.match(r"\s*<p>(\w+):</p>\s*<ol[^>]*>(.*)$", half).groups()
                quadrants[label] = [
                    _clean(item) for item in re.split(r"(?:^|\s)\d\.\s", items) if item.strip()
                ]
            continue
        if "\t" in line:
            label, cell = line.split("\t", 1)
            label = _clean(re.sub(r"</?p>", "", label))
            if label:
                cells.append([label, cell])
                continue
            line = cell  # a cell going on after a page break
        if cells:
            cells[-1][1] += "\n" + line
    # The first two labels head the priorities' achievements: "Key recent achievements"
    # beside the first priority, "Priority 1" beside its points. The points of the second
    # and third run on in the same cell, each opened by its own "There are improved
    # outcomes for ..." line: one row each, labelled as the first.
    (_, first), (_, rest) = cells[:2]
    achievements = [[]]
    for token in _tokens(first + "\n" + rest):
        if token[0] == "paragraph" and token[2].startswith(NEXT_PRIORITY):
            achievements.append([])
        achievements[-1].append(token)
    rows = [(ACHIEVEMENTS, _as_blocks(tokens)) for tokens in achievements]
    rows += [(label, _as_blocks(_tokens(cell))) for label, cell in cells[2:]]
    return rows, quadrants


def parse_board_update(text: str) -> dict:
    """``{"heading": ..., "sections": [section]}``, each section as
    seed_records.page_sections gives the page's."""
    lines = text.split("\n")
    heading = next(line.strip() for line in lines if line.strip())
    parts: list[list] = []
    for line in lines[lines.index(heading) + 1 :]:
        numbered = NUMBERED_HEADING.match(line.strip())
        if numbered or line.strip() in UNNUMBERED_HEADINGS:
            title = f"{numbered[1]}.0 {numbered[2]}" if numbered else line.strip().rstrip(":")
            parts.append([title, []])
        elif parts:
            parts[-1][1].append(line)
    sections = []
    for title, body in parts:
        if title.startswith("2.0 "):
            rows, quadrants = _overview(body)
            sections += [
                {"heading": title, "rows": rows},
                {"heading": SWOT_HEADING, "quadrants": quadrants},
            ]
            continue
        blocks: list[tuple] = []
        section_number = title.split(".")[0] if NUMBERED_HEADING.match(title) else None
        paragraph_open = False
        for line in body:
            if not line.strip():
                paragraph_open = False
                continue
            printed = re.match(r"^- (\d+\.\d+) (.*)$", line)
            bullet = re.match(r"^- (.*)$", line)
            if printed:
                blocks.append(("paragraph", printed[1], [_clean(printed[2])]))
            elif bullet:
                if not blocks or blocks[-1][0] != "list":
                    blocks.append(("list", []))
                blocks[-1][1].append((1, _clean(bullet[1])))
            elif paragraph_open:
                blocks[-1][2].append(_clean(line))
            else:
                blocks.append(("paragraph", None, [_clean(line)]))
            paragraph_open = not bullet and not printed
        if section_number:
            # Numbered as printed: where the report numbers a paragraph (4.1, 4.2) it numbers
            # them all, in order; elsewhere only the heading is numbered (1.0, 3.0).
            printed_numbers = [b[1] for b in blocks if b[0] == "paragraph"]
            if any(printed_numbers):
                assert printed_numbers == [
                    f"{section_number}.{n}" for n in range(1, len(printed_numbers) + 1)
                ], printed_numbers
        sections.append({"heading": title, "blocks": blocks})
    return {"heading": heading, "sections": sections}


def words_in_order(parsed: dict, *, swot: bool = True) -> list[str]:
    """Every heading, label, paragraph line, bullet and SWOT item (unless ``swot`` is
    False), in the order printed."""
    words = [parsed["heading"]]

    def of_blocks(blocks):
        for block in blocks:
            if block[0] == "list":
                words.extend(text for _, text in block[1])
            else:
                words.extend(block[2])

    for section in parsed["sections"]:
        numbered = NUMBERED_HEADING.match(section["heading"])
        words.append(numbered[2] if numbered else section["heading"])
        for label, blocks in section.get("rows", []):
            words.append(label)
            of_blocks(blocks)
        for label, items in section.get("quadrants", {}).items() if swot else ():
            words.append(label)
            words.extend(items)
        of_blocks(section.get("blocks", []))
    return words


# The record --------------------------------------------------------------------------------


@pytest.fixture
def source():
    return parse_board_update(SOURCE.read_text(encoding="utf-8"))


@pytest.fixture
def board_update(db):
    call_command("loaddata", "staying_safe_board_update_2013_14", verbosity=0)
    return Paper.objects.get(pk=PAPER_PK)


@pytest.fixture
def reader(client, committee_member):
    client.force_login(committee_member)
    return client


def test_the_source_has_four_numbered_sections_eight_overview_rows_and_eleven_swot_items(source):
    headings = [section["heading"] for section in source["sections"]]
    assert headings == [
        "1.0 Introduction",
        "2.0 Overview of progress",
        SWOT_HEADING,
        "3.0 Summary",
        "4.0 Recommendations",
        "Report Author",
        "Contact",
    ]
    rows = source["sections"][1]["rows"]
    assert [label for label, _ in rows] == [
        ACHIEVEMENTS,
        ACHIEVEMENTS,
        ACHIEVEMENTS,
        "Key challenges ahead",
        "Risks to outcome delivery and proposed actions",
        "Areas requiring further partnership involvement",
        "Equalities impact assessment areas for development and progress made",
        "Areas for promotion /publicity / communication / engagement",
    ]
    quadrants = source["sections"][2]["quadrants"]
    assert {label: len(items) for label, items in quadrants.items()} == {
        "Strengths": 3,
        "Weaknesses": 2,
        "Opportunities": 3,
        "Threats": 3,
    }


def test_committee_member_sees_every_heading_paragraph_row_bullet_and_swot_item_of_the_seed(
    source, board_update, reader
):
    assert page_sections(reader, board_update) == source["sections"]


def test_the_title_block_prints_the_reports_heading_and_the_board(source, board_update, reader):
    shown = article(reader.get(f"/papers/{board_update.pk}/"))
    heading = re.search(r'<p class="govuk-heading-m app-paper__heading">(.*?)</p>', shown, re.S)
    assert html.unescape(heading[1]) == source["heading"]
    assert source["heading"] == "STAYING SAFE STRATEGY GROUP UPDATE REPORT TO THE BOARD"
    committee = re.search(r'<p class="govuk-body app-paper__committee">(.*?)</p>', shown, re.S)
    assert html.unescape(committee[1]) == "Wirral Children’s Trust Board, Wednesday 29 January 2014"


def test_each_priority_is_an_objective_and_its_achievements_a_row_of_the_overview(
    source, board_update, reader
):
    introduction = source["sections"][0]["blocks"]
    printed = [text for _, text in introduction[1][1]]
    objectives = list(
        Objective.objects.filter(programme__slug="staying-safe-plan-2013-14").order_by("position")
    )
    # As printed in 1.0's list, without its bold and semicolons.
    assert [o.title for o in objectives] == [p.rstrip(";") for p in printed]
    overview = page_sections(reader, board_update)[1]["rows"]
    assert overview[0][1][0] == ("paragraph", None, [objectives[0].title])
    assert overview[1][1][0][2][0].startswith("There are improved outcomes for children in care")
    assert overview[2][1][0][2][0].startswith("There are improved outcomes for children and young")


def test_the_sentence_a_page_break_cut_in_the_first_priority_is_one_bullet(board_update, reader):
    first = page_sections(reader, board_update)[1]["rows"][0][1]
    assert first[1][1][3][1].endswith(
        "professionals and services are closer to the families they are working with. It also "
        "enables closer working between early help and Social Care teams, thereby ensuring a "
        "smooth transition between the levels of need with minimal impact on families."
    )


def test_the_foster_care_points_sit_under_their_bullet(board_update, reader):
    second = page_sections(reader, board_update)[1]["rows"][1][1]
    items = [item for block in second if block[0] == "list" for item in block[1]]
    levels = [level for level, _ in items]
    assert levels == [1, 1, 1, 1, 2, 2, 2, 2, 2, 1]
    assert items[3] == (1, "Key progress areas to highlight are:")


def test_the_word_file_holds_every_word_of_the_seed_in_order(source, board_update, reader):
    document = " ".join(docx_paragraphs(reader, board_update))
    assert missing_in_order(document, words_in_order(source)) == []


def test_the_pdf_holds_every_word_of_the_seed_in_order(source, board_update, reader):
    printed = pdf_text(reader, board_update)
    assert missing_in_order(printed, words_in_order(source, swot=False)) == []
    # A 2×2 grid has no one reading order across its cells: each quadrant's heading is
    # followed by its own items, in order.
    (quadrants,) = [s["quadrants"] for s in source["sections"] if "quadrants" in s]
    for label, items in quadrants.items():
        assert missing_in_order(printed, [label, *items]) == [], label


def test_the_three_risks_of_the_overview_are_in_the_staying_safe_plans_register(
    source, board_update
):
    (rows,) = [s["rows"] for s in source["sections"] if "rows" in s]
    (printed,) = [b[1] for label, blocks in rows if label.startswith("Risks") for b in blocks]
    risks = list(Risk.objects.filter(programme__slug="staying-safe-plan-2013-14"))
    assert len(risks) == len(printed) == 3
    for risk, (_, words) in zip(risks, printed, strict=True):
        risk_words, therefore = words.split(" – therefore ")
        assert risk.controls == f"therefore {therefore}"
        if risk.cause:
            assert risk_words == f"{risk.title} caused by {risk.cause}"
        else:
            assert risk_words == risk.title
        assert risk.consequence == "" and risk.owner is None
        # The paper scores none: the middle of the scale, written down as a judgement.
        assert (risk.residual_likelihood, risk.residual_impact, risk.target_score) == (3, 3, 9)
    assert [r.reference for r in risks] == ["R1", "R2", "R3"]


def test_the_board_update_is_published_on_its_programme_without_appendices_as_printed(
    board_update, reader
):
    assert board_update.is_published
    assert board_update.programme.slug == "staying-safe-plan-2013-14"
    assert board_update.period == ReportingPeriod(2013, 3)
    assert board_update.meeting.committee.get_kind_display() == "Board"
    assert board_update.published_at < dt.datetime(2014, 1, 29, tzinfo=dt.UTC)
    # The printed report has no appendices: its template says none follow, so the record
    # prints none and, reporting no quarter's updates, locked none.
    assert not board_update.has_appendices
    assert board_update.snapshot["generated_appendices"] is False
    assert not QuarterLock.objects.filter(paper=board_update).exists()
    page = reader.get(f"/papers/{board_update.pk}/").content.decode()
    assert "Report on progress" not in page and "Key performance data" not in page
    events = list(board_update.events.order_by("at"))
    assert [(e.step, e.by) for e in events] == [
        (PaperEvent.Step.DRAFTED, None),
        (PaperEvent.Step.PUBLISHED, None),
    ]
    assert events[0].by_name == "Emma Taylor, Lead for Staying Safe Strategy Group"
    assert all(e.comment.startswith("Recorded from the published paper") for e in events)


def test_later_edits_to_the_template_an_objective_a_risk_and_a_section_leave_the_record(
    board_update, reader
):
    before = reader.get(f"/papers/{board_update.pk}/").content.decode()
    template = TemplateSection.objects.filter(template__name="Strategy group update to the board")
    assert template.update(heading="Renamed later") == 7
    Objective.objects.filter(programme=board_update.programme).update(title="Retitled later")
    Risk.objects.filter(programme=board_update.programme).update(title="Reworded later")
    PaperSection.objects.filter(paper=board_update).update(text="Typed later")
    live = content.build(paper_for_page(board_update.pk))
    assert live != paper_for_page(board_update.pk).snapshot  # a build today would differ

    after = reader.get(f"/papers/{board_update.pk}/").content.decode()
    assert article_of(after) == article_of(before)
    assert "later" not in article_of(after)
    stored = json.loads(FIXTURE.read_text(encoding="utf-8"))
    (row,) = [r for r in stored if r["model"] == "actions.paper"]
    assert Paper.objects.get(pk=PAPER_PK).snapshot_sha256 == row["fields"]["snapshot_sha256"]
    assert f'data-sha256="{row["fields"]["snapshot_sha256"]}"' in after


def article_of(page: str) -> str:
    return re.search(r'<article class="app-paper".*?</article>', page, re.S)[0]


def test_the_shipped_snapshot_is_what_publishing_builds_from_the_typed_rows(board_update):
    paper = paper_for_page(board_update.pk)
    assert content.build(paper) == paper.snapshot
    assert paper.snapshot_sha256 == content.sha256(paper.snapshot)


def test_write_seed_paper_writes_the_shipped_board_update_byte_for_byte(db, tmp_path):
    output = tmp_path / "paper.json"
    call_command(
        "write_seed_paper",
        "--into-empty-database",
        "--paper",
        "staying_safe_board_update_2013_14",
        "--output",
        str(output),
    )
    assert output.read_bytes() == FIXTURE.read_bytes()
    assert not Paper.objects.exists()


def test_each_seed_records_page_takes_the_queries_of_any_published_paper(db, reader):
    """Seeds 001 (7 sections, 8 rows, a SWOT) and 002 (13 sections) as two sizes: a published
    paper renders from its snapshot, so its size costs no query (tests/test_paper_queries.py:
    session, user, permissions, the paper with its meeting, sections, timeline)."""
    call_command("loaddata", "staying_safe_board_update_2013_14", verbosity=0)
    call_command("loaddata", "cabinet_member_update_2024_01_30", verbosity=0)
    counts = []
    for pk in (PAPER_PK, 241):
        with CaptureQueriesContext(connection) as queries:
            assert reader.get(f"/papers/{pk}/").status_code == 200
        counts.append(len(queries))
    assert counts == [PUBLISHED_PAPER_QUERIES, PUBLISHED_PAPER_QUERIES]


@pytest.mark.parametrize(
    "url",
    [
        "/programmes/staying-safe-plan-2013-14/report/",
        "/programmes/staying-safe-plan-2013-14/report/2013-14-q3/",
        "/programmes/staying-safe-plan-2013-14/attention/2013-14-q3/",
        "/programmes/staying-safe-plan-2013-14/papers/",
        "/programmes/staying-safe-plan-2013-14/risks/",
        "/programmes/staying-safe-plan-2013-14/risks/heat-map/",
        "/programmes/staying-safe-plan-2013-14/risks/R1/",
    ],
)
def test_a_committee_member_reads_every_page_of_the_staying_safe_plan(board_update, reader, url):
    """A programme of 2013-14 with priorities and risks but no actions: every page opens."""
    response = reader.get(url, follow=True)
    assert response.status_code == 200, url


def test_the_excel_file_holds_each_overview_row_and_swot_item_beside_its_label(
    source, board_update, reader
):
    response = fetch(reader, f"/papers/{board_update.pk}/appendix.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["Covering report"]
    cells = [tuple(c or "" for c in row[:2]) for row in sheet.iter_rows(values_only=True)]
    (quadrants,) = [s["quadrants"] for s in source["sections"] if "quadrants" in s]
    for label, items in quadrants.items():
        shown = [text for first, text in cells if first == label]
        assert shown == [f"{n}. {item}" for n, item in enumerate(items, 1)], label
    (rows,) = [s["rows"] for s in source["sections"] if "rows" in s]
    assert [first for first, _ in cells if first in {label for label, _ in rows}] == [
        label for label, _ in rows
    ]
