"""The Excel downloads: a paper's appendices (/papers/<id>/appendix.xlsx) and a quarter's
report (/programmes/<slug>/report/<period>/report.xlsx), read back as a user's spreadsheet
program would: openpyxl for the cells, merges and print set-up, LibreOffice for opening and
printing them. The expected rows come from the committee's Appendix C, parsed independently
(tests/test_seed_fixture.py), never from careprog's own builder."""

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from actions.models import UNTITLED_ACTION, Action, Paper, Update
from actions.papers.xlsx import KPI_SHEET, PROGRESS_SHEET
from careprog import jobs
from kpis.importing.apply import apply_return, store_upload
from kpis.models import KPI, ComparatorValue, Origin
from tests import libreoffice
from tests.conftest import RISK_MATRIX, seed_action
from tests.import_files import long_return
from tests.kpi_factories import approve_imports, make_kpi, make_value
from tests.paper_downloads import fetch
from tests.paper_factories import draft_paper
from tests.test_paper_queries import papers_of, queries_for, ten_times
from tests.test_seed_fixture import SOURCE as APPENDIX_C
from tests.test_seed_fixture import flatten, parse_appendix_c
from tests.test_seed_paper import FIGURES_AS_AT, PAPER_QUOTES

REPORT = "/programmes/care-programme-2024-25/report/2024-25-q3/report.xlsx"
# The paper's figures (PAPER_QUOTES) as the Excel appendix holds them: number and format.
FIGURES = {
    "cp-children-in-care": (699, "#,##0"),
    "cp-children-in-residential": (83, "#,##0"),
    "cp-children-families-budget-variance": (4531000, '"£"#,##0;-"£"#,##0'),
    "cp-pwp-discharges": (7, "#,##0"),
    "cp-juno-occupancy": (0.63, "0%"),
    "cp-mockingbird-carers": (6, "#,##0"),
    "cp-foster-instead-of-residential": (4, "#,##0"),
    "cp-in-house-matches-returned-home": (4, "#,##0"),
}
HEADER_ROW = 4  # a title and two lines above it
FORMULA = '=HYPERLINK("http://evil.example","Click")'


@pytest.fixture
def seed_paper(seed_programme):
    call_command("loaddata", "care_programme_paper_2025_03", verbosity=0)
    return Paper.objects.get(programme=seed_programme, meeting__date=dt.date(2025, 3, 5))


@pytest.fixture
def appendix_c():
    return parse_appendix_c(APPENDIX_C.read_text(encoding="utf-8"))


def download(client, url) -> bytes:
    response = fetch(client, url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith("attachment;")
    return response.content


def appendix_url(paper):
    return f"/papers/{paper.pk}/appendix.xlsx"


def workbook(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def _words(text):
    return " ".join((text or "").split())


def progress_rows(sheet):
    """(objective title, statement, requirement, mechanism, action, updates cell) per action
    row, a merged cell's text read from its top-left cell as a reader's eye does."""
    origin = {}
    for merged in sheet.merged_cells.ranges:
        for row in range(merged.min_row, merged.max_row + 1):
            for column in range(merged.min_col, merged.max_col + 1):
                origin[row, column] = (merged.min_row, merged.min_col)

    def value(row, column):
        return sheet.cell(*origin.get((row, column), (row, column))).value or ""

    rows, title = [], None
    for row in range(HEADER_ROW + 1, sheet.max_row + 1):
        if origin.get((row, 5)) == (row, 1):  # a heading row across the table
            title = value(row, 1)
            continue
        rows.append((title, *(_words(value(row, column)) for column in range(1, 5)), value(row, 5)))
    return rows


def expected_merges(appendix_c):
    """The merged ranges the committee's table has: the title block's lines, each objective's
    heading and statement, and each requirement and mechanism over more than one row."""
    merges = {f"A{row}:E{row}" for row in range(1, HEADER_ROW)}
    row = HEADER_ROW
    for _title, _statement, requirements in appendix_c:
        row += 1
        merges.add(f"A{row}:E{row}")
        first = row + 1
        for _requirement, mechanisms in requirements:
            requirement_first = row + 1
            for _mechanism, actions in mechanisms:
                if len(actions) > 1:
                    merges.add(f"C{row + 1}:C{row + len(actions)}")
                row += len(actions)
            if row > requirement_first:
                merges.add(f"B{requirement_first}:B{row}")
        merges.add(f"A{first}:A{row}")
    return merges


def assert_holds_appendix_c(data, appendix_c, *, no_update):
    """``no_update``: what a row with no update says, "" in a paper (the committee's table
    leaves the cell blank), "No update provided" in the live report."""
    sheet = workbook(data)[PROGRESS_SHEET]
    shown = progress_rows(sheet)
    expected = flatten(appendix_c)
    assert len(shown) == len(expected) == 43
    for row, (title, statement, requirement, mechanism, action, update) in zip(
        shown, expected, strict=True
    ):
        assert row[:5] == (title, statement, requirement, mechanism, action or UNTITLED_ACTION)
        # A status only where one was given (the 11 complete), then the update.
        assert _words(row[5]) in {_words(update) or no_update, f"Complete {_words(update)}"}
    assert "Not assessed" not in str(shown)
    assert {str(r) for r in sheet.merged_cells.ranges} == expected_merges(appendix_c)


def assert_prints_a4_landscape_fit_to_width(sheet):
    assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
    assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4) == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (int(sheet.page_setup.fitToWidth), int(sheet.page_setup.fitToHeight)) == (1, 0)


# --- The published paper --------------------------------------------------------------------


def test_the_papers_appendix_holds_all_43_actions_under_their_objective_requirement_and_mechanism(
    seed_paper, member_client, appendix_c
):
    assert_holds_appendix_c(
        download(member_client, appendix_url(seed_paper)), appendix_c, no_update=""
    )


def test_the_live_q3_report_holds_the_same_43_actions_and_merges(
    seed_programme, member_client, appendix_c
):
    assert_holds_appendix_c(
        download(member_client, REPORT), appendix_c, no_update="No update provided"
    )


def test_the_objective_headings_are_the_four_titles_of_appendix_c_in_order(
    seed_paper, member_client, appendix_c
):
    sheet = workbook(download(member_client, appendix_url(seed_paper)))[PROGRESS_SHEET]
    headings = [
        sheet.cell(r.min_row, 1).value
        for r in sorted(sheet.merged_cells.ranges, key=lambda r: r.min_row)
        if r.max_col == 5 and r.min_row > HEADER_ROW
    ]
    assert headings == [title for title, _, _ in appendix_c]


def test_the_title_names_programme_quarter_committee_and_meeting_and_updates_is_widest(
    seed_paper, member_client
):
    sheet = workbook(download(member_client, appendix_url(seed_paper)))[PROGRESS_SHEET]
    # The appendix as the paper's own text names it.
    assert sheet["A1"].value == "Appendix 3 Progress to date, 2024-25 Q3: Care Programme 2024-25"
    assert sheet["A2"].value == (
        "Appendix to the paper “CARE PROGRAMME” to Children, Young People and Education "
        "Committee, Wednesday 5 March 2025."
    )
    assert "Draft" not in sheet["A1"].value and not sheet.oddHeader.center.text
    assert sheet["E4"].value == "Updates\n2024-25 Q3"
    widths = {c: sheet.column_dimensions[c].width for c in "ABCDE"}
    assert max(widths, key=widths.get) == "E"
    texts = [c for row in sheet.iter_rows(min_row=HEADER_ROW) for c in row if c.value]
    assert all(c.alignment.wrap_text and c.alignment.vertical == "top" for c in texts)


def test_every_kpi_of_the_papers_appendix_is_on_its_own_sheet_with_its_figure_and_period(
    seed_paper, member_client
):
    book = workbook(download(member_client, appendix_url(seed_paper)))
    assert book.sheetnames == [PROGRESS_SHEET, KPI_SHEET]
    sheet = book[KPI_SHEET]
    assert sheet["A1"].value == (
        "Appendix 2 Key Performance Data: Care Programme 2024-25, as at "
        f"{FIGURES_AS_AT:%-d %B %Y}"  # 1 February 2025
    )
    header = [c.value for c in sheet[HEADER_ROW]]
    assert header == [
        "Measure",
        "Figure",
        "Period",
        "Target",
        "Rating",
        "Reason for the rating",
        "Direction",
        "Statistical neighbours",
        "England",
        "Rank and band",
        "Commentary",
        "Source",
    ]
    names = dict(KPI.objects.values_list("name", "code"))
    shown = {
        names[row[0].value]: (row[1].value, row[1].number_format, row[2].value)
        for row in sheet.iter_rows(min_row=HEADER_ROW + 1)
    }
    # Figures are numbers with the unit's format, shown as the paper words them (LibreOffice
    # reads them back so below); the period is words.
    assert shown == {
        code: (FIGURES[code][0], FIGURES[code][1], period)
        for code, (_, period) in PAPER_QUOTES.items()
    }
    for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True):
        assert row[3] == "No agreed target" and row[4].endswith("Not rated")
        # Published before owners' commentary was kept: none, and its source still shown.
        assert not row[10] and row[11]
        assert row[5].startswith("Not rated:")


def test_both_sheets_freeze_and_repeat_their_header_row_and_print_a4_landscape_fit_to_width(
    seed_paper, member_client
):
    for data in [
        download(member_client, appendix_url(seed_paper)),
        download(member_client, REPORT),
    ]:
        for sheet in workbook(data):
            assert_prints_a4_landscape_fit_to_width(sheet)


@pytest.mark.slow
def test_libreoffice_prints_the_appendix_to_pdf_with_every_action(
    seed_paper, member_client, appendix_c, tmp_path
):
    source = tmp_path / "appendix.xlsx"
    source.write_bytes(download(member_client, appendix_url(seed_paper)))
    (pdf,) = libreoffice.convert(source, "pdf").iterdir()
    pages = PdfReader(pdf).pages
    text = _words(" ".join(page.extract_text() for page in pages))
    missing = [a for *_, a, _ in flatten(appendix_c) if a and _words(a) not in text]
    assert missing == []
    assert "Number of children in care" in text and "DRAFT" not in text
    assert all("Page" in page.extract_text() for page in pages)


@pytest.mark.slow
def test_libreoffice_reads_the_figures_as_numbers_that_sum_and_shows_them_as_the_paper_does(
    seed_paper, member_client, tmp_path
):
    """A councillor's analyst sums a column: LibreOffice, given the appendix with a SUM under
    the figures, works it out; and it shows each figure as the paper words it."""
    book = workbook(download(member_client, appendix_url(seed_paper)))
    sheet = book[KPI_SHEET]
    last = sheet.max_row
    sheet.cell(last + 2, 2).value = f"=SUM(B{HEADER_ROW + 1}:B{last})"
    book.remove(book[PROGRESS_SHEET])
    source = tmp_path / "summed.xlsx"
    book.save(source)
    (values,) = libreoffice.convert(source, "csv").glob("*.csv")
    rows = list(csv.reader(values.read_text(encoding="utf-8").splitlines()))
    assert float(rows[last + 1][1]) == pytest.approx(sum(n for n, _ in FIGURES.values()))

    shown_as = tmp_path / "shown"
    shown_as.mkdir()
    original = shown_as / "appendix.xlsx"
    original.write_bytes(download(member_client, appendix_url(seed_paper)))
    (text,) = libreoffice.convert(original, "csv", as_shown=True).glob("*Key*.csv")
    rows = list(csv.reader(text.read_text(encoding="utf-8").splitlines()))[HEADER_ROW:]
    names = dict(KPI.objects.values_list("name", "code"))
    assert {names[row[0]]: (row[1], row[2]) for row in rows} == PAPER_QUOTES


def test_every_unit_is_a_number_with_its_format_and_comparators_too_in_a_drafts_appendix(
    seed_programme, officer, client
):
    """Percentages as fractions under "%" with the measure's decimal places, rates, days and
    money with their words and "£", an illustrative figure still a number that says so; the
    comparators DfE publishes beside a figure are numbers in the same format."""
    objective = seed_programme.objectives.first()
    end = dt.date(2024, 12, 31)
    figures = {
        "x-percentage": ("percentage", 1, Decimal("63.25"), Origin.RETURN),
        "x-rate": ("rate_10000", 1, Decimal("87.5"), Origin.RETURN),
        "x-days": ("days", 0, Decimal("412"), Origin.RETURN),
        "x-money": ("currency", 0, Decimal("-12500"), Origin.RETURN),
        "x-score": ("score", 2, Decimal("2.5"), Origin.ILLUSTRATIVE),
    }
    for code, (unit, places, value, origin) in figures.items():
        kpi = make_kpi(code, unit=unit, decimal_places=places, name=f"Measure {code}")
        objective.kpis.add(kpi)
        make_value(kpi, end, value, origin=origin)
    ComparatorValue.objects.create(
        kpi=KPI.objects.get(code="x-percentage"), comparator="england", period_end=end, value=70
    )
    draft = draft_paper(seed_programme, officer, figures_as_at=FIGURES_AS_AT)
    client.force_login(officer)
    sheet = workbook(download(client, appendix_url(draft)))[KPI_SHEET]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=HEADER_ROW + 1)}

    def cell(code, column):
        found = rows[f"Measure {code}"][column]
        return found.value, found.number_format

    assert cell("x-percentage", 1) == (pytest.approx(0.6325), "0.0%")  # shows 63.3%
    assert cell("x-percentage", 8) == (pytest.approx(0.70), "0.0%")  # England, 70.0%
    assert cell("x-percentage", 7) == ("Not published", "General")
    assert cell("x-rate", 1) == (87.5, '#,##0.0" per 10,000"')
    assert cell("x-days", 1) == (412, '[=1]0" day";#,##0" days"')
    assert cell("x-money", 1) == (-12500, '"£"#,##0;-"£"#,##0')
    assert cell("x-score", 1) == (2.5, '#,##0.00" (illustrative)"')


# --- A published paper's workbook is the record ---------------------------------------------


def test_a_published_papers_workbook_is_byte_identical_after_later_edits_imports_and_renames(
    seed_paper, seed_programme, member_client, officer, administrator
):
    before = download(member_client, appendix_url(seed_paper))
    Update.objects.filter(action=seed_action(RISK_MATRIX)).update(text="Edited after the committee")
    batch = store_upload(
        data=long_return([["cp-juno-occupancy", "2024-12-31", 70, "Recounted"]]),
        file_name="return.xlsx",
        user=administrator,
    )
    apply_return(batch=batch, user=administrator)
    approve_imports()
    kpi = KPI.objects.get(code="cp-juno-occupancy")
    kpi.name = "Juno: places occupied"
    kpi.save()

    after = download(member_client, appendix_url(seed_paper))
    assert after == before
    # Dated by its publication, not by the download.
    assert workbook(after).properties.modified == dt.datetime(2025, 2, 25, 9, 0)
    with zipfile.ZipFile(io.BytesIO(after)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2025, 2, 25, 9, 0, 0)}
    # Not because nothing moved: a draft on the same quarter shows all three.
    draft = draft_paper(seed_programme, officer, figures_as_at=FIGURES_AS_AT)
    drafter = Client()
    drafter.force_login(officer)
    live = workbook(download(drafter, appendix_url(draft)))
    progress = [row[5] for row in progress_rows(live[PROGRESS_SHEET])]
    assert any(update.endswith("Edited after the committee") for update in progress)
    kpis = {row[0].value: row[1] for row in live[KPI_SHEET].iter_rows(min_row=5)}
    juno = kpis["Juno: places occupied"]
    assert (juno.value, juno.number_format) == (0.7, "0%")  # 70%


# --- Drafts, permissions, user text ------------------------------------------------------------


def test_a_committee_member_gets_404_for_a_drafts_appendix_and_200_for_the_published_one(
    seed_paper, seed_programme, officer, member_client
):
    draft = draft_paper(seed_programme, officer)
    assert member_client.get(appendix_url(draft)).status_code == 404
    assert member_client.get(appendix_url(seed_paper)).status_code == 200
    assert member_client.get(REPORT).status_code == 200


def test_a_report_for_a_quarter_the_programme_does_not_cover_is_404(seed_programme, member_client):
    for period in ["2019-20-q1", "2031-32-q4"]:
        url = f"/programmes/care-programme-2024-25/report/{period}/report.xlsx"
        assert member_client.get(url).status_code == 404, period
    assert member_client.get(REPORT.replace("2024-25-q3", "2024-25-q5")).status_code == 404


@pytest.mark.slow
def test_a_drafts_workbook_says_draft_in_its_titles_and_on_every_printed_page(
    seed_programme, officer, client, tmp_path
):
    draft = draft_paper(seed_programme, officer)
    client.force_login(officer)
    data = download(client, appendix_url(draft))
    for sheet in workbook(data):
        assert sheet["A1"].value.startswith("Draft: "), sheet.title
        assert sheet.oddHeader.center.text == "DRAFT"
    source = tmp_path / "draft.xlsx"
    source.write_bytes(data)
    (pdf,) = libreoffice.convert(source, "pdf").iterdir()
    pages = PdfReader(pdf).pages
    assert len(pages) >= 2
    assert all("DRAFT" in page.extract_text() for page in pages)


@pytest.mark.slow
def test_formula_like_text_stays_text_in_openpyxl_and_in_libreoffice(
    seed_programme, officer, client, tmp_path
):
    seed_programme.name = "=1+2"
    seed_programme.save()
    action = seed_action(RISK_MATRIX)
    Action.objects.filter(pk=action.pk).update(title=FORMULA)
    Update.objects.filter(action=action).update(text="@SUM(1,2)")
    draft = draft_paper(seed_programme, officer, title="=cmd|' /C calc'!A0")
    client.force_login(officer)
    for name, data in [
        ("report", download(client, REPORT)),
        ("appendix", download(client, appendix_url(draft))),
    ]:
        book = workbook(data)
        sheet = book[PROGRESS_SHEET]
        cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
        texts = {c.value: c for c in cells}
        assert texts[FORMULA].data_type == "s" and texts[FORMULA].quotePrefix
        assert texts["@SUM(1,2)"].data_type == "s", name  # no status given: the update alone
        if name == "report":
            assert texts["=1+2: report on progress, 2024-25 Q3"].data_type == "s"
        else:
            assert "“=cmd|' /C calc'!A0”" in sheet["A2"].value
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
            assert not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n) for n in sheets)
        source = tmp_path / f"{name}.xlsx"
        source.write_bytes(data)
        exported = libreoffice.convert(source, "csv")
        text = "".join(f.read_text(encoding="utf-8") for f in exported.iterdir())
        assert '=HYPERLINK(""http://evil.example"",""Click"")' in text, name
        assert "@SUM(1,2)" in text and "Click" not in text.replace(FORMULA.replace('"', '""'), "")
        if name == "report":
            assert "=1+2: report on progress" in text


def test_the_paper_page_and_the_report_page_link_their_spreadsheets(seed_paper, member_client):
    paper_page = member_client.get(f"/papers/{seed_paper.pk}/").content.decode()
    assert (
        f'href="{appendix_url(seed_paper)}" download>The appendices as a spreadsheet' in paper_page
    )
    report_page = member_client.get(REPORT.removesuffix("report.xlsx")).content.decode()
    assert f'href="{REPORT}" download>Download this report' in report_page


# --- Queries: the same for a programme ten times the seed's size --------------------------


@pytest.mark.parametrize(
    ("url", "count"),
    [
        # as the paper's page (tests/test_paper_queries.py): session, user, permissions
        # (user's and groups'), the paper with its programme, meeting and committee, its
        # sections and timeline; then its stored file (papers/files.py): nothing more, the
        # snapshot holds the rest. Its first download also stores the file (a savepoint,
        # an INSERT, its release): 11.
        ("/papers/{q3}/appendix.xlsx", 7 + 1),
        # session, user, permissions, programme; objectives, requirements, mechanisms,
        # actions, updates
        ("/programmes/{slug}/report/2024-25-q3/report.xlsx", 10),
    ],
    ids=["published", "report"],
)
def test_the_workbooks_take_the_same_queries_for_a_programme_ten_times_larger(
    seed_programme, officer, head_of_service, client, url, count
):
    """The seed's papers, and the same papers of a programme ten times its size (430 actions,
    80 measures), as test_paper_queries.py makes them."""
    sizes = {seed_programme.slug: papers_of(seed_programme, officer, head_of_service)}
    big = ten_times(seed_programme)
    sizes[big.slug] = papers_of(big, officer, head_of_service, extra_drafts=10)
    client.force_login(head_of_service)
    urls = [
        url.format(slug=slug, **{k: p.pk for k, p in papers.items()})
        for slug, papers in sizes.items()
    ]
    for stored_once in urls:
        client.get(stored_once)
    assert [queries_for(client, url) for url in urls] == [count, count]


@override_settings(TASKS_RUN="manual")
def test_a_drafts_workbook_is_built_by_its_job_in_the_same_queries_ten_times_larger(
    seed_programme, officer, head_of_service, client
):
    """A draft's build from live data (papers.content.build: ten queries) runs in a background
    job, not in the request (papers/draft_files.py): the job's queries, with the worker's own
    claiming and recording of the job, are as many for a programme ten times larger."""
    drafts = [
        papers_of(seed_programme, officer, head_of_service)["draft"],
        papers_of(ten_times(seed_programme), officer, head_of_service, extra_drafts=10)["draft"],
    ]
    jobs.run_ready()  # the publications' files and emails, queued as the papers were made
    client.force_login(head_of_service)
    counts = []
    for draft in drafts:
        assert client.get(f"/papers/{draft.pk}/appendix.xlsx").status_code == 302
        with CaptureQueriesContext(connection) as queries:
            assert jobs.run_ready() == 1
        counts.append(len(queries))
    assert counts[0] == counts[1]
