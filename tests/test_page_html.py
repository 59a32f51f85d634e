"""The dashboard's lines, the report's rows and needs-attention's measures are written inline in
their loops rather than through an include per line (a good part of those pages' time); a
councillor must see exactly the same pages. Each page is rendered twice from the same data: with
the templates as they are, and with the former ones (tests/templates_before/, copied from commit
3e40bbf, first in the template search path); the HTML must be the same but for whitespace and
the per-request tokens. When those pages change on purpose, this test and its copies can go."""

from __future__ import annotations

import copy
import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from actions.models import Objective, Update
from careprog.periods import ReportingPeriod
from kpis.management.commands.generate_demo_kpis import DEFAULT_SEED, generate
from kpis.models import KPI

BEFORE = Path(__file__).with_name("templates_before")
PAGES = {
    "dashboard": "/kpis/",
    "dashboard by rating": "/kpis/?sort=band",
    "report": "/programmes/care-programme-2024-25/report/2024-25-q3/",
    "needs attention": "/programmes/care-programme-2024-25/attention/2024-25-q3/",
}


def normalised(html: str) -> str:
    html = re.sub(r'nonce="[^"]*"', 'nonce=""', html)
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r"\s+", " ", html).replace("> <", "><").strip()


@pytest.fixture
def measures(seed_programme):
    """The seed programme with the KPI catalogue, three years of illustrative figures (as at a
    fixed day, so the pages do not move with the calendar) and measures evidencing objectives."""
    call_command("loaddata", "cla_strategy_2022_25", verbosity=0)
    kpis = list(KPI.objects.order_by("pk"))
    generate(kpis, seed=DEFAULT_SEED, months=36, today=dt.date(2025, 5, 15))
    for n, objective in enumerate(Objective.objects.filter(programme=seed_programme)):
        objective.kpis.add(*kpis[n * 3 : n * 3 + 3])
    # Every kind of update cell: a reason and a next step, and an action with no update.
    updates = Update.objects.filter(
        action__mechanism__requirement__objective__programme=seed_programme
    )
    q3 = updates.filter(period=ReportingPeriod(2024, 3)).order_by("pk")
    q3.filter(pk=q3[0].pk).update(reason="Staff <left>\nin May", next_step="Recruit by June")
    q3.filter(pk=q3[1].pk).delete()
    return kpis


def render_all(client) -> dict[str, str]:
    pages = {}
    for name, url in PAGES.items():
        response = client.get(url)
        assert response.status_code == 200, name
        pages[name] = normalised(response.content.decode())
    return pages


@pytest.mark.usefixtures("measures")
def test_the_dashboard_report_and_attention_pages_are_the_same_without_per_line_includes(
    member_client, settings
):
    now = render_all(member_client)
    assert now["dashboard"].count('data-kpi="') == KPI.objects.count()
    assert "Measures that evidence this objective" in now["report"]
    assert "No update provided" in now["report"] and "<strong>Reason:</strong>" in now["report"]
    assert 'class="app-rag__shape"' in now["needs attention"]

    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [BEFORE, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates  # a fresh engine, reading the former templates first
    before = render_all(member_client)
    for name in PAGES:
        assert now[name] == before[name], name
