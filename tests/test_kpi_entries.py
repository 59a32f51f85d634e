"""A measure's owner enters a figure and its commentary in the browser; a head of service or
a programme administrator approves it or returns it; committee members read approved
figures only."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from careprog import periods
from careprog.periods import BANK_HOLIDAY_REGIONS
from kpis import approval, rating
from kpis.due import add_working_days, measures_due, period_ends_before
from kpis.models import KPIEntry, KPIValue
from tests.kpi_factories import make_kpi, make_value


@pytest.fixture
def placements(officer):
    """A monthly percentage the officer owns."""
    return make_kpi("placements", name="Children placed within 20 miles", owned_by=officer)


def latest_period(kpi):
    return period_ends_before(kpi, timezone.localdate(), 1)[0]


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def form_for(client, kpi, period_end):
    """What the entry form was opened on (its hidden fields)."""
    response = client.get(f"/kpis/{kpi.code}/enter/?period={period_end:%Y-%m-%d}")
    assert response.status_code == 200
    return {"period_end": period_end.isoformat(), **response.context["form"].initial}


def enter(client, kpi, period_end, **data):
    fields = form_for(client, kpi, period_end)
    fields = {
        "period_end": fields["period_end"],
        "seen_version": fields["seen_version"],
        "commentary": "",
    }
    return client.post(f"/kpis/{kpi.code}/enter/?period={period_end:%Y-%m-%d}", fields | data)


def decide(client, entry, decision, comment=""):
    seen = approval.version_of(KPIEntry.objects.get(pk=entry.pk), None)
    return client.post(
        f"/kpis/entries/{entry.pk}/",
        {"decision": decision, "comment": comment, "seen_version": seen},
    )


COMMENTARY = "Fewer placements because the Pathfinder's KFT panel diverted 12 cases"


def test_an_owner_enters_a_figure_with_commentary_and_it_awaits_approval(officer, placements):
    period = latest_period(placements)
    response = enter(signed_in(officer), placements, period, value="63.5", commentary=COMMENTARY)
    entry = KPIEntry.objects.get()
    assert response.status_code == 302 and response.url == f"/kpis/entries/{entry.pk}/"
    assert (entry.value, entry.commentary, entry.state) == (Decimal("63.5"), COMMENTARY, "awaiting")
    assert entry.entered_by == officer
    assert not KPIValue.objects.exists()


def test_a_committee_member_sees_only_that_a_figure_awaits_until_it_is_approved(
    officer, committee_member, head_of_service, placements
):
    period = latest_period(placements)
    enter(signed_in(officer), placements, period, value="63.5", commentary=COMMENTARY)
    member = signed_in(committee_member)
    html = member.get("/kpis/placements/").content.decode()
    assert f"A newer figure for {period:%-d %B %Y} awaits approval." in html
    assert "63.5" not in html and COMMENTARY not in html
    assert "No data yet for this measure" in html
    assert "63.5" in signed_in(head_of_service).get("/kpis/placements/").content.decode()

    response = decide(signed_in(head_of_service), KPIEntry.objects.get(), "approve")
    assert response.status_code == 302
    html = member.get("/kpis/placements/").content.decode()
    assert "awaits approval" not in html
    assert "63.5%" in html and "Pathfinder&#x27;s KFT panel diverted 12 cases" in html
    value = KPIValue.objects.get()
    assert value.source == "Entered by Olive Lead, approved by Hannah Head"
    assert value.history.get().history_user == head_of_service


def test_a_returned_figure_goes_back_to_its_owner_with_the_comment_and_is_corrected(
    officer, head_of_service, placements
):
    period = latest_period(placements)
    owner = signed_in(officer)
    enter(owner, placements, period, value="36.5", commentary=COMMENTARY)
    entry = KPIEntry.objects.get()
    head = signed_in(head_of_service)

    response = decide(head, entry, "return", "")
    assert response.status_code == 400 and "Enter what needs changing" in response.content.decode()
    assert decide(head, entry, "return", "Digits swapped? Last month was 62%").status_code == 302

    mine = owner.get("/kpis/mine/").content.decode()
    assert "Returned" in mine and "Digits swapped? Last month was 62%" in mine
    assert "Digits swapped?" in owner.get(f"/kpis/entries/{entry.pk}/").content.decode()
    assert (
        "Digits swapped?" in owner.get(f"/kpis/placements/enter/?period={period}").content.decode()
    )

    assert enter(owner, placements, period, value="63.5", commentary=COMMENTARY).status_code == 302
    entry.refresh_from_db()
    assert (entry.state, entry.value, entry.decision_comment) == ("awaiting", Decimal("63.5"), "")
    assert decide(head, entry, "approve").status_code == 302
    assert KPIValue.objects.get().value == Decimal("63.5")
    steps = [r.state for r in entry.history.order_by("history_id")]
    assert steps == ["awaiting", "returned", "awaiting", "approved"]


def test_a_non_owner_officer_gets_403_for_the_form_and_the_post(
    other_officer, committee_member, placements
):
    period = latest_period(placements)
    for user in [other_officer, committee_member]:
        client = signed_in(user)
        assert client.get("/kpis/placements/enter/").status_code == 403
        data = {"period_end": period.isoformat(), "value": "50", "seen_version": "none"}
        assert client.post("/kpis/placements/enter/", data).status_code == 403
        assert "Enter a figure" not in client.get("/kpis/placements/").content.decode()
    assert not KPIEntry.objects.exists()


def test_a_delegate_may_enter_the_figure(other_officer, placements):
    placements.delegates.add(other_officer)
    response = enter(signed_in(other_officer), placements, latest_period(placements), value="50")
    assert response.status_code == 302
    assert KPIEntry.objects.get().entered_by == other_officer


def test_two_stale_saves_lose_nothing_and_both_versions_are_shown(
    officer, other_officer, placements
):
    placements.delegates.add(other_officer)
    period = latest_period(placements)
    owner, delegate = signed_in(officer), signed_in(other_officer)
    opened = form_for(owner, placements, period)
    assert (
        enter(delegate, placements, period, value="55", commentary="Delegate's").status_code == 302
    )

    mine = {
        "period_end": opened["period_end"],
        "seen_version": opened["seen_version"],
        "value": "63.5",
        "commentary": "Owner's",
    }
    response = owner.post(f"/kpis/placements/enter/?period={period}", mine)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved a figure for this period" in html
    assert "55" in html and "Delegate&#x27;s" in html and "63.5" in html and "Owner&#x27;s" in html
    assert KPIEntry.objects.get().value == Decimal("55")

    # Saving mine again, against what is there now, replaces it; the delegate's is in history.
    again = response.context["form"].data
    assert owner.post(f"/kpis/placements/enter/?period={period}", again).status_code == 302
    entry = KPIEntry.objects.get()
    assert entry.value == Decimal("63.5")
    assert [r.value for r in entry.history.order_by("history_id")] == [Decimal(55), Decimal("63.5")]


def test_an_approver_cannot_approve_or_return_their_own_entry(head_of_service, placements):
    placements.owned_by = head_of_service
    placements.save()
    head = signed_in(head_of_service)
    enter(head, placements, latest_period(placements), value="50")
    entry = KPIEntry.objects.get()
    assert decide(head, entry, "approve").status_code == 403
    assert decide(head, entry, "return", "Mine").status_code == 403
    assert KPIEntry.objects.get().state == "awaiting" and not KPIValue.objects.exists()
    assert (
        "another approver must approve it"
        in head.get(f"/kpis/entries/{entry.pk}/").content.decode()
    )


def test_an_entry_decided_already_is_not_decided_again(
    officer, head_of_service, administrator, placements
):
    enter(signed_in(officer), placements, latest_period(placements), value="50")
    entry = KPIEntry.objects.get()
    assert decide(signed_in(head_of_service), entry, "approve").status_code == 302
    response = decide(signed_in(administrator), entry, "return", "Too late")
    assert response.status_code == 409
    assert "This figure was approved already" in response.content.decode()


@pytest.mark.parametrize(
    ("kpi_args", "data", "message"),
    [
        ({}, {"period_end": "2025-05-15"}, "15 May 2025 does not fit measure, which is monthly"),
        ({}, {"value": "101"}, "101% is outside 0 to 100"),
        ({}, {"value": "n/a"}, "&#x27;n/a&#x27; is not a number"),
        ({"unit": "count"}, {"value": "-3"}, "-3 is negative, which a count cannot be"),
        ({}, {"value": "50", "numerator": "5", "denominator": "0"}, "The denominator is 0"),
        ({}, {"period_end": "2999-03-31"}, "31 March 2999 is in the future"),
        ({}, {"value": ""}, "Enter the figure"),
    ],
)
def test_bad_input_is_shown_in_an_error_summary_and_nothing_is_saved(
    officer, kpi_args, data, message
):
    kpi = make_kpi("measure", owned_by=officer, **kpi_args)
    client = signed_in(officer)
    period = latest_period(kpi)
    fields = form_for(client, kpi, period)
    post = {"period_end": fields["period_end"], "seen_version": "none", "value": "50"} | data
    response = client.post(f"/kpis/{kpi.code}/enter/", post)
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and message in html
    assert not KPIEntry.objects.exists()


def test_a_large_move_asks_the_owner_to_confirm_rather_than_refusing(officer, placements):
    period = latest_period(placements)
    make_value(placements, period_ends_before(placements, period, 1)[0], "40")
    client = signed_in(officer)
    response = enter(client, placements, period, value="80")
    html = response.content.decode()
    assert response.status_code == 400
    assert "more than 25% away from the previous figure, 40" in html
    assert "Tick to confirm you have checked this figure" in html
    assert not KPIEntry.objects.exists()
    assert enter(client, placements, period, value="80", confirmed="on").status_code == 302


def test_a_figure_due_is_counted_in_working_days_after_the_period_end():
    assert add_working_days(dt.date(2025, 5, 31), 10) == dt.date(2025, 6, 13)  # a Saturday
    assert add_working_days(dt.date(2025, 6, 30), 1) == dt.date(2025, 7, 1)


def test_bank_holidays_are_not_working_days(settings):
    assert add_working_days(dt.date(2024, 12, 31), 10) == dt.date(2025, 1, 15)  # 1 January
    assert add_working_days(dt.date(2024, 3, 31), 10) == dt.date(2024, 4, 15)  # Easter Monday
    # Boxing Day 2026 is a Saturday: the Monday after stands in for it.
    assert add_working_days(dt.date(2026, 12, 24), 1) == dt.date(2026, 12, 29)
    settings.BANK_HOLIDAYS_REGION = "SCT"  # 2 January is one there, Easter Monday is not
    assert add_working_days(dt.date(2024, 12, 31), 10) == dt.date(2025, 1, 16)
    assert add_working_days(dt.date(2024, 3, 31), 10) == dt.date(2024, 4, 12)


@given(
    day=st.dates(min_value=dt.date(2016, 1, 1), max_value=dt.date(2035, 12, 31)),
    count=st.integers(min_value=1, max_value=30),
    region=st.sampled_from(sorted(BANK_HOLIDAY_REGIONS)),
)
def test_the_nth_working_day_is_a_working_day_with_n_working_days_up_to_it(day, count, region):
    due = periods.add_working_days(day, count, region)
    days = [day + dt.timedelta(days=n) for n in range(1, (due - day).days + 1)]
    assert periods.is_working_day(due, region)
    assert sum(periods.is_working_day(d, region) for d in days) == count
    assert due.weekday() < 5 and due not in periods.bank_holidays(region, due.year)


def test_my_measures_says_what_is_due_late_awaiting_or_approved(
    officer, other_officer, head_of_service
):
    today = dt.date(2025, 7, 3)  # June's figures are due 14 July, May's were due 13 June
    make_kpi("late", owned_by=officer)
    due = make_kpi("due", owned_by=officer)
    make_value(due, dt.date(2025, 5, 31), "50")
    delegated = make_kpi("delegated", owned_by=other_officer, frequency="quarterly")
    delegated.delegates.add(officer)
    make_kpi("not-mine", owned_by=other_officer)
    lines = {
        (line.kpi.code, f"{line.period_end:%b}"): line.state
        for line in measures_due(officer, today)
    }
    assert lines == {
        ("late", "Jun"): "due",
        ("late", "May"): "late",
        ("due", "Jun"): "due",  # May's is approved
        ("delegated", "Jun"): "due",
        ("delegated", "Mar"): "late",
    }
    assert measures_due(officer, today)[0].due == dt.date(2025, 7, 14)
    approval.enter_figure(
        kpi=delegated, user=officer, period_end=dt.date(2025, 3, 31), value=Decimal(5),
        numerator=None, denominator=None, commentary="", seen_version="none", today=today,
    )  # fmt: skip
    states = {
        (line.kpi.code, f"{line.period_end:%b}"): line.state
        for line in measures_due(officer, today)
    }
    assert states[("delegated", "Mar")] == "awaiting"


def test_my_measures_and_the_kpi_page_keep_their_query_counts_as_figures_grow(
    officer, django_assert_max_num_queries
):
    client = signed_in(officer)
    kpis = [make_kpi(f"m{n}", owned_by=officer) for n in range(3)]

    def grow(count):
        for kpi in kpis:
            KPIValue.objects.bulk_create(
                KPIValue(kpi=kpi, period_end=day, value=Decimal(50))
                for day in period_ends_before(kpi, timezone.localdate(), count)
                if not KPIValue.objects.filter(kpi=kpi, period_end=day).exists()
            )
            KPIEntry.objects.create(
                kpi=kpi,
                period_end=period_ends_before(kpi, timezone.localdate(), count + 1)[-1],
                value=Decimal(1),
                entered_by=officer,
                entered_at=timezone.now(),
            )

    grow(2)
    with django_assert_max_num_queries(9):
        assert client.get("/kpis/mine/").status_code == 200
    with django_assert_max_num_queries(17):
        assert client.get("/kpis/m0/").status_code == 200
    grow(30)
    with django_assert_max_num_queries(9):
        assert client.get("/kpis/mine/").status_code == 200
    with django_assert_max_num_queries(17):
        assert client.get("/kpis/m0/").status_code == 200


def test_an_entry_is_read_only_in_admin_even_for_administrators(officer, administrator, placements):
    enter(signed_in(officer), placements, latest_period(placements), value="50")
    entry = KPIEntry.objects.get()
    client = signed_in(administrator)
    assert (
        'name="_save"'
        not in client.get(f"/admin/kpis/kpientry/{entry.pk}/change/").content.decode()
    )
    response = client.post(f"/admin/kpis/kpientry/{entry.pk}/change/", {"state": "approved"})
    assert response.status_code == 403
    assert KPIEntry.objects.get().state == "awaiting"
    kpi_page = client.get(f"/admin/kpis/kpi/{placements.pk}/change/").content.decode()
    assert all(
        name in kpi_page
        for name in ['name="owned_by"', 'name="delegates"', 'name="due_working_day"']
    )


@pytest.mark.parametrize("code", ["mine", "entries", "import"])
def test_a_measure_may_not_take_the_code_of_a_page_under_kpis(db, code):
    from django.core.exceptions import ValidationError

    measure = make_kpi("placeholder")
    measure.code = code
    with pytest.raises(ValidationError, match="names a page under /kpis/"):
        measure.full_clean()


def test_an_entered_figure_s_period_is_named_as_every_other_page_names_it(officer, head_of_service):
    """A quarter's count is "2024-25 Q3" on the KPI page's table: so on its entry pages too."""
    discharges = make_kpi(
        "discharges",
        unit="count",
        frequency="quarterly",
        measurement="period",
        owned_by=officer,
    )
    period = latest_period(discharges)
    owner = signed_in(officer)
    enter(owner, discharges, period, value="12", commentary=COMMENTARY)
    name = rating.period_name(period, discharges)
    assert name.startswith("20") and " Q" in name  # e.g. "2026-27 Q2", not a day

    entry = KPIEntry.objects.get()
    for client, address in [
        (owner, "/kpis/discharges/"),
        (owner, f"/kpis/entries/{entry.pk}/"),
        (owner, "/kpis/mine/"),
        (owner, f"/kpis/discharges/enter/?period={period:%Y-%m-%d}"),
        (signed_in(head_of_service), "/kpis/entries/"),
    ]:
        html = client.get(address).content.decode()
        assert name in html, address
        assert f"{period:%-d %B %Y}" not in html and f"{period:%-d %b %Y}" not in html, address


def test_a_correction_of_an_approved_figure_is_not_called_newer(
    officer, committee_member, placements
):
    period = latest_period(placements)
    make_value(placements, period, "60")
    enter(signed_in(officer), placements, period, value="61", commentary=COMMENTARY)

    html = signed_in(committee_member).get("/kpis/placements/").content.decode()
    assert f"A figure for {period:%-d %B %Y} awaits approval." in html
    assert "A newer figure" not in html
