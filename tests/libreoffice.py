"""Opening the files careprog writes in a real spreadsheet program or word processor:
LibreOffice, headless (Calc for spreadsheets, Writer for Word documents).

A test that needs it fails (never skips) when it is missing, naming the package to install.
Each conversion gets its own LibreOffice profile, so that parallel runs do not collide.
"""

import itertools
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

INSTALL = (
    "apt-get install libreoffice-calc-nogui libreoffice-writer-nogui (as root; Debian's "
    "packages of LibreOffice Calc and Writer)"
)
# CSV in and out: comma, double quote, UTF-8 (76), from row 1. Out, the 12th token -1 writes
# every sheet, each to <name>-<sheet>.csv; a formula's cell is written as its result.
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
# The same, with the 9th token true: each cell as shown, through its number format ("63%").
CSV_AS_SHOWN = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
CSV_IN = "Text - txt - csv (StarCalc):44,34,76,1"
_runs = itertools.count()


def soffice() -> str:
    found = shutil.which("soffice")
    if found is None:
        pytest.fail(f"LibreOffice (soffice) is needed to open the files as a user would: {INSTALL}")
    return found


def convert(source: Path, to: str, *, infilter: str | None = None, as_shown: bool = False) -> Path:
    """Open `source` in LibreOffice and save it as `to` ("csv", "xlsx", or "pdf" to print
    it with its own page set-up) beside it, in a folder of its own; returns that folder.
    A CSV holds each cell's value, or with `as_shown` its text as the sheet shows it."""
    out = source.parent / f"lo-out-{next(_runs)}"
    profile = source.parent / f"lo-profile-{next(_runs)}"
    command = [
        soffice(),
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--convert-to",
        (CSV_AS_SHOWN if as_shown else CSV_FILTER) if to == "csv" else to,
        "--outdir",
        str(out),
    ]
    if infilter:
        command.append(f"--infilter={infilter}")
    ran = subprocess.run(
        [*command, str(source)], check=True, capture_output=True, text=True, timeout=180
    )
    if not out.is_dir() or not any(out.iterdir()):
        raise AssertionError(
            f"LibreOffice wrote nothing for {source.name}: {ran.stdout}{ran.stderr}"
        )
    return out


def to_pdf(source: Path) -> Path:
    """A Word document opened in LibreOffice Writer and printed to PDF (its own profile, as
    every conversion here): the PDF's path."""
    (pdf,) = convert(source, "pdf").glob("*.pdf")
    return pdf


def pdf_text(pdf: Path) -> str:
    """The PDF's text, as pypdf extracts it, page after page."""
    return "\n".join(page.extract_text() or "" for page in PdfReader(pdf).pages)
