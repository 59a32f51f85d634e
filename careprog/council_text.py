"""Text a council writes in Django admin, shown on a public page as text: never as HTML.

Three marks give it a shape without letting any markup through: a blank line starts a new
paragraph, a line starting "- " is a bullet point (bullet points in a row make one list, blank
lines between them or not), and a line starting "## " is a heading. Every character the
council wrote is escaped.
"""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

BULLET = "- "
HEADING = "## "


def blocks(text: str) -> list[tuple[str, list[str]]]:
    """``text`` as ("heading" | "list" | "paragraph", its lines), in order."""
    found: list[tuple[str, list[str]]] = []
    last = None  # the kind of the line before: a blank line is None
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            last = None if last != "list" else "list-gap"
            continue
        if line.startswith(HEADING):
            found.append(("heading", [line[len(HEADING) :].strip()]))
            last = "heading"
        elif line.startswith(BULLET):
            item = line[len(BULLET) :].strip()
            if last in {"list", "list-gap"}:
                found[-1][1].append(item)
            else:
                found.append(("list", [item]))
            last = "list"
        else:
            if last == "paragraph":
                found[-1][1].append(line)
            else:
                found.append(("paragraph", [line]))
            last = "paragraph"
    return found


def as_html(text: str) -> SafeString:
    """GOV.UK Frontend's paragraphs, headings and bulleted lists for ``text``, escaped."""
    parts = []
    for kind, lines in blocks(text):
        if kind == "heading":
            parts.append(format_html('<h2 class="govuk-heading-m">{}</h2>', lines[0]))
        elif kind == "list":
            items = format_html_join("", "<li>{}</li>", ((item,) for item in lines))
            parts.append(format_html('<ul class="govuk-list govuk-list--bullet">{}</ul>', items))
        else:
            # Lines kept as the council broke them.
            lines_html = format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines))
            parts.append(format_html('<p class="govuk-body">{}</p>', lines_html))
    return mark_safe("\n".join(parts))  # noqa: S308 - each part built by format_html
