"""Reading committee papers' pages back as a reader sees them, and driving their forms."""

from __future__ import annotations

import html
import re

PAPERS = "/programmes/care-programme-2024-25/papers/"
_ARTICLE = re.compile(r'<article class="app-paper" id="paper-content".*?</article>', re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")


def text(response) -> str:
    """The page's text with tags removed, entities decoded and whitespace collapsed."""
    content = response.content.decode() if hasattr(response, "content") else response
    return " ".join(html.unescape(_TAGS.sub(" ", content)).split())


def article(response) -> str:
    """The paper's rendered content: the ``<article id="paper-content">`` element's HTML."""
    found = _ARTICLE.findall(response.content.decode())
    assert len(found) == 1, "the page should show the paper's content once"
    return found[0]


def paper_page(client, paper) -> str:
    response = client.get(f"/papers/{paper.pk}/")
    assert response.status_code == 200
    return article(response)


def draft_form(client, paper) -> dict[str, str]:
    """What the edit page's form holds when opened: hidden version, title block, sections."""
    response = client.get(f"/papers/{paper.pk}/edit/")
    assert response.status_code == 200
    form = response.context["form"]
    data = {name: form[name].value() for name in form.fields}
    return {name: "" if value is None else str(value) for name, value in data.items()}


def with_sections(paper, data: dict[str, str], texts: dict[str, str]) -> dict[str, str]:
    """``data`` with the text of the sections named by heading replaced."""
    by_heading = {section.heading: section.pk for section in paper.sections.all()}
    return {**data, **{f"text_{by_heading[h]}": body for h, body in texts.items()}}


def step(client, paper, name: str, comment: str = ""):
    return client.post(f"/papers/{paper.pk}/{name}/", {"comment": comment})
