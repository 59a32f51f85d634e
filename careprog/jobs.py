"""Work that can outlast a request (a draft paper's PDF, a large return's preview and approval,
emails) runs on a background queue, so no worker is held while it runs and nothing meets
gunicorn's timeout (docs/decisions/0028).

The queue is django-tasks with its database backend (django-tasks-db): a table in the database
careprog already has, SQLite or PostgreSQL, so a job is saved with the change that asked for it
and is never lost with a process. Who runs the jobs is ``TASKS_RUN``:

- ``worker``: a process of its own, ``manage.py db_worker`` (production, several machines:
  docs/scaling.md). The default on PostgreSQL.
- ``thread``: the process that queued a job starts a thread once its transaction commits, and
  the thread runs every job that is ready, then stops. The default on SQLite, where one
  process serves (``make run``): nothing else to start.
- ``on-commit``: the process that queued it runs it once its transaction commits, before
  answering (the tests, whose in-memory database a thread of its own would not share safely);
  ``manual``: nothing runs a job until ``run_ready()`` is called (tests of a job's waiting page).

Jobs take only JSON's types (ids, text), never model instances: each reads what it needs when
it runs. ``state()`` says how far a job has got, for the page of the person waiting.
"""

from __future__ import annotations

import datetime
import logging
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus

logger = logging.getLogger(__name__)

# A job running for longer than this is taken to have died with its worker (a restart, a
# machine lost): its page says so and offers to start again rather than waiting for ever.
STALLED_AFTER = datetime.timedelta(minutes=10)

_thread_lock = threading.Lock()
_thread_running = False


def enqueue(task, /, **kwargs: Any) -> str:
    """Queues ``task`` with ``kwargs`` in the current transaction and returns the job's id.
    With ``TASKS_RUN=thread`` a thread in this process runs it once the transaction commits."""
    result = task.enqueue(**kwargs)
    if settings.TASKS_RUN == "thread":
        transaction.on_commit(_start_thread)
    elif settings.TASKS_RUN == "on-commit":
        transaction.on_commit(lambda: run_job(str(result.id)))
    return str(result.id)


def _worker():
    from django_tasks_db.management.commands.db_worker import Worker

    return Worker(
        queue_names=["*"],
        excluded_queue_names=[],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=f"careprog-{uuid.uuid4().hex[:12]}",
    )


def run_ready() -> int:
    """Runs every job that is ready, one after another, in this thread, as ``db_worker``
    does (its own code, in batch mode); returns how many ran. Inside a transaction (a test's)
    the worker's loop would close the connection under it (its close_old_connections, which
    PostgreSQL's connections obey inside a transaction): there, each job runs through run_job."""
    from django_tasks_db.models import DBTaskResult

    if transaction.get_connection().in_atomic_block:
        ran = 0
        ready = DBTaskResult.objects.ready().values_list("pk", flat=True)  # in the worker's order
        while (job_id := ready.first()) is not None:
            ran += run_job(str(job_id))
        return ran
    worker = _worker()
    worker.run()
    return worker._run_tasks


def run_job(job_id: str) -> bool:
    """Runs the one job ``job_id`` in this thread if it is still waiting (claimed as the
    worker claims it, so no worker runs it twice); says whether it ran."""
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction

    with exclusive_transaction(DBTaskResult.objects.db):
        job = DBTaskResult.objects.ready().filter(pk=job_id).get_locked()
        worker = _worker()
        if job is not None:
            job.claim(worker.worker_id)
    if job is None:
        return False
    worker.run_task(job)
    return True


def _start_thread() -> None:
    """One thread at a time per process: a job queued while it runs is picked up before it
    stops, since it looks for another ready job after each."""
    global _thread_running
    with _thread_lock:
        if _thread_running:
            return
        _thread_running = True
    threading.Thread(target=_thread_main, name="careprog-jobs", daemon=True).start()


def _thread_main() -> None:
    global _thread_running
    try:
        while True:
            run_ready()
            with _thread_lock:
                # A job committed after the last look but before this lock: look again.
                if not _ready_exists():
                    _thread_running = False
                    return
    except Exception:
        logger.exception("The background jobs' thread stopped")
        with _thread_lock:
            _thread_running = False
    finally:
        close_old_connections()


def _ready_exists() -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready().exists()


@dataclass(frozen=True)
class JobState:
    """How far a job has got, as its page tells the person waiting."""

    id: str
    status: str  # "waiting", "running", "done", "failed", "stalled", "unknown"
    ahead: int = 0  # jobs queued before this one and not yet started
    started_at: datetime.datetime | None = None
    finished_at: datetime.datetime | None = None
    value: Any = None  # what the job returned, once done
    error: str = ""  # the exception's class, once failed (never its text: it may hold data)
    # How far a running job says it has got, kept by the job where its page reads it (e.g.
    # "Checked 40,000 of 99,999 rows."): the page's own record, given with dataclasses.replace.
    progress: str = ""

    @property
    def finished(self) -> bool:
        return self.status in {"done", "failed", "stalled", "unknown"}

    @property
    def message(self) -> str:
        if self.status == "waiting":
            if self.ahead:
                other = "job" if self.ahead == 1 else "jobs"
                return f"Waiting to start: {self.ahead} other {other} before it."
            return "Waiting to start."
        if self.status == "running":
            started = "Started at " + timezone.localtime(self.started_at).strftime("%H:%M:%S") + "."
            return f"{started} {self.progress}" if self.progress else started
        if self.status == "done":
            return "Finished."
        if self.status == "stalled":
            return "This stopped before it finished. Start it again."
        if self.status == "failed":
            return (
                "This could not be finished. Start it again; if it fails again, tell the "
                "performance team."
            )
        return "There is no such job: it may have been cleared. Start it again."


def as_json(job: JobState) -> dict:
    """What the waiting page's script reads (static/src/job-progress.mjs); ``progress`` only
    where a running job has said how far it has got (the message says it too)."""
    answer = {"status": job.status, "finished": job.finished, "message": job.message}
    if job.progress and job.status == "running":
        answer["progress"] = job.progress
    return answer


def state(job_id: str, *, task=None) -> JobState:
    """The job's state: two queries (the job, and the jobs before it while it waits).
    ``task``, when given, must be the job's task: another's id reads as unknown."""
    from django_tasks_db.models import DBTaskResult

    try:
        job = DBTaskResult.objects.get(pk=uuid.UUID(str(job_id)))
    except (DBTaskResult.DoesNotExist, ValueError, TypeError):
        return JobState(id=str(job_id), status="unknown")
    if task is not None and job.task_path != task.module_path:
        return JobState(id=str(job_id), status="unknown")
    if job.status == TaskResultStatus.READY:
        ahead = (
            DBTaskResult.objects.ready().filter(enqueued_at__lt=job.enqueued_at).count()
            + DBTaskResult.objects.running().count()
        )
        return JobState(id=str(job.pk), status="waiting", ahead=ahead)
    if job.status == TaskResultStatus.RUNNING:
        stalled = job.started_at and timezone.now() - job.started_at > STALLED_AFTER
        return JobState(
            id=str(job.pk), status="stalled" if stalled else "running", started_at=job.started_at
        )
    if job.status == TaskResultStatus.SUCCESSFUL:
        return JobState(
            id=str(job.pk),
            status="done",
            started_at=job.started_at,
            finished_at=job.finished_at,
            value=job.return_value,
        )
    return JobState(
        id=str(job.pk),
        status="failed",
        started_at=job.started_at,
        finished_at=job.finished_at,
        error=job.exception_class_path.rsplit(".", 1)[-1],
    )
