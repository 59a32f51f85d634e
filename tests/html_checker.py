"""The Nu HTML checker (the W3C's own, npm `vnu-jar`) run over documents the tests collected.

One JVM run checks every document: Java takes about a second to start, the checking itself
is quick. A missing Java or jar fails (never skips), naming the command that installs it.
"""

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

VNU_JAR = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# What each run of the checker over the browser tests' pages said, for the terminal summary
# (tests/conftest.py): output during a passing teardown is never shown. A pytest-xdist worker
# sends its own to the controller as WORKER_SAID.
HTML_CHECKED = pytest.StashKey[list[str]]()
WORKER_SAID = "html_checked"

# Messages the checker reports that we accept, each with its reason. Empty: every error
# counts. Add an exact message here only for a checker false positive, and say why.
IGNORED_MESSAGES: dict[str, str] = {}


@dataclass(frozen=True)
class HtmlDocument:
    """The HTML of one page as the browser received it; `url` names it in reports."""

    url: str
    html: bytes


@dataclass(frozen=True)
class HtmlError:
    url: str
    line: int | None
    message: str
    extract: str = ""

    def __str__(self):
        where = f"{self.url}, line {self.line}" if self.line else self.url
        extract = f"\n    {self.extract.strip()}" if self.extract.strip() else ""
        return f"- {where}: {self.message}{extract}"


def java() -> str:
    found = shutil.which("java")
    if found is None:
        pytest.fail(
            "The Nu HTML checker needs Java 17 or later: run `make java` (as root it installs "
            "Debian's default-jre-headless; otherwise it says how).",
            pytrace=False,
        )
    return found


def check_html(documents: list[HtmlDocument]) -> list[HtmlError]:
    """Every error the checker finds in `documents`, in one JVM run, named by each page's URL."""
    if not documents:
        return []
    if not VNU_JAR.exists():
        pytest.fail(f"The Nu HTML checker is missing at {VNU_JAR}: run `npm ci`.", pytrace=False)
    with tempfile.TemporaryDirectory(prefix="careprog-vnu-") as folder:
        files, url_of_file = [], {}
        for number, document in enumerate(documents):
            path = Path(folder).resolve() / f"page-{number:04d}.html"
            path.write_bytes(document.html)
            files.append(str(path))
            url_of_file[f"file:{path}"] = document.url  # as vnu names it: file:/tmp/...
        ran = subprocess.run(
            [java(), "-jar", str(VNU_JAR), "--format", "json", "--errors-only", "--stdout"] + files,
            capture_output=True,
            encoding="utf-8",  # vnu writes UTF-8 whatever the locale
            timeout=600,
        )
    # The checker exits 1 when it found errors; anything else, or no JSON, means it did not run.
    try:
        messages = json.loads(ran.stdout)["messages"]
    except (ValueError, KeyError):
        messages = None
    if ran.returncode not in (0, 1) or messages is None:
        raise RuntimeError(
            f"The Nu HTML checker failed (exit {ran.returncode}):\n{ran.stdout}\n{ran.stderr}"
        )
    return [
        HtmlError(
            url=url_of_file.get(message.get("url", ""), message.get("url", "(no document)")),
            line=message.get("lastLine"),
            message=message.get("message", ""),
            extract=message.get("extract", ""),
        )
        for message in messages
        if message.get("message") not in IGNORED_MESSAGES
    ]


def report(errors: list[HtmlError]) -> str:
    pages = len({error.url for error in errors})
    return f"The Nu HTML checker found {len(errors)} error(s) on {pages} page(s):\n" + "\n".join(
        str(error) for error in errors
    )
