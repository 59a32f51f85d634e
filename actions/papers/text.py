"""How a paper's section text is read: plain paragraphs and bullet points, never HTML.

Authors type what a committee paper holds: paragraphs separated by a blank line (a single line
break stays a line break, as in an author's name, role and email), and bullet points as lines
starting "- " (indented two or more spaces for a point under a point). Paragraphs of a
numbered section are numbered as the council numbers them: 3.1, 3.2 under section 3.0.
Everything stays text: templates escape it, and the Word and Excel writers write it as text.
"""

from __future__ import annotations

import re

_BULLET = re.compile(r"^(\s*)[-*•]\s+(.*)$")


def blocks(text: str, *, section_number: int | None = None) -> list[dict]:
    """The section's paragraphs and lists, JSON-ready, numbered when ``section_number`` is
    given. ``[{"kind": "paragraph", "number": "3.1", "lines": [...]},
    {"kind": "list", "items": [{"text": ..., "level": 1}]}]``."""
    result: list[dict] = []
    paragraphs = 0
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [line.rstrip() for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        bullets = [_BULLET.match(line) for line in lines]
        if all(bullets):
            items = [
                {"text": match[2].strip(), "level": 2 if len(match[1]) >= 2 else 1}
                for match in bullets
            ]
            result.append({"kind": "list", "items": items})
            continue
        paragraphs += 1
        number = f"{section_number}.{paragraphs}" if section_number is not None else None
        result.append(
            {"kind": "paragraph", "number": number, "lines": [line.strip() for line in lines]}
        )
    return result


def plain(section_blocks: list[dict]) -> str:
    """The blocks as plain text again (numbers included), for comparing and searching."""
    out = []
    for block in section_blocks:
        if block["kind"] == "list":
            out.extend(f"- {item['text']}" for item in block["items"])
        else:
            prefix = f"{block['number']} " if block["number"] else ""
            out.append(prefix + "\n".join(block["lines"]))
    return "\n".join(out)
