"""Every URL × role × method: nobody changes data they may not, nobody sees a 500.

Roles: signed out, signed in without a role (outsider), committee member, an officer
who leads the action, an officer who does not, a programme administrator, a superuser.
"""

import pytest

from actions.models import Action, Update
from tests.conftest import RISK_MATRIX, seed_action

ROLES = ["anonymous", "outsider", "committee", "lead", "other_officer", "admin", "superuser"]
READERS = {"committee", "lead", "other_officer", "admin", "superuser"}
WRITERS_OF_THE_ACTION = {"lead", "admin", "superuser"}
STAFF = {"admin", "superuser"}


@pytest.fixture
def people(outsider, committee_member, officer, other_officer, administrator, superuser):
    return {
        "anonymous": None,
        "outsider": outsider,
        "committee": committee_member,
        "lead": officer,
        "other_officer": other_officer,
        "admin": administrator,
        "superuser": superuser,
    }


@pytest.fixture
def action(officer_actions):
    """One the officer leads, with a Q3 update from the seed."""
    return seed_action(RISK_MATRIX)


def urls(action):
    report = "/programmes/care-programme-2024-25/report/"
    return {
        "home": "/",
        "programmes": "/programmes/",
        "report latest": report,
        "report": f"{report}2024-25-q3/",
        "all actions": "/actions/",
        "my actions": "/actions/mine/",
        "csv export": "/actions/?export=csv",
        "xlsx export": "/actions/?export=xlsx",
        "action": f"/actions/{action.pk}/",
        "admin": "/admin/",
        "admin action": f"/admin/actions/action/{action.pk}/change/",
        "admin history": f"/admin/actions/action/{action.pk}/history/",
        "sign in": "/sign-in/",
        "password reset": "/password-reset/",
    }


OPEN = {"sign in", "password reset"}
EVERY_SIGNED_IN_USER = {"home"}
ADMIN_ONLY = {"admin", "admin action", "admin history"}


def expected_get(role, name):
    if name in OPEN:
        return {200}
    if role == "anonymous":
        return {302}
    if name in ADMIN_ONLY:
        return {200} if role in STAFF else {302}  # to the admin's own sign-in
    if name in EVERY_SIGNED_IN_USER:
        return {200}
    if role not in READERS:
        return {403}
    return {302} if name == "report latest" else {200}  # on to the latest quarter


def snapshot():
    return (
        list(Update.objects.order_by("pk").values_list("pk", "text", "status", "version")),
        list(Action.objects.order_by("pk").values_list("pk", "status", "version", "lead_id")),
    )


def client_for(client, people, role):
    if people[role] is not None:
        client.force_login(people[role])
    return client


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_its_permissions_say(client, people, action, role):
    client = client_for(client, people, role)
    for name, url in urls(action).items():
        response = client.get(url)
        assert response.status_code in expected_get(role, name), (role, name, url)
        if response.status_code == 302 and role == "anonymous":
            assert "/sign-in/" in response.url or "/admin/login/" in response.url


UPDATE = {
    "period": "2024-25-q4",
    "status": "off_track",
    "text": "Forged",
    "reason": "Forged",
    "next_step": "Forged",
    "update_version": 0,
}


@pytest.mark.parametrize("role", ROLES)
def test_posting_anywhere_changes_nothing_unless_the_role_may_change_that_action(
    client, people, action, role
):
    client = client_for(client, people, role)
    for name, url in urls(action).items():
        if name in OPEN or name in ADMIN_ONLY:
            continue  # sign-in has its own tests; the admin is Django's, tested by Django
        before = snapshot()
        data = {**UPDATE, "action_version": Action.objects.get(pk=action.pk).version}
        response = client.post(url, data)
        assert response.status_code < 500, (role, name)
        if name == "action" and role in WRITERS_OF_THE_ACTION:
            assert response.status_code == 302, (role, name)
            assert Update.objects.filter(action=action, text="Forged").exists()
            Update.objects.filter(action=action, text="Forged").delete()
            continue
        if role == "anonymous":
            assert response.status_code == 302 and "/sign-in/" in response.url
        elif name == "action":
            assert response.status_code == 403, (role, name)
        else:
            assert response.status_code in {403, 405}, (role, name, response.status_code)
        assert snapshot() == before, (role, name)


def test_a_committee_member_sees_no_edit_control_on_any_page(member_client, action):
    sign_out = '<form method="post" action="/sign-out/"'
    for name, url in urls(action).items():
        if name in OPEN:
            continue  # the sign-in and password forms are not edit controls
        response = member_client.get(url)
        if not response["Content-Type"].startswith("text/html"):
            continue  # the exports
        html = response.content.decode()
        assert html.count('method="post"') == html.count(sign_out), url
        assert "Save update" not in html
