"""A target says who agreed it, when and where, or that it is illustrative; changing one
keeps its history; only an agreed target rates a real figure."""

import datetime as dt
import html
import re

import pytest
from django.db import IntegrityError

from kpis.models import KPITarget, Origin
from tests.kpi_factories import make_kpi, make_target, make_value


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


@pytest.fixture
def foster(db):
    return make_kpi("cla-foster", name="% of CLA placed with foster carers")


def read_aloud(markup: str) -> str:
    """The text a screen reader reads: tags and aria-hidden marks dropped."""
    markup = re.sub(r'<span aria-hidden="true">.*?</span>', "", markup)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def part(client, kpi, css_class) -> str:
    markup = client.get(kpi.get_absolute_url()).content.decode()
    start = markup.index(css_class)
    return read_aloud(markup[start : markup.index("</ul>", start)])


def targets_part(client, kpi) -> str:
    return part(client, kpi, "app-kpi-targets")


def test_the_kpi_page_says_who_agreed_each_target_when_and_where(member_client, foster):
    make_target(
        foster,
        2024,
        "75",
        agreed_by="CYPE Committee",
        agreed_on=dt.date(2025, 3, 5),
        agreed_where="CYPE Committee, 5 March 2025",
    )
    make_target(foster, 2025, "80", origin=Origin.ILLUSTRATIVE)

    text = targets_part(member_client, foster)

    assert "Agreed by CYPE Committee on 5 March 2025 (CYPE Committee, 5 March 2025)" in text
    assert "Illustrative: demonstration data, not agreed" in text


def test_an_agreed_target_without_its_record_says_so_rather_than_inventing_one(
    member_client, foster
):
    make_target(foster, 2024, "75")

    assert "Agreed; who agreed it and when is not recorded" in targets_part(member_client, foster)


def test_an_illustrative_target_does_not_rate_a_real_figure_and_the_page_says_why(
    member_client, foster
):
    make_value(foster, dt.date(2025, 3, 31), "70")
    make_target(foster, 2024, "75", origin=Origin.ILLUSTRATIVE)

    html = member_client.get(foster.get_absolute_url()).content.decode()

    assert "no agreed target for this year" in html
    assert "Illustrative: demonstration data, not agreed" in html


def test_changing_a_target_keeps_its_history_on_the_kpi_page(member_client, foster):
    target = make_target(foster, 2024, "75")
    target.agreed_by = "CYPE Committee"
    target.agreed_on = dt.date(2025, 3, 5)
    target.save()

    markup = member_client.get(foster.get_absolute_url()).content.decode()
    changes = read_aloud(markup[markup.index("app-changes") :])

    assert "Target for 2024-25 changed" in changes
    assert "Agreed by: (none) changed to CYPE Committee" in changes
    assert "Agreed on: (none) changed to 5 March 2025" in changes
    assert target.history.count() == 2


def test_an_administrator_records_who_agreed_a_target_in_admin(admin_client, foster):
    target = make_target(foster, 2024, "75")
    form = admin_client.get(f"/admin/kpis/kpitarget/{target.pk}/change/").content.decode()
    for field in ("agreed_by", "agreed_on", "agreed_where", "origin"):
        assert f'name="{field}"' in form

    response = admin_client.post(
        f"/admin/kpis/kpitarget/{target.pk}/change/",
        {
            "kpi": foster.pk,
            "financial_year": 2024,
            "value": "75",
            "amber_tolerance": "0",
            "tolerance_kind": KPITarget.Tolerance.ABSOLUTE,
            "origin": Origin.PUBLISHED,
            "agreed_by": "CYPE Committee",
            "agreed_on": "05/03/2025",
            "agreed_where": "CYPE Committee, 5 March 2025",
        },
    )

    assert response.status_code == 302
    target.refresh_from_db()
    assert target.provenance == (
        "Agreed by CYPE Committee on 5 March 2025 (CYPE Committee, 5 March 2025)"
    )


def test_an_agreed_target_dated_without_who_agreed_it_is_refused_in_admin(admin_client, foster):
    target = make_target(foster, 2024, "75")

    response = admin_client.post(
        f"/admin/kpis/kpitarget/{target.pk}/change/",
        {
            "kpi": foster.pk,
            "financial_year": 2024,
            "value": "75",
            "amber_tolerance": "0",
            "tolerance_kind": KPITarget.Tolerance.ABSOLUTE,
            "origin": Origin.PUBLISHED,
            "agreed_by": "",
            "agreed_on": "05/03/2025",
            "agreed_where": "",
        },
    )

    assert response.status_code == 200
    assert "Say who agreed the target as well as when." in response.content.decode()
    target.refresh_from_db()
    assert target.agreed_on is None


def test_the_database_refuses_an_agreed_target_dated_without_who_agreed_it(foster):
    with pytest.raises(IntegrityError):
        make_target(foster, 2024, "75", agreed_on=dt.date(2025, 3, 5))
