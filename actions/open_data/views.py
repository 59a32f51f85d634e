"""Open data's pages and files at /open/, for anyone without signing in
(``login_not_required``). Every programme is fetched through queries.open_programme and every
paper through queries.published_paper: 404 for a programme not published as open data (or
unknown) and for a paper that is not published, whatever the address asks for.

Query cost, whatever the data: the list of programmes two queries (the council's details,
the programmes); a programme's page and its CSV or JSON six (details, programme, papers,
values, targets, comparators; the CSV five, without papers)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from actions.models import PaperFile, Programme
from actions.open_data import queries, writers
from actions.papers import files
from careprog.downloads import attachment, download_name
from careprog.queries import public_details

# The address's file name → the kind of file (the names the signed-in downloads give).
FILE_NAMES = {
    "paper.pdf": PaperFile.Kind.PDF,
    "paper.docx": PaperFile.Kind.DOCX,
    "appendices.xlsx": PaperFile.Kind.XLSX,
}


def _open_file(response: HttpResponse) -> HttpResponse:
    """A file a council's website may fetch from its own pages' scripts: the data is public,
    so any origin may read it."""
    response["Access-Control-Allow-Origin"] = "*"
    return response


@login_not_required
@require_safe
def index(request):
    licence = writers.Licence.of(public_details())
    return render(
        request,
        "open_data/index.html",
        {"programmes": list(queries.open_programmes()), "licence": licence},
    )


def _paper_links(request, programme: Programme, paper, *, absolute: bool) -> dict[str, str]:
    links = {}
    for name, kind in FILE_NAMES.items():
        url = reverse("open_data:paper_file", args=[programme.slug, paper.pk, name])
        links[kind] = request.build_absolute_uri(url) if absolute else url
    return links


@login_not_required
@require_safe
def programme_page(request, slug):
    licence = writers.Licence.of(public_details())
    programme = queries.open_programme(slug)
    papers = [
        (paper, _paper_links(request, programme, paper, absolute=False))
        for paper in queries.published_papers(programme)
    ]
    figures = queries.programme_figures(programme)
    return render(
        request,
        "open_data/programme.html",
        {
            "programme": programme,
            "papers": papers,
            "tables": writers.measure_tables(figures, threshold=licence.threshold),
            "licence": licence,
        },
    )


def _figure_rows(programme: Programme, licence: writers.Licence) -> list[dict]:
    figures = queries.programme_figures(programme)
    return writers.figure_rows(figures, programme=programme.slug, threshold=licence.threshold)


@login_not_required
@require_safe
def figures_csv(request, slug):
    licence = writers.Licence.of(public_details())
    programme = queries.open_programme(slug)
    body = writers.figures_csv(_figure_rows(programme, licence), licence=licence)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    return _open_file(attachment(response, download_name("figures", "csv", programme=slug)))


@login_not_required
@require_safe
def figures_json(request, slug):
    licence = writers.Licence.of(public_details())
    programme = queries.open_programme(slug)
    papers = [
        writers.paper_row(paper, links=_paper_links(request, programme, paper, absolute=True))
        for paper in queries.published_papers(programme)
    ]
    body = writers.figures_json(
        _figure_rows(programme, licence),
        papers=papers,
        licence=licence,
        programme={
            "name": programme.name,
            "slug": programme.slug,
            "open_data_since": programme.open_data_from.isoformat(),
            "page": request.build_absolute_uri(reverse("open_data:programme", args=[slug])),
        },
    )
    return _open_file(HttpResponse(body, content_type="application/json"))


@login_not_required
@require_safe
def paper_file(request, slug, pk, name):
    """A published paper's file: the one stored when it was published, through the code the
    signed-in downloads use (actions/papers/files.py), so the public gets the same bytes."""
    if name not in FILE_NAMES:
        raise Http404("No such file")
    programme = queries.open_programme(slug)
    paper = queries.published_paper(programme, pk)
    kind = FILE_NAMES[name]
    try:
        body = files.paper_file(paper, kind)
    except files.FileLost:
        return HttpResponse(
            "This published file is missing from the service's storage. Please ask the "
            "council for a copy.",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    file_kind = files.KINDS[kind]
    response = HttpResponse(body, content_type=file_kind.content_type)
    return attachment(
        response,
        download_name(
            file_kind.what, kind, programme=slug, period=paper.period, on=paper.meeting.date
        ),
    )
