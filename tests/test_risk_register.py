"""A programme's risk register: risks scored on the 5×5 scale, banded by the council's policy
(colour never the only signal), listed with their owners, reviews and mitigating actions,
filtered, drawn as a heat map that is a real table, kept by administrators, and read as it
stood on a date."""

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actions.models import Risk, RiskBand, RiskStatus, Status, band_for, direction
from actions.models.risks import Direction
from actions.risks.queries import register_as_at
from tests.factories import Q3, make_action, make_programme, make_update
from tests.risk_factories import make_risk, review

TODAY = timezone.localdate()


@pytest.fixture
def programme(db):
    return make_programme("Staying Safe Plan", slug="staying-safe")


def register_url(programme, rest=""):
    return f"/programmes/{programme.slug}/risks/{rest}"


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


# The rules


@pytest.mark.parametrize(
    "score, band",
    [(1, "Low"), (4, "Low"), (5, "Medium"), (12, "Medium"), (15, "High"), (25, "High")],
)
def test_the_policy_s_default_bands_are_low_medium_and_high(db, score, band):
    assert band_for(score, list(RiskBand.objects.all())).name == band


def test_a_score_no_band_holds_has_no_band(db):
    assert band_for(13, list(RiskBand.objects.all())) is None
    assert band_for(None, list(RiskBand.objects.all())) is None


@pytest.mark.parametrize(
    "before, after, expected",
    [
        (12, 6, Direction.IMPROVING),
        (6, 6, Direction.NO_CHANGE),
        (6, 12, Direction.WORSENING),
        (None, 6, None),
    ],
)
def test_direction_since_the_last_review_follows_the_residual_score(before, after, expected):
    assert direction(before, after) == expected


def test_a_score_is_likelihood_times_impact(programme):
    risk = make_risk(programme, inherent=(4, 5), residual=(3, 2))
    assert (risk.inherent_score, risk.residual_score) == (20, 6)


# The register


def test_the_register_shows_each_risk_with_its_scores_bands_owner_review_and_actions(
    client, programme, officer, committee_member
):
    action = make_action("Recruit more foster carers", programme=programme)
    make_update(action, Q3, Status.AT_RISK, reason="Few applicants", next_step="Advertise")
    risk = make_risk(
        programme,
        owner=officer,
        reference="R1",
        inherent=(5, 5),
        residual=(3, 4),
        title="Not enough placements",
        review_date=TODAY - dt.timedelta(days=3),
    )
    risk.mitigating_actions.add(action)
    review(risk, by=officer, residual=(4, 4), next_review=TODAY - dt.timedelta(days=1))
    client.force_login(committee_member)

    page = text(client.get(register_url(programme)))

    assert "R1 Not enough placements Olive Lead" in page
    assert "25 High" in page  # inherent, the band named beside its colour
    assert "16 High" in page  # residual after the review
    assert "Worsening" in page
    assert "Overdue" in page
    assert "Recruit more foster carers At risk" in page


def test_colour_is_never_the_only_signal_each_tag_names_its_band(client, programme, officer):
    make_risk(programme, owner=officer, residual=(1, 2))
    client.force_login(officer)
    html = client.get(register_url(programme)).content.decode()
    tags = re.findall(r'<strong class="govuk-tag govuk-tag--(\w+)">([^<]+)</strong>', html)
    assert tags and all(name.strip() for _, name in tags)
    assert ("green", "Low") in tags


def test_the_register_filters_by_owner_band_and_overdue_review(
    client, programme, officer, other_officer
):
    make_risk(programme, owner=officer, reference="R1", residual=(1, 1), title="Small one")
    make_risk(
        programme,
        owner=other_officer,
        reference="R2",
        residual=(5, 5),
        title="Big one",
        review_date=TODAY - dt.timedelta(days=1),
    )
    client.force_login(officer)
    high = RiskBand.objects.get(name="High")

    by_owner = text(client.get(register_url(programme), {"owner": other_officer.pk}))
    by_band = text(client.get(register_url(programme), {"band": high.pk}))
    overdue = text(client.get(register_url(programme), {"overdue": "on"}))

    for page in (by_owner, by_band, overdue):
        assert "Big one" in page and "Small one" not in page
        assert "1 risk shown" in page


def test_a_filter_naming_nothing_known_shows_every_risk_not_an_error(client, programme, officer):
    make_risk(programme, owner=officer, title="Still listed")
    client.force_login(officer)
    response = client.get(register_url(programme), {"owner": "nobody", "band": "999"})
    assert response.status_code == 200
    assert "Still listed" in text(response)
    # Said, not silently ignored: the summary names the filters it could not use.
    assert "There is a problem" in text(response)
    assert response.content.decode().count("govuk-error-summary__list") == 1


def test_risk_text_is_shown_as_text_never_as_markup(client, programme, officer):
    make_risk(programme, owner=officer, title="<script>alert(1)</script>", reference="R1")
    client.force_login(officer)
    for url in (register_url(programme), register_url(programme, "R1/")):
        html = client.get(url).content.decode()
        assert "<script>alert(1)" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# A risk's page


def test_a_risk_s_page_shows_its_review_history_newest_first_and_its_actions(
    client, programme, officer, committee_member
):
    action = make_action("Open two children's homes", programme=programme)
    risk = make_risk(programme, owner=officer, reference="R7", residual=(4, 4))
    risk.mitigating_actions.add(action)
    review(
        risk,
        by=officer,
        residual=(3, 4),
        note="First look",
        when=timezone.now() - dt.timedelta(days=40),
    )
    review(risk, by=officer, residual=(3, 3), note="Homes opened")
    client.force_login(committee_member)

    page = text(client.get(register_url(programme, "r7/")))  # a reference in any case

    assert page.index("Homes opened") < page.index("First look")
    assert "9 Medium ↓ Improving" in page or "Improving" in page
    assert "Open two children's homes" in page
    assert "Review this risk" not in page  # a committee member reads only


def test_a_risk_is_found_by_its_number_too_and_another_programme_s_is_not_found(
    client, programme, officer
):
    risk = make_risk(programme, owner=officer, reference="SS-1")
    other = make_risk(make_programme(), owner=officer, reference="X1")
    client.force_login(officer)
    assert client.get(register_url(programme, f"{risk.pk}/")).status_code == 200
    assert client.get(register_url(programme, f"{other.pk}/")).status_code == 404
    assert client.get(register_url(programme, "X1/")).status_code == 404


# The heat map


def test_the_heat_map_is_a_table_of_counts_by_impact_and_likelihood(client, programme, officer):
    make_risk(programme, owner=officer, residual=(4, 5))
    make_risk(programme, owner=officer, residual=(4, 5))
    make_risk(programme, owner=officer, residual=(1, 1))
    make_risk(programme, owner=officer, residual=(4, 5), status=RiskStatus.CLOSED)
    client.force_login(officer)

    html = client.get(register_url(programme, "heat-map/")).content.decode()

    assert "<caption" in html
    headers = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', html)
    assert headers == [f"Likelihood {n}" for n in range(1, 6)]
    rows = re.findall(r'<th scope="row"[^>]*>([^<]+)</th>(.*?)</tr>', html, re.DOTALL)
    assert [label for label, _ in rows] == [f"Impact {n}" for n in range(5, 0, -1)]
    cells = {
        label: [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
        ]
        for label, row in rows
    }
    assert cells["Impact 5"][3] == "2 High , score 20"  # the closed risk left out
    assert cells["Impact 1"][0] == "1 Low , score 1"
    assert cells["Impact 3"][2] == "0 Medium , score 9"


# Query counts, pinned at two sizes


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _register_of(size, owner):
    programme = make_programme()
    actions = [make_action(f"Action {n}", programme=programme) for n in range(3)]
    for n in range(size):
        risk = make_risk(programme, owner=owner, reference=f"R{n + 1}")
        risk.mitigating_actions.add(*actions)
        review(risk, by=owner, residual=(2, 3))
        review(risk, by=owner, residual=(2, 4))
    return programme


def test_the_register_risk_page_and_heat_map_take_the_same_queries_at_any_size(
    client, officer, django_assert_num_queries
):
    small, large = _register_of(1, officer), _register_of(40, officer)
    client.force_login(officer)
    for rest in ("", "R1/", "heat-map/"):
        assert _count(client, register_url(small, rest)) == _count(
            client, register_url(large, rest)
        )
    # session, user, permissions ×2; programme; owners for the filter; bands; risks with
    # their latest review; their actions
    with django_assert_num_queries(9):
        client.get(register_url(large))
    # session, user, permissions ×2; programme; bands; the risk; the risk with its latest
    # review; its actions; its reviews
    with django_assert_num_queries(10):
        client.get(register_url(large, "R1/"))
    # session, user, permissions ×2; programme; bands; counts
    with django_assert_num_queries(7):
        client.get(register_url(large, "heat-map/"))


# The register as it stood on a date (a paper's risks section freezes it)


def test_the_register_as_at_a_date_takes_each_risk_s_latest_review_by_then(
    programme, officer, django_assert_num_queries
):
    early = timezone.now() - dt.timedelta(days=60)
    risk = make_risk(programme, owner=officer, reference="R1", residual=(4, 4))
    Risk.objects.filter(pk=risk.pk).update(created_at=early)
    Risk.history.filter(id=risk.pk).update(history_date=early)
    first = review(risk, by=officer, residual=(3, 4), when=early + dt.timedelta(days=10))
    Risk.history.filter(id=risk.pk).order_by("-history_date").filter(history_type="~").update(
        history_date=early + dt.timedelta(days=10)
    )
    review(risk, by=officer, residual=(5, 5), status=RiskStatus.ESCALATED)
    newer = make_risk(programme, owner=officer, reference="R2")

    then = (early + dt.timedelta(days=20)).date()
    with django_assert_num_queries(3):
        register = register_as_at(programme, then)

    assert [r.reference for r in register] == ["R1"]  # R2 created after the date
    (as_then,) = register
    assert (as_then.residual_score, as_then.status) == (12, "open")
    assert as_then.review == first
    assert as_then.direction == Direction.IMPROVING
    assert as_then.band.name == "Medium"
    now = {r.reference: r for r in register_as_at(programme, TODAY)}
    assert now["R1"].residual_score == 25 and now["R1"].status == "escalated"
    assert now["R1"].direction == Direction.WORSENING
    assert newer.reference in now and now["R2"].review is None


def test_a_risk_deleted_before_the_date_is_not_in_the_register_as_at_it(programme, officer):
    make_risk(programme, owner=officer, reference="R1").delete()
    assert register_as_at(programme, TODAY) == []


# Administrators keep the register


def risk_data(**changes):
    return {
        "reference": "R1",
        "title": "Too few foster carers",
        "cause": "Recruitment is slow",
        "consequence": "Children placed far from home",
        "inherent_likelihood": "4",
        "inherent_impact": "5",
        "residual_likelihood": "3",
        "residual_impact": "4",
        "target_score": "6",
        "controls": "Recruitment campaign",
        "review_date": "31/03/2027",
        "status": "open",
        "version": "",
    } | changes


def test_an_administrator_adds_a_risk_with_its_mitigating_actions(
    client, programme, officer, administrator
):
    action = make_action("Recruit foster carers", programme=programme)
    client.force_login(administrator)
    response = client.post(
        register_url(programme, "new/"),
        risk_data(owner=officer.pk, mitigating_actions=[action.pk]),
    )
    risk = Risk.objects.get(programme=programme, reference="R1")
    assert response.url == register_url(programme, "R1/")
    assert (risk.owner, risk.residual_score, risk.target_score) == (officer, 12, 6)
    assert list(risk.mitigating_actions.all()) == [action]
    assert list(risk.history.first().mitigating_actions.values_list("action", flat=True)) == [
        action.pk
    ]


def test_a_risk_cannot_be_mitigated_by_another_programme_s_action(
    client, programme, officer, administrator
):
    elsewhere = make_action("Someone else's", programme=make_programme())
    client.force_login(administrator)
    response = client.post(
        register_url(programme, "new/"),
        risk_data(owner=officer.pk, mitigating_actions=[elsewhere.pk]),
    )
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()
    assert not Risk.objects.exists()


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"reference": ""}, "Enter the risk&#x27;s reference"),
        ({"inherent_likelihood": "6"}, "Choose the inherent likelihood"),
        ({"target_score": "13"}, "Choose the target score"),
        ({"review_date": "31/02/2027"}, "Next review due must be a real date"),
        ({"reference": "new"}, "cannot be a risk&#x27;s reference"),
    ],
)
def test_bad_input_is_named_in_an_error_summary_and_nothing_is_saved(
    client, programme, officer, administrator, changes, message
):
    client.force_login(administrator)
    response = client.post(register_url(programme, "new/"), risk_data(owner=officer.pk, **changes))
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html and message in html
    assert not Risk.objects.exists()


def test_a_reference_is_unique_in_its_programme_only(client, programme, officer, administrator):
    make_risk(programme, owner=officer, reference="R1")
    make_risk(make_programme(), owner=officer, reference="R2")
    client.force_login(administrator)
    taken = client.post(register_url(programme, "new/"), risk_data(owner=officer.pk))
    assert taken.status_code == 400
    assert "already has a risk R1" in taken.content.decode()
    free = client.post(register_url(programme, "new/"), risk_data(owner=officer.pk, reference="R2"))
    assert free.status_code == 302


def test_a_change_saved_after_someone_else_s_is_refused_with_both_versions(
    client, programme, officer, administrator
):
    risk = make_risk(programme, owner=officer, reference="R1", residual=(2, 2))
    opened = risk.version
    review(risk, by=officer, residual=(5, 4))  # someone else's save meanwhile
    client.force_login(administrator)

    data = risk_data(owner=officer.pk, title="My edit", version=str(opened))
    response = client.post(register_url(programme, f"{risk.pk}/edit/"), data)

    html = response.content.decode()
    assert response.status_code == 409
    assert "its residual score is now 20" in html  # what is stored now
    assert "My edit" in html  # what was typed, kept
    assert Risk.objects.get(pk=risk.pk).title != "My edit"
    again = client.post(
        register_url(programme, f"{risk.pk}/edit/"),
        data | {"version": str(Risk.objects.get(pk=risk.pk).version)},
    )
    assert again.status_code == 302
    assert Risk.objects.get(pk=risk.pk).title == "My edit"


def test_the_register_is_linked_from_the_programme_list_and_its_report(
    client, seed_programme, committee_member
):
    client.force_login(committee_member)
    url = register_url(seed_programme)
    assert url in client.get("/programmes/").content.decode()
    assert (
        url in client.get(f"/programmes/{seed_programme.slug}/report/2024-25-q3/").content.decode()
    )


def test_a_risk_whose_owner_changed_role_can_still_be_saved_before_a_new_owner_is_chosen(
    client, programme, officer, administrator
):
    risk = make_risk(programme, owner=officer, reference="R1")
    officer.groups.clear()  # no longer a role that may review risks
    client.force_login(administrator)
    data = risk_data(owner=officer.pk, title="Renamed", version=str(risk.version))
    assert client.post(register_url(programme, f"{risk.pk}/edit/"), data).status_code == 302
    refused = client.post(
        register_url(programme, "new/"), risk_data(owner=officer.pk, reference="R2")
    )
    assert "Choose an owner from the list" in refused.content.decode()


def test_the_policy_s_bands_are_changed_in_admin_but_may_not_overlap(client, administrator):
    client.force_login(administrator)
    data = {"name": "Very high", "lowest": "20", "highest": "25", "colour": "red", "position": "4"}
    response = client.post("/admin/actions/riskband/add/", data)
    assert response.status_code == 200
    assert "overlap the band High" in response.content.decode()
    assert not RiskBand.objects.filter(name="Very high").exists()
    RiskBand.objects.filter(name="High").update(highest=16)
    assert client.post("/admin/actions/riskband/add/", data).status_code == 302
    assert band_for(20, list(RiskBand.objects.all())).name == "Very high"


def test_a_retired_action_is_not_offered_as_a_mitigation_but_an_existing_link_is_kept(
    client, programme, officer, administrator
):
    kept = make_action("Linked then retired", programme=programme)
    retired = make_action("Retired, never linked", programme=programme)
    risk = make_risk(programme, owner=officer, reference="R1")
    risk.mitigating_actions.add(kept)
    now = timezone.now()
    type(kept).objects.filter(pk__in=[kept.pk, retired.pk]).update(retired_at=now)
    client.force_login(administrator)
    form = client.get(register_url(programme, f"{risk.pk}/edit/")).content.decode()
    assert "Linked then retired" in form and "Retired, never linked" not in form
    data = risk_data(owner=officer.pk, version=str(risk.version), mitigating_actions=[kept.pk])
    assert client.post(register_url(programme, f"{risk.pk}/edit/"), data).status_code == 302
    assert list(Risk.objects.get(pk=risk.pk).mitigating_actions.all()) == [kept]
