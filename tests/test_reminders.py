"""Reminders to action leads about actions with no update for a quarter."""

import datetime as dt
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from actions.management.commands import send_update_reminders
from actions.models import Action, Mechanism, Status, Update
from careprog import roles
from careprog.periods import ReportingPeriod
from kpis import approval, rating
from kpis.due import due_on, measures_due, period_ends_before
from kpis.models import KPIEntry
from tests.conftest import (
    RISK_MATRIX,
    WITHIN_FAMILY_NETWORK,
    make_user,
    seed_action,
    seed_objective_actions,
)
from tests.factories import make_action, make_programme
from tests.kpi_factories import make_kpi, make_value

Q3 = ReportingPeriod(2024, 3)
Q4 = ReportingPeriod(2024, 4)
BASE_URL = "https://careprog.example.gov.uk"


def remind(*args):
    """Run the command and return what it printed."""
    out = StringIO()
    call_command("send_update_reminders", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def listed(message):
    """The pks of the actions an email links to, in order."""
    return [int(pk) for pk in re.findall(r"/actions/(\d+)/", message.body)]


def email_to(address):
    [message] = [m for m in mail.outbox if m.to == [address]]
    return message


def email_about(period):
    [message] = [m for m in mail.outbox if m.subject.endswith(f" {period}")]
    return message


def not_complete(actions):
    return [a.pk for a in actions if a.status != Status.COMPLETE]


@pytest.fixture
def other_officer_actions(seed_programme, other_officer):
    """The other officer leads the actions of "Children live within their family network"."""
    return seed_objective_actions(seed_programme, WITHIN_FAMILY_NETWORK, other_officer)


def test_each_lead_gets_one_email_listing_exactly_their_actions_without_an_update(
    officer, officer_actions, other_officer, other_officer_actions
):
    remind("--period", "2024-25-q4")

    assert len(mail.outbox) == 2
    # No Q4 updates exist, so every action they lead that is not complete is listed.
    assert listed(email_to(officer.email)) == not_complete(officer_actions)
    assert len(listed(email_to(officer.email))) == 7  # 3 of the 10 are complete
    assert sorted(listed(email_to(other_officer.email))) == sorted(
        not_complete(other_officer_actions)
    )


def test_only_actions_with_no_update_for_that_period_are_listed(officer, officer_actions):
    # In the seed every first-objective action has a Q3 update; take two away.
    without_q3 = [seed_action("Enhance quality assurance processes"), Action.objects.get(title="")]
    Update.objects.filter(action__in=without_q3, period=Q3).delete()

    remind("--period", "2024-25-q3")

    [message] = mail.outbox
    assert listed(message) == [a.pk for a in without_q3]
    assert message.subject == "Care programmes: 2 actions need an update for 2024-25 Q3"


def test_a_period_can_be_written_as_on_committee_papers(officer, officer_actions):
    remind("--period", "2024-25 Q4")

    assert mail.outbox[0].subject == "Care programmes: 7 actions need an update for 2024-25 Q4"


def test_complete_actions_are_left_out(officer, officer_actions):
    still_open, *finished = not_complete(officer_actions)
    # Complete as their latest (Q3) updates say, which the actions roll up.
    Update.objects.filter(action__in=finished, period=Q3).update(status=Status.COMPLETE)

    remind("--period", "2024-25-q4")

    [message] = mail.outbox
    assert listed(message) == [still_open]
    assert message.subject == "Care programmes: 1 action needs an update for 2024-25 Q4"


def test_actions_without_a_lead_are_left_out(seed_programme):
    output = remind("--period", "2024-25-q4")

    assert mail.outbox == []
    assert output.endswith("Sent 0 reminders covering 0 actions for 2024-25 Q4.\n")


def test_the_email_names_programme_objective_action_due_date_and_link(
    settings, officer, officer_actions
):
    action = seed_action(RISK_MATRIX)
    action.title = "Agree the 'Edge of Care' offer with Health & Education"
    action.due_date = dt.date(2025, 3, 31)
    action.save()

    remind("--period", "2024-25-q4", "--base-url", BASE_URL + "/")

    [message] = mail.outbox
    assert message.to == [officer.email]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.content_subtype == "plain"
    body = message.body
    assert body.startswith("Dear Olive,\n")
    assert "no update for 2024-25 Q4 (January to March 2025)" in body
    assert "Please add one by 31 March 2025:" in body  # actions.models.update_due_by
    assert "Care Programme 2024-25\n" in body
    assert "Children live safely with their families\n" in body
    # Plain text: the title as written, not HTML-escaped.
    assert (
        "- Agree the 'Edge of Care' offer with Health & Education\n"
        "  Due 31 March 2025 (overdue)\n"
        f"  {BASE_URL}/actions/{action.pk}/\n"
    ) in body
    # The seed's one action with no text.
    assert "- (no action text)\n" in body


def test_the_links_use_the_base_url_from_the_environment_unless_given(
    monkeypatch, officer, officer_actions
):
    monkeypatch.setenv("CAREPROG_BASE_URL", BASE_URL)
    remind("--period", "2024-25-q4")
    remind("--period", "2024-25-q4", "--base-url", "http://localhost:8080")
    monkeypatch.delenv("CAREPROG_BASE_URL")
    remind("--period", "2024-25-q4")

    first = seed_action(RISK_MATRIX).pk
    from_env, from_option, default = (m.body for m in mail.outbox)
    assert f"{BASE_URL}/actions/{first}/" in from_env
    assert f"http://localhost:8080/actions/{first}/" in from_option
    assert f"http://127.0.0.1:8000/actions/{first}/" in default


def test_a_base_url_that_is_not_a_web_address_is_a_command_error(officer_actions):
    with pytest.raises(CommandError, match="--base-url"):
        remind("--base-url", "careprog.example.gov.uk")


def test_a_dry_run_sends_nothing_but_prints_who_would_get_what(officer, officer_actions):
    output = remind("--period", "2024-25-q4", "--dry-run")

    assert mail.outbox == []
    assert "Would remind olive (Olive Lead) <olive@example.org>: 7 actions for 2024-25 Q4" in (
        output
    )
    for pk in not_complete(officer_actions):
        assert f"/actions/{pk}/" in output
    assert output.splitlines()[-1] == "Would send 1 reminder covering 7 actions for 2024-25 Q4."


def test_the_output_ends_with_a_summary_of_what_was_sent(officer, officer_actions):
    output = remind("--period", "2024-25-q4")

    assert output.splitlines() == [
        "Reminded olive (Olive Lead) <olive@example.org>: 7 actions for 2024-25 Q4",
        "Sent 1 reminder covering 7 actions for 2024-25 Q4.",
    ]


@pytest.mark.parametrize("period", ["2024-25-q5", "2024-26-q1", "next quarter", ""])
def test_an_unknown_period_is_a_command_error(seed_programme, period):
    with pytest.raises(CommandError, match="is not a financial quarter|is not followed by"):
        remind("--period", period)
    assert mail.outbox == []


def test_a_period_the_programme_does_not_report_on_sends_nothing_and_says_so(officer_actions):
    output = remind("--period", "2025-26-q1")

    assert mail.outbox == []
    assert output.splitlines() == [
        "Skipped Care Programme 2024-25: it reports on 2024-25 Q1 to 2024-25 Q4, not 2025-26 Q1.",
        "Sent 0 reminders for 2025-26 Q1: no programme reports on that period.",
    ]


def test_a_lead_without_an_email_address_is_reported_in_the_summary(
    officer, officer_actions, other_officer, other_officer_actions
):
    other_officer.email = ""
    other_officer.save()
    count = len(not_complete(other_officer_actions))

    output = remind("--period", "2024-25-q4")

    assert [m.to for m in mail.outbox] == [[officer.email]]
    assert (
        f"Not reminded: oscar (Oscar Other) has no email address and leads {count} actions "
        "without an update for 2024-25 Q4." in output
    )
    assert output.splitlines()[-1] == (
        "Sent 1 reminder covering 7 actions for 2024-25 Q4; "
        f"no email address for 1 person (oscar, {count} actions for 2024-25 Q4)."
    )


def test_inactive_leads_get_no_email(officer, officer_actions):
    officer.is_active = False
    officer.save()

    output = remind("--period", "2024-25-q4")

    assert mail.outbox == []
    assert output.endswith("Sent 0 reminders covering 0 actions for 2024-25 Q4.\n")


def test_without_a_period_it_uses_the_programmes_current_period(
    officer, officer_actions, seed_programme
):
    # Today is after the programme's last quarter, so its current period is its last.
    assert seed_programme.current_period() == Q4

    output = remind()

    [message] = mail.outbox
    assert message.subject == "Care programmes: 7 actions need an update for 2024-25 Q4"
    assert output.endswith("Sent 1 reminder covering 7 actions for 2024-25 Q4.\n")


def test_without_a_period_each_programme_is_checked_for_its_own_current_period_in_one_email(
    officer, officer_actions
):
    today = ReportingPeriod.current()
    running = make_programme("Running Programme", first_period=today, last_period=today.next())
    current = make_action("Current action", programme=running, lead=officer)

    output = remind()

    [message] = mail.outbox
    assert (
        message.subject == f"Care programmes: 8 actions need an update for 2024-25 Q4 and {today}"
    )
    # Oldest period first, each with its own due date.
    assert message.body.index("no update for 2024-25 Q4") < message.body.index(
        f"no update for {today}"
    )
    assert listed(message)[-1] == current.pk
    assert f"7 actions for 2024-25 Q4 and {today}" not in output
    assert (
        f"Reminded olive (Olive Lead) <olive@example.org>: 8 actions for 2024-25 Q4 and {today}"
        in output
    )


def test_all_reminders_go_through_one_mail_connection(
    monkeypatch, officer_actions, other_officer_actions
):
    opened = []

    def get_connection(*args, **kwargs):
        opened.append(1)
        return mail.get_connection(*args, **kwargs)

    monkeypatch.setattr(send_update_reminders, "get_connection", get_connection)

    remind("--period", "2024-25-q4")

    assert len(mail.outbox) == 2
    assert opened == [1]


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("connection refused")


def test_a_mail_server_failure_is_a_command_error(settings, officer_actions):
    settings.EMAIL_BACKEND = "tests.test_reminders.FailingBackend"

    with pytest.raises(CommandError, match="Could not send the reminders"):
        remind("--period", "2024-25-q4")


def test_the_query_count_does_not_grow_with_the_number_of_actions_measures_or_people(
    django_user_model, django_assert_max_num_queries, officer, officer_actions
):
    make_kpi("placements", owned_by=officer)
    with django_assert_max_num_queries(
        8
    ):  # programmes, actions, measures, delegates, who may enter, entries, figures, risks
        remind("--period", "2024-25-q4")
    assert len(mail.outbox) == 1

    mechanism = Mechanism.objects.filter(actions__in=officer_actions).first()
    leads = [make_user(django_user_model, f"lead{n}", roles.OFFICERS) for n in range(5)]
    Action.objects.bulk_create(
        Action(mechanism=mechanism, position=100 + n, title=f"Extra {n}", lead=leads[n % 5])
        for n in range(90)
    )
    owners = [make_user(django_user_model, f"owner{n}", roles.OFFICERS) for n in range(5)]
    for n in range(20):
        kpi = make_kpi(f"m{n}", owned_by=owners[n % 5])
        kpi.delegates.add(leads[n % 5])
    mail.outbox.clear()
    with django_assert_max_num_queries(
        8
    ):  # programmes, actions, measures, delegates, who may enter, entries, figures, risks
        remind("--period", "2024-25-q4")

    assert len(mail.outbox) == 11
    assert sum(len(listed(m)) for m in mail.outbox) == 7 + 90


# Measures: the owners of figures that are due, late or returned hear about them in the same email.


def measure_lines(message):
    return [line for line in message.body.splitlines() if line.startswith("  Figure for ")]


def owned_measure(owner, code="placements", **extra):
    """A monthly measure whose latest figure is in, and the month before's is late."""
    kpi = make_kpi(code, owned_by=owner, **extra)
    latest, before = period_ends_before(kpi, timezone.localdate(), 2)
    make_value(kpi, latest, "50")
    return kpi, before


def test_an_officer_with_two_actions_and_a_late_measure_gets_one_email_naming_both(
    officer, officer_actions
):
    two, *others = not_complete(officer_actions)[:2], not_complete(officer_actions)[2:]
    Action.objects.filter(pk__in=others[0]).update(lead=None)
    kpi, late = owned_measure(officer, name="Children placed within 20 miles & near school")

    remind("--period", "2024-25-q4")

    [message] = mail.outbox
    assert message.to == [officer.email]
    assert message.subject == (
        "Care programmes: 2 actions need an update for 2024-25 Q4; 1 measure needs a figure"
    )
    assert listed(message) == two
    body = message.body
    # Plain text: the name as written, not HTML-escaped.
    assert "- Children placed within 20 miles & near school\n" in body
    assert measure_lines(message) == [
        f"  Figure for {late:%-d %B %Y}: late, was due {due_on(kpi, late):%-d %B %Y}"
    ]
    assert f"/kpis/placements/enter/?period={late:%Y-%m-%d}" in body
    assert "All the actions you lead: http://127.0.0.1:8000/actions/mine/" in body
    assert "All your measures: http://127.0.0.1:8000/kpis/mine/" in body


def test_a_quarters_count_is_named_by_its_quarter_in_the_email_as_on_every_page(officer):
    kpi, late = owned_measure(
        officer, code="discharges", unit="count", frequency="quarterly", measurement="period"
    )

    remind("--period", "2024-25-q4")

    [message] = mail.outbox
    [line] = measure_lines(message)
    assert line.startswith(f"  Figure for {rating.period_name(late, kpi)}: late")
    assert " Q" in rating.period_name(late, kpi)


def test_a_measure_owner_who_leads_no_actions_gets_an_email_about_their_measures(
    officer_actions, other_officer
):
    owned_measure(other_officer)
    Action.objects.update(lead=None)

    output = remind("--period", "2024-25-q4")

    [message] = mail.outbox
    assert message.to == [other_officer.email]
    assert message.subject == "Care programmes: 1 measure needs a figure"
    assert "actions/mine" not in message.body and listed(message) == []
    assert output.splitlines()[-1] == (
        "Sent 1 reminder covering 0 actions for 2024-25 Q4 and 1 measure needing a figure."
    )


def test_delegates_who_may_enter_figures_hear_about_the_measure_too(
    officer, officer_actions, other_officer, committee_member
):
    """A committee member named delegate may not enter figures: no link they would be refused."""
    kpi, _ = owned_measure(other_officer)
    kpi.delegates.add(officer, committee_member)
    Action.objects.update(lead=None)

    remind("--period", "2024-25-q4")

    assert sorted(m.to[0] for m in mail.outbox) == sorted([other_officer.email, officer.email])


def test_a_figure_whose_due_day_is_weeks_away_is_not_chased_yet(officer_actions, other_officer):
    """A month's figure is due from the month's end; the reminders wait until its due day is
    three working days away."""
    Action.objects.update(lead=None)
    make_kpi("placements", owned_by=other_officer, due_working_day=60)

    remind("--period", "2024-25-q4")

    assert mail.outbox == []
    lines = measures_due(other_officer, timezone.localdate())
    assert {line.state for line in lines} == {"due"}  # "My measures" still says so


def test_a_figure_awaiting_approval_is_not_chased_and_a_returned_one_says_so(
    officer_actions, other_officer, head_of_service
):
    Action.objects.update(lead=None)
    awaiting, late = owned_measure(other_officer, "awaiting")
    returned, also_late = owned_measure(other_officer, "returned")
    for kpi, period_end in [(awaiting, late), (returned, also_late)]:
        approval.enter_figure(
            kpi=kpi, user=other_officer, period_end=period_end, value=Decimal(5),
            numerator=None, denominator=None, commentary="", seen_version="none",
            today=timezone.localdate(),
        )  # fmt: skip
    entry = KPIEntry.objects.get(kpi=returned)
    approval.return_entry(entry=entry, user=head_of_service, comment="Use the <b>June</b> cohort")

    remind("--period", "2024-25-q4")

    [message] = mail.outbox
    assert message.subject == "Care programmes: 1 measure needs a figure"
    assert measure_lines(message) == [
        f'  Figure for {also_late:%-d %B %Y}: returned to you: "Use the <b>June</b> cohort"'
    ]
    assert f"/kpis/entries/{entry.pk}/" in message.body
    assert "Measure awaiting" not in message.body


def test_only_an_awaiting_figure_means_no_email_at_all(officer_actions, other_officer):
    Action.objects.update(lead=None)
    kpi, late = owned_measure(other_officer)
    approval.enter_figure(
        kpi=kpi, user=other_officer, period_end=late, value=Decimal(5), numerator=None,
        denominator=None, commentary="", seen_version="none", today=timezone.localdate(),
    )  # fmt: skip

    remind("--period", "2024-25-q4")

    assert mail.outbox == []


def test_a_dry_run_sends_nothing_and_lists_the_measures(officer_actions, other_officer):
    Action.objects.update(lead=None)
    _, late = owned_measure(other_officer)

    output = remind("--period", "2024-25-q4", "--dry-run")

    assert mail.outbox == []
    assert "Would remind oscar (Oscar Other) <oscar@example.org>: 1 measure" in output
    assert f"  - Measure placements, {late:%-d %B %Y}: late " in output
