"""The service navigation marks the item each page sits under, derived from the URL the page
matched (careprog/context_processors.py), so no view names its section."""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import get_resolver

from actions.models import Action, Paper
from careprog.context_processors import NAV_SECTIONS, service
from kpis.importing.apply import apply_return, store_upload
from kpis.models import KPI, KPIEntry
from tests.import_files import long_return
from tests.paper_factories import Q3, draft_paper, make_meeting

CURRENT = re.compile(r'href="([^"]+)" aria-current="true">\s*<strong[^>]*>([^<]+)</strong>')


def current_items(client, url, status=200) -> list[str]:
    response = client.get(url)
    assert response.status_code == status, url
    return [label for _, label in CURRENT.findall(response.content.decode())]


@pytest.fixture
def pages(seed_programme, superuser, administrator, officer):
    """A page of each kind, for a superuser, who is offered every navigation item."""
    call_command("loaddata", "care_programme_paper_2025_03", verbosity=0)
    published = Paper.objects.get(programme=seed_programme, state=Paper.State.PUBLISHED)
    draft = draft_paper(
        seed_programme,
        officer,
        meeting=make_meeting(dt.date(2025, 6, 5)),
        figures_as_at=dt.date(2024, 12, 31),
    )
    kpi = KPI.objects.get(code="cp-children-in-care")
    kpi.owned_by = superuser
    kpi.save()
    returns = [
        store_upload(
            data=long_return([[kpi.code, period, 700, ""]]), file_name="r.xlsx", user=administrator
        )
        for period in ("2024-11-30", "2024-10-31")
    ]
    applied = apply_return(batch=returns[0], user=administrator)
    pending = returns[1]
    programme, code = seed_programme.slug, kpi.code
    return {
        "/": None,
        "/glossary/": None,
        "/programmes/": "Programmes",
        f"/programmes/{programme}/report/{Q3.slug}/": "Programmes",
        f"/programmes/{programme}/attention/{Q3.slug}/": "Programmes",
        f"/programmes/{programme}/papers/": "Programmes",
        f"/programmes/{programme}/papers/new/": "Programmes",
        f"/programmes/{programme}/report/{Q3.slug}/reopen/": "Programmes",
        f"/papers/{published.pk}/": "Programmes",
        f"/papers/{published.pk}/changes/": "Programmes",
        f"/papers/{draft.pk}/edit/": "Programmes",
        "/committees/": "Programmes",
        "/committees/new/": "Programmes",
        f"/committees/{draft.meeting.committee_id}/edit/": "Programmes",
        "/meetings/new/": "Programmes",
        f"/meetings/{draft.meeting_id}/edit/": "Programmes",
        f"/meetings/{draft.meeting_id}/delete/": "Programmes",
        "/actions/": "All actions",
        "/actions/mine/": "My actions",
        f"/actions/{Action.objects.order_by('pk').first().pk}/": "All actions",
        "/kpis/": "KPIs",
        f"/kpis/{code}/": "KPIs",
        f"/kpis/{code}/benchmark/": "KPIs",
        f"/kpis/{code}/enter/": "KPIs",
        f"/kpis/entries/{KPIEntry.objects.get(batch=applied).pk}/": "KPIs",
        "/kpis/import/": "Import",
        "/kpis/import/history/": "Import",
        f"/kpis/import/{pending.pk}/preview/": "Import",
        f"/kpis/import/{applied.pk}/": "Import",
        "/kpis/mine/": "My measures",
        "/kpis/entries/": "My measures",
        f"/kpis/entries/import/{applied.pk}/": "My measures",
        "/people/": "People",
        "/people/new/": "People",
        "/people/import/": "People",
        f"/people/{officer.pk}/role/": "People",
        f"/people/{officer.pk}/deactivate/": "People",
        # Personal, from the footer: under no navigation item.
        "/account/tokens/": None,
        "/account/tokens/new/": None,
    }


def test_each_page_marks_the_navigation_item_it_sits_under(pages, superuser):
    client = Client()
    client.force_login(superuser)
    marked = {url: current_items(client, url) for url in pages}
    assert marked == {url: [label] if label else [] for url, label in pages.items()}


def test_a_page_refusing_a_step_marks_the_item_of_the_page_it_came_from(pages, superuser):
    client = Client()
    client.force_login(superuser)
    published = Paper.objects.get(state=Paper.State.PUBLISHED)
    response = client.post(f"/papers/{published.pk}/submit/", {"comment": ""})
    assert response.status_code == 409
    assert [label for _, label in CURRENT.findall(response.content.decode())] == ["Programmes"]
    assert current_items(client, "/kpis/import/template.xlsx?first=nonsense", 400) == ["Import"]


def test_signing_in_marks_no_item(client):
    assert current_items(client, "/sign-in/") == []


def test_every_page_the_navigation_names_is_a_url_and_every_section_an_item(rf, superuser):
    resolver = get_resolver()
    names = {
        f"{namespace}:{name}"
        for namespace, (_, urls) in resolver.namespace_dict.items()
        for name in urls.reverse_dict
        if isinstance(name, str)
    }
    assert set(NAV_SECTIONS) <= names
    request = rf.get("/")
    request.user = superuser
    offered = {section for _, _, section in service(request)["nav_items"]}
    assert set(NAV_SECTIONS.values()) == offered
