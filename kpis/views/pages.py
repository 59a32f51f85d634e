"""The catalogue's pages: the dashboard, a measure's page and its benchmark page."""

from dataclasses import dataclass

from csp.constants import NONCE
from csp.decorators import csp_update
from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from careprog import page_cache
from careprog.periods import InvalidPeriod, ReportingPeriod
from kpis import approval, benchmarks, charts, dashboard_rows, evidence
from kpis import readings as kpi_readings
from kpis.kpi_changes import changes_for_kpi
from kpis.models import KPI, KPIEntry, KPIGroup
from kpis.permissions import (
    APPROVE_PERMISSION,
    VIEW_PERMISSION,
    can_enter,
)
from kpis.rating import BAND_EXPLANATION, RAG, Travel

read_required = permission_required(VIEW_PERMISSION, raise_exception=True)


def _chosen(request, name, choices):
    """The filter value if it is one of ``choices`` (as text), else '' (no filter)."""
    value = request.GET.get(name, "")
    return value if value in choices else ""


def _as_at(request) -> ReportingPeriod | None:
    """The quarter whose end the figures are read as at (``?as_at=2024-25-q3``); None, the
    latest figures, when not given. Text that names no quarter, or a quarter after the
    current one (a date not yet reached), is a 404."""
    text = request.GET.get("as_at", "")
    if not text:
        return None
    try:
        period = ReportingPeriod.parse(text)
    except InvalidPeriod:
        raise Http404("No such reporting period") from None
    if period > ReportingPeriod.current():
        raise Http404("Figures cannot be shown as at a quarter that has not yet begun")
    return period


def _offered_as_at(request, offered: list[ReportingPeriod]) -> tuple[ReportingPeriod | None, str]:
    """The dashboard's quarter (``?as_at=``) if it is one of those ``offered``
    (readings.as_at_periods: at most AS_AT_YEARS back), else None, the latest figures, with
    the sentence that says why; '' when nothing or a quarter offered was asked for."""
    text = request.GET.get("as_at", "")
    if not text:
        return None, ""
    try:
        period = ReportingPeriod.parse(text)
    except InvalidPeriod:
        period = None
    if period in offered:
        return period, ""
    if not offered:
        return None, "There are no figures yet to show as at an earlier quarter"
    return None, (
        f"Choose a quarter from {offered[-1].label} to {offered[0].label} to see the figures "
        "as they stood at its end"
    )


# The printed dashboard's running header is a nonced <style> (templates/includes/print_header.html).
@csp_update({"style-src": [NONCE]})
@require_GET
@read_required
def dashboard(request):
    as_at_periods = kpi_readings.as_at_periods()
    as_at, as_at_error = _offered_as_at(request, as_at_periods)
    groups = list(KPIGroup.objects.order_by("position", "name"))
    group = _chosen(request, "group", {str(g.pk) for g in groups})
    # What the measures evidence (a programme's objectives), as the apps above tell it.
    uses = evidence.filters(request.GET)
    rag = _chosen(request, "rag", {r.key for r in RAG})
    travel = _chosen(request, "direction", {t.key for t in Travel})
    band = _chosen(request, "band", {b.value for b in dashboard_rows.BANDS_WORST_FIRST})
    sort = dashboard_rows.SORT_BY_KEY.get(request.GET.get("sort", ""), dashboard_rows.SORTS[0])

    kpis = KPI.objects.all()
    if group:
        kpis = kpis.filter(group_id=group)
    kpis = evidence.chosen_measures(kpis, uses)
    as_at_end = as_at.end if as_at else None
    filters = {"group": group, **{use.parameter: use.chosen for use in uses}}
    filters |= {"rag": rag, "direction": travel}
    filters |= {"band": band, "sort": "" if sort.order is None else sort.key}
    latest_url = "?" + urlencode({name: value for name, value in filters.items() if value})
    return render(
        request,
        "kpis/dashboard.html",
        {
            # Read only when the page's body is not kept (careprog.page_cache).
            "body": SimpleLazyObject(
                lambda: _dashboard_body(
                    kpis, as_at_end, rag=rag, travel=travel, band=band, sort=sort
                )
            ),
            "groups": groups,
            "evidence_filters": uses,
            "rags": list(RAG),
            "travels": list(Travel),
            "bands": dashboard_rows.BANDS_WORST_FIRST[::-1],
            "sorts": dashboard_rows.SORTS,
            "sort": sort,
            "chosen": filters | {"as_at": as_at.slug if as_at else ""},
            "as_at": as_at,
            "as_at_periods": as_at_periods,
            "as_at_error": as_at_error,
            "latest_url": latest_url,  # the same filters, the latest figures
        },
    )


@dataclass(frozen=True)
class _DashboardBody:
    sections: list
    counts: dict
    illustrative_ratings: int
    shown: int
    key: dashboard_rows.Key


def _dashboard_body(kpis, as_at_end, *, rag, travel, band, sort) -> _DashboardBody:
    """The dashboard's lines, in their sections, with the counts over them and their key: the
    readings' queries (kpis.readings.readings), run only when the body is not kept."""
    readings = kpi_readings.readings(kpis, as_at_end)
    lines = [dashboard_rows.KPILine.of(reading) for reading in readings]
    lines = dashboard_rows.in_order(
        dashboard_rows.chosen(lines, rag=rag, travel=travel, band=band), sort
    )
    shown = [line.reading for line in lines]
    return _DashboardBody(
        sections=dashboard_rows.sections(lines, sort),
        counts=kpi_readings.rating_counts(shown),
        illustrative_ratings=sum(
            1 for r in shown if r.rating.rag is not RAG.NONE and not r.rating_is_real
        ),
        shown=len(shown),
        key=dashboard_rows.Key.of(lines),
    )


# plotly.js sets inline styles as it draws; only the chart pages allow them.
@csp_update({"style-src": ["'unsafe-inline'"]})
@require_GET
@read_required
def kpi_detail(request, code):
    as_at = _as_at(request)
    # The page's frame needs the measure (its name, group and rank: one query, none when it
    # is kept); its body (the figures, chart, table, changes) is read only when it is not kept
    # (careprog.page_cache).
    kpi = page_cache.kept(
        request, "kpi-frame", lambda: kpi_readings.kpi_with_rank(code, as_at.end if as_at else None)
    )
    return render(
        request,
        "kpis/kpi_detail.html",
        {
            "kpi": kpi,
            "as_at": as_at,
            "page": SimpleLazyObject(lambda: _kpi_page(request, kpi, as_at)),
        },
    )


def _kpi_page(request, kpi, as_at) -> dict:
    """What a KPI's page shows below its heading, for ``kpi`` as `kpi_with_rank` read it."""
    kpi, reading, comparators, targets = kpi_readings.kpi_for_page(
        kpi.code, as_at.end if as_at else None, kpi=kpi
    )
    table = kpi_readings.value_table(reading, comparators, targets)
    # One query: committee members learn that a newer figure is coming, never what it is.
    awaiting = (
        approval.open_entries()
        .filter(kpi=kpi, state=KPIEntry.State.AWAITING)
        .select_related("entered_by")
        .order_by("-period_end")
        .first()
    )
    enters = can_enter(request.user, kpi)
    return {
        "kpi": kpi,
        "reading": reading,
        "line": dashboard_rows.KPILine.of(reading),
        "figure": charts.kpi_figure(reading, comparators, targets),
        "figure_description": charts.kpi_figure_description(reading, comparators, targets),
        "table": table,
        "targets": targets,
        "target_texts": [(t, reading.describe_target(t)) for t in targets],
        # The changes stay whole with a date: they are the audit record of who changed
        # what and when, and figures corrected since the date are shown as corrected, so
        # cutting the record at the date would hide the edits behind the figures shown.
        # The page says that the record may name later periods.
        "changes": changes_for_kpi(kpi),
        "evidences": evidence.evidenced_by(kpi),
        "awaiting": awaiting,
        "may_enter": enters,
        "sees_awaiting_figure": awaiting is not None
        and (enters or request.user.has_perm(APPROVE_PERMISSION)),
    }


@csp_update({"style-src": ["'unsafe-inline'"]})
@require_GET
@read_required
def kpi_benchmark(request, code):
    """The KPI beside its statistical neighbours, region and England, from DfE's figures."""
    page = benchmarks.benchmark_for_page(code)
    if not page.kpi.benchmark_code:
        # A page that says why, rather than the site's generic "Page not found".
        return render(
            request,
            "kpis/kpi_benchmark.html",
            {"benchmark": page, "kpi": page.kpi},
            status=404,
        )
    return render(
        request,
        "kpis/kpi_benchmark.html",
        {
            "benchmark": page,
            "kpi": page.kpi,
            "bars_figure": charts.benchmark_bars(page),
            "bars_description": charts.benchmark_bars_description(page),
            "trend_figure": charts.benchmark_trend(page),
            "trend_description": charts.benchmark_trend_description(page),
            "trend_table": page.trend[::-1],
            "band_explanation": BAND_EXPLANATION,
        },
    )
