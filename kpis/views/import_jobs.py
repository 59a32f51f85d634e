"""The pages of a large return's background jobs (kpis.importing.background): the waiting
page each step answers while its job runs, the job's JSON status, and the step's outcome,
shown once the job has finished as the request would have shown it.

Each step's page is the page the step has today, so who may see a job, its status and its
result is who may see that page: importers for checking and confirming (the preview), approvers
for approving (the import's figures).
"""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from careprog import jobs
from kpis.importing import background
from kpis.importing.apply import ImportRefused
from kpis.importing.stored_preview import from_json
from kpis.models import ImportBatch
from kpis.permissions import APPROVE_PERMISSION, IMPORT_PERMISSION

TASKS = {
    ImportBatch.Step.CHECK: background.check_return,
    ImportBatch.Step.CONFIRM: background.confirm_return,
    ImportBatch.Step.APPROVE: background.approve_return,
}
PREVIEW_STEPS = (ImportBatch.Step.CHECK, ImportBatch.Step.CONFIRM)
CONFIRM_STOPPED = (
    "Importing the return did not finish, so nothing was saved: import it again; if it "
    "fails again, tell the performance team."
)
APPROVE_STOPPED = (
    "Approving the figures did not finish, so none was approved: approve them again; if it "
    "fails again, tell the performance team."
)
SECTIONS = (
    ("Kept beside DfE's published figure", "beside_dfe", "dfe"),
    ("Changed", "changed", "changed"),
    ("New", "new", ""),
    ("Unchanged", "unchanged", ""),
)


def job_for(batch: ImportBatch, *steps: str) -> jobs.JobState | None:
    """The batch's job if it is one of ``steps``, with the progress it wrote: two queries."""
    if not batch.job_id or batch.job_step not in steps:
        return None
    job = jobs.state(batch.job_id, task=TASKS[batch.job_step])
    return replace(job, progress=batch.progress)


OTHERS = {"others": True}  # an outcome for someone else to see: the page shows what is


def settle(request, batch: ImportBatch, job: jobs.JobState) -> dict | None:
    """A finished job's outcome for the person who asked for it, shown to them once: the
    batch then forgets the job (a write on the GET that shows it, as a redirect after a POST
    would have shown it once). None if the job stopped before it finished; OTHERS if it is
    another person's outcome ("you uploaded this return" would not be about the reader)."""
    value = job.value if job.status == "done" and isinstance(job.value, dict) else None
    if value and value.get("by", request.user.pk) != request.user.pk:
        return OTHERS
    ImportBatch.objects.filter(pk=batch.pk, job_id=job.id).update(job_id="", job_step="")
    return value


def waiting_page(request, batch, job, status_url, *, status=200):
    """The step's page while its job runs (or after it stopped, with a way to start again)."""
    step = ImportBatch.Step(batch.job_step or ImportBatch.Step.CHECK)
    return render(
        request,
        "kpis/import_waiting.html",
        {"batch": batch, "job": job, "status_url": status_url, "heading": step.label},
        status=status,
    )


def preview_page(request, batch, preview, refusal: ImportRefused | None):
    """The preview of a return, read now (a Preview) or by the background check (its
    StoredPreview): one page for both, so the two ways of checking cannot drift apart."""
    context = {
        "batch": batch,
        "preview": preview,
        "sections": [
            (title, preview.counts[kind], getattr(preview, kind)[: background.PREVIEW_ROWS], old)
            for title, kind, old in SECTIONS
        ],
        "refused": refusal.problems if refusal else [],
    }
    return render(request, "kpis/import_preview.html", context, status=409 if refusal else 200)


def preview_in_background(request, batch: ImportBatch):
    """The preview page of a large return: waiting while it is checked or confirmed, then
    the preview the check kept, or the confirmation's outcome. POST confirms it (or, with
    ``step=check``, checks it again after a check that stopped)."""
    job = job_for(batch, *PREVIEW_STEPS)
    status_url = reverse("kpis:import_status", kwargs={"pk": batch.pk})
    if job and not job.finished:
        posted = request.method == "POST"
        return waiting_page(request, batch, job, status_url, status=409 if posted else 200)
    if request.method == "POST":
        if batch.status != ImportBatch.Status.PENDING:
            raise Http404("No such import")
        if request.POST.get("step") == ImportBatch.Step.CHECK:
            background.start_check(batch=batch)
        else:
            background.start_confirm(batch=batch, user=request.user)
        return redirect("kpis:import_preview", pk=batch.pk)
    refusal = None
    if job and batch.job_step == ImportBatch.Step.CONFIRM:
        outcome = settle(request, batch, job)
        if outcome and "done" in outcome:
            messages.success(request, outcome["done"])
            return redirect("kpis:import_batch", pk=batch.pk)
        if outcome is not OTHERS:
            refusal = ImportRefused(outcome["refused"] if outcome else [CONFIRM_STOPPED])
    if batch.status != ImportBatch.Status.PENDING:
        return redirect("kpis:import_batch", pk=batch.pk)
    if batch.checked is None:  # the check stopped before it finished
        stopped = job or jobs.JobState(id="", status="unknown")
        return waiting_page(request, batch, stopped, status_url)
    return preview_page(request, batch, from_json(batch.checked), refusal)


def approval_job(request, batch: ImportBatch):
    """(waiting page, refusal, status): the waiting page while the import's approval runs;
    once it has finished, its refusal and status as the request would have had them (and a
    success message if it was done); all None if the import has no approval job."""
    job = job_for(batch, ImportBatch.Step.APPROVE)
    if job is None:
        return None, None, None
    if not job.finished:
        status_url = reverse("kpis:import_entries_status", kwargs={"pk": batch.pk})
        status = 409 if request.method == "POST" else 200
        return waiting_page(request, batch, job, status_url, status=status), None, None
    outcome = settle(request, batch, job)
    if outcome is OTHERS:
        return None, None, None
    if outcome and "done" in outcome:
        messages.success(request, outcome["done"])
        return None, None, None
    if outcome:
        return None, ImportRefused(outcome["refused"]), 403 if outcome.get("forbidden") else 409
    return None, ImportRefused([APPROVE_STOPPED]), 409


def _status(request, pk, steps):
    batch = get_object_or_404(ImportBatch.objects.defer("content", "checked"), pk=pk)
    job = job_for(batch, *steps) or jobs.JobState(id="", status="unknown")
    return JsonResponse(jobs.as_json(job))


@require_GET
@permission_required(IMPORT_PERMISSION, raise_exception=True)
def import_status(request, pk):
    """A large return's check or confirmation, as its waiting page's script reads it. With
    no job (its outcome already shown) it reads as finished, so the page shows what is."""
    return _status(request, pk, PREVIEW_STEPS)


@require_GET
@permission_required(APPROVE_PERMISSION, raise_exception=True)
def import_entries_status(request, pk):
    """The approval of a large import's figures, as its waiting page's script reads it."""
    return _status(request, pk, (ImportBatch.Step.APPROVE,))
