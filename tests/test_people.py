"""People, in the app: programme administrators see who has which role, what each leads and
owns and when they last signed in; nobody else sees the page."""

import datetime as dt
import html
import io
import re

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from actions.models import Action
from careprog import roles
from tests.conftest import make_user
from tests.factories import make_action, make_programme
from tests.kpi_factories import make_kpi
from tests.paper_pages import text
from tests.risk_factories import make_risk

PEOPLE = "/people/"


@pytest.fixture
def login(db):
    def as_user(user):
        client = Client()
        client.force_login(user)
        return client

    return as_user


def test_an_administrator_sees_each_persons_role_what_they_lead_and_own_and_last_sign_in(
    login, administrator, officer, committee_member
):
    programme = make_programme()
    make_action("Recruit foster carers", programme=programme, lead=officer)
    make_action("Review placements", programme=programme, lead=officer)
    make_kpi("cla-1", owned_by=officer)
    officer.last_login = dt.datetime(2025, 3, 3, 9, 30, tzinfo=dt.UTC)
    officer.save()

    page = text(login(administrator).get(PEOPLE))

    assert "Olive Lead olive@example.org Officers 2 1 3 March 2025, 09:30" in page
    assert "Casey councillor@example.org Committee members 0 0 Never" in page


def test_a_deactivated_person_is_listed_as_deactivated(login, administrator, django_user_model):
    make_user(
        django_user_model,
        "leaver",
        roles.OFFICERS,
        first_name="Lee",
        last_name="Leaver",
        is_active=False,
    )

    page = text(login(administrator).get(PEOPLE))

    assert "Lee Leaver Deactivated leaver@example.org Officers" in page


def test_names_and_emails_are_shown_as_text_never_as_markup(
    login, administrator, django_user_model
):
    make_user(django_user_model, "mallory", first_name="<script>alert(1)</script>")

    html = login(administrator).get(PEOPLE).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_superuser_sees_the_people_page(login, superuser):
    assert login(superuser).get(PEOPLE).status_code == 200


@pytest.mark.parametrize(
    "persona", ["officer", "other_officer", "committee_member", "head_of_service", "outsider"]
)
def test_nobody_but_administrators_sees_the_people_page(login, request, persona):
    response = login(request.getfixturevalue(persona)).get(PEOPLE)

    assert response.status_code == 403
    assert "@example.org" not in response.content.decode()


def test_the_people_page_reads_in_the_same_queries_however_many_people(
    login, administrator, officer, django_user_model, django_assert_num_queries
):
    priya = login(administrator)
    programme = make_programme()

    def read():
        # session, user, the user's and their groups' permissions; the people with their
        # counts, and their roles
        with django_assert_num_queries(6):
            assert priya.get(PEOPLE).status_code == 200

    read()
    for n in range(30):
        person = make_user(django_user_model, f"person{n}", roles.OFFICERS, last_name=f"P{n}")
        make_action(f"Action {n}", programme=programme, lead=person)
        make_kpi(f"m-{n}", owned_by=person)
    read()


def test_the_navigation_offers_people_to_administrators_only(login, administrator, officer):
    assert 'href="/people/"' in login(administrator).get("/").content.decode()
    assert 'href="/people/"' not in login(officer).get("/").content.decode()


NEW = "/people/new/"


def test_an_administrator_adds_a_person_who_is_emailed_a_link_to_set_their_password(
    login, administrator, mailoutbox, django_capture_on_commit_callbacks
):
    priya = login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = priya.post(
            NEW, {"name": "Sam  Smith", "email": "Sam.Smith@council.gov.uk", "role": "Officers"}
        )

    assert response.status_code == 302 and response.url == PEOPLE
    page = text(priya.get(PEOPLE))
    assert "Sam Smith added as Officers, and invited by email to Sam.Smith@council.gov.uk" in page
    assert "Sam Smith Sam.Smith@council.gov.uk Officers 0 0 Never" in page
    [email] = mailoutbox
    assert email.to == ["Sam.Smith@council.gov.uk"]
    assert email.subject == "Set your password for Care programmes"
    assert "Priya Performance has given you an account" in email.body
    assert "Your username is sam.smith." in email.body

    link = re.search(r"https?://[^/\s]+(/password-reset/\S+)", email.body).group(1)
    sam = Client()
    form = sam.get(link, follow=True)
    assert form.status_code == 200
    chosen = "a long new passphrase 42"
    set_it = {"new_password1": chosen, "new_password2": chosen}
    assert sam.post(form.redirect_chain[-1][0], set_it).status_code == 302
    assert get_user_model().objects.get(username="sam.smith").check_password(chosen)


def test_a_given_username_is_kept_and_a_derived_one_never_collides(login, administrator, officer):
    priya = login(administrator)
    priya.post(NEW, {"name": "Olive Two", "email": "olive@elsewhere.org", "role": "Officers"})
    priya.post(
        NEW,
        {"name": "Ann Other", "email": "ann@council.gov.uk", "role": "Officers", "username": "ao"},
    )

    User = get_user_model()
    assert User.objects.get(email="olive@elsewhere.org").username == "olive2"
    assert User.objects.get(email="ann@council.gov.uk").username == "ao"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"name": "Dup", "email": "OLIVE@example.org", "role": "Officers"},
            "Someone already has the email address OLIVE@example.org",
        ),
        (
            {"name": "Dup", "email": "new@example.org", "role": "Officers", "username": "Olive"},
            "Someone already has the username Olive",
        ),
        (
            {"name": "Nobody", "email": "n@example.org", "role": "Emperors"},
            "Choose one of the roles listed",
        ),
        ({"name": "", "email": "not an email", "role": "Officers"}, "Enter the person's name"),
        (
            {"name": "X", "email": "not an email", "role": "Officers"},
            "Enter an email address in the right form",
        ),
    ],
)
def test_bad_input_is_refused_in_an_error_summary_and_adds_nobody(
    login, administrator, officer, mailoutbox, data, message
):
    before = get_user_model().objects.count()

    response = login(administrator).post(NEW, data)

    assert response.status_code == 400
    page = text(response)
    assert page.startswith("Error: Add a person")
    assert f"There is a problem {message}" in page
    assert get_user_model().objects.count() == before
    assert mailoutbox == []


def test_a_person_added_is_not_invited_if_the_save_is_rolled_back(
    administrator, mailoutbox, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from actions.people.services import add_person

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            add_person(name="Ro Back", email="ro@example.org", role="Officers", by=administrator)
            transaction.set_rollback(True)

    assert mailoutbox == []
    assert not get_user_model().objects.filter(email="ro@example.org").exists()


def role_url(person) -> str:
    return f"/people/{person.pk}/role/"


def test_an_administrator_changes_a_persons_role_and_what_they_lead_stays_theirs(
    login, administrator, officer
):
    action = make_action("Recruit foster carers", programme=make_programme(), lead=officer)
    priya = login(administrator)
    assert "selected>Officers</option>" in priya.get(role_url(officer)).content.decode()

    response = priya.post(role_url(officer), {"role": roles.HEADS_OF_SERVICE})

    assert response.status_code == 302
    assert "Olive Lead is now in the role Heads of service" in text(priya.get(PEOPLE))
    assert [g.name for g in officer.groups.all()] == [roles.HEADS_OF_SERVICE]
    action.refresh_from_db()
    assert action.lead == officer


def test_nobody_changes_their_own_role(login, administrator):
    response = login(administrator).post(role_url(administrator), {"role": roles.OFFICERS})

    assert response.status_code == 400
    assert "You cannot change your own role: ask another programme administrator" in text(response)
    assert administrator.groups.get().name == roles.PROGRAMME_ADMINISTRATORS


def test_the_last_active_administrator_keeps_the_role_whoever_asks(administrator, officer):
    """Two administrators demoting each other at once, or a command calling the service,
    would otherwise leave the council with nobody to add the next one."""
    from actions.people.services import PersonRefused, change_role

    with pytest.raises(PersonRefused, match="Priya Performance is the last programme"):
        change_role(person_id=administrator.pk, role=roles.OFFICERS, by=officer)

    assert administrator.groups.get().name == roles.PROGRAMME_ADMINISTRATORS


def test_an_unknown_role_is_refused_by_the_service_too(administrator, officer):
    from actions.people.services import PersonRefused, change_role

    with pytest.raises(PersonRefused, match="“Emperors” is not a role"):
        change_role(person_id=officer.pk, role="Emperors", by=administrator)


def deactivate_url(person) -> str:
    return f"/people/{person.pk}/deactivate/"


@pytest.fixture
def leaver_holdings(officer, other_officer, head_of_service):
    """Olive leads two actions, is a delegate of another (led by Oscar) and of one led by
    Hannah, and owns a measure."""
    programme = make_programme()
    led = [make_action(f"Led {n}", programme=programme, lead=officer) for n in (1, 2)]
    by_oscar = make_action("Oscar's", programme=programme, lead=other_officer)
    by_hannah = make_action("Hannah's", programme=programme, lead=head_of_service)
    by_oscar.delegates.add(officer)
    by_hannah.delegates.add(officer)
    kpi = make_kpi("cla-1", owned_by=officer, name="Children in care")
    return {"led": led, "by_oscar": by_oscar, "by_hannah": by_hannah, "kpi": kpi}


def test_deactivating_a_leaver_previews_what_moves_and_changes_nothing_until_confirmed(
    login, administrator, officer, other_officer, leaver_holdings
):
    priya = login(administrator)
    choose = text(priya.get(deactivate_url(officer)))
    assert "They lead 2 actions, are a delegate of 2 and own 1 measure." in choose

    preview = text(priya.get(deactivate_url(officer), {"successor": other_officer.pk}))

    assert "What moves to Oscar Other" in preview
    assert "Actions they lead: 2 Led 1" in preview
    assert "Actions they are a delegate of: 2" in preview
    assert "Measures they own: 1 cla-1: Children in care" in preview
    officer.refresh_from_db()
    assert officer.is_active
    assert Action.objects.filter(lead=officer).count() == 2


def test_a_leaver_is_deactivated_and_everything_they_held_passes_to_their_successor(
    login, administrator, officer, other_officer, head_of_service, leaver_holdings
):
    priya = login(administrator)
    response = priya.post(deactivate_url(officer), {"successor": other_officer.pk})

    assert response.status_code == 302
    officer.refresh_from_db()
    assert not officer.is_active
    for action in leaver_holdings["led"]:
        action.refresh_from_db()
        assert action.lead == other_officer
        assert action.history.latest().lead_id == other_officer.pk  # in its history
    # Oscar leads this one already: no delegation to himself; Hannah's gets him as delegate
    assert list(leaver_holdings["by_oscar"].delegates.all()) == []
    assert list(leaver_holdings["by_hannah"].delegates.all()) == [other_officer]
    leaver_holdings["kpi"].refresh_from_db()
    assert leaver_holdings["kpi"].owned_by == other_officer
    assert "Olive Lead is deactivated: Oscar Other takes over" in text(priya.get(PEOPLE))
    assert login(officer).get("/").status_code == 302  # signed out: can no longer sign in


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("no successor", "Choose who takes over what Olive Lead leads and owns"),
        ("the leaver", "Choose one of the people listed"),
        ("inactive", "Choose one of the people listed"),
    ],
)
def test_a_deactivation_without_a_successor_who_can_take_over_is_refused_and_moves_nothing(
    login, administrator, officer, django_user_model, leaver_holdings, case, message
):
    gone = make_user(django_user_model, "gone", roles.OFFICERS, is_active=False)
    successor = {"no successor": "", "the leaver": officer.pk, "inactive": gone.pk}[case]
    priya = login(administrator)

    for response in (
        priya.get(deactivate_url(officer), {"successor": successor}),
        priya.post(deactivate_url(officer), {"successor": successor}),
    ):
        assert response.status_code == 400
        assert f"There is a problem {message}" in text(response)
    officer.refresh_from_db()
    assert officer.is_active
    leaver_holdings["kpi"].refresh_from_db()
    assert leaver_holdings["kpi"].owned_by == officer


def test_nobody_deactivates_themselves(login, administrator, officer):
    response = login(administrator).post(deactivate_url(administrator), {"successor": officer.pk})

    assert response.status_code == 400
    assert "You cannot deactivate yourself: ask another programme administrator" in text(response)
    administrator.refresh_from_db()
    assert administrator.is_active


def test_the_last_active_administrator_is_never_deactivated(administrator, officer):
    from actions.people.services import PersonRefused, deactivate

    with pytest.raises(PersonRefused, match="Priya Performance is the last programme"):
        deactivate(person_id=administrator.pk, successor_id=officer.pk, by=officer)

    administrator.refresh_from_db()
    assert administrator.is_active


def test_a_deactivation_that_fails_part_way_moves_nothing(
    administrator, officer, other_officer, leaver_holdings, monkeypatch
):
    from actions.people.services import deactivate
    from kpis.models import KPI

    def broken_save(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(KPI, "save", broken_save)
    with pytest.raises(RuntimeError):
        deactivate(person_id=officer.pk, successor_id=other_officer.pk, by=administrator)

    officer.refresh_from_db()
    assert officer.is_active
    for action in leaver_holdings["led"]:
        action.refresh_from_db()
        assert action.lead == officer
    assert officer in leaver_holdings["by_hannah"].delegates.all()


IMPORT = "/people/import/"


def upload(client, content: bytes, name: str):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, content)})


def people_xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_administrator_adds_people_from_an_excel_list_after_a_preview(
    login, administrator, mailoutbox, django_capture_on_commit_callbacks
):
    data = people_xlsx(
        [
            ["Staff list, children's services"],
            ["Role", "E-mail address", "Full name"],  # any order, any case
            ["officer", "ann@council.gov.uk", "Ann Able"],
            ["Heads of service", "ben@council.gov.uk", "Ben Brown"],
        ]
    )
    priya = login(administrator)

    preview = upload(priya, data, "staff.xlsx")

    page = text(preview)
    assert preview.status_code == 200
    assert "row 3 Ann Able ann@council.gov.uk Officers None" in page
    assert "row 4 Ben Brown ben@council.gov.uk Heads of service None" in page
    assert not get_user_model().objects.filter(email="ann@council.gov.uk").exists()
    signed = re.search(r'name="people" value="([^"]+)"', preview.content.decode()).group(1)

    with django_capture_on_commit_callbacks(execute=True):
        done = priya.post(IMPORT, {"people": html.unescape(signed)})

    assert done.status_code == 302
    assert "2 people added and invited by email" in text(priya.get(PEOPLE))
    assert get_user_model().objects.get(email="ben@council.gov.uk").groups.get().name == (
        roles.HEADS_OF_SERVICE
    )
    invited = sorted(email.to[0] for email in mailoutbox)
    assert invited == ["ann@council.gov.uk", "ben@council.gov.uk"]


def test_a_csv_list_with_problems_shows_each_rows_problems_and_adds_nobody(
    login, administrator, officer
):
    data = (
        b"Name,Email,Role\n"
        b"Cat Cole,cat@council.gov.uk,Officers\n"
        b",not-an-email,Emperor\n"
        b"Dup,OLIVE@example.org,Officers\n"
        b"Cat Again,cat@council.gov.uk,Officers\n"
    )

    page = text(upload(login(administrator), data, "people.csv"))

    assert "row 2 Cat Cole cat@council.gov.uk Officers None" in page
    assert (
        "row 3 not-an-email Emperor The name is empty; “not-an-email” is not an email address; "
        "“Emperor” is not a role" in page
    )
    assert "Someone already has the email address OLIVE@example.org" in page
    assert "The email address is also on row 2" in page
    assert "Nobody is added until every row can be" in page
    assert 'name="people"' not in page
    assert not get_user_model().objects.filter(email="cat@council.gov.uk").exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.xls", "legacy .xls"),
        (b"Person,Address\nA,b@c.org\n", "people.csv", "No heading row names the columns"),
    ],
)
def test_a_file_that_is_not_a_list_of_people_is_refused_with_a_sentence(
    login, administrator, content, name, message
):
    response = upload(login(administrator), content, name)

    assert response.status_code == 400
    assert message in text(response)


def test_a_tampered_or_stale_confirmation_adds_nobody(login, administrator):
    response = login(administrator).post(IMPORT, {"people": "forged:value"})

    assert response.status_code == 400
    assert "The preview is too old: upload the list again" in text(response)


def test_a_list_confirmed_after_one_of_its_people_was_added_elsewhere_adds_nobody(
    login, administrator, django_user_model
):
    priya = login(administrator)
    csv = (
        b"Name,Email,Role\n"
        b"Eve Early,eve@council.gov.uk,Officers\n"
        b"Fay Late,fay@council.gov.uk,Officers\n"
    )
    preview = upload(priya, csv, "people.csv")
    signed = re.search(r'name="people" value="([^"]+)"', preview.content.decode()).group(1)
    django_user_model.objects.create_user(username="fay", email="fay@council.gov.uk")

    response = priya.post(IMPORT, {"people": html.unescape(signed)})

    assert response.status_code == 400
    assert (
        "Nobody was added: row 3: Someone already has the email address fay@council.gov.uk"
        in text(response)
    )
    assert not get_user_model().objects.filter(email="eve@council.gov.uk").exists()


def test_an_invitee_whose_link_ran_out_can_ask_for_a_new_one_on_the_sign_in_page(
    login, administrator, mailoutbox, django_capture_on_commit_callbacks
):
    login(administrator).post(
        NEW, {"name": "Gus Gone", "email": "gus@council.gov.uk", "role": "Officers"}
    )

    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/password-reset/", {"email": "gus@council.gov.uk"})

    assert [email.to for email in mailoutbox] == [["gus@council.gov.uk"]]
    assert "Reset your Care programmes password" in mailoutbox[0].body


def test_a_leavers_preview_reads_in_the_same_queries_however_much_they_hold(
    login, administrator, officer, other_officer, django_assert_num_queries
):
    priya = login(administrator)
    programme = make_programme()
    url = deactivate_url(officer)

    def read():
        # session, user, permissions (2); the leaver and their roles; the successor chosen;
        # the actions they lead, are a delegate of, the measures and the risks they own;
        # whether the leaver is an administrator (the last may not leave)
        with django_assert_num_queries(12):
            assert priya.get(url, {"successor": other_officer.pk}).status_code == 200

    read()
    for n in range(20):
        make_action(f"Led {n}", programme=programme, lead=officer).delegates.add(other_officer)
        make_action(f"Helped {n}", programme=programme, lead=other_officer).delegates.add(officer)
        make_kpi(f"m-{n}", owned_by=officer)
        make_risk(programme, owner=officer, reference=f"R{n}")
    read()


def test_a_leaver_s_risks_pass_to_their_successor_and_the_preview_lists_them(
    login, administrator, officer, other_officer
):
    priya = login(administrator)
    risk = make_risk(make_programme("Staying Safe"), owner=officer, reference="R1", title="Delays")
    preview = text(priya.get(deactivate_url(officer), {"successor": other_officer.pk}))
    assert "Risks they own: 1 R1: Delays (Staying Safe)" in preview

    priya.post(deactivate_url(officer), {"successor": other_officer.pk})

    risk.refresh_from_db()
    assert risk.owner == other_officer
    assert risk.history.first().owner_id == other_officer.pk
