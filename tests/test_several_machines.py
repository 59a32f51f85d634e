"""careprog on several machines: two app processes (gunicorn, one worker each, on two loopback
ports) share one PostgreSQL database, its cache table and one storage folder, and nothing else.
A paper published through one is served by the other, byte for byte; a session made on one
works on the other; the API's rate limit counts both together (docs/scaling.md).

The processes run with production settings (DEBUG off) against the suite's own PostgreSQL test
database, so this runs in CI's PostgreSQL pass (`make test SUITE=database`); on SQLite, where
there is no database server for two processes to share, it is skipped with its reason shown.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from actions.models import PaperFile
from actions.papers import services
from tests.conftest import PASSWORD
from tests.paper_factories import draft_paper

on_a_database_server = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two processes need a database server to share: PostgreSQL (CI's second run)",
)

BIN = Path(sys.executable).parent
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CACHE_TABLE = "careprog_throttle"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(media: Path) -> dict[str, str]:
    """What every machine is given: the same secret, database, cache table and storage."""
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    address = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return {
        "PATH": os.environ["PATH"],
        "CAREPROG_ENV_FILE": "",
        "SECRET_KEY": "the-same-long-random-secret-on-every-machine-" + "x" * 20,
        "DATABASE_URL": f"postgres://{user}{password}@{address}/{db['NAME']}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "THROTTLE_CACHE_TABLE": CACHE_TABLE,
        "MEDIA_ROOT": str(media),
        "API_RATE_LIMIT": "3/minute",
        # Plain HTTP on loopback stands in for the proxy's side of TLS.
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_MANIFEST": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }


@contextmanager
def _machines(environment: dict[str, str], count: int):
    """``count`` gunicorn processes, one worker each, on ports of their own."""
    ports = [_free_port() for _ in range(count)]
    processes = [
        subprocess.Popen(
            [BIN / "gunicorn", "careprog.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for port in ports
    ]
    try:
        for port, process in zip(ports, processes, strict=True):
            deadline = time.monotonic() + 30
            while True:
                assert process.poll() is None, process.stderr.read().decode()
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    assert time.monotonic() < deadline, "gunicorn did not start"
                    time.sleep(0.2)
        yield [Browser(port) for port in ports]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


class Browser:
    """One machine as a person's browser reaches it; ``cookies`` can be carried to another."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        http_connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            http_connection.request(method, path, body=body, headers=headers)
            response = http_connection.getresponse()
            content = response.read()
        finally:
            http_connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, content

    def form_token(self, path: str) -> str:
        status, _, page = self.request("GET", path)
        assert status == 200, (path, status)
        return CSRF_FIELD.search(page.decode()).group(1)


def _approved_paper(programme, officer, head_of_service):
    paper = draft_paper(programme, officer)
    services.submit(paper_id=paper.pk, user=officer)
    services.approve(paper_id=paper.pk, user=head_of_service)
    return paper


def _signs_in_with_the_default_hasher(user):
    """The suite hashes passwords with MD5 for speed; the machines run production's hashers."""
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "machines", iterations=1000)
    user.save(update_fields=["password"])


@on_a_database_server
@pytest.mark.django_db(transaction=True)
def test_a_paper_published_on_one_machine_is_served_by_another(
    seed_programme, officer, head_of_service, tmp_path
):
    paper = _approved_paper(seed_programme, officer, head_of_service)
    _signs_in_with_the_default_hasher(head_of_service)
    environment = _environment(media=tmp_path / "shared-storage")
    subprocess.run(
        [BIN / "python", "manage.py", "createcachetable"],
        cwd=settings.BASE_DIR,
        env=environment,
        check=True,
    )

    with _machines(environment, 2) as (a, b):
        token = a.form_token("/sign-in/")
        form = {"csrfmiddlewaretoken": token, "username": "hannah", "password": PASSWORD}
        status, headers, _ = a.request("POST", "/sign-in/", form)
        assert (status, headers["Location"]) == (302, "/")

        # The session made on A works on B.
        b.cookies = dict(a.cookies)
        status, _, page = b.request("GET", f"/papers/{paper.pk}/")
        assert status == 200
        assert "Hannah" in page.decode()

        token = a.form_token(f"/papers/{paper.pk}/publish/")
        form = {"csrfmiddlewaretoken": token, "comment": "Cleared for committee"}
        status, headers, _ = a.request("POST", f"/papers/{paper.pk}/publish/", form)
        assert (status, headers["Location"]) == (302, f"/papers/{paper.pk}/")

        # The job publishing queued runs in a worker of its own, a third machine as far as the
        # two are concerned (docs/operating.md): here, until no job is left.
        subprocess.run(
            [BIN / "python", "manage.py", "db_worker", "--batch", "--no-startup-delay"],
            cwd=settings.BASE_DIR,
            env=environment,
            check=True,
            capture_output=True,
        )
        stored = {f.kind: f for f in PaperFile.objects.filter(paper=paper)}
        assert set(stored) == {"pdf", "docx", "xlsx"}, "the worker stored the files published on A"
        files_on_disk = sorted((tmp_path / "shared-storage" / "papers").iterdir())

        status, _, page = b.request("GET", f"/papers/{paper.pk}/")
        assert status == 200 and "Published" in page.decode()
        for kind, path in [("pdf", "paper.pdf"), ("docx", "paper.docx"), ("xlsx", "appendix.xlsx")]:
            status_a, _, from_a = a.request("GET", f"/papers/{paper.pk}/{path}")
            status_b, _, from_b = b.request("GET", f"/papers/{paper.pk}/{path}")
            assert (status_a, status_b) == (200, 200), kind
            assert from_b == from_a, f"B serves A's {kind} byte for byte"
            assert hashlib.sha256(from_b).hexdigest() == stored[kind].sha256
        assert sorted((tmp_path / "shared-storage" / "papers").iterdir()) == files_on_disk, (
            "B served the stored files, and built none of its own"
        )
        # A build from the snapshot gives the same bytes wherever it runs, so equal bytes alone
        # would not show that B read the shared storage: give the stored PDF bytes no build
        # could give, and B serves exactly those.
        pdf = stored["pdf"]
        marked = (tmp_path / "shared-storage" / pdf.file.name).read_bytes() + b"%shared\n"
        (tmp_path / "shared-storage" / pdf.file.name).write_bytes(marked)
        PaperFile.objects.filter(pk=pdf.pk).update(
            sha256=hashlib.sha256(marked).hexdigest(), size=len(marked)
        )
        assert b.request("GET", f"/papers/{paper.pk}/paper.pdf")[2] == marked

        # One rate limit across both machines: 3 a minute, whichever machine answers.
        answers = [m.request("GET", "/api/papers/")[0] for m in (a, b, a, b)]
        assert answers == [200, 200, 200, 429]


def test_an_s3_bucket_in_the_environment_moves_the_files_into_it():
    """Choosing the storage is the environment's business alone: no code changes per machine."""
    code = (
        "from django.core.files.storage import storages; s = storages['default']; "
        "print(type(s).__name__, s.bucket_name, s.endpoint_url, s.location, s.file_overwrite)"
    )
    environment = {
        "PATH": os.environ["PATH"],
        "CAREPROG_ENV_FILE": "",
        "DEBUG": "1",
        "AWS_STORAGE_BUCKET_NAME": "council-careprog",
        "AWS_S3_ENDPOINT_URL": "https://objects.example.org",
        "AWS_LOCATION": "careprog/",
    }
    chosen = subprocess.run(
        [BIN / "python", "manage.py", "shell", "-v0", "-c", code],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert chosen == [
        "S3Storage",
        "council-careprog",
        "https://objects.example.org",
        "careprog",
        "False",
    ]


REDIS_URL = "redis://127.0.0.1:6379/14"
Q4_REPORT = "/programmes/care-programme-2024-25/report/2024-25-q4/"


def _hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


def _signed_in(machine, username: str) -> None:
    token = machine.form_token("/sign-in/")
    form = {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD}
    assert machine.request("POST", "/sign-in/", form)[0] == 302


@on_a_database_server
@pytest.mark.django_db(transaction=True)
def test_an_update_saved_through_one_machine_shows_at_once_on_another_sharing_redis(
    seed_programme, officer, officer_actions, committee_member, tmp_path
):
    """Both keep the report's body in one Redis (CACHE_URL); the save through A forgets it for
    B too, so B's reader sees the update on the next request."""
    import redis

    shared = redis.Redis.from_url(REDIS_URL)
    shared.flushdb()
    for person in (officer, committee_member):
        _signs_in_with_the_default_hasher(person)
    action = officer_actions[0]
    environment = _environment(media=tmp_path / "shared-storage") | {"CACHE_URL": REDIS_URL}

    with _machines(environment, 2) as (a, b):
        _signed_in(b, committee_member.username)
        for _ in range(2):
            status, _, page = b.request("GET", Q4_REPORT)
            assert status == 200
        assert "Training moved to the spring" not in page.decode()
        assert shared.keys("*careprog:pages*"), "B keeps the report's body in Redis"

        _signed_in(a, officer.username)
        status, _, form_page = a.request("GET", f"/actions/{action.pk}/?period=2024-25-q4")
        assert status == 200
        form_page = form_page.decode()
        form = {
            "csrfmiddlewaretoken": _hidden(form_page, "csrfmiddlewaretoken"),
            "period": "2024-25-q4",
            "action_version": _hidden(form_page, "action_version"),
            "update_version": _hidden(form_page, "update_version"),
            "status": "on_track",
            "text": "Training moved to the spring",
            "reason": "",
            "next_step": "",
        }
        status, _, _ = a.request("POST", f"/actions/{action.pk}/?period=2024-25-q4", form)
        assert status == 302

        status, _, page = b.request("GET", Q4_REPORT)
        assert status == 200 and "Training moved to the spring" in page.decode()
    shared.flushdb()
