"""Administrators edit the hierarchy in Django admin, children inline in programme order;
approved figures are read-only there for everyone, superusers included."""

import datetime as dt
from decimal import Decimal

import pytest

from actions.models import Action, Mechanism, Objective, Requirement, Update
from kpis.models import KPIValue
from tests.conftest import FAMILY_ENVIRONMENT
from tests.kpi_factories import make_kpi, make_value


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


@pytest.mark.parametrize(
    "model", ["programme", "objective", "requirement", "mechanism", "action", "update"]
)
def test_every_level_of_the_hierarchy_has_a_list_and_add_page(admin_client, seed_programme, model):
    assert admin_client.get(f"/admin/actions/{model}/").status_code == 200
    assert admin_client.get(f"/admin/actions/{model}/add/").status_code == 200


def test_each_level_shows_its_children_inline_in_order(admin_client, seed_programme):
    objective = Objective.objects.get(programme=seed_programme, title=FAMILY_ENVIRONMENT)
    html = admin_client.get(f"/admin/actions/objective/{objective.pk}/change/").content.decode()
    first = html.index("Retain and optimise the foster care resource we already have")
    second = html.index("Recruit more foster carers")
    assert first < second

    mechanism = Mechanism.objects.get(text="Foster Carers feel valued and supported")
    html = admin_client.get(f"/admin/actions/mechanism/{mechanism.pk}/change/").content.decode()
    titles = list(mechanism.actions.order_by("position").values_list("title", flat=True))
    positions = [html.index(title) for title in titles]
    assert positions == sorted(positions)

    for model, obj in [
        ("programme", seed_programme),
        ("requirement", Requirement.objects.first()),
        ("action", Action.objects.first()),
        ("update", Update.objects.first()),
    ]:
        assert admin_client.get(f"/admin/actions/{model}/{obj.pk}/change/").status_code == 200


def test_an_update_period_is_entered_as_a_financial_quarter(admin_client, seed_programme):
    action = Action.objects.get(title="Agree and launch the Foster Carer Charter")
    response = admin_client.post(
        "/admin/actions/update/add/",
        {
            "action": action.pk,
            "period": "2024-25 Q4",
            "status": "on_track",
            "text": "Charter agreed",
            "source": "",
            "created_at_0": "2025-03-01",
            "created_at_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert str(action.updates.get().period) == "2024-25 Q4"

    response = admin_client.post(
        "/admin/actions/update/add/",
        {
            "action": action.pk,
            "period": "Q4",
            "status": "on_track",
            "text": "x",
            "created_at_0": "2025-03-01",
            "created_at_1": "10:00:00",
        },
    )
    assert "Enter a financial quarter such as 2024-25 Q3" in response.content.decode()
    assert action.updates.count() == 1


# --- Approved figures ----------------------------------------------------------------------


@pytest.fixture
def approved_figure(db):
    kpi = make_kpi("placements", name="Children placed within 20 miles")
    return make_value(kpi, dt.date(2025, 1, 31), Decimal(64), source="Approved by Hannah Head")


def figure_post(figure, **changes):
    return {
        "kpi": figure.kpi_id,
        "period_end": figure.period_end.isoformat(),
        "value": str(figure.value),
        "origin": figure.origin,
        "source": figure.source,
        **changes,
    }


@pytest.mark.parametrize("who", ["administrator", "superuser"])
def test_an_approved_figure_is_read_only_in_admin_for_everyone_and_says_how_to_correct_it(
    client, approved_figure, who, request
):
    client.force_login(request.getfixturevalue(who))
    url = f"/admin/kpis/kpivalue/{approved_figure.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="value"' not in html
    assert "Figures are read-only here, for everyone" in html
    assert "its owner enters the corrected figure" in html
    assert "Figures are read-only here" in client.get("/admin/kpis/kpivalue/").content.decode()

    assert client.post(url, figure_post(approved_figure, value="99")).status_code == 403
    assert (
        client.post(
            f"/admin/kpis/kpivalue/{approved_figure.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    client.post(
        "/admin/kpis/kpivalue/",
        {"action": "delete_selected", "_selected_action": [approved_figure.pk], "post": "yes"},
    )
    assert client.get("/admin/kpis/kpivalue/add/").status_code == 403
    history = approved_figure.history.latest()
    revert = f"/admin/kpis/kpivalue/{approved_figure.pk}/history/{history.history_id}/"
    assert client.post(revert, figure_post(approved_figure, value="99")).status_code == 403

    stored = KPIValue.objects.get(pk=approved_figure.pk)
    assert (stored.value, stored.source) == (Decimal(64), "Approved by Hannah Head")
