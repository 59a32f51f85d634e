"""Every page on a phone (375 px) and a tablet (768 px), and lined up on a wide screen.

On a narrow screen no page scrolls sideways: only a table too wide for it may, inside its
own labelled region that a keyboard can scroll. On a wide screen the page's heading starts
where the header's service name and the footer's text start, whatever the page's width.

The data is what a new user meets (`setup_demo`: the seed programme, its published paper,
the strategy's KPI catalogue, DfE's extract and the illustrative history), plus one applied
and one pending import, so every page shows its tables full.
"""

import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from actions.models import Action, Paper, Programme
from careprog.management.commands.setup_demo import DEMO_PASSWORD
from careprog.periods import ReportingPeriod
from kpis.importing.apply import apply_return, store_upload
from tests.browser.conftest import assert_no_axe_violations, sign_in
from tests.conftest import RISK_MATRIX, SEED_SLUG
from tests.databases import restore_sqlite_test_database, snapshot_sqlite_test_database
from tests.import_files import long_return
from tests.paper_factories import draft_paper, make_meeting

pytestmark = pytest.mark.browser

PHONE, TABLET, DESKTOP = 375, 768, 1280
BENCHMARKED = "cla-rate"  # a measure with DfE's figures for every council


@dataclass
class Demo:
    """What the page addresses need: found once the demo data is loaded."""

    action: int
    paper: int
    meeting: int  # the published paper's, so it cannot be deleted
    draft: int
    applied_import: int
    pending_import: int


def demo_data():
    call_command("setup_demo", stdout=io.StringIO())
    admin = get_user_model().objects.get(username="admin")
    data = long_return([["cp-children-in-care", "Jan 2025", 688, "Checked"]])
    applied = store_upload(data=data, file_name="applied.xlsx", user=admin)
    apply_return(batch=applied, user=admin)
    pending = store_upload(
        data=long_return([["cp-children-in-care", "Jan 2025", 690, ""]]),
        file_name="pending.xlsx",
        user=admin,
    )
    draft = draft_paper(
        Programme.objects.get(slug=SEED_SLUG),
        get_user_model().objects.get(username="officer"),
        period=ReportingPeriod(2024, 4),
        meeting=make_meeting(dt.date(2025, 6, 18)),
        sections={"Report summary": "Progress in the fourth quarter."},
    )
    make_meeting(timezone.localdate() + dt.timedelta(days=90), agenda_item="7")  # to come
    published = Paper.objects.get(state=Paper.State.PUBLISHED, programme__slug=SEED_SLUG)
    return Demo(
        action=Action.objects.get(title__startswith=RISK_MATRIX).pk,
        paper=published.pk,
        meeting=published.meeting_id,
        draft=draft.pk,
        applied_import=applied.pk,
        pending_import=pending.pk,
    )


class Page(NamedTuple):
    reader: str  # a demo sign-in that may see the page
    address: Callable[[Demo], str]


# Every page of the service worth measuring: a new page is one more line here.
PAGES = {
    "home": Page("councillor", lambda demo: "/"),
    "programmes": Page("councillor", lambda demo: "/programmes/"),
    "report": Page("councillor", lambda demo: f"/programmes/{SEED_SLUG}/report/2024-25-q3/"),
    "needs attention": Page(
        "councillor", lambda demo: f"/programmes/{SEED_SLUG}/attention/2024-25-q3/"
    ),
    "dashboard": Page("councillor", lambda demo: "/kpis/"),
    "kpi": Page("councillor", lambda demo: f"/kpis/{BENCHMARKED}/"),
    "benchmark": Page("councillor", lambda demo: f"/kpis/{BENCHMARKED}/benchmark/"),
    "action": Page("officer", lambda demo: f"/actions/{demo.action}/"),
    "action list": Page("officer", lambda demo: "/actions/"),
    "my actions": Page("officer", lambda demo: "/actions/mine/"),
    "papers": Page("admin", lambda demo: f"/programmes/{SEED_SLUG}/papers/"),
    "paper": Page("councillor", lambda demo: f"/papers/{demo.paper}/"),
    "paper changes": Page("councillor", lambda demo: f"/papers/{demo.paper}/changes/"),
    # Seeds 001 and 002 as published records (fixtures/README.md): their fixed ids.
    "board update": Page("councillor", lambda demo: "/papers/240/"),
    "cabinet member update": Page("councillor", lambda demo: "/papers/241/"),
    "seed 001's risk register": Page(
        "councillor", lambda demo: "/programmes/staying-safe-plan-2013-14/risks/"
    ),
    "draft paper": Page("officer", lambda demo: f"/papers/{demo.draft}/"),
    "paper edit": Page("officer", lambda demo: f"/papers/{demo.draft}/edit/"),
    "new paper": Page("admin", lambda demo: f"/programmes/{SEED_SLUG}/papers/new/"),
    "committees and meetings": Page("admin", lambda demo: "/committees/"),
    "add a meeting": Page("admin", lambda demo: "/meetings/new/"),
    "a meeting with papers": Page("admin", lambda demo: f"/meetings/{demo.meeting}/delete/"),
    "import": Page("admin", lambda demo: "/kpis/import/"),
    "import history": Page("admin", lambda demo: "/kpis/import/history/"),
    "import preview": Page("admin", lambda demo: f"/kpis/import/{demo.pending_import}/preview/"),
    "applied import": Page("admin", lambda demo: f"/kpis/import/{demo.applied_import}/"),
    "glossary": Page("councillor", lambda demo: "/glossary/"),
    "my measures": Page("officer", lambda demo: "/kpis/mine/"),
    "figures awaiting approval": Page("head", lambda demo: "/kpis/entries/"),
    "import's figures": Page("head", lambda demo: f"/kpis/entries/import/{demo.applied_import}/"),
    "accessibility statement": Page("councillor", lambda demo: "/accessibility/"),
    "privacy notice": Page("councillor", lambda demo: "/privacy/"),
}


_BUILT: dict[str, object] = {}  # this worker's demo data, and a copy of the database holding it


@pytest.fixture
def demo(transactional_db, settings):
    """The demo data, committed for the live server. On SQLite it is built once (about two
    seconds) and copied back for each later test into the database the last test's flush
    emptied: the same rows with the same ids; elsewhere it is built for each test."""
    if "copy" in _BUILT and connection.vendor == "sqlite":
        restore_sqlite_test_database(_BUILT["copy"])
        return _BUILT["demo"]
    settings.DEBUG = True  # setup_demo refuses to run without it
    demo = demo_data()
    settings.DEBUG = False
    if connection.vendor == "sqlite":
        _BUILT.update(copy=snapshot_sqlite_test_database(), demo=demo)
    return demo


def open_page(page, live_server, demo, name, width):
    reader, address = PAGES[name]
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, live_server, reader, DEMO_PASSWORD)
    response = page.goto(f"{live_server.url}{address(demo)}")
    assert response.status == 200, f"{name}: {response.status}"
    page.wait_for_load_state("networkidle")


# What reaches past the right edge of the screen (the innermost such elements), to say what
# widens a page that scrolls sideways.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const over = el => el.getBoundingClientRect().right > width + 0.5;
  const found = [...document.querySelectorAll('body *')]
    .filter(el => over(el) && ![...el.children].some(over));
  const outside = found.filter(el => !el.closest('.app-table-scroll'));
  return (outside.length ? outside : found)
    .slice(0, 5)
    .map(el => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}` +
      `${el.closest('.app-table-scroll') ? ' (in a scroll region)' : ''}: ` +
      `right edge at ${Math.round(el.getBoundingClientRect().right)}`);
}"""

# Boxes that scroll sideways but are not a named region a keyboard can reach: a part of the
# page a reader would not know to scroll, or could not.
SIDEWAYS_SCROLLERS = """() => [...document.querySelectorAll('body *')]
  .filter(el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX))
  .filter(el => el.scrollWidth > el.clientWidth)
  .filter(el => !(el.getAttribute('role') === 'region' && el.tabIndex === 0 &&
    (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby'))))
  .map(el => el.outerHTML.slice(0, 120))"""


@pytest.mark.parametrize("width", [PHONE, TABLET])
@pytest.mark.parametrize("name", PAGES)
def test_no_page_scrolls_sideways_on_a_phone_or_a_tablet(live_server, page, demo, name, width):
    open_page(page, live_server, demo, name, width)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width == width, (
        f"{name} is {scroll_width} px wide at {width} px: {page.evaluate(OVERFLOWING)}"
    )
    unlabelled = page.evaluate(SIDEWAYS_SCROLLERS)
    assert not unlabelled, f"{name} at {width} px scrolls sideways in {unlabelled}"
    assert_no_axe_violations(page)


@pytest.mark.parametrize("name", PAGES)
def test_on_a_wide_screen_the_heading_lines_up_with_the_header_and_footer(
    live_server, page, demo, name
):
    open_page(page, live_server, demo, name, DESKTOP)
    left = page.evaluate(
        """() => Object.fromEntries(Object.entries({
            heading: 'main h1',
            service: '.govuk-service-navigation__service-name',
            logo: '.govuk-generic-header__logo',
            footer: '.govuk-footer__meta-item',
        }).map(([part, selector]) => [
            part, Math.round(document.querySelector(selector).getBoundingClientRect().left)]))"""
    )
    assert len(set(left.values())) == 1, f"{name} at {DESKTOP} px: left edges {left}"


def test_on_a_phone_a_table_too_wide_for_it_scrolls_in_its_region_from_the_keyboard(
    live_server, page, demo
):
    """The paper's key performance data has nine columns: the region, not the page, scrolls."""
    open_page(page, live_server, demo, "paper", PHONE)
    region = page.get_by_role("region", name=re.compile(r"^Key performance data as at"))
    assert region.evaluate("el => el.scrollWidth > el.clientWidth"), "the table fits: no test"
    region.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("el => el.scrollLeft > 0", arg=region.element_handle())
    assert page.evaluate("document.documentElement.scrollWidth") == PHONE


# The cells of a column of the list of actions, found by its header's words: each cell's
# label (shown before it on a phone), its text and whether it lies within the screen's width.
COLUMN_CELLS = """(column) => {
  const table = document.querySelector('main table');
  const headers = [...table.querySelectorAll('thead th')]
    .map(th => th.textContent.replace(/[▲▼]/g, '').trim());
  const at = headers.indexOf(column) + 1;
  if (!at) return [];
  return [...table.querySelectorAll(`tbody tr > :nth-child(${at})`)].map(cell => {
    const box = cell.getBoundingClientRect();
    return {
      label: getComputedStyle(cell, '::before').content,
      text: cell.textContent.trim(),
      seen: cell.checkVisibility({opacityProperty: true, visibilityProperty: true}) &&
        box.width > 0 && box.left >= 0 && box.right <= document.documentElement.clientWidth,
    };
  });
}"""


@pytest.mark.parametrize("width", [PHONE, TABLET, DESKTOP])
def test_my_actions_shows_each_actions_status_and_update_this_quarter_on_the_screen(
    live_server, page, demo, width
):
    """On a phone each action is a block, its status and this quarter's update labelled
    within it; a tablet keeps the table, scrolling in its region as before."""
    open_page(page, live_server, demo, "my actions", width)
    actions = page.locator("main table tbody tr").count()
    assert actions >= 2, "too few actions to test"
    for column in ("Status", "Update this quarter"):
        cells = page.evaluate(COLUMN_CELLS, column)
        assert len(cells) == actions and all(cell["text"] for cell in cells), (column, cells)
        if width != TABLET:
            assert all(cell["seen"] for cell in cells), f"{column} off the screen at {width} px"
        if width == PHONE:
            assert {cell["label"] for cell in cells} == {f'"{column}: "'}
    # The headers stay: on a phone, a line of sort links above the actions.
    sort_links = page.locator("main table thead a")
    assert sort_links.count() == page.locator("main table thead th").count() > 0
    if width == PHONE:
        for link in sort_links.all():
            box = link.bounding_box()
            assert link.is_visible() and 0 <= box["x"] and box["x"] + box["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") == width
    assert_no_axe_violations(page)
