"""Every URL × role × method: nobody changes data they may not, nobody sees a 500.

Roles: signed out, signed in without a role (outsider), committee member, an officer
who leads the action, an officer who does not, a programme administrator, a superuser.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from actions.models import Action, Update
from kpis.models import ComparatorValue
from tests.conftest import RISK_MATRIX, seed_action
from tests.kpi_factories import make_kpi, make_target, make_value
from tests.test_action_status import admin_form_data

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
            continue  # sign-in has its own tests; admin, the staff test below
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


# Django admin: staff status alone gives no write. An officer's global add/change_update
# serve the app's own rule (the actions they lead); admin writes need the manage permission.
STAFF_WITHOUT_MANAGE = ["committee", "lead", "other_officer"]


@pytest.fixture
def admin_rows(action):
    """One row of every model admin edits, for its change, delete and history pages."""
    kpi = make_kpi("cla-1")
    make_value(kpi, datetime.date(2025, 3, 31), "61.5")
    make_target(kpi, 2024, "65")
    ComparatorValue.objects.create(
        kpi=kpi, comparator="england", period_end=datetime.date(2025, 3, 31), value=Decimal("70")
    )
    rows = {
        model: model._default_manager.order_by("pk").first()
        for model in admin.site._registry
        if model._meta.app_label in {"actions", "kpis"}
    }
    for row in rows.values():
        if hasattr(row, "history") and not row.history.exists():
            row.save()  # loaded by a fixture, so no history record yet
    return rows


def everything():
    """Every row of every model admin edits, and the auth tables."""
    models = [m for m in admin.site._registry if m._meta.app_label in {"actions", "kpis"}]
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in [*models, Group, get_user_model()]
    }


def admin_url(model, suffix=""):
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/{suffix}"


@pytest.mark.parametrize("role", STAFF_WITHOUT_MANAGE)
def test_staff_without_the_manage_permission_cannot_add_change_or_delete_anything_in_admin(
    client, people, administrator, admin_rows, role
):
    """Each POST is built from the form an administrator is shown, so only the permission
    stands between it and a save."""
    as_admin = Client()
    as_admin.force_login(administrator)
    user = people[role]
    user.is_staff = True
    user.save()
    client.force_login(user)
    before = everything()

    for model, row in admin_rows.items():
        add = admin_url(model, "add/")
        change = admin_url(model, f"{row.pk}/change/")
        data = admin_form_data(as_admin.get(change))
        assert client.get(change).status_code == 200, (role, change)  # read-only view
        assert 'name="_save"' not in client.get(change).content.decode(), (role, change)
        assert client.post(add, data).status_code == 403, (role, add)
        assert client.post(change, data).status_code == 403, (role, change)
        delete = admin_url(model, f"{row.pk}/delete/")
        assert client.post(delete, {"post": "yes"}).status_code == 403, (role, delete)
        bulk = client.post(
            admin_url(model),
            {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
        )
        assert bulk.status_code < 500, (role, model)
        if hasattr(model, "history"):
            record = row.history.earliest()
            revert = admin_url(model, f"{row.pk}/history/{record.history_id}/")
            assert client.post(revert, data).status_code == 403, (role, revert)

    assert everything() == before, role


def test_a_lead_with_staff_status_cannot_change_even_their_own_actions_update_in_admin(
    client, administrator, officer, action
):
    as_admin = Client()
    as_admin.force_login(administrator)
    update = action.updates.get()
    url = f"/admin/actions/update/{update.pk}/change/"
    data = {**admin_form_data(as_admin.get(url)), "text": "Edited in admin"}
    officer.is_staff = True
    officer.save()
    client.force_login(officer)

    assert client.post(url, data).status_code == 403
    update.refresh_from_db()
    assert update.text != "Edited in admin"


def test_the_officers_own_write_rule_still_holds_in_the_app(client, officer, action):
    """Admin being read-only for officers leaves the app's rule alone: the lead may update."""
    officer.is_staff = True
    officer.save()
    client.force_login(officer)
    data = {**UPDATE, "action_version": Action.objects.get(pk=action.pk).version}
    response = client.post(f"/actions/{action.pk}/", data)
    assert response.status_code == 302
    assert Update.objects.filter(action=action, text="Forged").exists()
