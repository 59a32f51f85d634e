"""Playwright on the system Chromium, plus sign-in and axe helpers for the browser tests.

Every HTML page the browser receives is kept, and the Nu HTML checker judges them all
once, when the session ends (see `html_pages`); under pytest-xdist, each worker judges the
pages its own browser tests received.
"""

import hashlib
import os
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.handlers.base import BaseHandler
from playwright.sync_api import sync_playwright

from tests.html_checker import HTML_CHECKED, WORKER_SAID, HtmlDocument, check_html, report

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


class HtmlPages:
    """The HTML documents every browser navigation received, as the live server sent them.

    The response body of each document request, not the DOM after scripts ran: the checker
    judges the markup our templates write, and scripts' changes (GOV.UK Frontend's, plotly's)
    are axe's to judge in the rendered page. Every navigation counts, in every context a test
    opens, error pages and re-rendered forms included (redirects carry no page; a `fetch` is
    no navigation); identical bodies are checked once.

    Kept in the live server (`keep_sent`), not read from the browser: a test that moves on
    at once, or ends, navigates away or closes its context before the browser's copy can be
    read, and a POST cannot be fetched again. Chromium marks a navigation with
    `Sec-Fetch-Dest: document`.
    """

    def __init__(self):
        self.documents = []
        self.test = "(no test)"
        self._seen = set()

    def keep_sent(self, request, response):
        """A page the live server sends in answer to a browser's navigation."""
        if request.headers.get("Sec-Fetch-Dest") != "document":
            return
        if 300 <= response.status_code < 400 or response.streaming:
            return
        if not response.get("Content-Type", "").startswith("text/html"):
            return
        name = (
            f"{request.method} {request.build_absolute_uri()} "
            f"({response.status_code}, seen in {self.test})"
        )
        self._add(name, response.content)

    def _add(self, name, html):
        digest = hashlib.sha256(html).digest()
        if digest not in self._seen:
            self._seen.add(digest)
            self.documents.append(HtmlDocument(url=name, html=html))


@pytest.fixture(scope="session")
def html_pages(request):
    """Fails the session's last test (so pytest exits non-zero) when the Nu HTML checker finds
    errors in any page the browser received: one JVM run for all of them, at the end."""
    pages = HtmlPages()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseHandler, "get_response", _keeping_sent_pages(pages))
        yield pages
    started = time.monotonic()
    errors = check_html(pages.documents)
    said = (
        f"The Nu HTML checker read {len(pages.documents)} page(s) "
        f"in {time.monotonic() - started:.1f} s: {len(errors)} error(s)."
    )
    request.config.stash.setdefault(HTML_CHECKED, []).append(said)
    if hasattr(request.config, "workeroutput"):  # a pytest-xdist worker: tell the controller
        request.config.workeroutput[WORKER_SAID] = said
    if errors:
        pytest.fail(report(errors), pytrace=False)


def _keeping_sent_pages(pages):
    """Django's handler, handing `pages` what the live server's threads answer.

    The test client runs in the main thread and is left alone: its pages are the unit tests'.
    """
    get_response = BaseHandler.get_response

    def get_response_kept(handler, request):
        response = get_response(handler, request)
        if threading.current_thread() is not threading.main_thread():
            pages.keep_sent(request, response)
        return response

    return get_response_kept


@pytest.fixture(autouse=True)
def _name_the_test_for_html_pages(request, html_pages):
    html_pages.test = request.node.nodeid


@pytest.fixture(scope="session")
def browser(html_pages):
    """One Chromium for the session: launching it per test would dominate the run time.

    A missing browser fails rather than skips, so a green run always means the
    journeys were really driven (`playwright install` cannot reach the internet here).
    It asks for `html_pages` so that the checker's run comes after the browser closes.
    """
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"The browser tests need Chromium at {CHROMIUM}. Install it with "
            "`sudo apt-get install chromium` (or run `make test`, which installs it), "
            "or set CHROMIUM=/path/to/chromium.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh context per test, so no cookie or session leaks from one journey to the next.

    bypass_csp lets axe be injected as an inline script; the site's nonce-based CSP
    rightly refuses it otherwise.
    """
    context = browser.new_context(bypass_csp=True)
    yield context.new_page()
    context.close()


def submit_sign_in_form(page, live_server, username, password):
    """Goes through the real form, so CSRF and session cookies are exercised as a user would."""
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def sign_in(page, live_server, username, password):
    """Fails here, not pages later, when the session cookie did not stick."""
    submit_sign_in_form(page, live_server, username, password)
    assert "/sign-in/" not in page.url, (
        f"Sign-in did not stick (still at {page.url}): "
        f"{page.locator('.govuk-error-summary').all_inner_texts()}"
    )


def assert_no_axe_violations(page):
    """Checks the page as rendered, after scripts ran, against WCAG 2.2 AA's automatable rules."""
    if not AXE_JS.exists():
        pytest.fail(f"axe-core is missing at {AXE_JS}: run `npm ci`.", pytrace=False)
    page.add_script_tag(path=AXE_JS)
    violations = page.evaluate(
        """async (tags) => (await axe.run(document, {
            runOnly: {type: 'tag', values: tags},
        })).violations.map(v => ({
            id: v.id, help: v.help, targets: v.nodes.map(n => n.target.join(' ')),
        }))""",
        AXE_TAGS,
    )
    report = "\n".join(
        f"- {v['id']}: {v['help']}\n    " + "\n    ".join(v["targets"]) for v in violations
    )
    assert not violations, f"axe found accessibility problems on {page.url}:\n{report}"
