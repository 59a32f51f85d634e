import datetime as dt

from csp.constants import NONCE
from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, OuterRef, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from actions.models import Programme
from careprog.periods import InvalidPeriod, ReportingPeriod
from kpis import benchmarks, charts, due, entries
from kpis import lines as kpi_lines
from kpis import readings as kpi_readings
from kpis.forms import (
    DecisionForm,
    EntryForm,
    ImportDecisionForm,
    TemplateForm,
    UploadForm,
    default_range,
)
from kpis.history import changes_for_kpi
from kpis.importing.apply import (
    ImportRefused,
    apply_return,
    approve_import,
    return_import,
    store_upload,
    undo_import,
)
from kpis.importing.preview import preview_return
from kpis.importing.template import build_template
from kpis.models import KPI, ImportBatch, KPIEntry, KPIGroup, KPIValue
from kpis.permissions import (
    APPROVE_PERMISSION,
    ENTER_PERMISSION,
    IMPORT_PERMISSION,
    VIEW_PERMISSION,
    can_approve,
    can_enter,
    can_view,
)
from kpis.rating import BAND_EXPLANATION, RAG, Travel, period_name

read_required = permission_required(VIEW_PERMISSION, raise_exception=True)
# How many of a measure's latest periods its owner may enter a figure for.
ENTRY_PERIODS_OFFERED = 12


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


# The printed dashboard's running header is a nonced <style> (templates/includes/print_header.html).
@csp_update({"style-src": [NONCE]})
@require_GET
@read_required
def dashboard(request):
    as_at = _as_at(request)
    groups = list(KPIGroup.objects.order_by("position", "name"))
    programmes = list(Programme.objects.order_by("name"))
    group = _chosen(request, "group", {str(g.pk) for g in groups})
    programme = _chosen(request, "programme", {p.slug for p in programmes})
    rag = _chosen(request, "rag", {r.key for r in RAG})
    travel = _chosen(request, "direction", {t.key for t in Travel})
    band = _chosen(request, "band", {b.value for b in kpi_lines.BANDS_WORST_FIRST})
    sort = kpi_lines.SORT_BY_KEY.get(request.GET.get("sort", ""), kpi_lines.SORTS[0])
    as_at_periods = kpi_readings.as_at_periods()
    if as_at and as_at not in as_at_periods:  # e.g. a quarter before the earliest figure
        as_at_periods = sorted({*as_at_periods, as_at}, reverse=True)

    kpis = KPI.objects.all()
    if group:
        kpis = kpis.filter(group_id=group)
    if programme:
        kpis = kpis.filter(objectives__programme__slug=programme).distinct()
    readings = kpi_readings.readings(kpis, as_at.end if as_at else None)
    lines = [kpi_lines.KPILine.of(reading) for reading in readings]
    lines = kpi_lines.in_order(kpi_lines.chosen(lines, rag=rag, travel=travel, band=band), sort)

    shown = [line.reading for line in lines]
    counts = kpi_readings.rating_counts(shown)
    illustrative_ratings = sum(
        1 for r in shown if r.rating.rag is not RAG.NONE and not r.rating_is_real
    )
    filters = {"group": group, "programme": programme, "rag": rag, "direction": travel}
    filters |= {"band": band, "sort": "" if sort.order is None else sort.key}
    latest_url = "?" + urlencode({name: value for name, value in filters.items() if value})
    return render(
        request,
        "kpis/dashboard.html",
        {
            "sections": kpi_lines.sections(lines, sort),
            "groups": groups,
            "programmes": programmes,
            "rags": list(RAG),
            "travels": list(Travel),
            "bands": kpi_lines.BANDS_WORST_FIRST[::-1],
            "sorts": kpi_lines.SORTS,
            "sort": sort,
            "chosen": filters | {"as_at": as_at.slug if as_at else ""},
            "as_at": as_at,
            "as_at_periods": as_at_periods,
            "latest_url": latest_url,  # the same filters, the latest figures
            "counts": counts,
            "illustrative_ratings": illustrative_ratings,
            "shown": len(shown),
            "key": kpi_lines.Key.of(lines),
            "nav_section": "kpis",
        },
    )


# plotly.js sets inline styles as it draws; only the chart pages allow them.
@csp_update({"style-src": ["'unsafe-inline'"]})
@require_GET
@read_required
def kpi_detail(request, code):
    as_at = _as_at(request)
    kpi, reading, comparators, targets = kpi_readings.kpi_for_page(
        code, as_at.end if as_at else None
    )
    table = kpi_readings.value_table(reading, comparators, targets)
    # One query: committee members learn that a newer figure is coming, never what it is.
    awaiting = (
        entries.open_entries()
        .filter(kpi=kpi, state=KPIEntry.State.AWAITING)
        .select_related("entered_by")
        .order_by("-period_end")
        .first()
    )
    enters = can_enter(request.user, kpi)
    return render(
        request,
        "kpis/kpi_detail.html",
        {
            "kpi": kpi,
            "reading": reading,
            "line": kpi_lines.KPILine.of(reading),
            "figure": charts.kpi_figure(reading, comparators, targets),
            "figure_description": charts.kpi_figure_description(reading, comparators, targets),
            "table": table,
            "targets": targets,
            "target_texts": [(t, reading.describe_target(t)) for t in targets],
            "as_at": as_at,
            # The changes stay whole with a date: they are the audit record of who changed
            # what and when, and figures corrected since the date are shown as corrected, so
            # cutting the record at the date would hide the edits behind the figures shown.
            # The page says that the record may name later periods.
            "changes": changes_for_kpi(kpi),
            "awaiting": awaiting,
            "may_enter": enters,
            "sees_awaiting_figure": awaiting is not None
            and (enters or request.user.has_perm(APPROVE_PERMISSION)),
            "nav_section": "kpis",
        },
    )


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
            {"benchmark": page, "kpi": page.kpi, "nav_section": "kpis"},
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
            "nav_section": "kpis",
        },
    )


import_required = permission_required(IMPORT_PERMISSION, raise_exception=True)
PREVIEW_ROWS = 200  # per kind; the counts say how many there are in all


def _batch(pk, *, status=None, with_file=False):
    """The import, without its uploaded file (up to the upload limit) unless asked for: only
    the preview reads it; confirming and undoing read the batch again, locked."""
    batches = ImportBatch.objects.select_related("uploaded_by", "applied_by")
    batch = get_object_or_404(batches if with_file else batches.defer("content"), pk=pk)
    if status and batch.status != status:
        raise Http404("No such import")
    return batch


def _attempt(request, service, batch: ImportBatch, *, done: str) -> ImportRefused | None:
    """Confirm or undo an import: None once done (and ``done`` said), else the refusal."""
    try:
        service(batch=batch, user=request.user)
    except ImportRefused as refusal:
        return refusal
    messages.success(request, done)
    return None


def _import_page(request, template: str, context: dict, refusal: ImportRefused | None):
    """An import page; after a refusal it lists why, with 409 Conflict."""
    context |= {"refused": refusal.problems if refusal else [], "nav_section": "import"}
    return render(request, template, context, status=409 if refusal else 200)


@require_http_methods(["GET", "POST"])
@import_required
def import_start(request):
    """Download a template, or upload a return to see what it would change."""
    first, last = default_range()
    template_form = TemplateForm({"first": f"{first:%b %Y}", "last": f"{last:%b %Y}"})
    form = UploadForm()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            batch = store_upload(data=upload.read(), file_name=upload.name, user=request.user)
            return redirect(batch)
    return render(
        request,
        "kpis/import_start.html",
        {"form": form, "template_form": template_form, "nav_section": "import"},
    )


@require_GET
@import_required
def import_template(request):
    form = TemplateForm(request.GET or None)
    if not form.is_valid():
        first, last = default_range()
        if request.GET:
            return render(
                request,
                "kpis/import_start.html",
                {"form": UploadForm(), "template_form": form, "nav_section": "import"},
                status=400,
            )
    else:
        first, last = form.cleaned_data["first"], form.cleaned_data["last"]
    response = HttpResponse(
        build_template(first, last),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="kpi-return-{first:%Y-%m}-to-{last:%Y-%m}.xlsx"'
    )
    return response


@require_http_methods(["GET", "POST"])
@import_required
def import_preview(request, pk):
    """The preview of a pending return; POST confirms it. The file is read once either way:
    a refused confirmation shows the preview it made."""
    batch = _batch(pk, status=ImportBatch.Status.PENDING, with_file=True)
    refusal = None
    if request.method == "POST":
        done = f"{batch.file_name} has been imported: its figures await approval."
        refusal = _attempt(request, apply_return, batch, done=done)
        if refusal is None:
            return redirect("kpis:import_batch", pk=batch.pk)
    preview = (refusal and refusal.preview) or preview_return(bytes(batch.content))
    return _import_page(
        request,
        "kpis/import_preview.html",
        {
            "batch": batch,
            "preview": preview,
            "sections": [
                (title, len(changes), changes[:PREVIEW_ROWS], title == "Changed")
                for title, changes in (
                    ("Changed", preview.changed),
                    ("New", preview.new),
                    ("Unchanged", preview.unchanged),
                )
            ],
        },
        refusal,
    )


@require_GET
@import_required
def import_history(request):
    batches = ImportBatch.objects.exclude(status=ImportBatch.Status.PENDING).select_related(
        "uploaded_by", "applied_by", "undone_by"
    )
    page = Paginator(batches.defer("content"), 25).get_page(request.GET.get("page"))
    return render(request, "kpis/import_history.html", {"page": page, "nav_section": "import"})


@require_http_methods(["GET", "POST"])
@import_required
def import_batch(request, pk):
    """An import that was confirmed; POST undoes it."""
    batch = _batch(pk)
    if batch.status == ImportBatch.Status.PENDING:
        return redirect(batch)
    refusal = None
    if request.method == "POST":
        done = f"The import of {batch.file_name} has been undone."
        refusal = _attempt(request, undo_import, batch, done=done)
        if refusal is None:
            return redirect("kpis:import_batch", pk=batch.pk)
    values = Paginator(
        batch.values.select_related("kpi").order_by("kpi__code", "period_end"), 100
    ).get_page(request.GET.get("page"))
    return _import_page(
        request,
        "kpis/import_batch.html",
        {"batch": batch, "values": values, "approval": _approval_counts(batch)},
        refusal,
    )


def _approval_counts(batch: ImportBatch) -> dict[str, int]:
    """How many of the import's figures await approval, were approved or returned: one query.
    A figure its owner corrected since is theirs, no longer the import's."""
    counts = dict(batch.entries.order_by().values_list("state").annotate(count=Count("pk")))
    return {state: counts.get(state, 0) for state in KPIEntry.State.values}


# The approved figure of the outer row's measure and period, as it is now.
_approved_now = KPIValue.objects.real().filter(
    kpi_id=OuterRef("kpi_id"), period_end=OuterRef("period_end")
)


@require_http_methods(["GET", "POST"])
@permission_required(APPROVE_PERMISSION, raise_exception=True)
def import_entries(request, pk):
    """An import's figures, for an approver: approve every one still awaiting approval at
    once, or return them all to their owners with a comment (POST). Never one's own import."""
    batch = _batch(pk)
    if batch.status == ImportBatch.Status.PENDING:
        raise Http404("No such import")
    form = ImportDecisionForm()
    refusal = None
    if request.method == "POST":
        form = ImportDecisionForm(request.POST)
        if form.is_valid():
            decision, seen = form.cleaned_data["decision"], form.cleaned_data["awaiting"]
            try:
                if decision == "approve":
                    count = approve_import(batch=batch, user=request.user, expected=seen)
                    done = f"{count} figures were approved: committee members now see them."
                else:
                    count = return_import(
                        batch=batch,
                        user=request.user,
                        comment=form.cleaned_data["comment"],
                        expected=seen,
                    )
                    done = f"{count} figures were returned to their owners."
            except entries.EntryRefused:
                raise PermissionDenied from None
            except ImportRefused as refused:
                refusal = refused
            else:
                messages.success(request, done)
                return redirect("kpis:import_entries", pk=batch.pk)
    figures = Paginator(
        batch.entries.select_related("kpi")
        .annotate(before=Subquery(_approved_now.values("value")[:1]))
        .order_by("kpi__code", "period_end"),
        100,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "kpis/import_entries.html",
        {
            "batch": batch,
            "figures": figures,
            "approval": _approval_counts(batch),
            "form": form,
            "refused": refusal.problems if refusal else [],
            "may_decide": batch.status == ImportBatch.Status.APPLIED
            and batch.applied_by_id != request.user.pk,
            "nav_section": "measures",
        },
        status=409 if refusal else (400 if form.errors else 200),
    )


# A measure's figures entered in the browser (kpis/entries.py), approved before anyone reads
# them, and "My measures" (kpis/due.py).


def _kpi_for_entry(request, code) -> KPI:
    """The measure, or 403 unless the user is its owner or a delegate."""
    if not can_view(request.user):
        raise PermissionDenied
    kpi = get_object_or_404(KPI.objects.select_related("group", "owned_by"), code=code)
    if not can_enter(request.user, kpi):
        raise PermissionDenied
    return kpi


def _entry_period(request, kpi, offered) -> dt.date:
    """The period the form is for: ?period= if offered, else the latest period ended."""
    try:
        chosen = dt.date.fromisoformat(request.GET.get("period", ""))
    except ValueError:
        return offered[0]
    return chosen if chosen in offered else offered[0]


@require_http_methods(["GET", "POST"])
def kpi_enter(request, code):
    kpi = _kpi_for_entry(request, code)
    today = timezone.localdate()
    offered = due.period_ends_before(kpi, today, ENTRY_PERIODS_OFFERED)
    period_end = _entry_period(request, kpi, offered)
    conflict = None
    if request.method == "POST":
        form = EntryForm(request.POST, kpi=kpi, today=today)
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = entries.enter_figure(
                    kpi=kpi,
                    user=request.user,
                    period_end=data["period_end"],
                    value=data["value"],
                    numerator=data.get("numerator"),
                    denominator=data.get("denominator"),
                    commentary=data["commentary"],
                    seen_version=data["seen_version"],
                    today=today,
                )
            except entries.FigureInvalid as invalid:
                for name, problem in invalid.problems.items():
                    form.add_error(name if name in form.fields else None, problem)
            except entries.StaleEntry as stale:
                conflict = stale
                # Saving again means saving against what is there now.
                form = EntryForm(
                    {
                        **request.POST.dict(),
                        "seen_version": entries.version_of(
                            stale.entry, None if stale.entry else stale.value
                        ),
                    },
                    kpi=kpi,
                    today=today,
                )
                form.is_valid()
            else:
                named = period_name(entry.period_end, kpi)
                messages.success(request, f"Your figure for {named} has been sent for approval.")
                return redirect("kpis:entry", pk=entry.pk)
        period_end = form.cleaned_data.get("period_end") or period_end
    else:
        entry = entries.open_entries().filter(kpi=kpi, period_end=period_end).first()
        value = None if entry else entries.approved_value(kpi, period_end)
        current = entry or value
        form = EntryForm(
            initial={
                "period_end": period_end,
                "value": _plain(current.value) if current else "",
                "numerator": _plain(current.numerator) if current else "",
                "denominator": _plain(current.denominator) if current else "",
                "commentary": current.commentary if current else "",
                "seen_version": entries.version_of(entry, value),
            },
            kpi=kpi,
            today=today,
        )
    returned = (
        entries.open_entries()
        .filter(kpi=kpi, period_end=period_end, state=KPIEntry.State.RETURNED)
        .select_related("decided_by")
        .first()
    )
    return render(
        request,
        "kpis/kpi_enter.html",
        {
            "kpi": kpi,
            "form": form,
            "period_end": period_end,
            "offered": offered,
            "due_on": due.due_on(kpi, period_end),
            "returned": returned,
            "conflict": conflict,
            "nav_section": "kpis",
        },
        status=409 if conflict else (400 if form.errors else 200),
    )


def _plain(number) -> str:
    return "" if number is None else f"{number.normalize():f}"


def _entry_for_user(request, pk) -> KPIEntry:
    """The entry, for its measure's owner and delegates and for approvers; else 403."""
    if not can_view(request.user):
        raise PermissionDenied
    entry = get_object_or_404(
        KPIEntry.objects.select_related("kpi__group", "entered_by", "decided_by", "batch").defer(
            "batch__content"
        ),
        pk=pk,
    )
    if not (request.user.has_perm(APPROVE_PERMISSION) or can_enter(request.user, entry.kpi)):
        raise PermissionDenied
    return entry


@require_http_methods(["GET", "POST"])
def entry_detail(request, pk):
    """An entered figure; approvers approve it or return it with a comment (POST)."""
    entry = _entry_for_user(request, pk)
    form = DecisionForm(initial={"seen_version": entries.version_of(entry, None)})
    refusal = ""
    status = 200
    if request.method == "POST":
        if not request.user.has_perm(APPROVE_PERMISSION):
            raise PermissionDenied
        form = DecisionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["decision"] == "approve":
                    entries.approve_entry(
                        entry=entry, user=request.user, seen_version=data["seen_version"]
                    )
                    done = "approved: committee members now see it"
                else:
                    entries.return_entry(
                        entry=entry,
                        user=request.user,
                        comment=data["comment"],
                        seen_version=data["seen_version"],
                    )
                    done = "returned to its owner"
            except entries.EntryRefused:
                raise PermissionDenied from None
            except (entries.EntryDecided, entries.StaleEntry) as conflict:
                refusal = (
                    str(conflict)
                    if isinstance(conflict, entries.EntryDecided)
                    else "Its owner changed this figure after you opened it: read it again."
                )
                status = 409
                entry = _entry_for_user(request, pk)
                form = DecisionForm(initial={"seen_version": entries.version_of(entry, None)})
            else:
                messages.success(
                    request,
                    f"The figure for {period_name(entry.period_end, entry.kpi)} was {done}.",
                )
                return redirect("kpis:entry", pk=entry.pk)
        else:
            status = 400
    return render(
        request,
        "kpis/entry_detail.html",
        {
            "entry": entry,
            "kpi": entry.kpi,
            "form": form,
            "refusal": refusal,
            "may_decide": entry.state == KPIEntry.State.AWAITING
            and can_approve(request.user, entry),
            "may_correct": entry.state != KPIEntry.State.APPROVED
            and can_enter(request.user, entry.kpi),
            "changes": entry.history.select_related("history_user").order_by("-history_id"),
            "nav_section": "kpis",
        },
        status=status,
    )


@require_GET
@permission_required(APPROVE_PERMISSION, raise_exception=True)
def entries_awaiting(request):
    """Every figure awaiting approval, oldest first: those owners entered one by one, and
    each import's as one line (a return may bring thousands). Three queries."""
    awaiting = KPIEntry.objects.filter(state=KPIEntry.State.AWAITING)
    entered = (
        awaiting.filter(batch__isnull=True)
        .select_related("kpi", "entered_by")
        .order_by("entered_at", "pk")
    )
    imported = (
        awaiting.filter(batch__isnull=False)
        .order_by()
        .values("batch")
        .annotate(
            figures=Count("pk"),
            file_name=Max("batch__file_name"),
            applied_at=Min("batch__applied_at"),
            applied_by=Max("batch__applied_by"),
            username=Max("batch__applied_by__username"),
            first_name=Max("batch__applied_by__first_name"),
            last_name=Max("batch__applied_by__last_name"),
        )
        .order_by("applied_at", "batch")
    )  # fmt: skip
    return render(
        request,
        "kpis/entries_awaiting.html",
        {"entries": list(entered), "imports": list(imported), "nav_section": "measures"},
    )


@require_GET
@permission_required(ENTER_PERMISSION, raise_exception=True)
def my_measures(request):
    return render(
        request,
        "kpis/my_measures.html",
        {
            "lines": due.measures_due(request.user, timezone.localdate()),
            "nav_section": "measures",
        },
    )
