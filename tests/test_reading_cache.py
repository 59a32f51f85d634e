"""The KPI readings are cached (kpis.reading_cache), and so are the pages' bodies
(careprog.page_cache), and no page ever shows a stale figure: each
change that alters a figure, a target or the catalogue is followed, on the next request, by the
dashboard, a programme's report and the KPI's page showing it.

Every test runs twice: with the default cache (this process's memory) and with Redis
(``CACHE_URL=redis://127.0.0.1:6379/15``), which CI runs; a test fails, never skips, when Redis
is not there.

A test's transaction never commits, so each change is made inside
``django_capture_on_commit_callbacks(execute=True)``: what the commit would have run, runs. The
data a test starts with is taken as committed (`settled`).
"""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from actions.structure import save_objective
from careprog import page_cache
from careprog.periods import ReportingPeriod
from kpis import reading_cache
from kpis.models import KPIEntry, KPIGroup, KPITarget, KPIValue, Origin
from tests.factories import make_objective, make_programme
from tests.import_files import long_return
from tests.kpi_factories import approve_imports, make_catalogue, make_kpi, make_target, make_value
from tests.test_lait_sync import lait_files, sync_lait  # noqa: F401 (a fixture)
from tests.test_lait_sync import same as dfe_measure

REDIS_URL = "redis://127.0.0.1:6379/15"
NOV, DEC = dt.date(2024, 11, 30), dt.date(2024, 12, 31)
Q3 = ReportingPeriod(2024, 3)  # ends 31 December 2024: the report reads as at then


@pytest.fixture(params=["memory", "redis"])
def shared_cache(request, settings):
    """The readings' cache: this process's memory (one process serves the tests), or Redis's
    database 15 flushed before and after the test."""
    settings.READINGS_CACHE_IN_PROCESS = request.param == "memory"
    if request.param == "redis":
        import redis

        try:
            redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
        except redis.exceptions.ConnectionError:
            pytest.fail(
                f"Redis is not answering at {REDIS_URL}: start it (`redis-server --daemonize "
                "yes`, or `docker run -p 6379:6379 redis`); CI runs it as a service."
            )
        settings.CACHES = settings.CACHES | {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
            }
        }
    cache.clear()
    yield request.param
    cache.clear()


def settled():
    """Take what the test set up as committed: later reads use the caches (the readings, and
    the pages' kept bodies: careprog.page_cache)."""
    reading_cache.forget_pending(connection)
    page_cache.forget_pending(connection)


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def foster(shared_cache, db):
    """A monthly percentage, higher is better, 70% in November 2024 against a target of 75:
    evidence for a programme's objective."""
    kpi = make_kpi("cla-foster", name="Children placed with foster carers", decimal_places=1)
    make_value(kpi, NOV, "70")
    make_target(kpi, 2024, "75")
    programme = make_programme(slug="care")
    make_objective(programme=programme).kpis.add(kpi)
    return kpi


PAGES = ("/kpis/", f"/programmes/care/report/{Q3.slug}/", "/kpis/cla-foster/")


def pages(client) -> list[str]:
    """The dashboard, the report and the KPI's page, each checked to be 200."""
    texts = []
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        texts.append(response.content.decode())
    return texts


def shows(client, text: str) -> list[bool]:
    return [text in page for page in pages(client)]


@pytest.fixture
def member(committee_member):
    return signed_in(committee_member)


def warmed(member):
    """The pages read once, so that their readings are cached, and the cache checked to hold
    them."""
    settled()
    before = pages(member)
    assert reading_cache.cached_count() >= 2  # the dashboard's and the report's
    return before


def test_an_approved_figure_shows_on_every_page_at_once(
    member, foster, officer, head_of_service, django_capture_on_commit_callbacks
):
    foster.owned_by = officer
    foster.save()
    entry = KPIEntry.objects.create(
        kpi=foster,
        period_end=DEC,
        value=Decimal("80"),
        entered_by=officer,
        entered_at=timezone.now(),
    )
    assert shows(member, "70.0%") == [True, True, True]
    warmed(member)

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(head_of_service).post(
            f"/kpis/entries/{entry.pk}/",
            {"decision": "approve", "comment": "", "seen_version": version_of(entry)},
        )
    assert response.status_code == 302
    assert shows(member, "80.0%") == [True, True, True]


def version_of(entry):
    from kpis.approval import version_of

    return version_of(KPIEntry.objects.get(pk=entry.pk), None)


def test_a_returned_figure_never_shows_and_the_approved_one_stays(
    member, foster, officer, head_of_service, django_capture_on_commit_callbacks
):
    entry = KPIEntry.objects.create(
        kpi=foster,
        period_end=DEC,
        value=Decimal("80"),
        entered_by=officer,
        entered_at=timezone.now(),
    )
    warmed(member)
    version = reading_cache.current_version()

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(head_of_service).post(
            f"/kpis/entries/{entry.pk}/",
            {"decision": "return", "comment": "Check", "seen_version": version_of(entry)},
        )
    assert response.status_code == 302
    assert reading_cache.current_version() != version
    assert shows(member, "70.0%") == [True, True, True]
    assert shows(member, "80.0%")[:2] == [False, False]


def test_an_import_and_its_undo_show_on_every_page_at_once(
    member, foster, administrator, django_capture_on_commit_callbacks
):
    admin = signed_in(administrator)
    from django.core.files.uploadedfile import SimpleUploadedFile

    warmed(member)
    with django_capture_on_commit_callbacks(execute=True):
        data = long_return([["cla-foster", "Dec 2024", 85, ""]])
        preview = admin.post(
            "/kpis/import/", {"file": SimpleUploadedFile("r.xlsx", data)}, follow=True
        )
        batch = preview.context["batch"]
        assert admin.post(f"/kpis/import/{batch.pk}/preview/", follow=True).status_code == 200
    # Confirmed, awaiting approval: nobody reads it yet.
    assert shows(member, "85.0%")[:2] == [False, False]
    with django_capture_on_commit_callbacks(execute=True):
        assert approve_imports() == 1
    assert shows(member, "85.0%") == [True, True, True]

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/kpis/import/{batch.pk}/", follow=True)
    assert "has been undone" in response.content.decode()
    # (The measure's page lists the undone figure in its history of changes.)
    assert shows(member, "85.0%")[:2] == [False, False]
    assert shows(member, "70.0%") == [True, True, True]


def test_a_target_changed_in_the_app_rates_the_figure_anew_at_once(
    member, foster, django_capture_on_commit_callbacks
):
    """No page of the app edits a target yet; any save does what one would."""
    before = warmed(member)
    with django_capture_on_commit_callbacks(execute=True):
        target = KPITarget.objects.get()
        target.value = Decimal("65")
        target.save()
    after = pages(member)
    assert ["65.0%" in page for page in after] == [True, True, True]
    assert all("65.0%" not in page for page in before)


def admin_post_data(response, **changes) -> dict:
    """What the admin's change form would post back unchanged, with ``changes``."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value
    return data | changes


def admin_edit(client, url, **changes):
    response = client.post(url, admin_post_data(client.get(url), **changes))
    assert response.status_code == 302, response.content.decode()[:3000]


def test_a_target_changed_in_admin_rates_the_figure_anew_at_once(
    member, foster, superuser, django_capture_on_commit_callbacks
):
    warmed(member)
    target = KPITarget.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        admin_edit(signed_in(superuser), f"/admin/kpis/kpitarget/{target.pk}/change/", value="65")
    assert ["65.0%" in page for page in pages(member)] == [True, True, True]


def test_a_measure_renamed_in_admin_is_renamed_on_every_page_at_once(
    member, foster, superuser, django_capture_on_commit_callbacks
):
    warmed(member)
    with django_capture_on_commit_callbacks(execute=True):
        admin_edit(
            signed_in(superuser), f"/admin/kpis/kpi/{foster.pk}/change/", name="Foster placements"
        )
    assert shows(member, "Foster placements") == [True, True, True]


def test_a_group_renamed_in_admin_is_renamed_on_the_dashboard_at_once(
    member, foster, superuser, django_capture_on_commit_callbacks
):
    warmed(member)
    group = KPIGroup.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        admin_edit(signed_in(superuser), f"/admin/kpis/kpigroup/{group.pk}/change/", name="Safety")
    # The group filter's option reads the groups afresh (once); the section over the lines
    # comes from the readings (twice, its heading and its link): stale, it would be once.
    assert pages(member)[0].count("Safety") == 3


def test_a_measure_renamed_in_the_app_is_renamed_on_every_page_at_once(
    member, foster, django_capture_on_commit_callbacks
):
    """No page of the app edits the catalogue yet; any save does what one would."""
    warmed(member)
    with django_capture_on_commit_callbacks(execute=True):
        foster.name = "Foster placements"
        foster.save()
    assert shows(member, "Foster placements") == [True, True, True]


def test_a_measure_chosen_for_an_objective_shows_in_the_report_at_once(
    member, foster, administrator, django_capture_on_commit_callbacks
):
    other = make_kpi("cla-moves", name="Placement moves", decimal_places=1)
    make_value(other, NOV, "12")
    warmed(member)
    objective = foster.objectives.get()
    with django_capture_on_commit_callbacks(execute=True):
        save_objective(
            user=administrator,
            programme_id=objective.programme_id,
            title=objective.title,
            statement=objective.statement,
            kpi_ids=[foster.pk, other.pk],
            objective_id=objective.pk,
            seen_version=objective.version,
        )
    assert "Placement moves" in pages(member)[1]


def test_comparators_changed_show_on_every_page_at_once(
    member, foster, django_capture_on_commit_callbacks
):
    from kpis.models import ComparatorValue

    warmed(member)
    with django_capture_on_commit_callbacks(execute=True):
        ComparatorValue.objects.create(
            kpi=foster,
            comparator="england",
            period_end=NOV,
            value=Decimal("64.5"),
            origin=Origin.DFE,
        )
    assert ["64.5%" in page for page in pages(member)] == [True, True, True]


def test_dfes_sync_shows_on_the_dashboard_and_the_measures_page_at_once(
    member,
    shared_cache,
    db,
    lait_files,  # noqa: F811 (the fixture imported above)
    django_capture_on_commit_callbacks,
):
    high = dfe_measure("high", "H", polarity="higher", frequency="annual")
    settled()
    assert "60.0%" not in member.get("/kpis/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        # Loading DfE's tables brings their figures to the measures (kpis.lait.sync) ...
        call_command("import_lait", *map(str, lait_files), stdout=io.StringIO())
        sync_lait()  # ... as syncing again does
    assert KPIValue.objects.filter(kpi=high).exists()
    dashboard = member.get("/kpis/").content.decode()
    assert "60.0%" in dashboard
    assert "60.0%" in member.get("/kpis/high/").content.decode()


def test_a_rolled_back_change_bumps_nothing(foster, django_capture_on_commit_callbacks):
    from django.db import transaction

    settled()
    version = reading_cache.current_version()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            make_value(foster, DEC, "99")
            raise RuntimeError
    assert reading_cache.current_version() == version


def test_with_several_processes_and_no_shared_cache_every_look_reads_fresh(
    member, db, settings, django_assert_num_queries
):
    """Without CACHE_URL, a process's own memory would not hear of another's change: unless
    the operator says one process serves, the readings are not kept at all."""
    settings.READINGS_CACHE_IN_PROCESS = False
    cache.clear()
    for kpi in make_catalogue(3):
        make_value(kpi, NOV, "5")
    settled()
    with django_assert_num_queries(12):
        member.get("/kpis/")
    with django_assert_num_queries(12):
        member.get("/kpis/")


@pytest.mark.parametrize("size", [3, 30])
def test_a_second_look_at_the_dashboard_reads_the_figures_from_the_cache(
    member, shared_cache, db, size, django_assert_num_queries
):
    for kpi in make_catalogue(size):
        make_value(kpi, NOV, "5")
    settled()
    with django_assert_num_queries(12):
        first = member.get("/kpis/")
    # The readings' four queries are not made again, nor the rest of the kept body's
    # (careprog.page_cache): what is left is the frame's (session, person, filters, quarters).
    with django_assert_num_queries(7):
        second = member.get("/kpis/")
    nonce = re.compile(rb'(nonce|value)="[^"]{16,}"')  # CSP's nonce, the CSRF token
    assert nonce.sub(b"", first.content) == nonce.sub(b"", second.content)


@pytest.mark.parametrize(
    "url, backend",
    [
        ("", "django.core.cache.backends.locmem.LocMemCache"),
        ("redis://127.0.0.1:6379/1", "django.core.cache.backends.redis.RedisCache"),
        ("rediss://cache.internal:6380/0", "django.core.cache.backends.redis.RedisCache"),
    ],
)
def test_cache_url_chooses_the_cache_of_readings(monkeypatch, url, backend):
    from careprog.settings import env_cache

    monkeypatch.setenv("CACHE_URL", url)
    assert env_cache("CACHE_URL")["BACKEND"] == backend


def test_a_cache_url_careprog_cannot_use_stops_it_starting(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from careprog.settings import env_cache

    monkeypatch.setenv("CACHE_URL", "memcached://127.0.0.1:11211")
    with pytest.raises(ImproperlyConfigured, match="redis://"):
        env_cache("CACHE_URL")
