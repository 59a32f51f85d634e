"""A large return's three steps as background jobs (careprog.jobs, docs/decisions/0028):
reading and checking it, confirming it, and approving its figures. Past
KPI_IMPORT_QUEUE_ROWS rows (``ImportBatch.in_background``) each takes seconds and would hold
a web worker that long; as a job, the request answers at once with a waiting page.

The jobs run the services the requests run (preview_return, apply_return, approve_import),
so a return comes out the same either way. Each is bounded by gate.JOB_TIME_BUDGET instead
of the request's budget, and re-checks at run time who asked for it: a person who lost the
permission since, or who uploaded or confirmed the return they would approve, is refused
then as a request would have refused them. The person recorded as confirming or approving is
the one who pressed the button, whose id the job carries.

How far a job has got is written on its batch (``progress``), a committed UPDATE at most once
a second, which the waiting page reads: reading a return runs outside any transaction, so
the waiting page sees it at once. A job's outcome is its JSON return value: ``done`` (the
sentence a request would have shown) or ``refused`` (the problems), and ``by``, whose it is:
the step's page shows it to them, once.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction
from django_tasks import task

from careprog import jobs
from kpis.approval import EntryRefused
from kpis.importing import gate
from kpis.importing.apply import ImportRefused, apply_return, approve_import, store_upload
from kpis.importing.gate import Deadline
from kpis.importing.preview import preview_return
from kpis.importing.stored_preview import to_json
from kpis.models import ImportBatch
from kpis.permissions import can_import

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PREVIEW_ROWS = 200  # rows of each kind the preview page lists (kpis.views.imports)
NOT_ALLOWED = "You may no longer import returns, so this one was not imported."


class JobClock(Deadline):
    """A job's time budget that also writes on the batch how many rows it has read, at most
    once every ``every`` seconds."""

    every = 1.0

    def __init__(self, batch: ImportBatch):
        super().__init__(gate.JOB_TIME_BUDGET)
        self.batch_pk, self.total, self.said = batch.pk, batch.row_count, 0.0

    def check(self, done: int = 0) -> None:
        super().check(done)
        if done and time.monotonic() - self.said >= self.every:
            self.said = time.monotonic()
            _say(self.batch_pk, f"Checked {done:,} of {max(done, self.total):,} rows.")


def _say(batch_pk: int, progress: str) -> None:
    ImportBatch.objects.filter(pk=batch_pk).update(progress=progress[:200])


def _person(user_id: int | None) -> User | None:
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


@transaction.atomic
def _start(*, batch: ImportBatch, step: str, job_task, **kwargs) -> str:
    """Queue ``job_task`` for the batch, unless a job is still working on it: returns the id
    of the job that is (so a second press of the button queues nothing)."""
    batch = ImportBatch.objects.select_for_update().defer("content").get(pk=batch.pk)
    if batch.job_id and not jobs.state(batch.job_id).finished:
        return batch.job_id
    job = jobs.enqueue(job_task, batch_pk=batch.pk, **kwargs)
    ImportBatch.objects.filter(pk=batch.pk).update(job_id=job, job_step=step, progress="")
    return job


@transaction.atomic
def receive_upload(
    *, data: bytes, file_name: str, user: User | None, rows: int, cells: int
) -> ImportBatch:
    """Keep the upload; a large one is queued to be checked, with the upload."""
    batch = store_upload(data=data, file_name=file_name, user=user, rows=rows, cells=cells)
    if batch.in_background:
        start_check(batch=batch)
    return batch


def start_check(*, batch: ImportBatch) -> str:
    return _start(batch=batch, step=ImportBatch.Step.CHECK, job_task=check_return)


def start_confirm(*, batch: ImportBatch, user: User) -> str:
    return _start(
        batch=batch, step=ImportBatch.Step.CONFIRM, job_task=confirm_return, user_id=user.pk
    )


def start_approve(*, batch: ImportBatch, user: User, expected: int | None) -> str:
    return _start(
        batch=batch,
        step=ImportBatch.Step.APPROVE,
        job_task=approve_return,
        user_id=user.pk,
        expected=expected,
    )


@task()
def check_return(*, batch_pk: int) -> dict:
    """Read and check the return and keep its preview on the batch; nothing else is saved."""
    batch = ImportBatch.objects.get(pk=batch_pk)
    _say(batch_pk, "Reading the return.")
    preview = preview_return(bytes(batch.content), deadline=JobClock(batch))
    ImportBatch.objects.filter(pk=batch_pk).update(
        checked=to_json(preview, rows=PREVIEW_ROWS), progress=""
    )
    return {"can_confirm": preview.can_confirm}


@task()
def confirm_return(*, batch_pk: int, user_id: int | None) -> dict:
    """Confirm the return as its request would (apply_return): the file is read again,
    outside the transaction so that its progress shows, then saved in one transaction or
    not at all. A refusal keeps the new preview on the batch, for the page that says why."""
    user = _person(user_id)
    if not (user and can_import(user)):
        return {"refused": [NOT_ALLOWED], "by": user_id}
    batch = ImportBatch.objects.get(pk=batch_pk)
    clock = JobClock(batch)
    _say(batch_pk, "Reading the return again.")
    preview = preview_return(bytes(batch.content), deadline=clock)
    saving = len(preview.new) + len(preview.changed) + len(preview.beside_dfe)
    _say(batch_pk, f"Saving {saving:,} new and changed figures.")
    try:
        apply_return(batch=batch, user=user, preview=preview, deadline=clock)
    except ImportRefused as refusal:
        checked = to_json(refusal.preview or preview, rows=PREVIEW_ROWS)
        ImportBatch.objects.filter(pk=batch_pk).update(checked=checked, progress="")
        return {"refused": refusal.problems, "by": user_id}
    _say(batch_pk, "")
    return {
        "done": f"{batch.file_name} has been imported: its figures await approval.",
        "by": user_id,
    }


@task()
def approve_return(*, batch_pk: int, user_id: int | None, expected: int | None) -> dict:
    """Approve every figure of the import still awaiting approval, as the request would
    (approve_import), as the person who pressed the button: refused if they supplied the
    return or may no longer approve, or if the figures changed since they looked."""
    user = _person(user_id)
    batch = ImportBatch.objects.defer("content").get(pk=batch_pk)
    _say(batch_pk, f"Approving {expected:,} figures." if expected else "Approving the figures.")
    try:
        if user is None:
            raise EntryRefused("Only an active approver's decision is carried out.")
        count = approve_import(
            batch=batch, user=user, expected=expected, deadline=Deadline(gate.JOB_TIME_BUDGET)
        )
    except EntryRefused as refused:
        return {"refused": [str(refused)], "forbidden": True, "by": user_id}
    except ImportRefused as refused:
        return {"refused": refused.problems, "by": user_id}
    finally:
        _say(batch_pk, "")
    approved = f"{count} figures were approved: committee members now see them."
    return {"done": approved, "by": user_id}
