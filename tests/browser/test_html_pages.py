"""Every page the browser is sent reaches the Nu HTML checker, even one the test leaves at once."""

import pytest

from tests.browser.conftest import submit_sign_in_form

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _kept(html_pages, method, url, text):
    return [
        document
        for document in html_pages.documents
        if document.url.startswith(f"{method} {url} (") and text in document.html
    ]


def test_a_page_answering_a_post_is_checked_though_the_test_moves_on_at_once(
    transactional_db, live_server, page, html_pages
):
    submit_sign_in_form(page, live_server, "nobody-by-that-name", "wrong")
    page.goto(f"{live_server.url}/sign-in/")  # away before the browser's copy could be read

    answered = _kept(html_pages, "POST", f"{live_server.url}/sign-in/", b"nobody-by-that-name")
    assert len(answered) == 1
    assert b"<title>Error: Sign in" in answered[0].html  # the re-rendered form, as sent


def test_a_page_is_checked_though_its_browser_closes_at_once(
    transactional_db, live_server, browser, html_pages
):
    context = browser.new_context()
    context.new_page().goto(f"{live_server.url}/no-such-page-at-all/")
    context.close()  # as when a test ends on a navigation

    assert _kept(html_pages, "GET", f"{live_server.url}/no-such-page-at-all/", b"<html")


def test_a_script_s_fetch_is_no_page(transactional_db, live_server, page, html_pages):
    page.goto(f"{live_server.url}/sign-in/")
    page.evaluate("fetch('/sign-in/?fetched=1').then(response => response.text())")

    assert not _kept(html_pages, "GET", f"{live_server.url}/sign-in/?fetched=1", b"<html")
