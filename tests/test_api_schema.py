"""The API keeps to its own schema, and a token reads exactly what its person may.

Schemathesis runs every check it has (`--checks all`) with a fixed seed against /api/schema/,
as a committee member's token and as an administrator's, on a live server holding the demo's
programmes, figures, papers and risks and a draft paper. Then every list the schema names is
walked to its last page with a committee member's token: no draft paper and no figure awaiting
approval appears anywhere.
"""

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from actions.models import Programme
from careprog.api.tokens import issue_token
from kpis.models import KPIEntry
from tests.conftest import make_user
from tests.kpi_factories import make_kpi, make_value
from tests.paper_factories import draft_paper

DRAFT_TITLE = "Draft nobody outside the drafting may read"
AWAITING_COMMENTARY = "Awaiting approval: not for committee yet"
AWAITING_VALUE = Decimal("987.6543")
ST = Path(sys.executable).with_name("st")


def _list_paths() -> list[str]:
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    return sorted(path for path, operations in paths.items() if "get" in operations)


def _drafts_and_awaiting(*, author, kpi):
    paper = draft_paper(Programme.objects.get(slug="care-programme-2024-25"), author)
    paper.title = DRAFT_TITLE
    paper.save()
    KPIEntry.objects.create(
        kpi=kpi,
        period_end=dt.date(2025, 3, 31),
        value=AWAITING_VALUE,
        commentary=AWAITING_COMMENTARY,
        entered_by=author,
        entered_at=timezone.now(),
    )
    return paper


@pytest.mark.slow
def test_the_api_keeps_to_its_schema_under_every_schemathesis_check(
    live_server, django_user_model, settings, tmp_path
):
    settings.API_RATE_LIMIT = "100000/minute"
    settings.DEBUG = True  # the demo's sign-ins are for local use only
    call_command("setup_demo", stdout=open(os.devnull, "w"))
    settings.DEBUG = False
    officer = django_user_model.objects.get(username="officer")
    _drafts_and_awaiting(author=officer, kpi=make_kpi("awaiting-measure", unit="count"))
    for username in ("councillor", "admin"):
        _, secret = issue_token(
            person=django_user_model.objects.get(username=username), name="Schemathesis"
        )
        run = subprocess.run(
            [
                str(ST),
                "run",
                f"{live_server.url}/api/schema/?format=json",
                "--checks",
                "all",
                "--seed",
                "20261206",
                "--generation-deterministic",
                "--max-examples",
                "25",
                "--workers",
                "1",
                "--no-color",
                "--header",
                f"Authorization: Bearer {secret}",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=tmp_path,
        )
        assert run.returncode == 0, f"as {username}:\n{run.stdout[-6000:]}\n{run.stderr[-2000:]}"
        assert "No issues found" in run.stdout or " passed" in run.stdout, run.stdout[-2000:]


def test_a_committee_members_token_meets_no_draft_and_no_figure_awaiting_approval_anywhere(
    seed_programme, client, committee_member, officer
):
    kpi = make_kpi("awaiting-measure", unit="count")
    make_value(kpi, dt.date(2024, 12, 31), Decimal("12"))
    draft = _drafts_and_awaiting(author=officer, kpi=kpi)
    _, secret = issue_token(person=committee_member, name="Power BI")
    walked = []
    for path in _list_paths():
        if path in ("/api/schema/", "/api/docs/"):
            continue
        url = path
        while url:
            response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}")
            assert response.status_code == 200, (url, response.content[:300])
            body = response.content.decode()
            assert DRAFT_TITLE not in body and AWAITING_COMMENTARY not in body, url
            page = json.loads(body)
            for row in page["results"]:
                if path == "/api/papers/":
                    assert row["id"] != draft.pk and row["state"] == "published", row
                if path == "/api/kpi-values/" and row.get("kpi") == kpi.code:
                    assert Decimal(str(row["value"])) != AWAITING_VALUE, row
            walked.append(url)
            url = page["next"]
    assert "/api/programmes/" in walked and "/api/kpis/" in walked


def test_without_a_token_every_list_answers_401_and_says_how_to_send_one(client, db):
    for path in _list_paths():
        response = client.get(path)
        assert response.status_code == 401, path
        assert response["WWW-Authenticate"].startswith("Bearer"), path


def test_an_account_with_no_role_reads_nothing(client, django_user_model):
    nobody = make_user(django_user_model, "nobody")
    _, secret = issue_token(person=nobody, name="t")
    for path in _list_paths():
        response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert response.status_code == 403, path


def test_the_schema_describes_every_field_filter_and_error():
    """/api/docs/ is the documentation: a field, parameter or answer without words is a gap."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    gaps = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if not parameter.get("description") and parameter["name"] != "format":
                    gaps.append(f"{method} {path}: parameter {parameter['name']}")
            for code, response in operation["responses"].items():
                if not response.get("description"):
                    gaps.append(f"{method} {path}: response {code}")
    for name, component in schema["components"]["schemas"].items():
        for field, spec in component.get("properties", {}).items():
            if not spec.get("description") and "$ref" not in spec:
                gaps.append(f"{name}.{field}")
    assert gaps == []
