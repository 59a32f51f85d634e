"""How a paper's section text is read: plain paragraphs and bullet points, never HTML.

Authors type what a committee paper holds: paragraphs separated by a blank line (a single line
break stays a line break, as in an author's name, role and email), and bullet points as lines
starting "- " (indented two or more spaces for a point under a point). A bullet starts wherever
its line stands: "We will:" followed directly by "- " lines is a paragraph and then a list, as
the author sees it, never one paragraph holding literal dashes. Paragraphs of a numbered section
are numbered as the council numbers them: 3.1, 3.2 under section 3.0.
Everything stays text: templates escape it, and the Word and Excel writers write it as text.
"""

from __future__ import annotations

import re
from itertools import groupby

_BULLET = re.compile(r"^(\s*)[-*•]\s+(.*)$")
# Indentation that makes a point a point under a point (a tab counts as four spaces).
_SUB_POINT_INDENT = 2


def _item(match: re.Match) -> dict:
    indent = len(match[1].expandtabs(4))
    return {"text": match[2].strip(), "level": 2 if indent >= _SUB_POINT_INDENT else 1}


def blocks(text: str, *, section_number: int | None = None) -> list[dict]:
    """The section's paragraphs and lists, JSON-ready, numbered when ``section_number`` is
    given. ``[{"kind": "paragraph", "number": "3.1", "lines": [...]},
    {"kind": "list", "items": [{"text": ..., "level": 1}]}]``. Within a run of lines with no
    blank line between them, each change between bullet and plain lines starts a new block."""
    result: list[dict] = []
    paragraphs = 0
    for chunk in re.split(r"\n[^\S\n]*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [line.rstrip() for line in chunk.split("\n") if line.strip()]
        matched = [(line, _BULLET.match(line)) for line in lines]
        for is_list, run in groupby(matched, key=lambda pair: pair[1] is not None):
            run = list(run)
            if is_list:
                result.append({"kind": "list", "items": [_item(match) for _, match in run]})
                continue
            paragraphs += 1
            number = f"{section_number}.{paragraphs}" if section_number is not None else None
            result.append(
                {"kind": "paragraph", "number": number, "lines": [line.strip() for line, _ in run]}
            )
    return result


def plain(section_blocks: list[dict]) -> str:
    """The blocks as plain text again (numbers included), for comparing and searching."""
    out = []
    for block in section_blocks:
        if block["kind"] == "list":
            out.extend(
                f"{'  ' if item['level'] == 2 else ''}- {item['text']}" for item in block["items"]
            )
        else:
            prefix = f"{block['number']} " if block["number"] else ""
            out.append(prefix + "\n".join(block["lines"]))
    return "\n".join(out)
