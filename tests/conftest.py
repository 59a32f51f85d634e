"""Shared personas and data for the suite.

Personas: an officer who leads actions, another officer who leads none, a committee
member, a programme administrator, and an outsider who is signed in with no role.
"""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from careprog import roles
from tests.html_checker import HTML_CHECKED, WORKER_SAID
from tests.oidc_provider import oidc_provider, provider_only, single_sign_on  # noqa: F401
from tests.shared_seed import SEED_FIXTURE, SharedSeed, can_share

SEED_SLUG = "care-programme-2024-25"
PASSWORD = "a-long-test-password"

# Seed objectives and actions, found by their text rather than by primary key or position.
SAFELY_WITH_FAMILIES = "Children live safely with their families"  # ten actions
WITHIN_FAMILY_NETWORK = "Children live within their family network"  # eleven actions
FAMILY_ENVIRONMENT = "Children live in a family environment"
RISK_MATRIX = "Introduce a standard Risk Matrix"  # has a Q3 update, not yet rated


# A test uses the database when pytest-django sets it up for it: the `django_db` mark, or a
# fixture (`db`, `transactional_db`, `live_server`, one of its own) that needs the test database.
DATABASE_FIXTURES = {"django_db_setup"}


def pytest_collection_modifyitems(config, items):
    """Mark `database` every test that uses the database, so that `-m database` picks what
    must pass on PostgreSQL as well as SQLite (`make test SUITE=database`), and `browser` every
    test that drives Chromium; runs before `-m` deselects."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("django_db") or DATABASE_FIXTURES & names:
            item.add_marker(pytest.mark.database)
        if "browser" in names:  # Chromium's, from tests/browser/conftest.py
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`make test`'s `--dist loadfile`, except that each browser test goes to whichever worker is
    free: a module's other tests stay together (its module fixtures and shared seed are set up
    once), while the browser modules, nearly half the suite's time in a few files
    (test_layout.py alone a third), spread over the workers. Files with more tests start first
    (xdist's default reordering), and the browser tests, one by one, fill in at the end."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class Scheduling(LoadFileScheduling):
        def _split_scope(self, nodeid):
            if nodeid.startswith("tests/browser/"):
                return nodeid
            return super()._split_scope(nodeid)

    return Scheduling(config, log)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """Under pytest-xdist, each worker checked its own browser pages: gather what each said."""
    said = getattr(node, "workeroutput", {}).get(WORKER_SAID)
    if said:
        node.config.stash.setdefault(HTML_CHECKED, []).append(f"[{node.gateway.id}] {said}")


def pytest_terminal_summary(terminalreporter, config):
    """How many pages the Nu HTML checker read (tests/browser/conftest.py, `html_pages`)."""
    for said in config.stash.get(HTML_CHECKED, []):
        terminalreporter.write_line(said)


@pytest.fixture(scope="session")
def _media_root(tmp_path_factory):
    """A folder per run and per pytest-xdist worker (each has its own base temp) for the
    default storage, never the checkout's media/."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _fast_passwords(settings, _media_root):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = _media_root


@pytest.fixture
def seed_programme(request, db):
    """The Care Programme 2024-25 as the committee's Appendix C gives it.

    Loaded once for a module's consecutive tests that share it (tests/shared_seed.py), else
    for this test alone."""
    from actions.models import Programme

    if SHARED_SEED.holds(request.node):
        SHARED_SEED.reset_sequences()
    else:
        call_command("loaddata", SEED_FIXTURE, verbosity=0)
    return Programme.objects.get(slug=SEED_SLUG)


SHARED_SEED = SharedSeed()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before any fixture of ``item``: roll the shared seed back unless ``item`` shares it."""
    if not (can_share(item) and SHARED_SEED.holds(item)):
        SHARED_SEED.close()


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    """Load the shared seed just before the test's own transaction opens inside it."""
    if (
        fixturedef.argname == "_django_db_helper"
        and can_share(request.node)
        and not SHARED_SEED.holds(request.node)
    ):
        SHARED_SEED.open(request.node, request.getfixturevalue("django_db_blocker"))
    return (yield)


def make_user(django_user_model, username, role=None, **extra):
    user = django_user_model.objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.org", **extra
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def committee_member(django_user_model):
    return make_user(django_user_model, "councillor", roles.COMMITTEE_MEMBERS, first_name="Casey")


@pytest.fixture
def officer(django_user_model):
    return make_user(
        django_user_model, "olive", roles.OFFICERS, first_name="Olive", last_name="Lead"
    )


@pytest.fixture
def other_officer(django_user_model):
    return make_user(
        django_user_model, "oscar", roles.OFFICERS, first_name="Oscar", last_name="Other"
    )


@pytest.fixture
def administrator(django_user_model):
    return make_user(
        django_user_model,
        "performance",
        roles.PROGRAMME_ADMINISTRATORS,
        is_staff=True,
        first_name="Priya",
        last_name="Performance",
    )


@pytest.fixture
def head_of_service(django_user_model):
    """Clears papers before committee: approves and publishes, never their own."""
    return make_user(
        django_user_model, "hannah", roles.HEADS_OF_SERVICE, first_name="Hannah", last_name="Head"
    )


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(
        username="root", password=PASSWORD, email="root@example.org"
    )


@pytest.fixture
def outsider(django_user_model):
    """Signed in, but given no role."""
    return make_user(django_user_model, "outsider")


@pytest.fixture
def people(
    outsider, committee_member, officer, other_officer, head_of_service, administrator, superuser
):
    """One person of each role, and nobody signed in: the permission matrices' rows."""
    return {
        "anonymous": None,
        "outsider": outsider,
        "committee": committee_member,
        "lead": officer,
        "other_officer": other_officer,
        "head": head_of_service,
        "admin": administrator,
        "superuser": superuser,
    }


@pytest.fixture
def member_client(client, committee_member):
    client.force_login(committee_member)
    return client


def seed_action(title: str):
    """The one seed action whose title starts with ``title``."""
    from actions.models import Action

    return Action.objects.get(title__startswith=title)


def seed_objective_actions(programme, title: str, lead):
    """Give ``lead`` the actions of the objective titled ``title``; they come back in
    programme order."""
    from actions.models import Action

    actions = Action.objects.filter(
        mechanism__requirement__objective__programme=programme,
        mechanism__requirement__objective__title=title,
    )
    actions.update(lead=lead)
    return list(actions.in_programme_order())


@pytest.fixture
def officer_actions(seed_programme, officer):
    """The officer leads the actions of "Children live safely with their families" (ten)."""
    return seed_objective_actions(seed_programme, SAFELY_WITH_FAMILIES, officer)


@pytest.fixture(autouse=True)
def _fresh_readings_cache():
    """Each test starts with no cached KPI readings (kpis.reading_cache) nor kept pages
    (careprog.page_cache), whatever an earlier
    test on this worker read: the test database is rolled back between tests, which bumps
    nothing."""
    from django.core.cache import cache
    from django.db import connection

    from careprog import page_cache
    from kpis.reading_cache import forget_pending

    cache.clear()
    forget_pending(connection)
    page_cache.forget_pending(connection)
    yield
