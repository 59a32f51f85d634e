"""A published paper's PDF download: printed on every request (before files were stored) against
served from storage (now), beside reading the stored file's bytes alone (the floor).

    .venv/bin/python benchmarks/paper_files.py [--repeat 15]

Runs in one process on a throwaway SQLite database and media folder under /tmp: `migrate`,
then the seed programme and its published paper (the committee of 5 March 2025: 43 actions,
8 measures, 12 pages) loaded from the fixtures. Each download is a GET of
/papers/<id>/paper.pdf through Django's test client as a committee member, DEBUG off (no query
log), after one warm-up of each (WeasyPrint's import, fonts, the first build that stores the
file). "Printed on every request" is the same view with papers.files.paper_file replaced by
papers.files.build, which is what the view did before this change; "stored" is the view as it
is. The rounds interleave the three so that load on the machine hits all alike; medians shown.
Exits 1 unless every download is 200 and both ways give byte-identical files.
See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _setup(folder: Path) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="careprog.settings",
        DATABASE_URL=f"sqlite:///{folder / 'bench.sqlite3'}",
        MEDIA_ROOT=str(folder / "media"),
        DEBUG="0",
        SECRET_KEY="benchmark-only",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        STATIC_MANIFEST="0",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("loaddata", "care_programme_2024_25", "care_programme_paper_2025_03", verbosity=0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    warnings.filterwarnings("ignore", "No directory at")  # no collectstatic: no static pages here
    with tempfile.TemporaryDirectory(prefix="careprog-paper-files-") as folder:
        _setup(Path(folder))
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group
        from django.test import Client

        from actions.models import Paper, PaperFile
        from actions.papers import files
        from careprog import roles

        member = get_user_model().objects.create_user("bench-member")
        member.groups.add(Group.objects.get(name=roles.COMMITTEE_MEMBERS))
        client = Client()
        client.force_login(member)
        paper = Paper.objects.get(state=Paper.State.PUBLISHED)
        url = f"/papers/{paper.pk}/paper.pdf"
        stored_view = files.paper_file

        def printed(paper, kind):
            return files.build(paper, kind)

        def fetch(print_each_time: bool) -> tuple[float, bytes]:
            files.paper_file = printed if print_each_time else stored_view
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise SystemExit(f"{url}: {response.status_code}")
            return elapsed, response.content

        def floor() -> float:
            record = PaperFile.objects.get(paper=paper, kind="pdf")
            started = time.perf_counter()
            with record.file.open("rb") as file:
                file.read()
            return time.perf_counter() - started

        # Warm-up: the first download builds and stores the file (a paper published before).
        _, first = fetch(False)
        fetch(True)
        times = {"printed": [], "stored": [], "floor": []}
        identical = True
        for _ in range(args.repeat):
            elapsed, body = fetch(True)
            times["printed"].append(elapsed)
            identical &= body == first
            elapsed, body = fetch(False)
            times["stored"].append(elapsed)
            identical &= body == first
            times["floor"].append(floor())
        files.paper_file = stored_view

        load = os.getloadavg()[0]
        printed_s, stored_s, floor_s = (median(times[k]) for k in ("printed", "stored", "floor"))
        print(f"seed paper's PDF: {len(first):,} bytes, {args.repeat} rounds, load {load:.2f}")
        print(f"  printed on every request (before): {printed_s * 1000:9.1f} ms")
        print(f"  served from storage (now):         {stored_s * 1000:9.1f} ms")
        print(f"  floor, reading the stored bytes:   {floor_s * 1000:9.3f} ms")
        print(f"  before/now {printed_s / stored_s:.0f}x; identical bytes: {identical}")
        return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
