"""Reading a published seed record back as its reader gets it: the paper's page (headings,
paragraphs, bullets, labelled rows, SWOT quadrants), its Word file and its PDF, as text in
order. Shared by the tests of seeds 001 and 002, which parse their sources on their own."""

from __future__ import annotations

import html
import io
import re
import subprocess
import tempfile
from pathlib import Path

from docx import Document

from tests.paper_downloads import fetch
from tests.paper_pages import article

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _blocks(fragment: str) -> list[tuple]:
    """("paragraph", number or None, [lines]) and ("list", [(level, text)]), in order."""
    blocks: list[tuple] = []
    for match in re.finditer(
        r'<p class="govuk-body app-paper__paragraph">(.*?)</p>'
        r'|<li class="app-paper__item--level-(\d)">(.*?)</li>',
        fragment,
        re.S,
    ):
        if match[1] is not None:
            number = re.match(r'\s*<span class="app-paper__number">(.*?)</span>', match[1])
            body = match[1][number.end() :] if number else match[1]
            lines = [_text(line) for line in body.split("<br>")]
            blocks.append(("paragraph", number[1] if number else None, lines))
        else:
            if not blocks or blocks[-1][0] != "list":
                blocks.append(("list", []))
            blocks[-1][1].append((int(match[2]), _text(match[3])))
    return blocks


def page_sections(client, paper) -> list[dict]:
    """The sections a reader sees on the paper's page: each ``{"heading", "blocks"}``, with
    ``"rows"`` [(label, blocks)] for a table of labelled rows and ``"quadrants"``
    {label: [items]} for a SWOT grid."""
    response = client.get(f"/papers/{paper.pk}/")
    assert response.status_code == 200
    shown = article(response)
    sections = []
    for body in re.findall(r'<section class="app-paper__section">(.*?)</section>', shown, re.S):
        section = {"heading": _text(re.search(r"<h2[^>]*>(.*?)</h2>", body, re.S)[1])}
        rows = re.search(r'<table class="govuk-table app-paper__rows">(.*?)</table>', body, re.S)
        swot = re.search(r'<table class="govuk-table app-paper__swot">(.*?)</table>', body, re.S)
        if rows:
            section["rows"] = [
                (_text(label), _blocks(cell))
                for label, cell in re.findall(
                    r"<th [^>]*>(.*?)</th>\s*<td [^>]*>(.*?)</td>", rows[1], re.S
                )
            ]
        elif swot:
            section["quadrants"] = {
                _text(label): [_text(item) for item in re.findall(r"<li>(.*?)</li>", cell, re.S)]
                for label, cell in re.findall(r"<h3[^>]*>(.*?)</h3>(.*?)</td>", swot[1], re.S)
            }
        else:
            section["blocks"] = _blocks(body)
        sections.append(section)
    return sections


def docx_paragraphs(client, paper) -> list[str]:
    """Every paragraph of the Word file, those in tables included, in document order."""
    response = fetch(client, f"/papers/{paper.pk}/paper.docx")
    assert response.status_code == 200
    body = Document(io.BytesIO(response.content)).element.body
    found = ["".join(t.text or "" for t in p.iter(f"{_W}t")) for p in body.iter(f"{_W}p")]
    return [" ".join(text.split()) for text in found if text.strip()]


def pdf_text(client, paper) -> str:
    """The PDF's text as poppler's pdftotext reads it (one table cell's lines together),
    without its running header and footer: the lines every page repeats ("Page 2 of 4", the
    meeting, the title) are taken out once a page, so a paragraph a page break cut reads on."""
    response = fetch(client, f"/papers/{paper.pk}/paper.pdf")
    assert response.status_code == 200
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "paper.pdf"
        path.write_bytes(response.content)
        printed = subprocess.run(  # noqa: S603 - poppler's pdftotext, fixed arguments
            ["pdftotext", "-enc", "UTF-8", str(path), "-"],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    pages = [page.split("\n") for page in printed.split("\f") if page.strip()]

    def key(line: str) -> str:
        return re.sub(r"Page \d+ of \d+", "Page", line.strip())

    running = set.intersection(*({key(line) for line in page if line.strip()} for page in pages))
    kept = []
    for page in pages if len(pages) > 1 else []:
        taken = set()
        for line in page:
            if key(line) in running and key(line) not in taken:
                taken.add(key(line))
                continue
            kept.append(line)
    return "\n".join(kept) if kept else printed


def squeezed(text: str) -> str:
    """Without whitespace, and with the hyphenation and quotes a PDF's text may differ by
    left alone: only line breaks and spacing are a layout's, never the words."""
    return re.sub(r"\s+", "", text)


def missing_in_order(haystack: str, wanted: list[str]) -> list[str]:
    """The pieces of ``wanted`` not found in ``haystack`` each after the one before, spaces
    ignored (a PDF or Word file wraps lines where it likes)."""
    text, at, missing = squeezed(haystack), 0, []
    for piece in wanted:
        found = text.find(squeezed(piece), at)
        if found < 0:
            missing.append(piece)
        else:
            at = found + len(squeezed(piece))
    return missing
