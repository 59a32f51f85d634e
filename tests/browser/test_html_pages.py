"""Every page the browser is sent reaches the Nu HTML checker, even one the test leaves at once."""

from tests.browser.conftest import submit_sign_in_form


def test_a_page_answering_a_post_is_checked_though_the_test_moves_on_at_once(
    transactional_db, live_server, page, html_pages
):
    submit_sign_in_form(page, live_server, "nobody-by-that-name", "wrong")
    page.goto(f"{live_server.url}/sign-in/")  # away before the browser's copy could be read

    answered = [
        document
        for document in html_pages.documents
        if document.url.startswith(f"POST {live_server.url}/sign-in/ (200, seen in ")
        and b"nobody-by-that-name" in document.html
    ]
    assert len(answered) == 1
    assert b"<title>Error: Sign in" in answered[0].html  # the re-rendered form, as sent
