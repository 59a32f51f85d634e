"""The seed committee paper is the Care Programme report of 5 March 2025, word for word.

The source is the report as extracted from the published PDF (fixtures/sources/). The parser
below reads it independently of careprog's own section text reader (actions/papers/text.py),
and the tests compare what it finds with what the paper's page shows a committee member. The
judgements it makes are those of fixtures/README.md ("care_programme_paper_2025_03.json").
"""

import datetime as dt
import html
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from actions.models import UNTITLED_ACTION, Paper, PaperEvent, QuarterLock, Update
from actions.papers import content
from actions.papers.queries import lock_for, paper_for_page
from careprog.periods import ReportingPeriod
from kpis.models import KPI, KPITarget, KPIValue, Origin
from tests.conftest import RISK_MATRIX, SEED_SLUG
from tests.html_tables import report_grids
from tests.test_seed_fixture import SOURCE as APPENDIX_C
from tests.test_seed_fixture import flatten, parse_appendix_c

ROOT = Path(__file__).parent.parent
SOURCE = ROOT / "fixtures/sources/care_programme_report_cype_committee_2025_03.txt"
FIXTURE = ROOT / "fixtures/care_programme_paper_2025_03.json"
FIGURES_AS_AT = dt.date(2025, 2, 1)

# A heading over the numbered sections with no words of its own: careprog shows only sections
# with text, and its numbered sections are the supporting information.
GROUPING_HEADINGS = {"SUPPORTING INFORMATION"}

# The extract indents the last three of 3.2's four areas like the points under them; the areas
# are the programme's four objectives, as Appendix C titles them, so they are top-level points.
AREAS = {title for title, _, _ in parse_appendix_c(APPENDIX_C.read_text(encoding="utf-8"))}

NUMBERED_HEADING = re.compile(r"^(\d+)\.0 (.+)$")
NUMBERED_PARAGRAPH = re.compile(r"^(?:- )?(\d+\.\d+) (.+)$")
BULLET = re.compile(r"^(\s*)- (.+)$")


def _words(text):
    """The printed words of the extract's text: its markdown (emphasis, links, escaped
    brackets) is how the PDF's italics and hyperlinks came out, not words of the paper."""
    text = re.sub(r"\[(.*?)\]\([^)]*\)", r"\1", text)
    text = text.replace("\\(", "(").replace("\\)", ")")
    text = re.sub(r"\*([^*]+)\*", r"\1", text)
    return " ".join(text.split())


def _is_heading(line):
    first = line.split("\t")[0].strip().rstrip(":")
    before_brackets = first.split("(")[0]
    return (
        bool(re.search(r"[A-Z]{4}", before_brackets))
        and before_brackets == before_brackets.upper()
        and not BULLET.match(line)
    )


def parse_seed(text):
    """The title block and the sections, as
    ``{"committee", "date", "title", "report_of", "sections": [(heading, blocks)]}``, where a
    numbered heading reads "3.0 BACKGROUND INFORMATION" and a block is
    ``("paragraph", number or None, [lines])`` or ``("list", [(level, text)])``."""
    head, _, body = text.partition("\nREPORT SUMMARY\n")
    head_lines = [line.strip() for line in head.splitlines() if line.strip()]
    fields = dict(line.split(":\t", 1) for line in head_lines if ":\t" in line)
    paper = {
        "committee": head_lines[0],
        "date": head_lines[1],
        "title": fields["REPORT TITLE"].strip(),
        "report_of": fields["REPORT OF"].strip(),
        "sections": [],
    }
    sections = paper["sections"]
    paragraph_open = False
    table_header = None
    for line in ["REPORT SUMMARY", *body.splitlines()]:
        if not line.strip():
            paragraph_open = False
            continue
        blocks = sections[-1][1] if sections else None
        numbered = NUMBERED_HEADING.match(line)
        if numbered or _is_heading(line):
            cells = [cell.strip() for cell in line.split("\t") if cell.strip()]
            heading = line if numbered else cells[0].rstrip(":")
            sections.append((_words(heading), []))
            paragraph_open, table_header = False, None
            if len(cells) > 1:  # the report author's table starts on the heading's line
                sections[-1][1].append(("paragraph", None, [" ".join(cells[1:])]))
                paragraph_open = True
            continue
        cells = [cell.strip() for cell in line.split("\t") if cell.strip()]
        if "\t" in line and cells[0].endswith(":"):  # a "Label: value" row
            blocks[-1][2].append(" ".join(cells))
            continue
        if "\t" in line and table_header is None:  # a table's header row: "Council Meeting | Date"
            table_header = cells
            continue
        if "\t" in line:  # a table's row, under its header
            blocks.append(
                ("paragraph", None, [f"{h}: {v}" for h, v in zip(table_header, cells, strict=True)])
            )
            continue
        paragraph = NUMBERED_PARAGRAPH.match(line)
        bullet = BULLET.match(line)
        if paragraph:
            blocks.append(("paragraph", paragraph[1], [_words(paragraph[2])]))
        elif bullet:
            level = 1 if _words(bullet[2]) in AREAS or not bullet[1] else 2
            if not blocks or blocks[-1][0] != "list":
                blocks.append(("list", []))
            blocks[-1][1].append((level, _words(bullet[2])))
        elif blocks and blocks[-1][0] == "paragraph" and blocks[-1][1] and not paragraph_open:
            # In a numbered section every paragraph starts with its number: words without one
            # continue the sentence a page break cut (12.1).
            number, lines = blocks[-1][1], blocks[-1][2]
            blocks[-1] = ("paragraph", number, [_words(f"{lines[-1]} {line}")])
        elif paragraph_open:
            blocks[-1][2].append(_words(line))
        else:
            blocks.append(("paragraph", None, [_words(line)]))
        paragraph_open = True
    paper["sections"] = [(h, b) for h, b in sections if h not in GROUPING_HEADINGS]
    return paper


# What the page shows: the paper's article, as careprog's templates write it.
def _text(fragment):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def rendered_sections(page):
    sections = []
    for section in re.findall(r'<section class="app-paper__section">(.*?)</section>', page, re.S):
        heading = _text(re.search(r"<h2[^>]*>(.*?)</h2>", section, re.S)[1])
        blocks = []
        for match in re.finditer(
            r'<p class="govuk-body app-paper__paragraph">(.*?)</p>'
            r'|<li class="app-paper__item--level-(\d)">(.*?)</li>',
            section,
            re.S,
        ):
            if match[1] is not None:
                number = re.match(r'\s*<span class="app-paper__number">(.*?)</span>', match[1])
                body = match[1][number.end() :] if number else match[1]
                lines = [_text(line) for line in body.split("<br>")]
                blocks.append(("paragraph", number[1] if number else None, lines))
            else:
                if not blocks or blocks[-1][0] != "list":
                    blocks.append(("list", []))
                blocks[-1][1].append((int(match[2]), _text(match[3])))
        sections.append((heading, blocks))
    return sections


def title_block(page):
    block = re.search(r'<div class="app-paper__title-block">(.*?)</dl>', page, re.S)[1]
    paragraphs = [_text(p) for p in re.findall(r"<p [^>]*>(.*?)</p>", block, re.S)]
    rows = dict(
        (_text(dt_), _text(dd))
        for dt_, dd in re.findall(r"<dt[^>]*>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", block, re.S)
    )
    return paragraphs, rows


def kpi_rows(page):
    """{code: [figure, target, rating, direction, neighbours, England, rank, source]}"""
    appendix = re.search(r'<section [^>]*id="key-performance-data">(.*?)</section>', page, re.S)[1]
    rows = {}
    for code, row in re.findall(r'<tr [^>]*data-kpi="([^"]+)">(.*?)</tr>', appendix, re.S):
        rows[code] = [_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    return rows


@pytest.fixture
def seed_paper(seed_programme):
    call_command("loaddata", "care_programme_paper_2025_03", verbosity=0)
    return Paper.objects.get(programme=seed_programme, meeting__date=dt.date(2025, 3, 5))


@pytest.fixture
def seed():
    return parse_seed(SOURCE.read_text(encoding="utf-8"))


@pytest.fixture
def page(seed_paper, client, committee_member):
    client.force_login(committee_member)
    response = client.get(f"/papers/{seed_paper.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_seed_has_20_sections_13_of_them_numbered_with_25_numbered_paragraphs(seed):
    headings = [heading for heading, _ in seed["sections"]]
    assert len(headings) == 20
    assert [h.split(" ")[0] for h in headings if NUMBERED_HEADING.match(h)] == [
        f"{n}.0" for n in range(1, 14)
    ]
    numbers = [b[1] for _, blocks in seed["sections"] for b in blocks if b[0] == "paragraph"]
    assert len([n for n in numbers if n]) == 25


def test_committee_member_sees_every_section_heading_paragraph_number_and_word_of_the_seed(
    seed, page
):
    assert rendered_sections(page) == seed["sections"]


def test_the_title_block_names_the_committee_meeting_report_and_director(seed, page):
    paragraphs, rows = title_block(page)
    committee, date = paragraphs
    # Printed "CHILDREN, YOUNG PEOPLE & EDUCATION COMMITTEE" and "Wednesday 5th March 2025".
    assert committee == "Children, Young People and Education Committee"
    assert committee.upper() == seed["committee"].replace("&", "AND")
    assert date == re.sub(r"(\d+)(st|nd|rd|th)", r"\1", seed["date"]) == "Wednesday 5 March 2025"
    assert rows["Report title"] == seed["title"] == "CARE PROGRAMME"
    assert rows["Report of"] == seed["report_of"]
    assert rows["Report of"] == "DIRECTOR FOR CHILDREN, FAMILIES AND EDUCATION"
    assert rows["Quarter reported"].startswith("2024-25 Q3")
    assert rows["Figures as at"] == "1 February 2025"


def test_the_sentence_a_page_break_cut_in_12_1_is_one_paragraph(page):
    (environment,) = [s for s in rendered_sections(page) if s[0].startswith("12.0 ")]
    assert environment[1] == [
        (
            "paragraph",
            "12.1",
            [
                "There are no environmental or climate implications arising from the remodeling "
                "of Children's Services. It is expected that there will be no impact on the "
                "emission of greenhouse gases."
            ],
        )
    ]


def test_the_four_areas_under_3_2_are_a_list_with_their_points_under_them(page):
    (background,) = [s for s in rendered_sections(page) if s[0] == "3.0 BACKGROUND INFORMATION"]
    kinds = [(block[0], block[1] if block[0] == "paragraph" else None) for block in background[1]]
    assert kinds == [("paragraph", "3.1"), ("paragraph", "3.2"), ("list", None)]
    items = background[1][2][1]
    assert [text for level, text in items if level == 1] == [
        "Children live safely with their families",
        "Children live within their family network",
        "Children live in a family environment",
        "Efficient and effective use of residential placements when required",
    ]
    assert len([level for level, _ in items if level == 2]) == 9


def test_report_author_and_background_papers_are_plain_text(page):
    sections = dict(rendered_sections(page))
    assert sections["REPORT AUTHOR"] == [
        (
            "paragraph",
            None,
            [
                "Name: Kerry Mehta",
                "Role: Assistant Director Children's Social Care",
                "Email: kerrymehta@wirral.gov.uk",
            ],
        )
    ]
    papers = [block[2] for block in sections["BACKGROUND PAPERS"]]
    assert papers[0] == ["Children's social care: national framework - GOV.UK (www.gov.uk)"]
    lines = [
        line for blocks in sections.values() for b in blocks if b[0] == "paragraph" for line in b[2]
    ]
    assert [line for line in lines if "](" in line or "*" in line or "\\" in line] == []


def test_the_progress_appendix_holds_all_43_actions_and_their_updates_in_order(page):
    appendix_c = parse_appendix_c(APPENDIX_C.read_text(encoding="utf-8"))
    objectives = [
        _text(t) for t in re.findall(r'<h3 [^>]*id="paper-objective-\d+">(.*?)</h3>', page)
    ]
    assert objectives == [title for title, _, _ in appendix_c]
    shown = [
        (title, *row[:4], row[4])
        for title, grid in zip(objectives, report_grids(page), strict=True)
        for row in grid
    ]
    expected = flatten(appendix_c)
    assert len(shown) == len(expected) == 43
    for row, (title, statement, requirement, mechanism, action, update) in zip(
        shown, expected, strict=True
    ):
        assert row[:5] == (
            title,
            statement,
            requirement,
            mechanism,
            action or UNTITLED_ACTION,
        )
        # The cell holds the update as printed, blank where the seed's is: no "No update
        # provided" and no "Not assessed", which the committee never saw. Only the 11 the
        # fixture rates complete from their own words ("Completed", "In place-") say so.
        words = " ".join(update.split())
        assert row[5] in {words, f"Complete {words}".strip()}, action
    assert sum(row[5].startswith("Complete") for row in shown) == 11


def test_the_paper_names_its_appendices_as_its_own_text_does(seed, page):
    """Its APPENDICES section lists "Appendix 2 Key Performance Data" and "Appendix 3 Progress
    to date", and 5.5 cites "(Appendix 2)": the generated appendices carry those names."""
    headings = [_text(h) for h in re.findall(r'<h2 class="govuk-heading-l">(.*?)</h2>', page)]
    assert "Appendix 2 Key Performance Data" in headings
    assert "Appendix 3 Progress to date, 2024-25 Q3" in headings
    assert not [h for h in headings if re.match(r"Appendix [ABC]\b", h)]
    listed = dict(seed["sections"])["APPENDICES"]
    assert "Appendix 2 Key Performance Data" in str(listed)
    assert "Appendix 3 Progress to date" in str(listed)


PAPER_QUOTES = {
    # code: (figure, its period), the paper's figures named as every page names a period
    # (kpis.rating.period_name): a count on a day by its date, a quarter's events by it
    "cp-children-in-care": ("699", "31 January 2025"),
    "cp-children-in-residential": ("83", "1 February 2025"),
    "cp-children-families-budget-variance": ("£4,531,000", "2023-24"),
    "cp-pwp-discharges": ("7", "2024-25 Q3"),
    "cp-juno-occupancy": ("63%", "2024-25 Q3"),
    "cp-mockingbird-carers": ("6", "31 December 2024"),
    "cp-foster-instead-of-residential": ("4", "2024-25 Q3"),
    "cp-in-house-matches-returned-home": ("4", "2024-25 Q3"),
}

MONTHS = "January February March April May June July August September October November December"
_MONTH = {name: n for n, name in enumerate(MONTHS.split(), 1)}


def latest_date_named(text):
    """The last day of every date or period the text names ("1 February 2025", "January 2025",
    "2024-25 Q3", "2024-25"), so a figure dated after the paper's date cannot hide in it."""
    ends = []
    for day, month, year in re.findall(rf"(\b\d{{1,2}} )?({'|'.join(_MONTH)}) (\d{{4}})", text):
        month, year = _MONTH[month], int(year)
        if day:
            ends.append(dt.date(year, month, int(day)))
        else:
            following = dt.date(year + month // 12, month % 12 + 1, 1)
            ends.append(following - dt.timedelta(days=1))
    for start, quarter in re.findall(r"\b(20\d\d)-\d\d(?: Q([1-4]))?", text):
        period_end = ReportingPeriod(int(start), int(quarter or 4)).end
        ends.append(period_end)
    return max(ends, default=None)


def _assert_only_the_papers_figures(page):
    rows = kpi_rows(page)
    assert {code: (cells[0],) for code, cells in rows.items()} == {
        code: (f"{figure} {date}",) for code, (figure, date) in PAPER_QUOTES.items()
    }
    for code, cells in rows.items():
        figure_cells = " ".join(cells[:7])  # every cell but the source document's title
        assert latest_date_named(figure_cells) <= FIGURES_AS_AT, (code, figure_cells)
        assert cells[1] == "No agreed target"  # real figures, and the paper quotes no target
        assert "Illustrative" not in figure_cells


def test_the_key_performance_data_holds_exactly_the_figures_the_paper_quotes(page):
    _assert_only_the_papers_figures(page)


def _load_everything_known_later(seed_programme):
    call_command("loaddata", "cla_strategy_2022_25", verbosity=0)
    lait = sorted(str(p) for p in (settings.BASE_DIR / "fixtures" / "lait").glob("*"))
    call_command("import_lait", *lait, verbosity=0)
    call_command("generate_demo_kpis", verbosity=0)
    for kpi in KPI.objects.filter(objectives__programme=seed_programme).distinct():
        for period_end in (dt.date(2025, 2, 2), dt.date(2025, 2, 28), dt.date(2025, 3, 31)):
            dfe = KPIValue.objects.filter(kpi=kpi, period_end=period_end, origin=Origin.DFE)
            if dfe.update(local_value=Decimal(1), local_source="Later"):  # beside DfE's
                continue
            KPIValue.objects.update_or_create(
                kpi=kpi,
                period_end=period_end,
                defaults={"value": Decimal(1), "origin": Origin.RETURN, "source": "Later"},
            )
        for year in (2024, 2025):
            KPITarget.objects.update_or_create(
                kpi=kpi, financial_year=year, defaults={"value": Decimal(1)}
            )
    # However it came about (an administrator reopens the quarter, an officer corrects it).
    edited = Update.objects.filter(action__title__startswith=RISK_MATRIX)
    assert edited.update(text="Edited after the committee") == 1


def test_nothing_later_reaches_the_published_paper(
    seed_paper, seed_programme, client, committee_member
):
    client.force_login(committee_member)
    before = client.get(f"/papers/{seed_paper.pk}/").content.decode()
    _load_everything_known_later(seed_programme)
    # A build today would differ: the later targets and the edited update are there.
    live = content.build(paper_for_page(seed_paper.pk))
    assert live != paper_for_page(seed_paper.pk).snapshot

    after = client.get(f"/papers/{seed_paper.pk}/").content.decode()
    article = re.compile(r'<article class="app-paper".*?</article>', re.S)
    assert article.search(after)[0] == article.search(before)[0]
    _assert_only_the_papers_figures(after)
    assert "Edited after the committee" not in after
    stored = json.loads(FIXTURE.read_text(encoding="utf-8"))
    (paper_row,) = [row for row in stored if row["model"] == "actions.paper"]
    assert f'data-sha256="{paper_row["fields"]["snapshot_sha256"]}"' in after
    assert (
        paper_row["fields"]["snapshot_sha256"] in re.search(r"Record SHA-256: (.*?)</p>", after)[1]
    )


def test_the_shipped_snapshot_is_what_publishing_builds_from_the_two_fixtures(seed_paper):
    paper = paper_for_page(seed_paper.pk)
    assert content.build(paper) == paper.snapshot
    assert paper.snapshot_sha256 == content.sha256(paper.snapshot)


def test_write_seed_paper_writes_the_shipped_fixture_byte_for_byte(db, tmp_path):
    output = tmp_path / "paper.json"
    call_command(
        "write_seed_paper",
        "--into-empty-database",
        "--paper",
        "care_programme_paper_2025_03",
        "--output",
        str(output),
    )
    assert output.read_bytes() == FIXTURE.read_bytes()
    assert not Paper.objects.exists()  # built, written and rolled back


def test_write_seed_paper_refuses_a_database_that_holds_data(seed_programme, tmp_path):
    with pytest.raises(CommandError, match="throwaway database"):
        call_command(
            "write_seed_paper",
            "--into-empty-database",
            "--paper",
            "care_programme_paper_2025_03",
            "--output",
            str(tmp_path / "p.json"),
        )
    assert not (tmp_path / "p.json").exists()


def test_write_seed_paper_writes_one_file_only_for_a_paper_named(db, tmp_path):
    with pytest.raises(CommandError, match="name it with --paper"):
        call_command("write_seed_paper", "--output", str(tmp_path / "p.json"))
    assert not (tmp_path / "p.json").exists()


def test_the_seed_paper_is_published_with_its_quarter_locked_and_its_sign_off_recorded(
    seed_paper, seed_programme
):
    assert seed_paper.is_published
    assert seed_paper.programme.slug == SEED_SLUG
    assert seed_paper.period == ReportingPeriod(2024, 3)
    assert seed_paper.figures_as_at == FIGURES_AS_AT
    assert seed_paper.meeting.committee.name == "Children, Young People and Education Committee"
    lock = lock_for(seed_programme.pk, ReportingPeriod(2024, 3))
    assert lock.paper == seed_paper and lock.locked_at == seed_paper.published_at
    assert QuarterLock.objects.count() == 1
    events = list(seed_paper.events.order_by("at"))
    assert [(e.step, e.by, e.by_name) for e in events] == [
        (PaperEvent.Step.DRAFTED, None, "Kerry Mehta, Assistant Director Children's Social Care"),
        (PaperEvent.Step.PUBLISHED, None, "Committee services"),
    ]
    assert all(e.comment.startswith("Recorded from the published paper") for e in events)
    assert events[0].at.date() >= FIGURES_AS_AT
    assert events[1].at == seed_paper.published_at < dt.datetime(2025, 3, 5, tzinfo=dt.UTC)
