"""A committee member prints the Q3 report and the KPI dashboard from the browser.

The data is what a new user meets (`setup_demo`: the seed programme, its published paper,
the strategy's KPI catalogue, DfE's extract and the illustrative history), and the browser
runs under the site's real content security policy: the running header is a nonced style.
"""

import io
import re
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from actions.models import Action, Objective
from careprog.management.commands.setup_demo import DEMO_PASSWORD
from careprog.periods import ReportingPeriod
from kpis.models import KPI
from tests.browser.conftest import sign_in
from tests.conftest import SEED_SLUG

pytestmark = pytest.mark.browser

Q3 = ReportingPeriod.parse("2024-25-q3")
Q3_REPORT = f"/programmes/{SEED_SLUG}/report/{Q3.slug}/"
REPORT_HEADER = "Care Programme 2024-25 — Report on progress, 2024-25 Q3"
DASHBOARD = "/kpis/"
DASHBOARD_HEADER = "KPI dashboard — latest figures"
MARGIN = 12 * 72 / 25.4  # careprog.scss's 12 mm @page margin, in points
EMPTY_AT_MOST = 1 / 3


@pytest.fixture
def member(transactional_db, live_server, browser, settings):
    """A committee member's browser, signed in after `setup_demo` (which wants DEBUG)."""
    settings.DEBUG = True
    call_command("setup_demo", stdout=io.StringIO())
    settings.DEBUG = False
    context = browser.new_context()  # no bypass_csp: the header must survive the real policy
    page = context.new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text))
    page.problems = problems
    sign_in(page, live_server, "councillor", DEMO_PASSWORD)
    yield page
    context.close()


@dataclass
class Sheet:
    """One printed page: its lines of text and its links, measured from the top in points."""

    number: int
    height: float
    lines: list  # (y, text) in the order the PDF draws them, which is reading order
    links: list  # (y, href)

    @property
    def text(self):
        return squash("".join(text for _, text in self.lines))

    def top_margin(self):
        return squash("".join(text for y, text in self.lines if y < MARGIN))

    def body(self):
        return [(y, text) for y, text in self.lines if MARGIN <= y <= self.height - MARGIN]

    def free(self):
        """Points between the last line of text and the foot of the page box.

        Text is the proxy for fill: every row ends in its Updates text or a status tag, and
        the table's rule sits a few points below it.
        """
        body = self.body()
        return self.height - MARGIN - max(y for y, _ in body) if body else self.usable()

    def usable(self):
        return self.height - 2 * MARGIN

    def empty(self):
        return self.free() / self.usable()

    def first_row_height(self):
        """How tall the block that opens this sheet is: from its first line (the objective's
        heading, or the first action when the table continues) to the second action's top."""
        actions = [y for y, href in self.links if "/actions/" in href]
        body = sorted(self.body())
        start = body[0][1] == "Objective" and actions and actions[0] or body[0][0]
        end = actions[1] if len(actions) > 1 else max(y for y, _ in body)
        return end - start


def squash(text):
    """PDF text breaks lines wherever the table wrapped them, so compare without whitespace."""
    return re.sub(r"\s+", "", text)


def print_sheets(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.emulate_media(media="print")
    pdf = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=True)))
    sheets = []
    for number, pdf_page in enumerate(pdf.pages, start=1):
        height = float(pdf_page.mediabox.height)
        lines = []

        def visit(text, cm, tm, font, size, lines=lines, height=height):
            if text.strip():  # the origin of the text run, in page space, from the top
                lines.append((height - (tm[4] * cm[1] + tm[5] * cm[3] + cm[5]), text.strip()))

        pdf_page.extract_text(visitor_text=visit)
        links = [
            (height - float(link["/Rect"][3]), str(link["/A"]["/URI"]))
            for link in (annotation.get_object() for annotation in pdf_page.get("/Annots") or [])
            if "/URI" in link.get("/A", {})
        ]
        sheets.append(Sheet(number, height, lines, sorted(links)))
    return sheets


def fill_report(sheets):
    return ", ".join(f"p{s.number} {1 - s.empty():.0%}" for s in sheets)


def test_the_printed_q3_report_fits_nine_numbered_sheets_each_with_the_running_header(
    member, live_server
):
    sheets = print_sheets(member, f"{live_server.url}{Q3_REPORT}")
    print(f"\nQ3 report: {len(sheets)} sheets, fill {fill_report(sheets)}")

    assert len(sheets) <= 9, f"{len(sheets)} sheets"
    for sheet in sheets:
        assert sheet.top_margin() == squash(REPORT_HEADER), (sheet.number, sheet.top_margin())
        assert f"Page{sheet.number}of{len(sheets)}" in sheet.text, sheet.number
    assert not member.problems, member.problems  # e.g. the CSP refusing the header's style


def test_the_printed_report_has_every_action_and_prints_no_addresses(member, live_server):
    sheets = print_sheets(member, f"{live_server.url}{Q3_REPORT}")
    text = "".join(sheet.text for sheet in sheets)

    for address in ("/actions/", "/kpis/", "http", "Actionwithnotitle"):
        assert address not in text, f"{address!r} printed"
    actions = Action.objects.filter(
        mechanism__requirement__objective__programme__slug=SEED_SLUG
    ).prefetch_related("updates")
    assert len(actions) == 43
    missing = []
    for action in actions:
        update = next((u for u in action.updates.all() if u.period == Q3.slug), None)
        words = [action.title, update.text if update else ""]
        if not all(squash(w) in text for w in words):
            missing.append(action.title or f"untitled action {action.pk}")
    assert not missing, f"actions missing from the printed report: {missing}"


def test_no_printed_report_sheet_is_over_a_third_empty_unless_the_next_row_would_not_fit(
    member, live_server
):
    sheets = print_sheets(member, f"{live_server.url}{Q3_REPORT}")

    emptier = [
        f"p{sheet.number}: {sheet.free():.0f}pt free, next block {after.first_row_height():.0f}pt"
        for sheet, after in zip(sheets, sheets[1:], strict=False)
        if sheet.empty() > EMPTY_AT_MOST and after.first_row_height() < sheet.free()
    ]
    assert not emptier, f"sheets left emptier than they need be: {emptier}"


def test_each_printed_objective_heading_stands_above_its_table_on_the_same_sheet(
    member, live_server
):
    sheets = print_sheets(member, f"{live_server.url}{Q3_REPORT}")

    titles = {squash(title) for title in Objective.objects.values_list("title", flat=True)}
    orphans = []
    for sheet in sheets:
        for y, line in sheet.lines:
            if squash(line) in titles:
                below = [href for link_y, href in sheet.links if link_y > y]
                if not any("/actions/" in href for href in below):
                    orphans.append((sheet.number, line))
    assert not orphans, f"objective headings alone at the foot of a sheet: {orphans}"


def test_the_printed_kpi_dashboard_lists_every_measure_on_at_most_four_sheets(member, live_server):
    sheets = print_sheets(member, f"{live_server.url}{DASHBOARD}")
    print(f"\nKPI dashboard: {len(sheets)} sheets, fill {fill_report(sheets)}")

    assert len(sheets) <= 4, f"{len(sheets)} sheets"
    text = "".join(sheet.text for sheet in sheets)
    missing = [
        name for name in KPI.objects.values_list("name", flat=True) if squash(name) not in text
    ]
    assert not missing, f"measures missing from the printed dashboard: {missing}"
    assert "/kpis/" not in text and "http" not in text
    for sheet in sheets:
        assert sheet.top_margin() == squash(DASHBOARD_HEADER), (sheet.number, sheet.top_margin())
        assert f"Page{sheet.number}of{len(sheets)}" in sheet.text, sheet.number
    assert not member.problems, member.problems
