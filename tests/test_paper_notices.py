"""Nobody has to go looking: each person's home lists the committee papers awaiting their
decision, each sign-off step emails whoever it concerns once it is saved, and any reader may
subscribe to a programme's published papers."""

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from actions.models import Paper
from careprog import roles
from tests.conftest import make_user
from tests.paper_factories import draft_paper
from tests.paper_pages import PAPERS, draft_form, step, text, with_sections

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def another_head(django_user_model):
    return make_user(
        django_user_model, "harry", roles.HEADS_OF_SERVICE, first_name="Harry", last_name="Hale"
    )


def home(user) -> str:
    response = signed_in(user).get("/")
    assert response.status_code == 200
    return response.content.decode()


def awaiting(page: str) -> str:
    """The home page's "Committee papers awaiting you" section, or "" when there is none."""
    if 'id="papers-awaiting"' not in page:
        return ""
    return text(page.split('id="papers-awaiting"')[1].split("</section>")[0])


# Home pages ------------------------------------------------------------------------------


def test_each_persons_home_lists_the_papers_awaiting_their_decision(
    seed_programme, officer, other_officer, head_of_service, another_head, committee_member
):
    olive, hannah, harry = signed_in(officer), signed_in(head_of_service), signed_in(another_head)
    submitted = draft_paper(seed_programme, officer, title="Submitted paper")
    hannah.post(
        f"/papers/{submitted.pk}/edit/",
        with_sections(submitted, draft_form(hannah, submitted), {"Report summary": "Hers."}),
    )
    step(olive, submitted, "submit")
    approved = draft_paper(seed_programme, officer, title="Approved paper")
    step(olive, approved, "submit")
    step(harry, approved, "approve")
    returned = draft_paper(seed_programme, officer, title="Returned paper")
    step(olive, returned, "submit")
    step(harry, returned, "return", "Add the residential figures")
    draft_paper(seed_programme, officer, title="Untouched draft")

    # Harry may decide on both; Hannah edited the submitted one, so only publishes the other.
    assert "Submitted paper: 2024-25 Q3 submitted for your approval" in awaiting(home(another_head))
    assert "Approved paper: 2024-25 Q3 approved, for you to publish" in awaiting(home(another_head))
    hannahs = awaiting(home(head_of_service))
    assert "Submitted paper" not in hannahs and "Approved paper" in hannahs
    assert f'href="/papers/{approved.pk}/publish/"' in home(head_of_service)
    assert f'href="/papers/{submitted.pk}/"' in home(another_head)

    # The returned draft waits for its author, with what to change, and no one else.
    olives = awaiting(home(officer))
    assert (
        "Returned paper: 2024-25 Q3 returned to you with comments: “Add the residential figures”"
    ) in olives
    assert "Untouched draft" not in olives and "Submitted paper" not in olives
    assert f'href="/papers/{returned.pk}/"' in home(officer)
    assert awaiting(home(other_officer)) == ""
    assert awaiting(home(committee_member)) == ""

    # Once the author starts editing it is still theirs to resubmit; once resubmitted it is not.
    olive.post(
        f"/papers/{returned.pk}/edit/",
        with_sections(returned, draft_form(olive, returned), {"Report summary": "Figures."}),
    )
    assert "Returned paper" in awaiting(home(officer))
    step(olive, returned, "submit")
    assert "Returned paper" not in awaiting(home(officer))


def queries_for_home(user) -> int:
    client = signed_in(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["head_of_service", "officer"])
def test_the_home_page_takes_the_same_queries_however_many_papers_await(
    request, seed_programme, officer, another_head, who
):
    user = request.getfixturevalue(who)

    def make(count):
        for n in range(count):
            paper = draft_paper(seed_programme, officer, title=f"Paper {n}")
            step(signed_in(officer), paper, "submit")
            if who == "officer":
                step(signed_in(another_head), paper, "return", "Again")

    make(1)
    few = queries_for_home(user)
    make(5)
    assert queries_for_home(user) == few
    # session, user, the user's and their groups' permissions, programmes, what else awaits
    # them (figures to approve, or updates due), and the papers awaiting them: one query
    assert few == 7
    assert awaiting(home(user)).count("Paper ") == 6


# Emails ----------------------------------------------------------------------------------


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Runs a step and the emails it sends on commit; returns them."""

    def run(action):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = action()
        return response, list(mail.outbox)

    return run


def test_each_step_emails_whoever_it_concerns_once_saved(
    seed_programme,
    officer,
    other_officer,
    head_of_service,
    another_head,
    administrator,
    committee_member,
    sent,
):
    olive, oscar, harry = signed_in(officer), signed_in(other_officer), signed_in(another_head)
    paper = draft_paper(seed_programme, officer)
    oscar.post(
        f"/papers/{paper.pk}/edit/",
        with_sections(paper, draft_form(oscar, paper), {"Report summary": "Oscar's."}),
    )
    signed_in(committee_member).post(f"{PAPERS}subscription/", {"subscribe": "yes"})

    _, emails = sent(lambda: step(olive, paper, "submit", "Ready"))
    assert sorted(e.to[0] for e in emails) == [
        "hannah@example.org",
        "harry@example.org",
        "performance@example.org",
    ]
    first = emails[0]
    assert first.subject == "Care Programme: 2024-25 Q3 paper awaits your approval"
    assert "Olive Lead submitted the paper" in first.body and '"Ready"' in first.body
    assert f"http://127.0.0.1:8000/papers/{paper.pk}/" in first.body

    _, emails = sent(lambda: step(harry, paper, "return", "Say what it costs & why"))
    assert sorted(e.to[0] for e in emails) == ["olive@example.org", "oscar@example.org"]
    assert '"Say what it costs & why"' in emails[0].body  # text, not HTML: nothing escaped

    step(olive, paper, "submit")
    _, emails = sent(lambda: step(harry, paper, "approve"))
    assert [e.to for e in emails] == [["olive@example.org"]]
    assert "Harry Hale approved the paper" in emails[0].body

    _, emails = sent(lambda: step(harry, paper, "publish"))
    assert sorted(e.to[0] for e in emails) == ["councillor@example.org", "olive@example.org"]
    assert all(e.subject == "Care Programme: 2024-25 Q3 paper published" for e in emails)


def test_a_refused_step_emails_no_one(seed_programme, officer, head_of_service, sent):
    hannah = signed_in(head_of_service)
    paper = draft_paper(seed_programme, officer)
    step(hannah, paper, "submit")
    response, emails = sent(lambda: step(hannah, paper, "approve"))
    assert response.status_code == 403
    assert emails == []


def test_no_email_is_sent_before_the_step_is_committed(seed_programme, officer, head_of_service):
    mail.outbox.clear()
    paper = draft_paper(seed_programme, officer)
    step(signed_in(officer), paper, "submit")
    assert mail.outbox == []  # the test's transaction never commits
    assert Paper.objects.get(pk=paper.pk).state == Paper.State.SUBMITTED


# Subscriptions ---------------------------------------------------------------------------


def test_a_committee_member_subscribes_to_a_programmes_papers_and_unsubscribes(
    seed_programme, committee_member
):
    casey = signed_in(committee_member)
    page = casey.get(PAPERS).content.decode()
    assert "Email me when a paper is published" in page

    response = casey.post(f"{PAPERS}subscription/", {"subscribe": "yes"})
    assert response.status_code == 302 and response.url == PAPERS
    assert list(seed_programme.subscribers.all()) == [committee_member]
    page = casey.get(PAPERS)
    assert "You will be emailed when a Care Programme 2024-25 paper is published." in text(page)
    assert "Stop emailing me about published papers" in text(page)

    casey.post(f"{PAPERS}subscription/", {"subscribe": "yes"})  # twice is still once
    assert seed_programme.subscribers.count() == 1
    casey.post(f"{PAPERS}subscription/", {"subscribe": "no"})
    assert seed_programme.subscribers.count() == 0


def test_a_subscription_post_without_a_choice_is_refused_and_changes_nothing(
    seed_programme, committee_member
):
    response = signed_in(committee_member).post(f"{PAPERS}subscription/", {"subscribe": "maybe"})
    assert response.status_code == 400
    assert seed_programme.subscribers.count() == 0


def test_administrators_see_and_change_a_programmes_subscribers_in_admin(
    seed_programme, administrator, committee_member
):
    seed_programme.subscribers.add(committee_member)
    page = signed_in(administrator).get(f"/admin/actions/programme/{seed_programme.pk}/change/")
    assert page.status_code == 200
    assert 'name="subscribers"' in page.content.decode()


def test_a_title_with_an_ampersand_reads_as_typed_in_every_emails_subject(
    seed_programme, officer, another_head, sent
):
    """Emails are text: "&" in a title must not arrive as "&amp;"."""
    olive, harry = signed_in(officer), signed_in(another_head)
    paper = draft_paper(seed_programme, officer, title="Care & Support")
    subjects = []
    for who, name, comment in [
        (olive, "submit", ""),
        (harry, "return", "Cost it"),
        (olive, "submit", ""),
        (harry, "approve", ""),
        (harry, "publish", ""),
    ]:
        _, emails = sent(
            lambda who=who, name=name, comment=comment: step(who, paper, name, comment)
        )
        subjects += [email.subject for email in emails]
    assert subjects and all(s.startswith("Care & Support: ") for s in subjects), subjects
