"""A committee paper as PDF, printed on the server by WeasyPrint from the paper's content dict
(the published snapshot, or a draft's live build), so the PDF says what the page says.

Why WeasyPrint rather than a headless browser: no browser process to run and watch in
production, and CSS paged media, which a committee paper needs and Chromium lacks or only partly
has: @page margin boxes for the running header and "Page X of Y", named pages to print the
appendices' wide tables in landscape, string-set to carry the appendix's name into the header.

Safety: the print template is self-contained (its CSS is inline, it names no image, font or
stylesheet) and WeasyPrint is given no base URL and a fetcher that refuses every URL, so no text
in a paper can make the server fetch anything. User text reaches the template only through
Django's autoescaping, never inside the CSS.

Tagged as PDF/UA-1 (WeasyPrint's ``pdf/ua-1`` variant: tags, the document's language and
title shown as its title, and the PDF/UA identifier): a council must publish accessible
documents, and a screen reader reads the tags, the headings and the tables' header cells, not
the page's look. Without tags ``pdfinfo`` says "Tagged: no".

Deterministic: WeasyPrint writes no creation date and no file identifier unless asked, so the
same content renders to the same bytes on the same machine (same WeasyPrint, Pango and fonts). A
published paper's PDF is dated with its publication (dcterms.created), never with the render.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.template.loader import render_to_string

from actions.papers import appendices

logger = logging.getLogger(__name__)

TEMPLATE = "actions/papers/paper_pdf.html"
PDF_VARIANT = "pdf/ua-1"  # tagged, with the PDF/UA metadata


def refuse_every_url():
    """WeasyPrint's fetcher, refusing everything: a paper's PDF is made from its text alone."""
    from weasyprint.urls import URLFetcher

    class RefuseEveryURL(URLFetcher):
        def fetch(self, url, headers=None):
            logger.warning("A paper's PDF asked for %.200s: refused, PDFs fetch nothing", url)
            raise ValueError("careprog's PDFs fetch no URL")

    return RefuseEveryURL()


def render_html(content: dict, *, draft: bool, published_at: dt.datetime | None = None) -> str:
    created = None
    if published_at is not None and not draft:
        created = published_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return render_to_string(
        TEMPLATE,
        {
            "content": content,
            "draft": draft,
            "created": created,
            "appendix_names": appendices.names(content),
            "appendix_order": appendices.order(content),
            "record_blank_updates": not appendices.published_before_names(content),
        },
    )


def render(content: dict, *, draft: bool, published_at: dt.datetime | None = None) -> bytes:
    """The paper as PDF bytes, rendered on each request: a published paper's snapshot already
    fixes its text, so there is no file to store. The seed paper (43 actions, 8 measures, 13
    pages) takes about 1.5 s of CPU."""
    # Imported here, not at start-up: WeasyPrint loads Pango and takes over half a second of
    # CPU to import, which every worker and manage.py command would otherwise pay.
    from weasyprint import HTML

    html = render_html(content, draft=draft, published_at=published_at)
    return HTML(string=html, base_url=None, url_fetcher=refuse_every_url()).write_pdf(
        pdf_variant=PDF_VARIANT
    )
