"""Shared personas and data for the suite."""

import pytest
from django.core.management import call_command

SEED_SLUG = "care-programme-2024-25"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seed_programme(db):
    """The Care Programme 2024-25 as the committee's Appendix C gives it."""
    from actions.models import Programme

    call_command("loaddata", "care_programme_2024_25", verbosity=0)
    return Programme.objects.get(slug=SEED_SLUG)


@pytest.fixture
def committee_member(django_user_model):
    return django_user_model.objects.create_user(
        username="councillor", password="a-long-test-password", first_name="Casey"
    )


@pytest.fixture
def administrator(django_user_model):
    return django_user_model.objects.create_superuser(
        username="performance", password="a-long-test-password", email="perf@example.org"
    )


@pytest.fixture
def member_client(client, committee_member):
    client.force_login(committee_member)
    return client
