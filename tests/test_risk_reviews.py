"""Owners review their risks in the browser: new residual scores, status, a note and the next
review's date, recorded in the history with the direction since the last review. Stale saves
are refused; overdue reviews appear in Needs attention and in the owner's reminders."""

import datetime as dt
import html
import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actions.models import Direction, Risk, RiskReview, RiskStatus
from careprog import roles
from tests.conftest import make_user
from tests.factories import make_programme
from tests.risk_factories import make_risk, review

TODAY = timezone.localdate()
NEXT = (TODAY + dt.timedelta(days=90)).strftime("%d/%m/%Y")


@pytest.fixture
def programme(db):
    return make_programme("Staying Safe Plan", slug="staying-safe")


@pytest.fixture
def risk(programme, officer):
    return make_risk(programme, owner=officer, reference="R1", residual=(3, 4))


def review_url(risk):
    return f"/programmes/{risk.programme.slug}/risks/{risk.pk}/review/"


def review_data(risk, **changes):
    return {
        "residual_likelihood": "2",
        "residual_impact": "4",
        "status": "open",
        "note": "The new homes opened",
        "next_review_date": NEXT,
        "version": str(risk.version),
    } | changes


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_the_owner_reviews_their_risk_and_the_register_shows_it_improving(client, risk, officer):
    client.force_login(officer)
    assert client.get(review_url(risk)).status_code == 200

    response = client.post(review_url(risk), review_data(risk))

    assert response.url == "/programmes/staying-safe/risks/R1/"
    made = RiskReview.objects.get(risk=risk)
    assert (made.by, made.previous_score, made.score) == (officer, 12, 8)
    assert made.direction == Direction.IMPROVING
    risk.refresh_from_db()
    assert (risk.residual_score, risk.review_date.strftime("%d/%m/%Y")) == (8, NEXT)
    page = text(client.get(response.url))
    assert "The new homes opened" in page and "Improving" in page


def test_a_worse_score_is_recorded_as_worsening_and_an_escalation_is_kept(client, risk, officer):
    client.force_login(officer)
    client.post(review_url(risk), review_data(risk, residual_likelihood="5", status="escalated"))
    made = RiskReview.objects.get(risk=risk)
    assert made.direction == Direction.WORSENING
    assert Risk.objects.get(pk=risk.pk).status == RiskStatus.ESCALATED


@pytest.mark.parametrize("who", ["other_officer", "committee_member", "head_of_service"])
def test_only_the_owner_or_an_administrator_reviews_a_risk(client, risk, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(review_url(risk)).status_code == 403
    assert client.post(review_url(risk), review_data(risk)).status_code == 403
    assert not RiskReview.objects.exists()
    assert Risk.objects.get(pk=risk.pk).version == risk.version


def test_a_head_of_service_who_owns_a_risk_reviews_it(client, programme, head_of_service):
    owned = make_risk(programme, owner=head_of_service, reference="R9")
    client.force_login(head_of_service)
    assert client.post(review_url(owned), review_data(owned)).status_code == 302


def test_an_administrator_reviews_any_risk(client, risk, administrator):
    client.force_login(administrator)
    assert client.post(review_url(risk), review_data(risk)).status_code == 302
    assert RiskReview.objects.get(risk=risk).by == administrator


def test_a_review_saved_after_someone_else_s_is_refused_with_both_versions(
    client, risk, officer, administrator
):
    opened = review_data(risk, note="Mine")
    review(risk, by=administrator, residual=(5, 5))  # saved meanwhile
    client.force_login(officer)

    response = client.post(review_url(risk), opened)

    page = text(response)
    assert response.status_code == 409
    assert "its residual score is now 25" in page  # what is stored
    assert "Mine" in page  # what was typed
    assert RiskReview.objects.filter(risk=risk).count() == 1
    again = client.post(
        review_url(risk), opened | {"version": str(Risk.objects.get(pk=risk.pk).version)}
    )
    assert again.status_code == 302
    assert RiskReview.objects.get(note="Mine").previous_score == 25


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"note": ""}, "Say what has changed since the last review"),
        ({"residual_impact": "9"}, "Choose the impact now"),
        ({"next_review_date": "tomorrow"}, "Next review due must be a real date"),
        ({"next_review_date": TODAY.strftime("%d/%m/%Y")}, "The next review must be after today"),
        ({"version": "x"}, "Enter a whole number"),
    ],
)
def test_a_bad_review_is_named_in_an_error_summary_and_nothing_is_saved(
    client, risk, officer, changes, message
):
    client.force_login(officer)
    response = client.post(review_url(risk), review_data(risk, **changes))
    assert response.status_code in (400, 409)
    assert "There is a problem" in text(response) and message in text(response)
    assert not RiskReview.objects.exists()


def test_closing_a_risk_needs_no_future_review(client, risk, officer):
    client.force_login(officer)
    today = TODAY.strftime("%d/%m/%Y")
    response = client.post(
        review_url(risk), review_data(risk, status="closed", next_review_date=today)
    )
    assert response.status_code == 302
    assert not Risk.objects.get(pk=risk.pk).review_overdue(TODAY + dt.timedelta(days=400))


# Needs attention and the reminders


def test_needs_attention_lists_risks_whose_review_is_overdue_but_not_closed_ones(
    client, seed_programme, officer, committee_member
):
    late = TODAY - dt.timedelta(days=2)
    make_risk(seed_programme, owner=officer, reference="R1", title="Late one", review_date=late)
    make_risk(
        seed_programme,
        owner=officer,
        reference="R2",
        title="Closed one",
        review_date=late,
        status=RiskStatus.CLOSED,
    )
    make_risk(seed_programme, owner=officer, reference="R3", title="Not yet due")
    client.force_login(committee_member)

    page = text(client.get(f"/programmes/{seed_programme.slug}/attention/2024-25-q3/"))

    section = page[page.index("Risk reviews overdue") : page.index("Status changes since")]
    assert "R1: Late one" in section and "owner Olive Lead" in section
    assert "Closed one" not in section and "Not yet due" not in section


def _attention_queries(client, programme) -> int:
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/programmes/{programme.slug}/attention/2024-25-q3/")
    return len(queries)


def test_needs_attention_takes_the_same_queries_for_one_overdue_review_or_thirty(
    client, seed_programme, officer, committee_member, django_user_model
):
    client.force_login(committee_member)
    late = TODAY - dt.timedelta(days=2)
    make_risk(seed_programme, owner=officer, reference="R0", review_date=late)
    one = _attention_queries(client, seed_programme)
    owners = [make_user(django_user_model, f"owner{n}", roles.OFFICERS) for n in range(5)]
    for n in range(30):
        make_risk(seed_programme, owner=owners[n % 5], reference=f"R{n + 1}", review_date=late)
    assert _attention_queries(client, seed_programme) == one


def remind(*args) -> str:
    out = StringIO()
    call_command("send_update_reminders", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_an_owner_with_overdue_risk_reviews_is_told_so_with_links(
    programme, officer, other_officer
):
    late = TODAY - dt.timedelta(days=5)
    risk = make_risk(
        programme, owner=officer, reference="R4", title="Court delays", review_date=late
    )
    make_risk(programme, owner=officer, reference="R5", review_date=late, status=RiskStatus.CLOSED)
    make_risk(programme, owner=other_officer, reference="R6")

    printed = remind("--base-url", "https://careprog.example.org")

    (message,) = mail.outbox
    assert message.to == [officer.email]
    assert "1 risk review overdue" in message.subject
    assert "Staying Safe Plan, risk R4: Court delays" in message.body
    assert (
        f"https://careprog.example.org/programmes/staying-safe/risks/{risk.pk}/review/"
        in message.body
    )
    assert "own these risks" in message.body
    assert "1 overdue risk review" in printed


def test_the_reminders_take_the_same_queries_for_one_overdue_review_or_forty(
    programme, officer, django_user_model, django_assert_max_num_queries
):
    late = TODAY - dt.timedelta(days=5)
    make_risk(programme, owner=officer, reference="R0", review_date=late)
    with django_assert_max_num_queries(8):
        remind()
    owners = [make_user(django_user_model, f"owner{n}", roles.OFFICERS) for n in range(8)]
    for n in range(40):
        make_risk(programme, owner=owners[n % 8], reference=f"R{n + 1}", review_date=late)
    mail.outbox.clear()
    with django_assert_max_num_queries(8):
        remind()
    assert len(mail.outbox) == 9
