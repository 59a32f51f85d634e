"""Throughput of one gunicorn instance: C concurrent readers at the dashboard and the report for a
fixed time, with W workers, on PostgreSQL with the demo data, DEBUG off.

    .venv/bin/python benchmarks/load.py [--workers 1,2,4] [--readers 32] [--seconds 20]
                                        [--pdf-readers 0] [--cache-url redis://...]
                                        [--postgres-url URL]

Bounded and on loopback only: a throwaway PostgreSQL database `careprog_load_<pid>` (migrated,
`setup_demo`, dropped at the end) and gunicorn on a free 127.0.0.1 port, started afresh for each
worker count with the production settings a machine behind the proxy has (DEBUG off,
`DATABASE_CONN_MAX_AGE=600`, `THROTTLE_CACHE_TABLE`, and `CACHE_URL` with `--cache-url`, so the
workers share the kept pages as docs/scaling.md deploys them), less TLS. Each reader is a thread
with one keep-alive `http.client` connection and the committee member's session cookie (signed in
through the sign-in form), asking for one page again and again: half the readers the dashboard
/kpis/, half the Care Programme's report for its current quarter. `--pdf-readers N` adds N more
threads, as an officer, getting a draft paper's PDF meanwhile as a person does: ask for it (a job is
queued), poll its JSON status every 0.5 s, then download the file the job built; each PDF so
completed counts once, its latency the whole wait. Jobs run in one `manage.py db_worker` beside
gunicorn, in the same environment, started and stopped with it: the effect of PDFs being built on
the pages everyone else reads. Every answer must be 200 (the request for a draft's PDF a 302 to its
waiting page). Each worker count gets a warm-up of a few seconds, not counted. Prints requests/s and
p50/p99 latency per page for each worker count, as a Markdown table, and the CPU the gunicorn
workers and the job worker used. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DEMO_PASSWORD = "careprog-demo"  # careprog/management/commands/setup_demo.py

# Run with DEBUG on (setup_demo refuses otherwise): where the pages are, and a draft paper.
PREPARE = """
import datetime
import json
from django.contrib.auth import get_user_model
from django.urls import reverse
from actions.models import Committee, Meeting, Programme
from actions.papers import services
programme = Programme.objects.get(slug="care-programme-2024-25")
period = programme.current_period()
committee, _ = Committee.objects.get_or_create(name="Children's Committee")
meeting_day = period.end + datetime.timedelta(days=30)
meeting, _ = Meeting.objects.get_or_create(committee=committee, date=meeting_day)
officer = get_user_model().objects.get(username="officer")
paper = services.start_paper(programme=programme, meeting=meeting, period=period,
    figures_as_at=period.end, title="Load test draft", report_of="Director", author=officer)
print(json.dumps({
    "dashboard": reverse("kpis:dashboard"),
    "report": reverse("actions:report", args=[programme.slug, period]),
    "draft pdf": reverse("actions:paper_pdf", args=[paper.pk]),
}))
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _psql(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql)


def _environment(database_url: str, media: str) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "CAREPROG_ENV_FILE": "",
        "SECRET_KEY": "benchmark-only-" + "x" * 40,
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "600",
        "ALLOWED_HOSTS": "127.0.0.1",
        "THROTTLE_CACHE_TABLE": "careprog_throttle",
        "MEDIA_ROOT": media,
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_MANIFEST": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
        # No more sign-in attempts than the benchmark's own; never locked out by them.
        "AXES_FAILURE_LIMIT": "1000",
    }


def _manage(environment: dict[str, str], *args: str, debug=False) -> str:
    env = {**environment, "DEBUG": "1"} if debug else environment
    done = subprocess.run(
        [BIN / "python", "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(args[:2])} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def _request(connection, method, path, headers, body=None):
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    return response, response.read()


def _sign_in(port: int, username: str) -> str:
    """The session cookie of ``username``, signed in through the form."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Host": "127.0.0.1"}
    response, page = _request(connection, "GET", "/sign-in/", headers)
    cookies = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    form = {
        "csrfmiddlewaretoken": CSRF_FIELD.search(page.decode()).group(1),
        "username": username,
        "password": DEMO_PASSWORD,
    }
    headers = {
        "Host": "127.0.0.1",
        "Cookie": f"csrftoken={cookies['csrftoken'].value}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    response, _ = _request(connection, "POST", "/sign-in/", headers, urlencode(form))
    if response.status != 302:
        raise SystemExit(f"{username} could not sign in: {response.status}")
    for header in response.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    connection.close()
    return f"sessionid={cookies['sessionid'].value}"


def _reader(port, path, cookie, until, latencies, failures):
    """One person reading ``path`` again and again on one keep-alive connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Host": "127.0.0.1", "Cookie": cookie}
    while time.monotonic() < until[0]:
        started = time.perf_counter()
        try:
            response, _ = _request(connection, "GET", path, headers)
        except (OSError, http.client.HTTPException) as error:
            failures.append(f"{path}: {error!r}")
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            continue
        elapsed = time.perf_counter() - started
        if response.status != 200:
            failures.append(f"{path}: {response.status}")
        if until[1] and time.monotonic() <= until[0]:  # counted: after the warm-up, in time
            latencies.append(elapsed)
    connection.close()


def _pdf_reader(port, path, cookie, until, latencies, failures):
    """One officer getting a draft's PDF again and again, as the waiting page does: ask, poll
    the status every 0.5 s, download once done. A latency is the whole wait for one PDF."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Host": "127.0.0.1", "Cookie": cookie}
    while time.monotonic() < until[0]:
        started = time.perf_counter()
        try:
            failure = _one_pdf(connection, path, headers, until)
        except (OSError, http.client.HTTPException, ValueError) as error:
            failure = f"{path}: {error!r}"
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        elapsed = time.perf_counter() - started
        if failure:
            failures.append(failure)
        elif until[1] and time.monotonic() <= until[0]:  # counted: after the warm-up, in time
            latencies.append(elapsed)
    connection.close()


def _one_pdf(connection, path, headers, until) -> str:
    """Empty once one PDF has been downloaded; what went wrong otherwise ("" too when the run
    ended while it waited: not a failure, and not counted)."""
    response, _ = _request(connection, "GET", path, headers)
    if response.status != 302:
        return f"{path}: {response.status}"
    page = response.headers["Location"]
    while True:
        response, body = _request(connection, "GET", page + "status.json", headers)
        if response.status != 200:
            return f"{page}status.json: {response.status}"
        status = json.loads(body)
        if status["finished"]:
            break
        if time.monotonic() > until[0]:
            return ""
        time.sleep(0.5)
    if status["status"] != "done":
        return f"{page}: the job {status['status']}"
    response, body = _request(connection, "GET", page + "file", headers)
    if response.status != 200 or not body.startswith(b"%PDF-"):
        return f"{page}file: {response.status}"
    return ""


def _process_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def _cpu_seconds(master: int) -> float:
    """CPU time gunicorn's workers have used so far (Linux /proc): what the pages cost whatever
    else the machine is doing, where requests/s also measure the machine's other load."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return sum(_process_cpu_seconds(int(pid)) for pid in children)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _measure(environment, paths, *, workers, readers, pdf_readers, seconds, warm_up):
    port = _free_port()
    gunicorn = subprocess.Popen(
        [BIN / "gunicorn", "careprog.wsgi", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", str(workers), "--timeout", "120"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # The background jobs' worker (docs/operating.md): one process, gunicorn's environment.
    worker = subprocess.Popen(
        [BIN / "python", "manage.py", "db_worker", "--interval", "0.5"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if gunicorn.poll() is not None:
                raise SystemExit(gunicorn.stderr.read().decode())
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.2)
        councillor = _sign_in(port, "councillor")
        officer = _sign_in(port, "officer") if pdf_readers else ""
        until = [time.monotonic() + warm_up + seconds, False]
        latencies = {name: [] for name in paths}
        failures: list[str] = []
        plan = [("dashboard" if i % 2 == 0 else "report", councillor) for i in range(readers)]
        plan += [("draft pdf", officer)] * pdf_readers
        threads = [
            threading.Thread(
                target=_pdf_reader if name == "draft pdf" else _reader,
                args=(port, paths[name], cookie, until, latencies[name], failures),
                daemon=True,
            )
            for name, cookie in plan
        ]
        for thread in threads:
            thread.start()
        time.sleep(warm_up)
        until[1] = True
        cpu = _cpu_seconds(gunicorn.pid)
        jobs_cpu = _process_cpu_seconds(worker.pid)
        time.sleep(seconds)
        cpu = _cpu_seconds(gunicorn.pid) - cpu
        jobs_cpu = _process_cpu_seconds(worker.pid) - jobs_cpu
        for thread in threads:
            thread.join()
        if failures:
            raise SystemExit(f"{len(failures)} failed requests, e.g. {failures[:3]}")
        return {name: latencies[name] for name, _ in dict.fromkeys(plan)}, cpu, jobs_cpu
    finally:
        for process in (gunicorn, worker):
            process.terminate()
        for process in (gunicorn, worker):
            process.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2,4", help="gunicorn worker counts, e.g. 1,2,4")
    parser.add_argument("--readers", type=int, default=32)
    parser.add_argument("--pdf-readers", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warm-up", type=float, default=3)
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument(
        "--keep-database",
        action="store_true",
        help="leave the demo database for the next run's --database (drop it yourself)",
    )
    parser.add_argument("--database", help="a database kept by --keep-database: no setup")
    parser.add_argument(
        "--cache-url",
        default="",
        help="CACHE_URL for gunicorn and the worker, e.g. redis://127.0.0.1:6379/12, as several "
        "workers are deployed (docs/scaling.md); emptied before each worker count. Without it "
        "nothing is kept and every page is rendered afresh",
    )
    args = parser.parse_args()
    worker_counts = [int(w) for w in args.workers.split(",")]

    database = args.database or f"careprog_load_{os.getpid()}"
    database_url = args.postgres_url.rsplit("/", 1)[0] + f"/{database}"
    if not args.database:
        _psql(args.postgres_url, f"CREATE DATABASE {database}")
    try:
        with tempfile.TemporaryDirectory(prefix="careprog-load-") as media:
            environment = _environment(database_url, media)
            if args.cache_url:
                environment["CACHE_URL"] = args.cache_url
            started = time.perf_counter()
            if not args.database:
                _manage(environment, "migrate", "--noinput", "-v0")
                _manage(environment, "createcachetable")
                _manage(environment, "setup_demo", debug=True)
            paths = json.loads(_manage(environment, "shell", "-v0", "-c", PREPARE, debug=True))
            print(f"{database} ready in {time.perf_counter() - started:.0f} s", flush=True)
            print(f"{args.readers} readers, {args.pdf_readers} draft-PDF readers, ", end="")
            print(f"{args.seconds:g} s each (after {args.warm_up:g} s warm-up), ", end="")
            print(f"{os.cpu_count()} CPUs; load: the machine's 1-minute load average after each")
            print(f"CACHE_URL: {args.cache_url or 'none (nothing kept)'}")
            print("\n| workers | page | requests/s | p50 ms | p99 ms | load |")
            print("| --- | --- | --- | --- | --- | --- |")
            for workers in worker_counts:
                if args.cache_url:
                    import redis

                    redis.Redis.from_url(args.cache_url).flushdb()  # the warm-up fills it
                results, cpu, jobs_cpu = _measure(
                    environment,
                    paths,
                    workers=workers,
                    readers=args.readers,
                    pdf_readers=args.pdf_readers,
                    seconds=args.seconds,
                    warm_up=args.warm_up,
                )
                # Other work on the machine takes CPU from these figures: say how much, and
                # what the requests cost the workers in CPU, which that work does not change.
                load = f"{os.getloadavg()[0]:.1f}"
                served = sum(len(values) for values in results.values())
                each = f"worker CPU {cpu * 1000 / max(served, 1):.0f} ms/request"
                each += f", job worker CPU {jobs_cpu:.1f} s"
                print(f"| {workers} | all ({each}) | {served / args.seconds:.1f} | | | {load} |")
                for name, values in results.items():
                    rate = f"{len(values) / args.seconds:.1f}"
                    if not values:  # none finished within the time: longer than it
                        print(f"| {workers} | {name} | 0 | > {args.seconds:g} s | | {load} |")
                        continue
                    print(
                        f"| {workers} | {name} | {rate} | "
                        f"{_percentile(values, 0.5) * 1000:.0f} | "
                        f"{_percentile(values, 0.99) * 1000:.0f} | {load} |",
                        flush=True,
                    )
    finally:
        if args.keep_database or args.database:
            print(f"\nKept the database {database}")
        else:
            _psql(args.postgres_url, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
