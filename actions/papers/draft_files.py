"""A draft paper's files are built by a background job (careprog.jobs), never inside a request:
a PDF takes about a second of CPU, and two officers downloading a draft's PDF under load held
every web worker. Asking for a draft's file queues the build and shows a waiting page; once
the job has stored the bytes, the page offers them as the download they always were.

A draft is built from live data (updates, figures, the paper's sections), which the paper's
own row does not track, so no cheap test can prove that nothing has changed since the last
build: every new request after a build has finished builds afresh. Asking again while a build
waits or runs finds that build instead of queueing another.

Old files go two ways: a person's new build of a paper's file replaces their last one (its
bytes removed once the new request commits), and every build removes the files built more
than ``KEPT_FOR`` ago, with their rows, so nothing needs a scheduled clean-up.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from actions.models import DraftFile
from actions.papers import files, queries
from careprog import jobs

KEPT_FOR = dt.timedelta(days=1)


@transaction.atomic
def request_file(*, paper, kind: str, user) -> DraftFile:
    """The person's build of the paper's ``kind``: the one waiting or running, else a new job
    (queued in this transaction, so a job is saved only if the request's work commits)."""
    draft_file, created = DraftFile.objects.select_for_update().get_or_create(
        paper=paper, kind=kind, requested_by=user, defaults={"job_id": ""}
    )
    if not created and draft_file.job_id:
        if not jobs.state(draft_file.job_id, task=build_draft_file).finished:
            return draft_file
    old_name = draft_file.file.name
    if old_name:
        transaction.on_commit(lambda: default_storage.delete(old_name))
    draft_file.job_id = jobs.enqueue(build_draft_file, draft_file_id=draft_file.pk)
    draft_file.requested_at = timezone.now()
    draft_file.file, draft_file.name, draft_file.size, draft_file.built_at = "", "", 0, None
    draft_file.save()
    return draft_file


def for_user(*, paper, kind: str, user) -> DraftFile | None:
    """The person's build of the paper's ``kind``, or None: one query."""
    return DraftFile.objects.filter(paper=paper, kind=kind, requested_by=user).first()


def read(draft_file: DraftFile) -> bytes | None:
    """The stored bytes, or None when they are gone (removed as old)."""
    try:
        with draft_file.file.open("rb") as file:
            return file.read()
    except (FileNotFoundError, ValueError):
        return None


@task(takes_context=True)
def build_draft_file(context, *, draft_file_id: int) -> int:
    """Builds the paper's file as it is now and stores it; returns its size. A build asked
    for again meanwhile (this one having stalled) keeps the newer job's file, not this one's."""
    job_id = str(context.task_result.id)
    draft_file = DraftFile.objects.filter(pk=draft_file_id, job_id=job_id).first()
    if draft_file is None:
        return 0
    paper = queries.paper_for_page(draft_file.paper_id)
    data = files.build(paper, draft_file.kind)
    name = default_storage.save(
        f"paper-drafts/{paper.pk}-{draft_file.kind}-{job_id}.{draft_file.kind}", ContentFile(data)
    )
    kept = DraftFile.objects.filter(pk=draft_file_id, job_id=job_id).update(
        file=name,
        name=files.file_name(paper, draft_file.kind),
        size=len(data),
        built_at=timezone.now(),
    )
    if not kept:
        default_storage.delete(name)
    remove_old()
    return len(data)


def remove_old(*, now: dt.datetime | None = None) -> int:
    """Removes the draft files built more than KEPT_FOR ago, bytes and rows; returns how many."""
    old = DraftFile.objects.filter(built_at__lt=(now or timezone.now()) - KEPT_FOR)
    removed = 0
    for draft_file in old:
        if draft_file.file.name:
            default_storage.delete(draft_file.file.name)
        same = DraftFile.objects.filter(pk=draft_file.pk, built_at=draft_file.built_at)
        removed += same.delete()[0]
    return removed
