"""A committee member prints the Q3 report and the KPI dashboard from the browser.

Data as a new user meets it: `setup_demo` loads the seed programme, its published paper,
the strategy's KPI catalogue, DfE's extract and the illustrative history.
"""

import io
import re
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from actions.models import Action
from careprog.management.commands.setup_demo import DEMO_PASSWORD
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

Q3_REPORT = "/programmes/care-programme-2024-25/report/2024-25-q3/"
DASHBOARD = "/kpis/"
RUNNING_HEADER = "Care Programme 2024-25 — Report on progress, 2024-25 Q3"
PAGE_NUMBER = re.compile(r"Page (\d+) of (\d+)")
MARGIN = 12 * 72 / 25.4  # the 12 mm @page margin, in points


@pytest.fixture
def demo(transactional_db, live_server, page, settings):
    """What `make demo` gives a new user; setup_demo refuses to run outside DEBUG."""
    settings.DEBUG = True
    call_command("setup_demo", stdout=io.StringIO())
    settings.DEBUG = False
    sign_in(page, live_server, "councillor", DEMO_PASSWORD)
    return page


def print_to_pdf(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.emulate_media(media="print")
    data = page.pdf(prefer_css_page_size=True, print_background=True)
    import os
    open(f"/tmp/print-{len(os.listdir('/tmp'))}.pdf", "wb").write(data)
    return PdfReader(io.BytesIO(data))


@dataclass
class PrintedPage:
    number: int
    height: float
    lines: list  # (y from the top of the sheet in points, text), in reading order
    links: list  # (y from the top, href) of each link annotation

    @property
    def text(self):
        return "\n".join(text for _, text in self.lines)

    def body_lines(self):
        """Lines inside the page box: the running header and page number sit in the margins."""
        return [(y, t) for y, t in self.lines if MARGIN <= y <= self.height - MARGIN]

    def empty_fraction(self):
        """How much of the page box lies below its last line of text.

        Text is a fair proxy for fill here: every row's Updates cell ends in text, and the
        table's borders end a few points under it.
        """
        body = [y for y, _ in self.body_lines()]
        usable = self.height - 2 * MARGIN
        return (self.height - MARGIN - max(body)) / usable if body else 1.0


def read_pages(pdf):
    pages = []
    for number, sheet in enumerate(pdf.pages, start=1):
        height = float(sheet.mediabox.height)
        lines = []

        def visit(text, cm, tm, font, size, lines=lines, height=height):
            if text.strip():
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]  # the text's origin, in page space
                lines.append((height - y, text.strip()))

        sheet.extract_text(visitor_text=visit)
        links = []
        for annotation in sheet.get("/Annots") or []:
            annotation = annotation.get_object()
            uri = annotation.get("/A", {}).get("/URI")
            if uri:
                links.append((height - float(annotation["/Rect"][3]), str(uri)))
        pages.append(PrintedPage(number, height, lines, sorted(links)))
    return pages


def squash(text):
    return re.sub(r"\s+", "", text)


def test_measure(demo, live_server):
    pages = read_pages(print_to_pdf(demo, f"{live_server.url}{Q3_REPORT}"))
    for p in pages:
        print(p.number, f"{p.empty_fraction():.0%}", len(p.links), p.lines[:2], p.lines[-2:])
    pages = read_pages(print_to_pdf(demo, f"{live_server.url}{DASHBOARD}"))
    print("dashboard", len(pages))
    assert Action
