"""`make run` loads demo sign-ins, one per role, only for local work."""

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from actions.models import Action, Paper, Programme
from actions.papers import content
from careprog import roles
from kpis.models import KPI
from tests.conftest import SEED_SLUG

ROOT = Path(__file__).resolve().parent.parent


def test_demo_sign_ins_are_refused_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="local use only"):
        call_command("setup_demo")
    assert not Programme.objects.exists()


def test_demo_gives_one_sign_in_per_role_and_every_seed_action_a_lead(
    db, settings, capsys, django_user_model
):
    settings.DEBUG = True
    call_command("setup_demo")
    out = capsys.readouterr().out
    for name, role in [
        ("councillor", roles.COMMITTEE_MEMBERS),
        ("officer", roles.OFFICERS),
        ("officer2", roles.OFFICERS),
        ("head", roles.HEADS_OF_SERVICE),
        ("head2", roles.HEADS_OF_SERVICE),
        ("admin", roles.PROGRAMME_ADMINISTRATORS),
    ]:
        user = django_user_model.objects.get(username=name)
        assert user.check_password("careprog-demo")
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert name in out
    assert "careprog-demo" in out
    assert not Action.objects.filter(lead__isnull=True).exists()
    programme = Programme.objects.get(slug="care-programme-2024-25")
    assert list(programme.subscribers.values_list("username", flat=True)) == ["councillor"]
    assert Action.objects.filter(lead__username="officer").count() == 21


def test_running_the_demo_again_keeps_the_programmes_data(db, settings):
    settings.DEBUG = True
    call_command("setup_demo")
    action = Action.objects.first()
    action.title = "Edited in the demo"
    action.save()
    call_command("setup_demo")
    assert Action.objects.get(pk=action.pk).title == "Edited in the demo"


def test_demo_shows_the_seed_paper_to_a_committee_member_as_published(db, settings, client):
    settings.DEBUG = True
    call_command("setup_demo")
    paper = Paper.objects.get(meeting__date=dt.date(2025, 3, 5), programme__slug=SEED_SLUG)
    assert paper.is_published
    client.force_login(get_user_model().objects.get(username="councillor"))

    listing = client.get(f"/programmes/{SEED_SLUG}/papers/")
    assert listing.status_code == 200
    assert f'href="/papers/{paper.pk}/"' in listing.content.decode()

    page = client.get(f"/papers/{paper.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "CARE PROGRAMME" in html
    assert paper.snapshot_sha256 in html
    # Loaded before DfE's figures and the illustrative history, so built without them.
    assert paper.snapshot_sha256 == content.sha256(paper.snapshot)


def test_the_demo_officer_owns_a_few_local_measures_to_enter_figures_for(db, settings, client):
    settings.DEBUG = True
    call_command("setup_demo")
    owned = KPI.objects.filter(owned_by__username="officer")
    assert owned.count() == 4
    assert not owned.filter(benchmark_relation="same").exists()
    client.force_login(get_user_model().objects.get(username="officer"))
    html = client.get("/kpis/mine/").content.decode()
    assert all(kpi.name in html for kpi in owned)


def test_the_demo_prints_the_address_it_is_served_at(db, settings, capsys):
    """Issue 20, point 8: `make run PORT=8101` printed port 8000."""
    settings.DEBUG = True
    call_command("setup_demo", address="http://127.0.0.1:8101/")
    out = capsys.readouterr().out
    assert "Demo sign-ins (local use only) at http://127.0.0.1:8101/" in out
    assert "8000" not in out


@pytest.mark.parametrize(
    ("args", "address"),
    [
        ((), "127.0.0.1:8000"),
        (("PORT=8101",), "127.0.0.1:8101"),
        (("HOST=0.0.0.0", "PORT=8102"), "0.0.0.0:8102"),
    ],
)
def test_make_run_prints_the_address_it_serves(args, address):
    """`make -n` lists the commands `make run` would run without running them."""
    commands = subprocess.run(
        ["make", "-n", "run", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert f"manage.py setup_demo --address http://{address}/" in commands
    assert f"manage.py runserver {address}" in commands


def test_demo_gives_the_programme_a_small_risk_register_once(db, settings, client):
    settings.DEBUG = True
    call_command("setup_demo")
    programme = Programme.objects.get(slug="care-programme-2024-25")
    assert list(programme.risks.values_list("reference", flat=True)) == ["R1", "R2", "R3"]
    programme.risks.filter(reference="R3").delete()  # an administrator's edit
    call_command("setup_demo")
    assert programme.risks.count() == 2
    client.force_login(get_user_model().objects.get(username="councillor"))
    attention = client.get("/programmes/care-programme-2024-25/attention/").url
    assert "R1: The placements budget" in client.get(attention).content.decode()


def test_demo_has_the_board_update_and_the_cabinet_member_update_as_published_records(
    db, settings, client, capsys
):
    settings.DEBUG = True
    call_command("setup_demo")
    assert "Staying Safe Strategy Group's update" in capsys.readouterr().out
    board = Paper.objects.get(programme__slug="staying-safe-plan-2013-14")
    cabinet = Paper.objects.get(programme=None, meeting__date=dt.date(2024, 1, 30))
    client.force_login(get_user_model().objects.get(username="councillor"))
    for paper, words in [
        (board, "STAYING SAFE STRATEGY GROUP UPDATE REPORT TO THE BOARD"),
        (cabinet, "CABINET MEMBER UPDATE"),
    ]:
        assert paper.is_published and paper.snapshot_sha256 == content.sha256(paper.snapshot)
        html = client.get(f"/papers/{paper.pk}/").content.decode()
        assert words in html and paper.snapshot_sha256 in html
    register = client.get("/programmes/staying-safe-plan-2013-14/risks/")
    assert register.status_code == 200
    assert "Loss of focus on key priority areas" in register.content.decode()

    Paper.objects.filter(pk=board.pk).update(title="Kept as edited")
    call_command("setup_demo")
    assert Paper.objects.get(pk=board.pk).title == "Kept as edited"
    assert Paper.objects.filter(programme=None, meeting__date=dt.date(2024, 1, 30)).count() == 1
    assert "Staying Safe Strategy Group's update" not in capsys.readouterr().out
