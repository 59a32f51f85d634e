"""Issue 20, point 2: a published quarter is not chased. Once a paper on a quarter is published
(which locks it), officers' home pages, My actions and its filters, "Needs attention" and the
reminders ask about the next open quarter, or say the programme's reporting is complete; and
reopening a quarter tells the officers concerned by email."""

import datetime as dt
import html
import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from actions.models import QuarterLock
from careprog.periods import ReportingPeriod
from tests.conftest import SEED_SLUG
from tests.factories import make_action, make_programme
from tests.paper_factories import draft_paper, make_meeting, publish

Q3, Q4 = ReportingPeriod(2024, 3), ReportingPeriod(2024, 4)
NOW = ReportingPeriod.current()
COMPLETE = "Reporting for Care Programme 2024-25 is complete"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def words(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def remind(*args) -> str:
    out = StringIO()
    call_command("send_update_reminders", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def publish_q4(programme, author, approver):
    meeting = make_meeting(dt.date(2025, 6, 11))
    return publish(draft_paper(programme, author, period=Q4, meeting=meeting), approver)


@pytest.fixture
def q4_published(seed_programme, officer, officer_actions, head_of_service):
    return publish_q4(seed_programme, officer, head_of_service)


def test_before_q4_is_published_the_officer_is_asked_for_q4(client, officer, officer_actions):
    client.force_login(officer)
    assert "7 of your 10 actions need an update for 2024-25 Q4" in words(client.get("/"))


def test_once_q4_is_published_the_officers_home_names_no_locked_quarter(officer, q4_published):
    response = client_for(officer).get("/")
    page = words(response)
    assert "2024-25 Q4" not in page.replace("up to its last quarter, 2024-25 Q4", "")
    assert f"{COMPLETE}: its papers have been published up to its last quarter, 2024-25 Q4." in (
        page
    )
    assert "None of your 10 actions need another update." in page
    assert "Update your actions" not in page
    assert "?missing_update=yes" not in response.content.decode()


def test_once_q4_is_published_my_actions_finds_none_missing_an_update(officer, q4_published):
    olive = client_for(officer)
    missing = olive.get("/actions/mine/", {"missing_update": "yes"})
    assert missing.context["counts"]["total"] == 0
    everything = olive.get("/actions/mine/")
    assert everything.context["counts"]["missing_update"] == 0
    assert "Not needed: reporting complete" in words(everything)
    assert ">Missing</strong>" not in everything.content.decode()
    csv = olive.get("/actions/mine/", {"export": "csv"}).content.decode()
    assert "Not needed: reporting complete" in csv


def test_once_q4_is_published_the_reminders_name_no_q4_and_send_nothing(q4_published):
    output = remind("--dry-run")
    assert "Q4" not in output.replace("its last quarter, 2024-25 Q4", "")
    assert "Skipped Care Programme 2024-25: its reporting is complete" in output
    assert output.endswith("Would send 0 reminders: every programme's reporting is complete.\n")
    remind()
    assert mail.outbox == []


def test_asked_for_q4_by_name_the_reminders_skip_a_locked_quarter(q4_published):
    output = remind("--period", "2024-25-q4")
    assert "Skipped Care Programme 2024-25: 2024-25 Q4 is locked" in output
    assert output.endswith(
        "Sent 0 reminders for 2024-25 Q4: no programme asks for updates on that period.\n"
    )
    assert mail.outbox == []


def test_once_q4_is_reopened_the_officer_is_asked_for_q4_again(
    officer, administrator, q4_published
):
    response = client_for(administrator).post(
        f"/programmes/{SEED_SLUG}/report/{Q4.slug}/reopen/", {"reason": "A late correction"}
    )
    assert response.status_code == 302
    assert "7 of your 10 actions need an update for 2024-25 Q4" in words(
        client_for(officer).get("/")
    )
    assert "7 actions for 2024-25 Q4" in remind("--dry-run")


def test_a_running_programme_asks_about_the_next_quarter_once_the_current_one_is_locked(
    officer, head_of_service
):
    programme = make_programme("Running", first_period=NOW.previous(), last_period=NOW.next())
    action = make_action("Running action", programme=programme, lead=officer)
    meeting = make_meeting(NOW.end + dt.timedelta(days=40))
    paper = draft_paper(programme, officer, period=NOW, meeting=meeting, figures_as_at=NOW.end)
    QuarterLock.objects.create(programme=programme, period=NOW, paper=paper)

    page = words(client_for(officer).get("/"))
    assert f"1 of your 1 action needs an update for {NOW.next().label}" in page
    assert f"for {NOW.label}" not in page
    output = remind("--dry-run")
    assert f"1 action for {NOW.next().label}" in output
    assert NOW.label not in output
    # The action's form offers the next quarter, not the locked one.
    form = client_for(officer).get(f"/actions/{action.pk}/")
    assert form.context["form_period"] == NOW.next()


# Reopening a quarter tells the officers concerned.


def reopen(administrator, period=Q4, reason="A late correction to the Q4 figures"):
    return client_for(administrator).post(
        f"/programmes/{SEED_SLUG}/report/{period.slug}/reopen/", {"reason": reason}
    )


def test_reopening_a_quarter_emails_each_lead_and_delegate_once_with_the_reason_and_a_link(
    seed_programme,
    officer,
    other_officer,
    officer_actions,
    administrator,
    q4_published,
    django_capture_on_commit_callbacks,
):
    officer_actions[0].delegates.add(other_officer)
    officer_actions[1].delegates.add(other_officer)  # a delegate of two: still one email
    with django_capture_on_commit_callbacks(execute=True):
        assert reopen(administrator).status_code == 302

    assert sorted(m.to[0] for m in mail.outbox) == [officer.email, other_officer.email]
    message = next(m for m in mail.outbox if m.to == [officer.email])
    assert message.subject == "Care Programme 2024-25: 2024-25 Q4 is open again for your updates"
    assert "Dear Olive," in message.body
    assert "Priya Performance has reopened 2024-25 Q4 (January to March 2025)" in message.body
    assert 'Their reason: "A late correction to the Q4 figures"' in message.body
    assert f"/actions/mine/?programme={seed_programme.pk}\n" in message.body


def test_no_email_goes_before_the_reopening_commits_nor_when_it_is_refused(
    administrator, officer, q4_published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = reopen(administrator, reason="")
    assert response.status_code == 400
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reopen(administrator)
    assert mail.outbox == [] and len(callbacks) == 1


def test_the_email_is_plain_text_that_keeps_the_reason_as_typed(
    seed_programme, administrator, officer, q4_published, django_capture_on_commit_callbacks
):
    seed_programme.name = "Care & Support"
    seed_programme.save()
    with django_capture_on_commit_callbacks(execute=True):
        reopen(administrator, reason='Figures <b>"wrong"</b> & late')
    [message] = mail.outbox
    assert message.subject == "Care & Support: 2024-25 Q4 is open again for your updates"
    assert 'Their reason: "Figures <b>"wrong"</b> & late"' in message.body


def test_a_mail_server_failure_does_not_undo_the_reopening_nor_fail_the_page(
    settings, administrator, officer, q4_published, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.test_reminders.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assert reopen(administrator).status_code == 302
    assert "7 of your 10 actions need an update for 2024-25 Q4" in words(
        client_for(officer).get("/")
    )
