"""The heavy pages' bodies are kept (careprog.page_cache) and never shown stale: any write to a
table they could show, by a model's save, a bulk update or raw SQL, is followed on the next
request by the page showing it; a kept body is one person's, for one day, without their
messages; and with several processes and no shared cache nothing is kept.

The KPI changes (approval, return, import, undo, DfE's sync, targets, the catalogue) are shown on
these pages by tests/test_reading_cache.py, which runs with the same caches.
"""

import datetime as dt

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client

from actions.models import Action
from careprog import page_cache
from tests.factories import (
    make_action,
    make_mechanism,
    make_objective,
    make_programme,
    make_requirement,
    make_update,
)
from tests.kpi_factories import make_kpi, make_value
from tests.test_reading_cache import NOV, Q3, settled, shared_cache  # noqa: F401 (a fixture)

REPORT = f"/programmes/care/report/{Q3.slug}/"
ATTENTION = f"/programmes/care/attention/{Q3.slug}/"
PAGES = (REPORT, ATTENTION, "/kpis/", "/kpis/cla-foster/")


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def programme(shared_cache, db):  # noqa: F811
    """A programme with one action under an objective evidenced by one measure."""
    programme = make_programme("Care", slug="care")
    objective = make_objective(programme=programme)
    kpi = make_kpi("cla-foster", name="Children placed with foster carers")
    make_value(kpi, NOV, "70")
    objective.kpis.add(kpi)
    make_action("Recruit foster carers", mechanism=_mechanism(objective))
    return programme


def _mechanism(objective):
    return make_mechanism(requirement=make_requirement(objective=objective))


@pytest.fixture
def member(committee_member):
    return signed_in(committee_member)


def text(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def kept_then(member, change, django_capture_on_commit_callbacks):
    """Reads every page (so each body is kept), makes ``change`` as committed, and returns the
    pages as read next."""
    settled()
    for url in PAGES:
        text(member, url)
    with django_capture_on_commit_callbacks(execute=True):
        change()
    return {url: text(member, url) for url in PAGES}


def test_an_update_saved_shows_in_the_report_and_attention_at_once(
    programme, member, django_capture_on_commit_callbacks
):
    action = Action.objects.get()
    after = kept_then(
        member,
        lambda: make_update(
            action, Q3, "off_track", text="Recruitment has stalled", reason="Too few applicants"
        ),
        django_capture_on_commit_callbacks,
    )
    assert "Recruitment has stalled" in after[REPORT]
    assert "Too few applicants" in after[ATTENTION]


def test_a_bulk_update_and_raw_sql_each_show_at_once(
    programme, member, django_capture_on_commit_callbacks
):
    after = kept_then(
        member,
        lambda: Action.objects.update(title="Renamed by a bulk update"),
        django_capture_on_commit_callbacks,
    )
    assert "Renamed by a bulk update" in after[REPORT]

    def raw():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE kpis_kpi SET name = %s", ["Renamed by raw SQL"])

    after = kept_then(member, raw, django_capture_on_commit_callbacks)
    for url in (REPORT, "/kpis/", "/kpis/cla-foster/"):  # "Needs attention" shows no measure
        assert "Renamed by raw SQL" in after[url], url


def test_a_rolled_back_change_forgets_nothing(
    programme, member, django_capture_on_commit_callbacks
):
    def rolled_back():
        with pytest.raises(RuntimeError), transaction.atomic():
            Action.objects.update(title="Never committed")
            raise RuntimeError("the request failed")

    settled()
    text(member, REPORT)
    version = cache.get(page_cache.VERSION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        rolled_back()
    assert "Never committed" not in text(member, REPORT)
    assert cache.get(page_cache.VERSION_KEY) == version


def test_signing_in_and_reading_keep_the_bodies(
    programme, member, officer, django_capture_on_commit_callbacks, django_assert_num_queries
):
    settled()
    text(member, REPORT)
    with django_capture_on_commit_callbacks(execute=True):
        other = Client()
        assert other.post("/sign-in/", {"username": "olive", "password": "x"}).status_code == 200
        text(signed_in(officer), REPORT)
    with django_assert_num_queries(5):  # session, person, programme, quarter lock, permissions
        member.get(REPORT)


def test_a_kept_body_is_one_persons(programme, member, administrator):
    settled()
    admins = signed_in(administrator)
    assert "Change the structure of Care" in text(admins, REPORT)
    assert "Change the structure of Care" not in text(member, REPORT)
    assert "Change the structure of Care" in text(admins, REPORT)


def test_a_kept_body_is_not_served_the_next_day(
    programme, member, monkeypatch, django_assert_num_queries
):
    settled()
    text(member, REPORT)
    with django_assert_num_queries(5):
        member.get(REPORT)
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    monkeypatch.setattr(page_cache.timezone, "localdate", lambda: tomorrow)
    assert len(_queries(member, REPORT)) > 5  # read afresh


def test_a_success_message_is_shown_once_and_never_kept(programme, member):
    settled()
    assert "Success" not in text(member, "/kpis/cla-foster/")  # kept from now on
    # A message left for this person, as a step's redirect leaves it (in a cookie).
    sent = HttpResponse()
    CookieStorage(HttpRequest())._store([Message(constants.SUCCESS, "Figure approved.")], sent)
    member.cookies.update(sent.cookies)

    assert "Figure approved." in text(member, "/kpis/cla-foster/")
    assert "Figure approved." not in text(member, "/kpis/cla-foster/")


def test_with_several_processes_and_no_shared_cache_nothing_is_kept(
    programme, member, settings, django_assert_num_queries
):
    settings.READINGS_CACHE_IN_PROCESS = False
    settings.CACHES = settings.CACHES | {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    settled()
    first = len(_queries(member, REPORT))
    assert len(_queries(member, REPORT)) == first > 5


def _queries(client, url):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return captured


@pytest.mark.parametrize("actions", [1, 40])
def test_a_kept_page_costs_its_frame_only_at_any_size(
    programme, member, actions, django_assert_num_queries
):
    objective = programme.objectives.get()
    for n in range(actions - 1):
        make_action(f"Action {n}", mechanism=_mechanism(objective), position=n + 2)
    settled()
    expected = {REPORT: 5, ATTENTION: 5, "/kpis/": 7, "/kpis/cla-foster/": 4}
    for url in PAGES:
        text(member, url)
        with django_assert_num_queries(expected[url]):
            member.get(url)
    assert objective.kpis.count() == 1


def test_writes_before_any_page_is_read_keep_counting(
    programme, django_capture_on_commit_callbacks
):
    """The first write finds no version to bump (Redis was emptied, or evicted it): it starts
    one that the next write can bump, in Redis as in memory."""
    from kpis import reading_cache

    settled()
    for key in (page_cache.VERSION_KEY, reading_cache.VERSION_KEY):
        cache.delete(key)
    for title in ("First", "Second"):
        with django_capture_on_commit_callbacks(execute=True):
            Action.objects.update(title=title)
            reading_cache.figures_changed()
    first = cache.get(page_cache.VERSION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        Action.objects.update(title="Third")
        reading_cache.figures_changed()
    assert cache.get(page_cache.VERSION_KEY) == first + 1


def test_a_write_after_a_rolled_back_one_in_the_same_transaction_still_forgets(
    programme, member, django_capture_on_commit_callbacks
):
    settled()
    text(member, REPORT)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            Action.objects.update(title="Never committed")
            raise RuntimeError("the first try failed")
        Action.objects.update(title="Committed on the second try")
    assert "Committed on the second try" in text(member, REPORT)
