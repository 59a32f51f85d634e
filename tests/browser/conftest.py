"""Playwright on the system Chromium, plus sign-in and axe helpers for the browser tests."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

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


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the session: launching it per test would dominate the run time.

    A missing browser fails rather than skips, so a green run always means the
    journeys were really driven (`playwright install` cannot reach the internet here).
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
