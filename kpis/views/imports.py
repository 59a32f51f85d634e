"""Importing a return: upload, template, preview, confirm, history and undo, and the
import's figures approved or returned together."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from careprog.downloads import attachment, download_name
from kpis import approval
from kpis.forms import (
    ImportDecisionForm,
    TemplateForm,
    UploadForm,
)
from kpis.importing import background
from kpis.importing.apply import (
    ImportRefused,
    apply_return,
    approve_import,
    refusal_for_supplier,
    return_import,
    undo_import,
)
from kpis.importing.gate import too_many_rows, upload_limits
from kpis.importing.preview import preview_return
from kpis.importing.template import build_template
from kpis.models import ImportBatch, KPIEntry, KPIValue
from kpis.permissions import (
    APPROVE_PERMISSION,
    IMPORT_PERMISSION,
    can_decide_import,
)
from kpis.views import import_jobs

import_required = permission_required(IMPORT_PERMISSION, raise_exception=True)


def _batch(pk):
    """The import, without its uploaded file (up to the upload limit) or its stored preview:
    the preview reads the file if it must; confirming and undoing read the batch again,
    locked."""
    batches = ImportBatch.objects.select_related("uploaded_by", "applied_by")
    return get_object_or_404(batches.defer("content", "checked"), pk=pk)


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
    context |= {"refused": refusal.problems if refusal else []}
    return render(request, template, context, status=409 if refusal else 200)


@require_http_methods(["GET", "POST"])
@import_required
def import_start(request):
    """Download a template, or upload a return to see what it would change."""
    template_form = TemplateForm()
    form = UploadForm()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            batch = background.receive_upload(
                data=upload.read(),
                file_name=upload.name,
                user=request.user,
                rows=form.rows,
                cells=form.cells,
            )
            return redirect(batch)
    return render(
        request,
        "kpis/import_start.html",
        {"form": form, "template_form": template_form, "row_limit": _row_limit()},
    )


def _row_limit() -> str:
    return too_many_rows(upload_limits())


@require_GET
@import_required
def import_template(request):
    """The return template: the programmes' periods, or each measure's periods in the months
    asked for."""
    form = TemplateForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(
            request,
            "kpis/import_start.html",
            {"form": UploadForm(), "template_form": form, "row_limit": _row_limit()},
            status=400,
        )
    months = None
    if form.is_bound and form.cleaned_data["first"]:
        months = (form.cleaned_data["first"], form.cleaned_data["last"])
    data, periods = build_template(months)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    # The catalogue's, not a programme's: what it is names the months it asks for.
    if months is None and periods:
        months = (periods[0], periods[-1])
    what = f"kpi-return-{months[0]:%Y-%m}-to-{months[1]:%Y-%m}" if months else "kpi-return"
    return attachment(response, download_name(what, "xlsx"))


@require_http_methods(["GET", "POST"])
@import_required
def import_preview(request, pk):
    """The preview of a pending return; POST confirms it. The file is read once either way:
    a refused confirmation shows the preview it made. A large return's are background jobs
    (import_jobs.preview_in_background)."""
    batch = _batch(pk)
    if batch.in_background:
        return import_jobs.preview_in_background(request, batch)
    if batch.status != ImportBatch.Status.PENDING:
        raise Http404("No such import")
    refusal = None
    if request.method == "POST":
        done = f"{batch.file_name} has been imported: its figures await approval."
        refusal = _attempt(request, apply_return, batch, done=done)
        if refusal is None:
            return redirect("kpis:import_batch", pk=batch.pk)
    preview = (refusal and refusal.preview) or preview_return(bytes(batch.content))
    return import_jobs.preview_page(request, batch, preview, refusal)


@require_GET
@import_required
def import_history(request):
    batches = ImportBatch.objects.exclude(status=ImportBatch.Status.PENDING).select_related(
        "uploaded_by", "applied_by", "undone_by"
    )
    page = Paginator(batches.defer("content"), 25).get_page(request.GET.get("page"))
    return render(request, "kpis/import_history.html", {"page": page})


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
    waiting, refusal, status = import_jobs.approval_job(request, batch)
    if waiting:
        return waiting
    if request.method == "POST":
        form = ImportDecisionForm(request.POST)
        if form.is_valid():
            decision, seen = form.cleaned_data["decision"], form.cleaned_data["awaiting"]
            try:
                if decision == "approve" and batch.in_background:
                    if supplied := batch.supplied_by(request.user):
                        raise approval.EntryRefused(refusal_for_supplier(supplied))
                    background.start_approve(batch=batch, user=request.user, expected=seen)
                    return redirect("kpis:import_entries", pk=batch.pk)
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
            except approval.EntryRefused as refused:
                # An approver who uploaded or confirmed the return: the page says why (403).
                refusal, status = ImportRefused([str(refused)]), 403
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
            and can_decide_import(request.user, batch),
            "supplied": batch.supplied_by(request.user),
        },
        status=status or (409 if refusal else (400 if form.errors else 200)),
    )


# A measure's figures entered in the browser (kpis/approval.py), approved before anyone reads
# them, and "My measures" (kpis/due.py).
