"""Every URL × role × method: nobody changes data they may not, nobody sees a 500.

Roles: signed out, signed in without a role (outsider), committee member, an officer
who leads the action, an officer who does not, a head of service, a programme
administrator, a superuser.
"""

import datetime
import io
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from actions import structure
from actions.models import (
    Abbreviation,
    Action,
    Committee,
    Mechanism,
    Meeting,
    Objective,
    Paper,
    PaperEvent,
    PaperSection,
    PaperTemplate,
    Programme,
    QuarterLock,
    Requirement,
    TemplateSection,
    Update,
)
from actions.papers import draft_files
from actions.papers import services as paper_services
from actions.permissions import can_read_paper
from actions.structure import PARENT_FIELD
from careprog import jobs, roles
from careprog.models import OIDCIdentity, PublicInformation
from careprog.periods import ReportingPeriod
from kpis.importing.apply import apply_return, store_upload
from kpis.models import ComparatorValue, KPIEntry
from tests.conftest import RISK_MATRIX, seed_action
from tests.import_files import long_return
from tests.kpi_factories import make_kpi, make_target, make_value
from tests.paper_factories import draft_paper, make_meeting, publish, set_today
from tests.test_action_status import admin_form_data

ROLES = [
    "anonymous",
    "outsider",
    "committee",
    "lead",
    "other_officer",
    "head",
    "admin",
    "superuser",
]
READERS = {"committee", "lead", "other_officer", "head", "admin", "superuser"}
WRITERS_OF_THE_ACTION = {"lead", "admin", "superuser"}
STAFF = {"admin", "superuser"}


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
        "report xlsx": f"{report}2024-25-q3/report.xlsx",
        "attention latest": "/programmes/care-programme-2024-25/attention/",
        "attention": "/programmes/care-programme-2024-25/attention/2024-25-q3/",
        "all actions": "/actions/",
        "my actions": "/actions/mine/",
        "glossary": "/glossary/",
        "committees and meetings": "/committees/",
        "csv export": "/actions/?export=csv",
        "xlsx export": "/actions/?export=xlsx",
        "action": f"/actions/{action.pk}/",
        "admin": "/admin/",
        "admin action": f"/admin/actions/action/{action.pk}/change/",
        "admin history": f"/admin/actions/action/{action.pk}/history/",
        "sign in": "/sign-in/",
        "sign in with provider": "/oidc/authenticate/",
        "provider callback": "/oidc/callback/",
        "password reset": "/password-reset/",
        "help": "/help/",
        "help for officers": "/help/officer/",
        "help for committee members": "/help/committee-member/",
        "help for heads of service": "/help/head-of-service/",
        "help for administrators": "/help/administrator/",
        "favicon": "/favicon.ico",
        "accessibility statement": "/accessibility/",
        "privacy notice": "/privacy/",
        "open data": "/open/",
    }


SIGN_IN_FORMS = {"sign in", "password reset"}
HELP = {
    "help",
    "help for officers",
    "help for committee members",
    "help for heads of service",
    "help for administrators",
}
# What a public body must publish (regulation 7's accessibility statement, the privacy notice).
PUBLIC_PAGES = {"accessibility statement", "privacy notice"}
# Open to all, and read-only: the guides, the public pages and the service's icon.
READ_ONLY_FOR_ALL = HELP | PUBLIC_PAGES | {"favicon", "open data"}
OPEN = SIGN_IN_FORMS | READ_ONLY_FOR_ALL
EVERY_SIGNED_IN_USER = {"home"}
ADMIN_ONLY = {"admin", "admin action", "admin history"}
LATEST_QUARTER = {"report latest", "attention latest"}


# Open to all, GET only; they exist only when single sign-on is set up (OIDC_ISSUER).
SINGLE_SIGN_ON = {"sign in with provider", "provider callback"}


def expected_get(role, name):
    if name in SINGLE_SIGN_ON:
        if not settings.OIDC_ISSUER:
            return {404}
        return {302} if name == "sign in with provider" else {400}  # no sign-in was started
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
    return {302} if name in LATEST_QUARTER else {200}  # on to the latest quarter


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
        if response.status_code == 302 and role == "anonymous" and name not in SINGLE_SIGN_ON:
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
        if name in SIGN_IN_FORMS or name in ADMIN_ONLY:
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
        if name in READ_ONLY_FOR_ALL or name in SINGLE_SIGN_ON:
            assert response.status_code == 405, (role, name)
        elif role == "anonymous":
            assert response.status_code == 302 and "/sign-in/" in response.url
        elif name == "action":
            assert response.status_code == 403, (role, name)
        else:
            assert response.status_code in {403, 405}, (role, name, response.status_code)
        assert snapshot() == before, (role, name)


@pytest.mark.parametrize("role", ROLES)
def test_the_matrix_holds_when_the_councils_provider_replaces_passwords(
    client, people, action, role, provider_only
):
    """OIDC on and OIDC_LOCAL_PASSWORDS off (tests/oidc_provider.py): the same answers."""
    test_every_page_answers_each_role_as_its_permissions_say(client, people, action, role)
    test_posting_anywhere_changes_nothing_unless_the_role_may_change_that_action(
        client, people, action, role
    )


def test_a_committee_member_sees_no_edit_control_on_any_page(member_client, action):
    sign_out = '<form method="post" action="/sign-out/"'
    for name, url in urls(action).items():
        if name in SIGN_IN_FORMS:
            continue  # the sign-in and password forms are not edit controls
        response = member_client.get(url)
        if not response["Content-Type"].startswith("text/html"):
            continue  # the exports
        html = response.content.decode()
        assert html.count('method="post"') == html.count(sign_out), url
        if name not in HELP:  # the guides name the buttons they describe
            assert "Save update" not in html


# Django admin: staff status alone gives no write. An officer's global add/change_update and
# the drafters' add/change_paper serve the app's own rules (the actions they lead, a paper
# while it is a draft); admin writes need the manage permission.
STAFF_WITHOUT_MANAGE = ["committee", "lead", "other_officer", "head"]
# The apps whose models admin edits: careprog's is the council's public pages' one row.
ADMIN_APPS = {"careprog", "actions", "kpis"}


@pytest.fixture
def admin_rows(action, papers):
    """One row of every model admin edits, for its change, delete and history pages."""
    kpi = make_kpi("cla-1")
    make_value(kpi, datetime.date(2025, 3, 31), "61.5")
    make_target(kpi, 2024, "65")
    ComparatorValue.objects.create(
        kpi=kpi, comparator="england", period_end=datetime.date(2025, 3, 31), value=Decimal("70")
    )
    KPIEntry.objects.create(
        kpi=kpi,
        period_end=datetime.date(2025, 4, 30),
        value=Decimal("62"),
        entered_at=datetime.datetime(2025, 5, 9, tzinfo=datetime.UTC),
    )
    PublicInformation.objects.create(council_name="Wirral Council")
    OIDCIdentity.objects.create(
        user=get_user_model().objects.order_by("pk").first(),
        issuer="https://login.example.org",
        subject="0f1e2d",
    )
    # Seeded by a migration, but a transactional test's flush may have emptied the table.
    Abbreviation.objects.get_or_create(
        abbreviation="CLA", defaults={"expansion": "children looked after"}
    )
    from actions.models import RiskBand
    from tests.risk_factories import make_risk, review

    RiskBand.objects.get_or_create(name="Low", defaults={"lowest": 1, "highest": 4})
    risk = make_risk(action.mechanism.requirement.objective.programme, owner=action.lead)
    review(risk, by=action.lead, residual=(2, 2))
    rows = {
        model: model._default_manager.order_by("pk").first()
        for model in admin.site._registry
        if model._meta.app_label in ADMIN_APPS
    }
    for row in rows.values():
        if hasattr(row, "history") and not row.history.exists():
            row.save()  # loaded by a fixture, so no history record yet
    return rows


def everything():
    """Every row of every model admin edits, and the auth tables."""
    models = [m for m in admin.site._registry if m._meta.app_label in ADMIN_APPS]
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
        # Read-only for a role that reads the model (the paper models' admin-only tables,
        # committees, meetings, templates and locks, are not shown at all).
        may_view = user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
        # A paper not yet published is not there for whoever may not read it in the app (a
        # committee member): admin's answer to a GET is its own 404, "does not exist".
        hidden = may_view and model is Paper and not can_read_paper(user, row)
        response = client.get(change)
        assert response.status_code == (302 if hidden else 200 if may_view else 403), (
            role,
            change,
        )
        assert 'name="_save"' not in response.content.decode(), (role, change)
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


# Committee papers. Every role reads published papers; drafts, and papers submitted or
# approved but not yet published, only those who may draft or approve (a committee member
# gets 404, as for a paper that does not exist). Approving, returning and publishing:
# heads of service and administrators, never on a paper they drafted, edited or submitted;
# publishing confirms on a page of its own first. Every reader may subscribe to a programme's
# published papers.
DRAFTERS = {"lead", "other_officer", "head", "admin", "superuser"}
APPROVERS = {"head", "admin", "superuser"}
REOPENERS = {"admin", "superuser"}
KINDS = ["draft", "submitted", "approved", "published"]
Q3 = "2024-25-q3"


@pytest.fixture
def papers(officer_actions, seed_programme, officer, administrator, head_of_service, monkeypatch):
    """One paper in each state, all drafted by the officer who leads the actions; the
    published one locks 2024-25 Q3. Today is in February 2025, when the meeting of 5 March
    2025 was still to come."""
    set_today(monkeypatch, datetime.date(2025, 2, 10))
    made = {kind: draft_paper(seed_programme, officer, title=f"{kind} paper") for kind in KINDS}
    paper_services.submit(paper_id=made["submitted"].pk, user=officer)
    paper_services.submit(paper_id=made["approved"].pk, user=officer)
    paper_services.approve(paper_id=made["approved"].pk, user=administrator)
    publish(made["published"], head_of_service)
    return {kind: Paper.objects.get(pk=paper.pk) for kind, paper in made.items()}


PROGRAMME_PAGES = {
    "papers": "/programmes/care-programme-2024-25/papers/",
    "new paper": "/programmes/care-programme-2024-25/papers/new/",
    "reopen": f"/programmes/care-programme-2024-25/report/{Q3}/reopen/",
    "subscription": "/programmes/care-programme-2024-25/papers/subscription/",
    # Every paper, a portfolio's too, and a paper on a portfolio without a programme
    "all papers": "/papers/",
    "new portfolio paper": "/papers/new/",
}
# Who may post to each programme page (any GET of "subscription" is 405).
PROGRAMME_WRITERS = {
    "papers": set(),
    "new paper": DRAFTERS,
    "reopen": REOPENERS,
    "subscription": READERS,
    "all papers": set(),
    "new portfolio paper": DRAFTERS,
}
PAPER_PAGES = ["paper", "changes", "edit", "submit", "return", "approve", "publish"]
# A draft's file, built by a job for the person who asked (the lead, in the fixture
# asked_for_pdfs): its waiting page, its JSON status and the file, theirs alone. Listed before
# the files, whose GET on a draft asks for a build (302 to its waiting page).
DRAFT_FILE_PAGES = {
    "draft pdf": "draft/pdf/",
    "draft pdf status": "draft/pdf/status.json",
    "draft pdf file": "draft/pdf/file",
}
PAPER_PAGES += list(DRAFT_FILE_PAGES)
PAPER_PAGES += ["paper.docx", "appendix.xlsx", "paper.pdf"]  # files: read like the paper
FILES = {"paper.docx", "appendix.xlsx", "paper.pdf"}
PAPER_POST_ONLY = {"submit", "return", "approve", "subscription"}


def paper_url(name, paper):
    if name == "paper":
        return f"/papers/{paper.pk}/"
    if name in DRAFT_FILE_PAGES:
        return f"/papers/{paper.pk}/{DRAFT_FILE_PAGES[name]}"
    if "." in name:  # a file: paper.docx
        return f"/papers/{paper.pk}/{name}"
    return f"/papers/{paper.pk}/{name}/"


@pytest.fixture
def quick_pdfs(monkeypatch):
    """The matrix is about who gets what: the printing itself is tests/test_paper_pdf.py's."""
    from actions.papers import pdf

    monkeypatch.setattr(pdf, "render", lambda content, **options: b"%PDF-1.7 matrix")


@pytest.fixture
def asked_for_pdfs(papers, officer, quick_pdfs):
    """The lead has asked for the PDF of each paper not yet published, and it has been built."""
    for paper in papers.values():
        if not paper.is_published:
            draft_files.request_file(paper=paper, kind="pdf", user=officer)
    jobs.run_ready()


def may_read(role, kind):
    return role in (READERS if kind == "published" else DRAFTERS)


def expected_paper_get(role, name, kind=None):
    if role == "anonymous":
        return {302}
    if name in PAPER_POST_ONLY:
        return {405}
    if role == "outsider":
        return {403}  # no role reads anything
    if name in PROGRAMME_PAGES:
        allowed = {
            "papers": READERS,
            "new paper": DRAFTERS,
            "reopen": REOPENERS,
            "all papers": READERS,
            "new portfolio paper": DRAFTERS,
        }[name]
        return {200} if role in allowed else {403}
    if not may_read(role, kind):
        return {404}
    if name in DRAFT_FILE_PAGES:  # the lead's alone, and no published paper's
        return {200} if role == "lead" and kind != "published" else {404}
    if name in FILES and kind != "published":
        return {302}  # to the page that waits while a job builds it
    if name in {"edit", "publish"}:  # a form of its own, for the state the step needs
        states, who = STEP_RULES[name]
        if role not in who:
            return {403}
        return {200} if kind in states else {409}
    return {200}


# The state each paper step needs, and who takes it.
STEP_RULES = {
    "edit": ({"draft"}, DRAFTERS),
    "submit": ({"draft"}, DRAFTERS),
    "return": ({"submitted", "approved"}, APPROVERS),
    "approve": ({"submitted"}, APPROVERS),
    "publish": ({"approved"}, APPROVERS),
}


def expected_paper_post(role, name, kind=None):
    """The status a valid-looking POST gets; 302 is the only one that may change anything."""
    if role == "anonymous":
        return 302
    read_only = {"papers", "all papers", "paper", "changes", *FILES, *DRAFT_FILE_PAGES}
    if name in read_only:
        return 405  # read-only pages
    if role == "outsider":
        return 403
    if name in PROGRAMME_PAGES:
        return 302 if role in PROGRAMME_WRITERS[name] else 403
    if not may_read(role, kind):
        return 404
    states, who = STEP_RULES[name]
    if role not in who:
        return 403
    return 302 if kind in states else 409  # allowed, but not in this state: nothing changes


def paper_post_data(name, paper):
    if name == "new paper":
        return {
            "meeting": make_meeting().pk,
            "period": Q3,
            "figures_as_at": "2025-01-31",
            "title": "Matrix paper",
            "report_of": "Matrix director",
            "start_from": "template",
        }
    if name == "new portfolio paper":
        return {"meeting": make_meeting().pk, "title": "Matrix portfolio paper", "report_of": "M"}
    if name == "reopen":
        return {"reason": "Matrix reason"}
    if name == "subscription":
        return {"subscribe": "yes"}
    if name == "edit":
        data = {
            "version": paper.version,
            "figures_as_at": paper.figures_as_at.isoformat(),
            "title": "Edited in the matrix",
            "report_of": paper.report_of,
        }
        for section in paper.sections.all():
            data[f"heading_{section.pk}"] = section.heading
            data[f"text_{section.pk}"] = section.text
        # "Add the section": saved with the rest, in the same post
        first = paper.sections.order_by("position").first()
        return {**data, "new_heading": "Matrix section", "new_after": first.pk, "add_section": "1"}
    return {"comment": "Matrix comment"}


def paper_records():
    """Everything a paper page could write."""
    return (
        list(
            Paper.objects.order_by("pk").values_list(
                "pk", "state", "version", "title", "snapshot_sha256", "published_at"
            )
        ),
        list(PaperSection.objects.order_by("pk").values_list("pk", "heading", "text", "position")),
        list(PaperEvent.objects.order_by("pk").values_list("pk", "step", "by_id", "comment")),
        list(QuarterLock.objects.order_by("pk").values_list("pk", "reopened_at", "reopen_reason")),
        list(
            Programme.subscribers.through.objects.order_by("pk").values_list(
                "programme_id", "user_id"
            )
        ),
    )


def assert_done(name, paper, user):
    """The write a 302 stands for really happened."""
    if name == "new paper":
        assert Paper.objects.filter(title="Matrix paper", author=user, state="draft").exists()
        return
    if name == "new portfolio paper":
        assert Paper.objects.filter(
            title="Matrix portfolio paper", programme=None, author=user, state="draft"
        ).exists()
        return
    if name == "reopen":
        assert QuarterLock.objects.get(period=Q3).reopen_reason == "Matrix reason"
        return
    if name == "subscription":
        assert Programme.objects.get(subscribers=user).slug == "care-programme-2024-25"
        return
    after = Paper.objects.get(pk=paper.pk)
    assert after.version > paper.version, name
    if name == "edit":
        assert after.title == "Edited in the matrix"
        assert after.events.filter(step="edited", by=user).exists()
        assert after.sections.filter(heading="Matrix section", numbered=True).exists()
    else:
        state = {"submit": "submitted", "return": "draft", "approve": "approved"}.get(name)
        assert after.state == (state or "published"), name
        assert after.events.filter(by=user, comment="Matrix comment").exists(), name
        if name == "publish":
            assert len(after.snapshot_sha256) == 64


@contextmanager
def rolled_back():
    """Undo a request's writes, so each one meets the same papers as the last."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def paper_cases(papers):
    for name, url in PROGRAMME_PAGES.items():
        yield name, None, None, url
    for kind, paper in papers.items():
        for name in PAPER_PAGES:
            yield name, kind, paper, paper_url(name, paper)


@pytest.mark.parametrize("role", ROLES)
def test_every_paper_page_answers_each_role_as_the_paper_rules_say(
    client, people, papers, role, asked_for_pdfs
):
    client = client_for(client, people, role)
    for name, kind, _paper, url in paper_cases(papers):
        response = client.get(url)
        assert response.status_code in expected_paper_get(role, name, kind), (role, name, kind)
        if role == "anonymous":
            assert "/sign-in/" in response.url
        if response.status_code == 409:
            assert "That cannot be done" in response.content.decode(), (role, name, kind)


@pytest.mark.parametrize("role", ROLES)
def test_posting_to_any_paper_page_changes_only_what_the_role_may_change(
    client, people, papers, role, asked_for_pdfs
):
    client = client_for(client, people, role)
    user = people[role]
    for name, kind, paper, url in paper_cases(papers):
        with rolled_back():
            before = paper_records()
            response = client.post(url, paper_post_data(name, paper))
            expected = expected_paper_post(role, name, kind)
            assert response.status_code == expected, (role, name, kind, response.status_code)
            if expected == 302 and role != "anonymous":
                assert_done(name, paper, user)
                continue
            if role == "anonymous":
                assert "/sign-in/" in response.url
            if expected == 409:
                assert "That cannot be done" in response.content.decode(), (role, name, kind)
            assert paper_records() == before, (role, name, kind)


def test_an_approver_cannot_approve_return_or_publish_a_paper_they_drafted(
    client, seed_programme, head_of_service, administrator
):
    paper = draft_paper(seed_programme, head_of_service)
    paper_services.submit(paper_id=paper.pk, user=head_of_service)
    client.force_login(head_of_service)
    before = paper_records()
    for step in ["approve", "return"]:
        response = client.post(f"/papers/{paper.pk}/{step}/", {"comment": "My own"})
        assert response.status_code == 403, step
    assert paper_records() == before

    paper_services.approve(paper_id=paper.pk, user=administrator)
    before = paper_records()
    html = client.get(paper.get_absolute_url()).content.decode()
    assert "/publish/" not in html and "/return/" not in html
    for step in ["publish", "return"]:
        response = client.post(f"/papers/{paper.pk}/{step}/", {"comment": "My own"})
        assert response.status_code == 403, step
    assert paper_records() == before


def test_an_invalid_paper_post_gets_a_clear_4xx_page_and_changes_nothing(
    client, papers, officer, head_of_service
):
    client.force_login(head_of_service)
    submitted = papers["submitted"]
    before = paper_records()
    response = client.post(f"/papers/{submitted.pk}/return/", {"comment": "  "})
    assert response.status_code == 400
    assert "Enter what needs changing" in response.content.decode()

    client.force_login(officer)
    draft = papers["draft"]
    stale = {**paper_post_data("edit", draft), "version": draft.version - 1}
    assert client.post(f"/papers/{draft.pk}/edit/", stale).status_code == 409
    adding = {**paper_post_data("edit", draft), "new_heading": "", "new_after": "x"}
    for data in [{}, adding]:
        response = client.post(f"/papers/{draft.pk}/edit/", data)
        assert response.status_code == 400
        assert 'class="govuk-error-summary"' in response.content.decode()
    early = {**paper_post_data("new paper", None), "figures_as_at": "2024-12-30"}
    response = client.post(PROGRAMME_PAGES["new paper"], early)
    assert response.status_code == 400
    assert (
        "Figures as at must be from 31 December 2024 to 5 March 2025" in response.content.decode()
    )
    assert paper_records() == before


def admin_paper_pages(papers):
    meeting = papers["published"].meeting
    rows = {
        "committee": meeting.committee,
        "meeting": meeting,
        "papertemplate": PaperTemplate.objects.get(is_default=True),
        "paper": papers["published"],
        "quarterlock": QuarterLock.objects.get(),
    }
    pages = {}
    for model, row in rows.items():
        pages[f"{model} list"] = f"/admin/actions/{model}/"
        pages[model] = f"/admin/actions/{model}/{row.pk}/change/"
        pages[f"{model} history"] = f"/admin/actions/{model}/{row.pk}/history/"
    return pages


@pytest.mark.parametrize("role", ROLES)
def test_the_paper_models_admin_pages_are_for_staff_only(client, people, papers, role):
    client = client_for(client, people, role)
    for name, url in admin_paper_pages(papers).items():
        response = client.get(url)
        if role in STAFF:
            assert response.status_code == 200, (role, name)
        else:
            assert response.status_code == 302, (role, name)  # to a sign-in page
            assert "/admin/login/" in response.url or "/sign-in/" in response.url


@pytest.mark.parametrize("role", sorted(STAFF))
def test_admin_never_adds_changes_or_deletes_a_published_paper_or_its_lock(
    client, people, papers, role
):
    """The committee record: even a superuser only reads it in admin."""
    client = client_for(client, people, role)
    paper, lock = papers["published"], QuarterLock.objects.get()
    before = paper_records()
    for row in [paper, lock]:
        model = type(row)
        assert client.get(admin_url(model, "add/")).status_code == 403, model
        change = client.get(admin_url(model, f"{row.pk}/change/")).content.decode()
        assert 'name="_save"' not in change, model
        assert client.post(admin_url(model, f"{row.pk}/change/"), {}).status_code == 403
        response = client.post(admin_url(model, f"{row.pk}/delete/"), {"post": "yes"})
        assert response.status_code == 403, model
    assert paper_records() == before


# The forward plan: every reader reads the committees and their meetings; only those with the
# committee and meeting model permissions (Programme administrators) add, change or delete,
# and nobody deletes a meeting that papers are written for.
PLAN_KEEPERS = {"admin", "superuser"}


@pytest.fixture
def plan(papers):
    """The papers' meeting, which they hold in place, and a meeting with no paper."""
    return {
        "held": papers["published"].meeting,
        "free": make_meeting(datetime.date(2025, 6, 18), agenda_item="4"),
    }


def plan_pages(plan):
    held, free = plan["held"], plan["free"]
    return {
        "forward plan": "/committees/",
        "new committee": "/committees/new/",
        "committee edit": f"/committees/{held.committee_id}/edit/",
        "new meeting": "/meetings/new/",
        "meeting edit": f"/meetings/{free.pk}/edit/",
        "meeting delete": f"/meetings/{free.pk}/delete/",
        "delete a meeting with papers": f"/meetings/{held.pk}/delete/",
    }


def plan_post_data(name, plan):
    committee = plan["held"].committee_id
    return {
        "new committee": {"name": "Matrix committee"},
        "committee edit": {"name": "Matrix renamed", "version": plan["held"].committee.version},
        "new meeting": {"committee": committee, "date": "2025-09-10", "agenda_item": "M"},
        "meeting edit": {
            "committee": committee,
            "date": "2025-06-25",
            "agenda_item": "M",
            "version": plan["free"].version,
        },
    }.get(name, {})


def plan_records():
    """Everything a forward plan page could write, and the papers it must not touch."""
    return (
        list(Committee.objects.order_by("pk").values_list()),
        list(Meeting.objects.order_by("pk").values_list()),
        paper_records(),
    )


def expected_plan_get(role, name):
    if role == "anonymous":
        return 302
    if role == "outsider":
        return 403
    if name == "forward plan":
        return 200 if role in READERS else 403
    return 200 if role in PLAN_KEEPERS else 403


def expected_plan_post(role, name):
    """The status a valid-looking POST gets; 302 is the only one that may change anything."""
    if role == "anonymous":
        return 302
    if name == "forward plan":
        return 405  # read-only
    if role not in PLAN_KEEPERS:
        return 403
    return 409 if name == "delete a meeting with papers" else 302


def assert_plan_done(name, plan):
    free = Meeting.objects.filter(pk=plan["free"].pk).first()
    done = {
        "new committee": lambda: Committee.objects.filter(name="Matrix committee").exists(),
        "committee edit": lambda: (
            Committee.objects.get(pk=plan["held"].committee_id).name == "Matrix renamed"
        ),
        "new meeting": lambda: Meeting.objects.filter(date="2025-09-10").exists(),
        "meeting edit": lambda: (free.date, free.agenda_item) == (datetime.date(2025, 6, 25), "M"),
        "meeting delete": lambda: free is None,
    }[name]
    assert done(), name


@pytest.mark.parametrize("role", ROLES)
def test_every_forward_plan_page_answers_each_role_as_its_permissions_say(
    client, people, plan, role
):
    client = client_for(client, people, role)
    for name, url in plan_pages(plan).items():
        response = client.get(url)
        assert response.status_code == expected_plan_get(role, name), (role, name)
        if role == "anonymous":
            assert "/sign-in/" in response.url


@pytest.mark.parametrize("role", ROLES)
def test_posting_to_any_forward_plan_page_changes_only_what_the_role_may_change(
    client, people, plan, role
):
    client = client_for(client, people, role)
    for name, url in plan_pages(plan).items():
        with rolled_back():
            before = plan_records()
            response = client.post(url, plan_post_data(name, plan))
            expected = expected_plan_post(role, name)
            assert response.status_code == expected, (role, name, response.status_code)
            if expected == 302 and role != "anonymous":
                assert_plan_done(name, plan)
                continue
            if role == "anonymous":
                assert "/sign-in/" in response.url
            assert plan_records() == before, (role, name)


# Paper templates (the report families): kept in the app by those who may change them in
# admin (Programme administrators); nobody else reads or changes them there.
TEMPLATE_KEEPERS = {"admin", "superuser"}


@pytest.fixture
def paper_template(db):
    template = PaperTemplate.objects.create(name="Matrix template")
    TemplateSection.objects.create(template=template, heading="Matrix section", position=1)
    return template


def template_pages(template):
    return {
        "templates": "/papers/templates/",
        "new template": "/papers/templates/new/",
        "template edit": f"/papers/templates/{template.pk}/",
    }


def template_post_data(name, template):
    section = template.sections.get()
    return {
        "new template": {"name": "Matrix new", "title_block": "board_update", "audience": "board"},
        "template edit": {
            "version": template.version,
            "name": "Matrix renamed",
            "title_block": "cabinet_member_update",
            "audience": "scrutiny",
            f"{section.pk}-order": "10",
            f"{section.pk}-heading": "Matrix heading",
            f"{section.pk}-kind": "swot",
        },
    }.get(name, {})


def template_records():
    return (
        list(PaperTemplate.objects.order_by("pk").values_list()),
        list(TemplateSection.objects.order_by("pk").values_list()),
    )


def expected_template_status(role, name, method):
    if role == "anonymous":
        return 302
    if method == "post" and name == "templates":
        return 405
    if role not in TEMPLATE_KEEPERS:
        return 403
    return 302 if method == "post" else 200


def assert_template_done(name, template):
    if name == "new template":
        assert PaperTemplate.objects.filter(name="Matrix new", audience="board").exists()
        return
    after = PaperTemplate.objects.get(pk=template.pk)
    assert (after.name, after.title_block) == ("Matrix renamed", "cabinet_member_update")
    assert after.sections.get().kind == "swot"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_only_administrators_keep_paper_templates_and_a_refused_post_changes_nothing(
    client, people, paper_template, role, method
):
    client = client_for(client, people, role)
    for name, url in template_pages(paper_template).items():
        with rolled_back():
            before = template_records()
            if method == "get":
                response = client.get(url)
            else:
                response = client.post(url, template_post_data(name, paper_template))
            expected = expected_template_status(role, name, method)
            assert response.status_code == expected, (role, name, method, response.status_code)
            if role == "anonymous":
                assert "/sign-in/" in response.url
                assert template_records() == before
            elif method == "post" and expected == 302:
                assert_template_done(name, paper_template)
            elif method == "post":
                assert template_records() == before, (role, name)


# KPI figures entered in the browser: the measure's owner (the officer who leads the action,
# "lead") enters; heads of service and administrators approve, never their own entry.
ENTERERS_OF_THE_MEASURE = {"lead"}
HOLDERS_OF_ENTER = {"lead", "other_officer", "head", "admin", "superuser"}
FIGURE_APPROVERS = {"head", "admin", "superuser"}


@pytest.fixture
def entry_pages(officer):
    from kpis import approval as kpi_approval
    from kpis.due import period_ends_before

    kpi = make_kpi("owned", owned_by=officer)
    period = period_ends_before(kpi, datetime.date.today(), 2)
    entry = kpi_approval.enter_figure(
        kpi=kpi, user=officer, period_end=period[1], value=Decimal(40), numerator=None,
        denominator=None, commentary="Matrix", seen_version="none",
    )  # fmt: skip
    # A return imported on the command line (by no one), so every approver may decide on it.
    make_kpi("imported", owned_by=officer)
    data = long_return([["imported", f"{period[1]:%b %Y}", 41, ""]])
    batch = apply_return(batch=store_upload(data=data, file_name="m.xlsx", user=None), user=None)
    return (
        {
            "my measures": "/kpis/mine/",
            "awaiting approval": "/kpis/entries/",
            "entry": f"/kpis/entries/{entry.pk}/",
            "import figures": f"/kpis/entries/import/{batch.pk}/",
            "enter": f"/kpis/owned/enter/?period={period[0]:%Y-%m-%d}",
        },
        entry,
        period[0],
    )


def expected_entry_page(role, name, method):
    if role == "anonymous":
        return 302
    if method == "post" and name in {"my measures", "awaiting approval"}:
        return 405
    allowed = {
        "my measures": HOLDERS_OF_ENTER,
        "awaiting approval": FIGURE_APPROVERS,
        "import figures": FIGURE_APPROVERS,
        "entry": (FIGURE_APPROVERS | ENTERERS_OF_THE_MEASURE)
        if method == "get"
        else FIGURE_APPROVERS,
        "enter": ENTERERS_OF_THE_MEASURE,
    }[name]
    if role not in allowed:
        return 403
    return 200 if method == "get" else 302


def entry_records():
    from kpis.models import KPIEntry, KPIValue

    return (
        list(KPIEntry.objects.order_by("pk").values_list("pk", "state", "value", "entered_by")),
        list(KPIValue.objects.order_by("pk").values_list("pk", "value", "commentary")),
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_figure_entry_page_answers_each_role_as_the_entry_rules_say(
    client, people, entry_pages, role
):
    from kpis.models import KPIEntry, KPIValue

    pages, entry, period = entry_pages
    client = client_for(client, people, role)
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == expected_entry_page(role, name, "get"), (role, name)
        if role == "anonymous":
            assert "/sign-in/" in response.url
        with rolled_back():
            before = entry_records()
            data = {
                "decision": "approve",
                "seen_version": "none" if name == "enter" else f"entry-{entry.pk}",
                "period_end": period.isoformat(),
                "value": "50",
                "commentary": "Forged",
            }
            if name == "entry":
                from kpis.approval import version_of

                data["seen_version"] = version_of(KPIEntry.objects.get(pk=entry.pk), None)
            response = client.post(url, data)
            expected = expected_entry_page(role, name, "post")
            assert response.status_code == expected, (role, name, response.status_code)
            if expected == 302 and role != "anonymous":
                if name == "enter":
                    assert KPIEntry.objects.filter(period_end=period, value=50).exists()
                elif name == "import figures":
                    assert KPIValue.objects.filter(kpi__code="imported", value=41).exists()
                else:
                    assert KPIValue.objects.filter(value=40, commentary="Matrix").exists()
                continue
            assert entry_records() == before, (role, name)


# A large return's steps as background jobs (kpis.importing.background): each job's page and
# JSON status answer exactly those who may see the step's page today, importers for the check
# and the confirmation, approvers for the approval; a POST while a job runs queues nothing.
IMPORTERS = {"admin", "superuser"}


@pytest.fixture
def import_jobs(settings, head_of_service):
    from kpis.importing import background

    settings.KPI_IMPORT_QUEUE_ROWS, settings.TASKS_RUN = 0, "manual"
    make_kpi("imported")
    data = long_return([["imported", "Jan 2025", 41, ""]])
    checking = background.receive_upload(data=data, file_name="c.xlsx", user=None, rows=2, cells=7)
    applied = apply_return(
        batch=store_upload(data=data, file_name="a.xlsx", user=None, rows=2), user=None
    )
    background.start_approve(batch=applied, user=head_of_service, expected=1)
    return {
        "large preview": (f"/kpis/import/{checking.pk}/preview/", IMPORTERS),
        "large preview status": (f"/kpis/import/{checking.pk}/status/", IMPORTERS),
        "large approval": (f"/kpis/entries/import/{applied.pk}/", FIGURE_APPROVERS),
        "large approval status": (f"/kpis/entries/import/{applied.pk}/status/", FIGURE_APPROVERS),
    }


def job_records():
    from django_tasks_db.models import DBTaskResult

    from kpis.models import ImportBatch

    return (
        list(ImportBatch.objects.order_by("pk").values_list("status", "job_id", "job_step")),
        list(DBTaskResult.objects.order_by("pk").values_list("pk", "status")),
        list(KPIEntry.objects.order_by("pk").values_list("state", "decided_by")),
    )


@pytest.mark.parametrize("role", ROLES)
def test_a_large_returns_job_pages_answer_each_role_as_the_steps_pages_do(
    client, people, import_jobs, role
):
    client = client_for(client, people, role)
    for name, (url, allowed) in import_jobs.items():
        response = client.get(url)
        expected = 302 if role == "anonymous" else 200 if role in allowed else 403
        assert response.status_code == expected, (role, name)
        if expected == 200 and name.endswith("status"):
            assert response.json()["status"] == "waiting"
        before = job_records()
        response = client.post(url, {"decision": "approve", "awaiting": 1})
        if role == "anonymous":
            expected = 302
        elif name.endswith("status"):
            expected = 405
        else:
            expected = 409 if role in allowed else 403  # a job still waits: nothing is queued
        assert response.status_code == expected, (role, name, response.status_code)
        assert job_records() == before, (role, name)


# Carrying a programme into next year (actions/carry.py): programme administrators only.
CARRIERS = {"admin", "superuser"}
CARRY_URL = "/programmes/care-programme-2024-25/carry/"


def carry_records():
    """Every programme, action and objective: what a carry writes, or must not."""
    return (
        list(Programme.objects.order_by("pk").values_list()),
        list(Action.objects.order_by("pk").values_list()),
        list(Update.objects.order_by("pk").values_list()),
    )


@pytest.mark.parametrize("role", ROLES)
def test_the_carry_page_answers_each_role_as_its_permissions_say(client, people, action, role):
    response = client_for(client, people, role).get(CARRY_URL)

    expected = 302 if role == "anonymous" else 200 if role in CARRIERS else 403
    assert response.status_code == expected
    if role == "anonymous":
        assert "/sign-in/" in response.url


@pytest.mark.parametrize("role", ROLES)
def test_only_a_programme_administrator_can_carry_a_programme(client, people, action, role):
    client = client_for(client, people, role)
    before = carry_records()

    response = client.post(CARRY_URL, {"name": "Matrix 2025-26", "slug": "matrix-2025-26"})

    if role in CARRIERS:
        assert response.status_code == 302
        assert Programme.objects.filter(slug="matrix-2025-26").exists()
        return
    assert response.status_code == (302 if role == "anonymous" else 403)
    assert carry_records() == before


# People (actions/people/): only programme administrators and superusers see or change
# people; every other role is refused, GET and POST, and a refused POST changes nobody.
PEOPLE_KEEPERS = {"admin", "superuser"}


def people_pages(people):
    return {
        "people": "/people/",
        "new person": "/people/new/",
        "people list": "/people/import/",
        "change role": f"/people/{people['other_officer'].pk}/role/",
        "deactivate": f"/people/{people['other_officer'].pk}/deactivate/",
    }


def people_post_data(name, people):
    if name == "change role":
        return {"role": roles.HEADS_OF_SERVICE}
    if name == "deactivate":
        return {"successor": people["lead"].pk}
    if name == "people list":  # the upload: a preview, which changes nothing
        csv = b"Name,Email,Role\nForged,forged@example.org,Officers\n"
        return {"file": SimpleUploadedFile("people.csv", csv)}
    return {"name": "Forged", "email": "forged@example.org", "role": roles.OFFICERS}


def assert_people_done(name, people):
    done = {
        "new person": lambda: get_user_model().objects.filter(email="forged@example.org").exists(),
        "change role": lambda: (
            [g.name for g in people["other_officer"].groups.all()] == [roles.HEADS_OF_SERVICE]
        ),
        "deactivate": lambda: (
            not get_user_model().objects.get(pk=people["other_officer"].pk).is_active
        ),
    }[name]
    assert done(), name


PEOPLE_READ_ONLY = {"people"}
PEOPLE_PREVIEWS = {"people list"}  # a POST that shows what would change, and changes nothing


def people_records():
    """Everyone, their roles, and what they lead, are delegated and own."""
    from kpis.models import KPI

    return (
        list(get_user_model().objects.order_by("pk").values_list()),
        list(get_user_model().groups.through.objects.order_by("pk").values_list()),
        list(Action.objects.order_by("pk").values_list("pk", "lead_id")),
        list(Action.delegates.through.objects.order_by("pk").values_list()),
        list(KPI.objects.order_by("pk").values_list("pk", "owned_by_id")),
    )


def expected_people_page(role, name, method):
    if role == "anonymous":
        return 302
    if method == "post" and name in PEOPLE_READ_ONLY:
        return 405  # read-only, whoever asks: the method is refused before the role
    if role not in PEOPLE_KEEPERS:
        return 403
    return 302 if method == "post" and name not in PEOPLE_PREVIEWS else 200


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_see_or_change_people_and_a_refused_post_changes_nobody(
    client, people, action, role
):
    client = client_for(client, people, role)
    for name, url in people_pages(people).items():
        response = client.get(url)
        assert response.status_code == expected_people_page(role, name, "get"), (role, name)
        if role == "anonymous":
            assert "/sign-in/" in response.url
        with rolled_back():
            before = people_records()
            response = client.post(url, people_post_data(name, people))
            expected = expected_people_page(role, name, "post")
            assert response.status_code == expected, (role, name, response.status_code)
            if expected == 302 and role != "anonymous":
                assert_people_done(name, people)
                continue
            if role == "anonymous":
                assert "/sign-in/" in response.url
            assert people_records() == before, (role, name)


# Programmes set up in the app: only programme administrators (actions.manage_programmes)
# add or change a programme or its structure; every other role is refused before learning
# anything. The structure page itself is read-only (405 to any POST).
PROGRAMME_KEEPERS = {"admin", "superuser"}


def setup_pages(action):
    mechanism = action.mechanism
    requirement = mechanism.requirement
    objective = requirement.objective
    structure = "/programmes/care-programme-2024-25/structure/"
    return {
        "new programme": "/programmes/new/",
        "programme edit": "/programmes/care-programme-2024-25/edit/",
        "structure": structure,
        "new objective": f"{structure}objectives/new/",
        "objective edit": f"{structure}objectives/{objective.pk}/",
        "new requirement": f"{structure}objectives/{objective.pk}/requirements/new/",
        "requirement edit": f"{structure}requirements/{requirement.pk}/",
        "new mechanism": f"{structure}requirements/{requirement.pk}/mechanisms/new/",
        "mechanism edit": f"{structure}mechanisms/{mechanism.pk}/",
        "new action": f"{structure}mechanisms/{mechanism.pk}/actions/new/",
        "action edit": f"{structure}actions/{action.pk}/",
        "reorder an action": f"{structure}actions/{action.pk}/reorder/",
        "reorder a mechanism": f"{structure}mechanisms/{mechanism.pk}/reorder/",
        "reorder a requirement": f"{structure}requirements/{requirement.pk}/reorder/",
        "reorder an objective": f"{structure}objectives/{objective.pk}/reorder/",
    }


def setup_post_data(name, action):
    programme = Programme.objects.get(slug="care-programme-2024-25")
    mechanism = Mechanism.objects.get(pk=action.mechanism_id)
    requirement = mechanism.requirement
    objective = requirement.objective
    return {
        "new programme": {
            "name": "Matrix programme",
            "slug": "matrix-programme",
            "first_period": "2025-26 Q1",
            "last_period": "2025-26 Q4",
        },
        "programme edit": {
            "name": "Matrix renamed",
            "slug": programme.slug,
            "first_period": programme.first_period.label,
            "last_period": programme.last_period.label,
            "version": programme.version,
            "open_data": "on",  # publishing as open data: administrators only
        },
        "structure": {},
        "new objective": {"title": "Matrix objective", "statement": "Matrix statement"},
        "objective edit": {
            "title": "Matrix objective",
            "statement": "Matrix statement",
            "version": objective.version,
        },
        "new requirement": {"text": "Matrix requirement"},
        "requirement edit": {"text": "Matrix requirement", "version": requirement.version},
        "new mechanism": {"text": "Matrix mechanism"},
        "mechanism edit": {"text": "Matrix mechanism", "version": mechanism.version},
        "new action": {"title": "Matrix action", "due_date": "31/03/2025"},
        "action edit": {
            "title": "Matrix action",
            "version": Action.objects.get(pk=action.pk).version,
        },
        "reorder an action": {"move": _move_for(Action.objects.get(pk=action.pk))},
        "reorder a mechanism": {"move": _move_for(mechanism)},
        "reorder a requirement": {"move": _move_for(requirement)},
        "reorder an objective": {"move": _move_for(objective)},
    }[name]


def _place(part) -> int:
    """The part's place among its siblings, as the structure page orders them."""
    parent = PARENT_FIELD[type(part)]
    siblings = type(part).objects.filter(**{parent: getattr(part, parent)})
    return list(siblings.order_by("position", "pk")).index(part)


def _move_for(part) -> str:
    """A move the part can make: up, unless it is first."""
    return "down" if _place(part) == 0 else "up"


REORDERED_PARTS = {
    "reorder an action": lambda action: Action.objects.get(pk=action.pk),
    "reorder a mechanism": lambda action: Mechanism.objects.get(pk=action.mechanism_id),
    "reorder a requirement": lambda action: (
        Mechanism.objects.get(pk=action.mechanism_id).requirement
    ),
    "reorder an objective": lambda action: (
        Mechanism.objects.get(pk=action.mechanism_id).requirement.objective
    ),
}


def programme_records():
    """Everything a programme set-up page could write."""
    return (
        list(Programme.objects.order_by("pk").values_list()),
        list(Objective.objects.order_by("pk").values_list()),
        list(Requirement.objects.order_by("pk").values_list()),
        list(Mechanism.objects.order_by("pk").values_list()),
        list(Programme.history.order_by("pk").values_list("pk", "name", "slug")),
        list(Objective.history.order_by("pk").values_list("pk", "title")),
        list(Requirement.history.order_by("pk").values_list("pk", "text")),
        list(Mechanism.history.order_by("pk").values_list("pk", "text")),
        list(Action.objects.order_by("pk").values_list()),
        list(Action.delegates.through.objects.order_by("pk").values_list()),
        list(Action.history.order_by("pk").values_list("pk", "title", "lead_id")),
    )


def assert_setup_done(name, action, placed):
    mechanism = Mechanism.objects.get(pk=action.mechanism_id)
    requirement = mechanism.requirement
    done = {
        "new programme": lambda: Programme.objects.filter(slug="matrix-programme").exists(),
        "programme edit": lambda: Programme.objects.filter(
            name="Matrix renamed", open_data_from__isnull=False
        ).exists(),
        "new objective": lambda: Objective.objects.filter(title="Matrix objective").exists(),
        "objective edit": lambda: requirement.objective.title == "Matrix objective",
        "new requirement": lambda: Requirement.objects.filter(text="Matrix requirement").exists(),
        "requirement edit": lambda: requirement.text == "Matrix requirement",
        "new mechanism": lambda: Mechanism.objects.filter(text="Matrix mechanism").exists(),
        "mechanism edit": lambda: mechanism.text == "Matrix mechanism",
        "new action": lambda: Action.objects.filter(title="Matrix action", lead=None).exists(),
        "action edit": lambda: Action.objects.get(pk=action.pk).title == "Matrix action",
    }.get(name)
    if name in REORDERED_PARTS:
        assert _place(REORDERED_PARTS[name](action)) != placed, name
    else:
        assert done(), name


@pytest.mark.parametrize("role", ROLES)
def test_every_programme_setup_page_answers_each_role_as_its_permissions_say(
    client, people, action, role
):
    client = client_for(client, people, role)
    for name, url in setup_pages(action).items():
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302 and "/sign-in/" in response.url, name
        elif name in REORDERED_PARTS:
            assert response.status_code == 405, (role, name)  # POST only
        else:
            expected = 200 if role in PROGRAMME_KEEPERS else 403
            assert response.status_code == expected, (role, name)


@pytest.mark.parametrize("role", ROLES)
def test_posting_to_any_programme_setup_page_changes_only_what_the_role_may_change(
    client, people, action, role
):
    client = client_for(client, people, role)
    for name, url in setup_pages(action).items():
        with rolled_back():
            before = programme_records()
            placed = _place(REORDERED_PARTS[name](action)) if name in REORDERED_PARTS else None
            response = client.post(url, setup_post_data(name, action))
            if role == "anonymous":
                assert response.status_code == 302 and "/sign-in/" in response.url, name
            elif name == "structure":
                assert response.status_code == 405, (role, name)
            elif role in PROGRAMME_KEEPERS:
                assert response.status_code == 302, (role, name, response.status_code)
                assert_setup_done(name, action, placed)
                continue
            else:
                assert response.status_code == 403, (role, name)
            assert programme_records() == before, (role, name)


# Retiring, restoring and deleting a part of the structure (actions/programme_views.py
# change_part): a confirmation page (GET) and the change (POST), for each of the four kinds of
# part. Only programme administrators; every other role is refused before learning anything,
# and a refused post changes nothing. Restoring is tried on a part retired first; deleting on
# a fresh part nothing records (the seeded action has updates: it can only be retired).
RETIRE_CHANGES = ("retire", "restore", "delete")


def _seeded_parts(action):
    mechanism = Mechanism.objects.get(pk=action.mechanism_id)
    return {
        "objectives": mechanism.requirement.objective,
        "requirements": mechanism.requirement,
        "mechanisms": mechanism,
        "actions": Action.objects.get(pk=action.pk),
    }


@pytest.fixture
def fresh_parts(action):
    """A new objective, requirement, mechanism and action, under the action's programme,
    with no updates: each may be deleted."""
    programme = Mechanism.objects.get(pk=action.mechanism_id).requirement.objective.programme
    objective = Objective.objects.create(programme=programme, title="Fresh", statement="Fresh")
    requirement = Requirement.objects.create(objective=objective, text="Fresh")
    mechanism = Mechanism.objects.create(requirement=requirement, text="Fresh")
    fresh = Action.objects.create(mechanism=mechanism, title="Fresh")
    return {
        "objectives": objective,
        "requirements": requirement,
        "mechanisms": mechanism,
        "actions": fresh,
    }


def _retire_cases(action, fresh_parts):
    """(kind, change, part) for every retire, restore and delete URL."""
    seeded = _seeded_parts(action)
    for kind in seeded:
        for change in RETIRE_CHANGES:
            part = fresh_parts[kind] if change == "delete" else seeded[kind]
            yield kind, change, part


def _retire_url(kind, change, part):
    return f"/programmes/care-programme-2024-25/structure/{kind}/{part.pk}/{change}/"


def _changed_as_asked(change, part) -> bool:
    stored = type(part).objects.filter(pk=part.pk).first()
    return {
        "retire": stored is not None and stored.retired_at is not None,
        "restore": stored is not None and stored.retired_at is None,
        "delete": stored is None,
    }[change]


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_retire_restore_or_delete_and_a_refused_post_changes_nothing(
    client, people, action, fresh_parts, role
):
    client = client_for(client, people, role)
    for kind, change, part in _retire_cases(action, fresh_parts):
        url = _retire_url(kind, change, part)
        with rolled_back():
            if change == "restore":
                structure.retire(
                    user=people["admin"],
                    model=type(part),
                    part_id=part.pk,
                    seen_version=type(part).objects.get(pk=part.pk).version,
                )
            response = client.get(url)
            if role == "anonymous":
                assert response.status_code == 302 and "/sign-in/" in response.url, url
            else:
                expected = 200 if role in PROGRAMME_KEEPERS else 403
                assert response.status_code == expected, (role, url)

            before = programme_records()
            version = type(part).objects.get(pk=part.pk).version
            response = client.post(url, {"version": version})
            if role == "anonymous":
                assert response.status_code == 302 and "/sign-in/" in response.url, url
            elif role in PROGRAMME_KEEPERS:
                assert response.status_code == 302, (role, url, response.status_code)
                assert _changed_as_asked(change, part), (role, url)
                continue
            else:
                assert response.status_code == 403, (role, url)
            assert programme_records() == before, (role, url)


# Importing a progress table (actions/table_import/views.py): one page, three requests. GET is
# the form; a POST with a file is the preview (changes nothing); a POST with the preview's token
# confirms. Only programme administrators get any of them; a token is only good for the
# administrator whose preview signed it, so another keeper's confirm is refused too.
TABLE_IMPORT = "/programmes/import/"


def table_upload():
    from tests.table_files import appendix_c_docx
    from tests.test_seed_fixture import SOURCE, parse_appendix_c

    data = appendix_c_docx(parse_appendix_c(SOURCE.read_text(encoding="utf-8")))
    return {
        "file": SimpleUploadedFile("appendix_c.docx", data),
        "name": "Matrix import",
        "slug": "matrix-import",
        "first_period": "2024-25 Q1",
        "last_period": "2024-25 Q4",
        "updates_period": "2024-25 Q3",
    }


def preview_token(client) -> str:
    import re

    page = client.post(TABLE_IMPORT, table_upload()).content.decode()
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_import_a_table_and_a_refused_post_changes_nothing(
    client, people, action, role
):
    admin_client = Client()
    admin_client.force_login(people["admin"])
    admins_token = preview_token(admin_client)
    client = client_for(client, people, role)
    keeper = role in PROGRAMME_KEEPERS
    response = client.get(TABLE_IMPORT)
    if role == "anonymous":
        assert response.status_code == 302 and "/sign-in/" in response.url
    else:
        assert response.status_code == (200 if keeper else 403), role
    before = programme_records()
    for data in (table_upload(), {"token": admins_token}):
        with rolled_back():
            response = client.post(TABLE_IMPORT, data)
            if role == "anonymous":
                assert response.status_code == 302 and "/sign-in/" in response.url
            elif role == "admin" and "token" in data:
                assert response.status_code == 302, response.status_code
                assert Programme.objects.filter(slug="matrix-import").exists()
                continue
            elif role == "superuser" and "token" in data:
                assert response.status_code == 400  # signed for someone else's preview
            else:
                assert response.status_code == (200 if keeper else 403), (role, data.keys())
            assert programme_records() == before, (role, data.keys())
    if role == "superuser":
        with rolled_back():
            own = client.post(TABLE_IMPORT, {"token": preview_token(client)})
            assert own.status_code == 302
            assert Programme.objects.filter(slug="matrix-import").exists()


# The risk register (actions/risks/): every role reads it; administrators add, change and
# import risks; a risk's owner (here the lead officer) and administrators review it. Read-only
# pages answer 405 to any POST; a refused POST changes no risk and no review.
RISK_KEEPERS = {"admin", "superuser"}
RISK_REVIEWERS = {"lead", "admin", "superuser"}  # the owner, and those who keep the register
RISK_READ_ONLY = {"register", "heat map", "risk"}
RISK_PREVIEWS = {"import"}  # an upload shows a preview and changes nothing


@pytest.fixture
def matrix_risk(action, people):
    from tests.risk_factories import make_risk

    risk = make_risk(action.mechanism.requirement.objective.programme, owner=people["lead"])
    risk.mitigating_actions.add(action)
    return risk


def risk_pages(risk):
    base = f"/programmes/{risk.programme.slug}/risks/"
    return {
        "register": base,
        "heat map": f"{base}heat-map/",
        "risk": f"{base}{risk.reference}/",
        "new risk": f"{base}new/",
        "risk edit": f"{base}{risk.pk}/edit/",
        "risk review": f"{base}{risk.pk}/review/",
        "import": f"{base}import/",
    }


def risk_post_data(name, risk, people):
    if name == "risk review":
        return {
            "residual_likelihood": "1",
            "residual_impact": "1",
            "status": "open",
            "note": "Matrix review",
            "next_review_date": "31/03/2099",
            "version": risk.version,
        }
    if name == "import":
        import openpyxl

        book = openpyxl.Workbook()
        book.active.append(
            [
                "Ref",
                "Risk",
                "Owner",
                "Inherent L",
                "Inherent I",
                "Residual L",
                "Residual I",
                "Target",
                "Review date",
            ]
        )
        book.active.append(["M1", "Forged", people["lead"].email, 1, 1, 1, 1, 1, "31/03/2099"])
        data = io.BytesIO()
        book.save(data)
        return {"file": SimpleUploadedFile("register.xlsx", data.getvalue())}
    return {
        "reference": "M1" if name == "new risk" else risk.reference,
        "title": "Matrix risk",
        "owner": people["lead"].pk,
        "inherent_likelihood": "2",
        "inherent_impact": "2",
        "residual_likelihood": "2",
        "residual_impact": "2",
        "target_score": "1",
        "review_date": "31/03/2099",
        "status": "open",
        "version": risk.version if name == "risk edit" else "",
    }


def risk_records():
    from actions.models import Risk, RiskReview

    return (
        list(Risk.objects.order_by("pk").values_list()),
        list(RiskReview.objects.order_by("pk").values_list()),
        list(Risk.mitigating_actions.through.objects.order_by("pk").values_list()),
    )


def assert_risk_done(name, risk):
    from actions.models import Risk, RiskReview

    done = {
        "new risk": lambda: Risk.objects.filter(reference="M1", title="Matrix risk").exists(),
        "risk edit": lambda: Risk.objects.get(pk=risk.pk).title == "Matrix risk",
        "risk review": lambda: RiskReview.objects.filter(note="Matrix review").exists(),
    }[name]
    assert done(), name


def expected_risk_page(role, name, method):
    if role == "anonymous":
        return 302
    if method == "post" and name in RISK_READ_ONLY:
        return 405  # read-only, whoever asks: the method is refused before the role
    if name in RISK_READ_ONLY:
        return 200 if role in READERS else 403
    allowed = RISK_REVIEWERS if name == "risk review" else RISK_KEEPERS
    if role not in allowed:
        return 403
    return 302 if method == "post" and name not in RISK_PREVIEWS else 200


@pytest.mark.parametrize("role", ROLES)
def test_every_risk_page_answers_each_role_and_a_refused_post_changes_nothing(
    client, people, matrix_risk, role
):
    client = client_for(client, people, role)
    for name, url in risk_pages(matrix_risk).items():
        response = client.get(url)
        assert response.status_code == expected_risk_page(role, name, "get"), (role, name)
        if role == "anonymous":
            assert "/sign-in/" in response.url
        with rolled_back():
            before = risk_records()
            response = client.post(url, risk_post_data(name, matrix_risk, people))
            expected = expected_risk_page(role, name, "post")
            assert response.status_code == expected, (role, name, response.status_code)
            if expected == 302 and role != "anonymous":
                assert_risk_done(name, matrix_risk)
                continue
            if role == "anonymous":
                assert "/sign-in/" in response.url
            assert risk_records() == before, (role, name)


@pytest.mark.parametrize("role", ROLES)
def test_the_risk_admin_pages_are_for_staff_and_risks_are_read_only_there(
    client, people, matrix_risk, role
):
    client = client_for(client, people, role)
    pages = [
        "/admin/actions/riskband/",
        "/admin/actions/risk/",
        f"/admin/actions/risk/{matrix_risk.pk}/change/",
        "/admin/actions/riskreview/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == (200 if role in STAFF else 302), (role, url)
    if role in STAFF:
        assert client.get("/admin/actions/risk/add/").status_code == 403
        before = risk_records()
        client.post(f"/admin/actions/risk/{matrix_risk.pk}/change/", {"title": "Forged"})
        assert risk_records() == before


# Personal API tokens (careprog/api/token_views.py): every role keeps its own; a person with no
# role holds none (403); another person's token is 404 to everyone, so a forged revoke changes
# nothing. Each role tries to revoke the lead's token: only the lead may.
TOKEN_HOLDERS = READERS


@pytest.fixture
def lead_token(people):
    from careprog.api.tokens import issue_token

    return issue_token(person=people["lead"], name="The lead's refresh")[0]


def token_pages(token):
    return {
        "tokens": "/account/tokens/",
        "new token": "/account/tokens/new/",
        "revoke token": f"/account/tokens/{token.pk}/revoke/",
    }


def token_records():
    from careprog.models import ApiToken

    return list(ApiToken.objects.order_by("pk").values_list("pk", "person_id", "revoked_at"))


def expected_token_page(role, name, method):
    if role == "anonymous":
        return 302
    if method == "post" and name == "tokens":
        return 405  # the list is read-only, whoever asks
    if role not in TOKEN_HOLDERS:
        return 403
    if name == "revoke token":
        if role != "lead":
            return 404  # not theirs
        return 302 if method == "post" else 200
    return 200  # a new token's secret is the POST's own answer, never a redirect


@pytest.mark.parametrize("role", ROLES)
def test_each_person_keeps_only_their_own_api_tokens_and_a_refused_post_changes_nothing(
    client, people, lead_token, role
):
    client = client_for(client, people, role)
    for name, url in token_pages(lead_token).items():
        response = client.get(url)
        assert response.status_code == expected_token_page(role, name, "get"), (role, name)
        if role == "anonymous":
            assert "/sign-in/" in response.url
        with rolled_back():
            before = token_records()
            response = client.post(url, {"name": "Forged", "days": "90"})
            expected = expected_token_page(role, name, "post")
            assert response.status_code == expected, (role, name, response.status_code)
            after = token_records()
            if name == "new token" and expected == 200:
                assert after[:-1] == before and after[-1][1] == people[role].pk, (role, name)
                continue
            if name == "revoke token" and expected == 302 and role != "anonymous":
                assert after[0][2] is not None, (role, name)
                continue
            if role == "anonymous":
                assert "/sign-in/" in response.url
            assert after == before, (role, name)


# Open data (/open/, actions/open_data/) -------------------------------------------------------
# The same answer for every role and for anyone signed out: open data is for anyone, and
# nothing of a programme not published, nor a paper not published, is there.


@pytest.fixture
def open_data(seed_programme, officer, head_of_service, administrator, monkeypatch, quick_pdfs):
    """The seed programme published as open data with a published and a draft paper, and a
    second programme, not published, with a published paper of its own."""
    set_today(monkeypatch, datetime.date(2025, 2, 10))
    seed_programme.open_data_from = datetime.datetime(2025, 2, 1, tzinfo=datetime.UTC)
    seed_programme.save()
    shown = publish(draft_paper(seed_programme, officer, title="Open paper"), head_of_service)
    draft = draft_paper(
        seed_programme,
        officer,
        title="Draft paper",
        period=ReportingPeriod(2024, 2),
        meeting=make_meeting(date=datetime.date(2024, 11, 20)),
    )
    closed = structure.save_programme(
        user=administrator,
        name="Closed programme",
        slug="closed-programme",
        description="",
        first_period=ReportingPeriod(2024, 3),
        last_period=ReportingPeriod(2024, 3),
    )
    kept = publish(draft_paper(closed, officer, title="Closed paper"), head_of_service)
    base = "/open/care-programme-2024-25/"
    return {
        "open data": ("/open/", 200),
        "open programme": (base, 200),
        "open figures csv": (f"{base}figures.csv", 200),
        "open figures json": (f"{base}figures.json", 200),
        "open paper pdf": (f"{base}papers/{shown.pk}/paper.pdf", 200),
        "open paper docx": (f"{base}papers/{shown.pk}/paper.docx", 200),
        "open paper xlsx": (f"{base}papers/{shown.pk}/appendices.xlsx", 200),
        "open draft pdf": (f"{base}papers/{draft.pk}/paper.pdf", 404),
        "open draft docx": (f"{base}papers/{draft.pk}/paper.docx", 404),
        "another programme's paper": (f"{base}papers/{kept.pk}/paper.pdf", 404),
        "closed programme": ("/open/closed-programme/", 404),
        "closed figures csv": ("/open/closed-programme/figures.csv", 404),
        "closed figures json": ("/open/closed-programme/figures.json", 404),
        "closed paper pdf": (f"/open/closed-programme/papers/{kept.pk}/paper.pdf", 404),
        "unknown programme": ("/open/no-such-programme/", 404),
    }


def open_records():
    return (
        list(Programme.objects.order_by("pk").values_list("pk", "open_data_from", "version")),
        list(Paper.objects.order_by("pk").values_list("pk", "state", "version")),
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_open_data_address_answers_every_role_and_anyone_alike_and_only_to_get(
    client, people, open_data, role
):
    client = client_for(client, people, role)
    for name, (url, status) in open_data.items():
        assert client.get(url).status_code == status, (role, name)
        before = open_records()
        assert client.post(url).status_code == 405, (role, name)
        assert open_records() == before, (role, name)
