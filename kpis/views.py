from csp.decorators import csp_update
from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from actions.models import Programme
from kpis import charts, queries
from kpis.models import KPI, KPIGroup
from kpis.rating import RAG

read_required = permission_required("kpis.view_kpi", raise_exception=True)


def _chosen(request, name, choices):
    """The filter value if it is one of ``choices`` (as text), else '' (no filter)."""
    value = request.GET.get(name, "")
    return value if value in choices else ""


@require_GET
@read_required
def dashboard(request):
    groups = list(KPIGroup.objects.order_by("position", "name"))
    programmes = list(Programme.objects.order_by("name"))
    group = _chosen(request, "group", {str(g.pk) for g in groups})
    programme = _chosen(request, "programme", {p.slug for p in programmes})
    rag = _chosen(request, "rag", {r.key for r in RAG})

    kpis = KPI.objects.all()
    if group:
        kpis = kpis.filter(group_id=group)
    if programme:
        kpis = kpis.filter(objectives__programme__slug=programme).distinct()
    readings = queries.readings(kpis)
    if rag:
        readings = [r for r in readings if r.rating.rag.key == rag]

    sections = []
    for reading in readings:
        if not sections or sections[-1][0] != reading.kpi.group:
            sections.append((reading.kpi.group, []))
        sections[-1][1].append((reading, charts.sparkline(reading)))
    counts = {r: sum(1 for reading in readings if reading.rating.rag is r) for r in RAG}
    return render(
        request,
        "kpis/dashboard.html",
        {
            "sections": sections,
            "groups": groups,
            "programmes": programmes,
            "rags": list(RAG),
            "chosen": {"group": group, "programme": programme, "rag": rag},
            "counts": counts,
            "shown": len(readings),
            "any_illustrative": any(r.any_illustrative for r in readings),
            "nav_section": "kpis",
        },
    )


# plotly.js sets inline styles as it draws; only the chart pages allow them.
@csp_update({"style-src": ["'unsafe-inline'"]})
@require_GET
@read_required
def kpi_detail(request, code):
    kpi, reading, comparators, targets = queries.kpi_for_page(code)
    table = queries.value_table(reading, comparators, targets)
    return render(
        request,
        "kpis/kpi_detail.html",
        {
            "kpi": kpi,
            "reading": reading,
            "figure": charts.kpi_figure(reading, comparators, targets),
            "table": table,
            "targets": targets,
            "target_texts": [(t, reading.describe_target(t)) for t in targets],
            "changes": queries.changes_for_kpi(kpi),
            "nav_section": "kpis",
        },
    )
