"""The Nu HTML checker really runs: it finds known errors, passes good markup, names the page,
and a page with an error fails the browser suite's run."""

import os
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings

from tests.html_checker import HtmlDocument, check_html, report

pytestmark = pytest.mark.slow  # each runs Java, or a pytest of its own

GOOD = b"""<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>Actions</title></head>
<body>
<form method="get"><label for="q">Search</label><input id="q" name="q"></form>
</body>
</html>
"""

# Two errors a template can easily make: an empty form action, and one id used twice.
BAD = b"""<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>Actions</title></head>
<body>
<form action="" method="get"><label for="q">Search</label><input id="q" name="q"></form>
<p id="q">Twice</p>
</body>
</html>
"""


def test_the_checker_finds_an_empty_form_action_and_a_duplicate_id():
    errors = check_html([HtmlDocument(url="http://testserver/actions/", html=BAD)])

    assert [(error.line, error.message) for error in errors] == [
        (5, "Bad value “” for attribute “action” on element “form”: Must be non-empty."),
        (6, "Duplicate ID “q”."),
    ]


def test_the_checker_finds_nothing_wrong_with_good_markup():
    assert check_html([HtmlDocument(url="http://testserver/actions/", html=GOOD)]) == []


def test_each_error_names_the_page_it_is_on_when_many_pages_are_checked_at_once():
    errors = check_html(
        [
            HtmlDocument(url="http://testserver/good/", html=GOOD),
            HtmlDocument(url="http://testserver/bad/", html=BAD),
            HtmlDocument(url="http://testserver/also-good/", html=GOOD),
        ]
    )

    assert {error.url for error in errors} == {"http://testserver/bad/"}
    assert "- http://testserver/bad/, line 6: Duplicate ID “q”." in report(errors)


def test_without_java_the_check_fails_and_says_to_run_make_java(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # a machine with no `java` on its path

    with pytest.raises(pytest.fail.Exception, match="run `make java`"):
        check_html([HtmlDocument(url="http://testserver/actions/", html=GOOD)])


def _a_suite_receiving_a_bad_page(folder):
    """A browser suite of one test, in a folder of its own, whose page is not valid HTML."""
    (folder / "conftest.py").write_text(
        "from tests.browser.conftest import _name_the_test_for_html_pages, html_pages  # noqa\n"
        "from tests.conftest import pytest_terminal_summary, pytest_testnodedown  # noqa\n"
    )
    (folder / "test_a_page.py").write_text(
        textwrap.dedent(f"""
            from tests.html_checker import HtmlDocument

            def test_a_journey(html_pages):
                html_pages.documents.append(
                    HtmlDocument(url="http://testserver/bad/", html={BAD!r})
                )
        """)
    )


def _pytest(folder, *options):
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            str(settings.BASE_DIR / "pyproject.toml"),
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            *options,
            str(folder),
        ],
        cwd=settings.BASE_DIR,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_page_with_an_error_fails_the_browser_suite_naming_its_url_line_and_message(tmp_path):
    """The browser suite's own end-of-session check, in a pytest run of its own: the test
    passes, yet the run fails because a page it received is not valid HTML."""
    _a_suite_receiving_a_bad_page(tmp_path)

    ran = _pytest(tmp_path)

    assert ran.returncode == 1, ran.stdout + ran.stderr
    assert "1 passed, 1 error" in ran.stdout
    assert "- http://testserver/bad/, line 6: Duplicate ID “q”." in ran.stdout


def test_a_page_with_an_error_fails_a_parallel_run_too_and_each_worker_says_what_it_read(
    tmp_path,
):
    """As `make test` runs it, with pytest-xdist: the worker that received the page checks it."""
    _a_suite_receiving_a_bad_page(tmp_path)

    ran = _pytest(tmp_path, "-n", "2")

    assert ran.returncode == 1, ran.stdout + ran.stderr
    assert "1 passed, 1 error" in ran.stdout
    assert "- http://testserver/bad/, line 6: Duplicate ID “q”." in ran.stdout
    assert "] The Nu HTML checker read 1 page(s) in " in ran.stdout
