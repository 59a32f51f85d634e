"""A committee member signs in, opens "Needs attention" from the home page, follows it to an
action, and prints it: one A4 sheet for the seed programme at its latest quarter.

The data is what a new user meets (`setup_demo`: the seed programme and its published paper,
the strategy's KPI catalogue, DfE's extract and the illustrative history).
"""

import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from actions.models import Status
from careprog.management.commands.setup_demo import DEMO_PASSWORD
from tests.browser.conftest import assert_no_axe_violations, sign_in
from tests.browser.test_printing import print_sheets, squash
from tests.conftest import SEED_SLUG

pytestmark = pytest.mark.browser

Q3_ATTENTION = f"/programmes/{SEED_SLUG}/attention/2024-25-q3/"
HEADER = "Care Programme 2024-25 — Needs attention, 2024-25 Q3"
# Each heading says what its list is as at: the quarter's end, or today for overdue actions.
HEADINGS = [
    "Status of actions by objective at the end of 2024-25 Q3",
    "Off track or at risk at the end of 2024-25 Q3",
    "No update for 2024-25 Q3",
    f"Overdue as at today, {timezone.localdate():%-d %B %Y}",
    f"Risk reviews overdue as at today, {timezone.localdate():%-d %B %Y}",
    "Status changes since the last published paper",
    "Measures off target or worsening, as at 31 December 2024",
    "Measures in the bottom quartile of councils, as at 31 December 2024",
]


@pytest.fixture
def demo(transactional_db, settings):
    settings.DEBUG = True  # setup_demo refuses to run otherwise
    call_command("setup_demo", stdout=io.StringIO())
    settings.DEBUG = False


def test_a_committee_member_goes_from_sign_in_to_what_needs_attention_and_on_to_an_action(
    demo, live_server, page
):
    sign_in(page, live_server, "councillor", DEMO_PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")
    page.get_by_role("link", name="Care Programme 2024-25: needs attention").click()
    expect(page).to_have_url(f"{live_server.url}{Q3_ATTENTION}")  # the latest reported quarter
    expect(page.get_by_role("heading", level=1)).to_have_text("Needs attention: 2024-25 Q3")
    expect(page.locator("main").get_by_role("heading", level=2)).to_have_text(HEADINGS)

    missing = page.locator("section", has=page.get_by_role("heading", name=HEADINGS[2]))
    # Q3 is locked (the demo's paper is published): the section says so, linking to the paper,
    # then lists the actions.
    expect(missing.get_by_text("2024-25 Q3 is locked")).to_be_visible()
    first = missing.locator("li").get_by_role("link").first
    title = first.inner_text()
    first.click()
    expect(page).to_have_url(re.compile(rf"{live_server.url}/actions/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


@pytest.mark.parametrize("width", [1280, 768, 375])
def test_the_page_is_accessible_and_never_wider_than_the_screen(demo, live_server, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, "councillor", DEMO_PASSWORD)
    page.goto(f"{live_server.url}{Q3_ATTENTION}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Needs attention: 2024-25 Q3")
    assert_no_axe_violations(page)
    if width < 1280:
        assert page.evaluate("document.documentElement.scrollWidth") == width


# Each count cell as a reader sees it: its status's name (the label before it, the column's
# header being hidden on a phone), its number, and where it lies.
COUNT_CELLS = """() => [...document.querySelectorAll('.app-attention-counts td')].map(cell => {
  const box = cell.getBoundingClientRect();
  return {
    text: getComputedStyle(cell, '::before').content.replace(/^"|"$/g, '') +
      cell.textContent.trim(),
    seen: cell.checkVisibility({opacityProperty: true, visibilityProperty: true}) &&
      box.width > 0 && box.left >= 0 && box.right <= document.documentElement.clientWidth,
  };
})"""


def test_on_a_phone_every_status_count_is_on_the_screen_beside_its_status(demo, live_server, page):
    page.set_viewport_size({"width": 375, "height": 900})
    sign_in(page, live_server, "councillor", DEMO_PASSWORD)
    page.goto(f"{live_server.url}{Q3_ATTENTION}")
    counts = page.locator(".app-table-scroll", has=page.locator(".app-attention-counts"))
    assert counts.evaluate("el => el.scrollWidth <= el.clientWidth"), "the counts scroll"
    cells = page.evaluate(COUNT_CELLS)
    objectives = page.locator(".app-attention-counts tbody tr").count()
    labels = [status.label for status in Status] + ["Total"]
    assert len(cells) == len(labels) * (objectives + 1)  # and the row of totals
    assert [cell["text"].split(": ")[0] for cell in cells] == labels * (objectives + 1)
    assert all(cell["seen"] for cell in cells), [c["text"] for c in cells if not c["seen"]]
    assert all(re.fullmatch(r"[^:]+: \d+", cell["text"]) for cell in cells), cells

    page.set_viewport_size({"width": 768, "height": 900})  # a tablet has the table
    expect(counts.get_by_role("columnheader", name="On track")).to_be_visible()


def test_it_prints_on_one_a4_sheet_with_the_running_header(demo, live_server, browser):
    context = browser.new_context()  # no bypass_csp: the header must survive the real policy
    member = context.new_page()
    problems = []
    member.on("console", lambda message: problems.append(message.text))
    sign_in(member, live_server, "councillor", DEMO_PASSWORD)

    sheets = print_sheets(member, f"{live_server.url}{Q3_ATTENTION}")
    context.close()

    fill = 1 - sheets[0].empty()
    print(f"\nNeeds attention, 2024-25 Q3: {len(sheets)} sheet(s), the first {fill:.0%} full")
    assert len(sheets) == 1, f"{len(sheets)} sheets"
    [sheet] = sheets
    assert round(sheet.height) == 595  # A4 landscape, as every printed page of the service
    assert sheet.top_margin() == squash(HEADER)
    assert "Page1of1" in sheet.text
    for heading in HEADINGS:
        assert squash(heading) in sheet.text, heading
    assert not problems, problems
