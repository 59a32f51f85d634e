"""Work that outlasts a request runs on the background queue (careprog.jobs): a job is saved with
the change that asked for it, the person waiting is told how far it has got, and it runs in a
worker of its own in production, or in a thread of the one process that serves on SQLite."""

import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from careprog import emails, jobs

ROOT = Path(__file__).resolve().parent.parent


@task()
def add(*, a: int, b: int) -> int:
    return a + b


@task()
def breaks() -> None:
    raise ValueError("the secret figure 42 was wrong")


def message(to="olive@example.org"):
    return mail.EmailMessage(subject="A step", body="Was taken.", to=[to])


pytestmark = pytest.mark.django_db


@override_settings(TASKS_RUN="manual")
def test_a_queued_job_waits_says_how_many_are_before_it_and_then_gives_its_answer():
    first = jobs.enqueue(add, a=1, b=2)
    second = jobs.enqueue(add, a=3, b=4)

    assert jobs.state(first).status == "waiting"
    waiting = jobs.state(second)
    assert (waiting.status, waiting.ahead, waiting.finished) == ("waiting", 1, False)
    assert waiting.message == "Waiting to start: 1 other job before it."
    assert jobs.as_json(waiting) == {
        "status": "waiting",
        "finished": False,
        "message": "Waiting to start: 1 other job before it.",
    }

    assert jobs.run_ready() == 2
    done = jobs.state(second, task=add)
    assert (done.status, done.value, done.finished, done.message) == ("done", 7, True, "Finished.")


@override_settings(TASKS_RUN="manual")
def test_a_job_that_fails_says_so_without_its_exceptions_text():
    job = jobs.enqueue(breaks)
    jobs.run_ready()

    failed = jobs.state(job)
    assert (failed.status, failed.error, failed.finished) == ("failed", "ValueError", True)
    assert "42" not in failed.message and "Start it again" in failed.message


@override_settings(TASKS_RUN="manual")
def test_a_job_running_for_longer_than_a_worker_could_is_shown_as_stopped():
    job = jobs.enqueue(add, a=1, b=1)
    DBTaskResult.objects.filter(pk=job).update(
        status="RUNNING", started_at=timezone.now() - jobs.STALLED_AFTER - dt.timedelta(seconds=1)
    )
    assert jobs.state(job).status == "stalled"
    DBTaskResult.objects.filter(pk=job).update(started_at=timezone.now())
    assert jobs.state(job).status == "running"


@override_settings(TASKS_RUN="manual")
def test_an_unknown_or_malformed_id_or_another_tasks_job_reads_as_unknown():
    job = jobs.enqueue(add, a=1, b=1)
    assert jobs.state(job, task=breaks).status == "unknown"
    assert jobs.state("not-a-uuid").status == "unknown"
    assert jobs.state("00000000-0000-0000-0000-000000000000").status == "unknown"
    assert jobs.state(job, task=add).status == "waiting"


def test_on_commit_runs_the_job_once_its_transaction_commits_and_never_when_it_rolls_back(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        kept = jobs.enqueue(add, a=2, b=2)
    assert jobs.state(kept).value == 4

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            lost = jobs.enqueue(add, a=5, b=5)
            raise RuntimeError("the step failed")
    assert jobs.state(lost).status == "unknown"


def test_emails_are_queued_as_rendered_and_sent_by_the_job(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = emails.send_later([message(), message("hannah@example.org")], what="a test")
    assert jobs.state(job).value == 2
    assert [(m.subject, m.body, m.to) for m in mail.outbox] == [
        ("A step", "Was taken.", ["olive@example.org"]),
        ("A step", "Was taken.", ["hannah@example.org"]),
    ]
    assert emails.send_later([], what="nothing") is None


@override_settings(TASKS_RUN="manual", EMAIL_BACKEND="tests.test_jobs.BrokenMailServer")
def test_a_mail_server_that_is_down_fails_the_job_on_record_not_the_step(caplog):
    job = emails.send_later([message()], what="a paper's approval")
    jobs.run_ready()
    assert jobs.state(job).status == "failed"
    assert "Could not send the emails about a paper's approval" in caplog.text


class BrokenMailServer:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("no mail server")


def _process(script: str, database: Path, **environment) -> subprocess.CompletedProcess:
    env = (
        os.environ
        | {
            "DATABASE_URL": f"sqlite:///{database}",
            "DJANGO_SETTINGS_MODULE": "careprog.settings",
            "SECRET_KEY": "test-only-secret-key-not-for-any-deployment",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "testserver",
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            "TASKS_RUN": "",  # the database's default: "thread" on SQLite
        }
        | environment
    )
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


QUEUE_AN_EMAIL = """
    import time, django
    django.setup()
    from django.core.mail import EmailMessage
    from django.db import transaction
    from careprog import emails, jobs
    with transaction.atomic():
        job = emails.send_later(
            [EmailMessage(subject="Hello", body="From the queue.", to=["olive@example.org"])],
            what="a test",
        )
    print(job)
    for _ in range(100):
        if jobs.state(job).finished:
            break
        time.sleep(0.1)
    print(jobs.state(job).status)
"""


@pytest.mark.slow
def test_on_sqlite_a_thread_of_the_serving_process_runs_the_job_and_in_production_a_worker(
    tmp_path,
):
    database = tmp_path / "queue.sqlite3"
    _process(
        "import django; django.setup(); from django.core.management import call_command;"
        " call_command('migrate', verbosity=0)",
        database,
    )

    # SQLite's default, as `make run` serves: the process that queued the job runs it.
    threaded = _process(QUEUE_AN_EMAIL, database)
    assert threaded.stdout.split()[-1] == "done"
    assert "From the queue." in threaded.stdout  # the console's email backend

    # A worker of its own: the job waits until `manage.py db_worker` picks it up.
    waiting = _process(
        QUEUE_AN_EMAIL.replace("range(100)", "range(3)"), database, TASKS_RUN="worker"
    )
    job, status = waiting.stdout.split()[-2:]
    assert status == "waiting"
    assert "From the queue." not in waiting.stdout
    worker = _process(
        "import django; django.setup(); from django.core.management import call_command;"
        " call_command('db_worker', batch=True, verbosity=0)",
        database,
        TASKS_RUN="worker",
    )
    assert "From the queue." in worker.stdout
    finished = _process(
        "import django; django.setup(); from careprog import jobs;"
        f" print(jobs.state({job!r}).status)",
        database,
        TASKS_RUN="worker",
    )
    assert finished.stdout.split()[-1] == "done"


def test_a_running_jobs_progress_is_added_to_its_message_and_status_and_nothing_else_changes():
    started = timezone.now()
    running = jobs.JobState(id="1", status="running", started_at=started, progress="Read 4 of 6.")
    assert running.message.endswith(". Read 4 of 6.")
    assert jobs.as_json(running)["progress"] == "Read 4 of 6."
    plain = jobs.JobState(id="1", status="running", started_at=started)
    assert jobs.as_json(plain) == {"status": "running", "finished": False, "message": plain.message}
    waiting = jobs.JobState(id="1", status="waiting", progress="Read 4 of 6.")
    assert "progress" not in jobs.as_json(waiting) and waiting.message == "Waiting to start."
