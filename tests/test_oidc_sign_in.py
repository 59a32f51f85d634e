"""Signing in with the council's own accounts: a real OpenID Connect provider on loopback
(tests/oidc_provider.py), driven through careprog's pages with Django's test client.

Roles follow the person's groups at the provider at every sign-in; accounts are matched by
the provider's subject, or joined to an existing account by a verified email; and every
answer from the provider that cannot be trusted signs no one in and gets a 4xx page.
"""

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from careprog import roles
from careprog.models import OIDCIdentity
from careprog.oidc.backend import CouncilAccountBackend
from careprog.oidc.provider import forget
from tests.conftest import PASSWORD
from tests.oidc_provider import (
    CLIENT_ID,
    COMMITTEE_GROUP,
    OFFICERS_GROUP,
    PROVIDER_NAME,
    callback_path,
    query_of,
    running_provider,
    short_lived,
    sign_in_through,
    start_sign_in,
    turn_on,
)

pytestmark = pytest.mark.django_db

User = get_user_model()


def signed_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def role_names(user):
    return set(user.groups.filter(name__in=roles.ROLES).values_list("name", flat=True))


def assert_refused(response, status):
    assert response.status_code == status
    assert "You have not been signed in" in response.content.decode()


# Roles from groups


def test_a_person_whose_groups_map_to_officers_signs_in_as_an_officer(client, single_sign_on):
    sub = single_sign_on.new_person(
        email="olu@wirral.example", email_verified=True, name="Olu Adeyemi",
        groups=[OFFICERS_GROUP, "some-other-group"],
    )  # fmt: skip

    response = sign_in_through(client, single_sign_on, sub)

    assert response.status_code == 302 and response.url == "/"
    user = signed_in_user(client)
    assert role_names(user) == {"Officers"}
    assert (user.email, user.first_name, user.last_name) == ("olu@wirral.example", "Olu", "Adeyemi")
    assert user.has_perm("actions.add_update")
    assert not user.has_usable_password()
    assert OIDCIdentity.objects.get(user=user).subject == sub


def test_when_their_groups_change_at_the_provider_the_next_sign_in_makes_them_committee_only(
    client, single_sign_on
):
    sub = single_sign_on.new_person(email="mo@wirral.example", groups=[OFFICERS_GROUP])
    sign_in_through(client, single_sign_on, sub)
    officer = signed_in_user(client)
    client.post("/sign-out/")

    single_sign_on.set_person(sub, email="mo@wirral.example", groups=[COMMITTEE_GROUP])
    sign_in_through(client, single_sign_on, sub)

    again = signed_in_user(client)
    assert again.pk == officer.pk
    assert role_names(again) == {"Committee members"}
    assert User.objects.filter(oidc_identities__subject=sub).count() == 1


def test_a_person_in_no_mapped_group_is_signed_in_with_no_role_and_asked_to_get_one(
    client, single_sign_on
):
    sub = single_sign_on.new_person(email="new@wirral.example", groups=["finance"])

    sign_in_through(client, single_sign_on, sub)

    user = signed_in_user(client)
    assert role_names(user) == set()
    home = client.get("/").content.decode()
    assert "Your account has not been given a role yet" in home
    # Roles follow the council's groups, so the note says where they are given.
    assert "roles here follow your groups in" in home
    assert "sign out and sign in again" in home


def test_roles_given_by_hand_are_taken_away_when_the_groups_no_longer_map_to_them(
    client, single_sign_on
):
    sub = single_sign_on.new_person(email="sam@wirral.example", groups=[COMMITTEE_GROUP])
    sign_in_through(client, single_sign_on, sub)
    user = signed_in_user(client)
    user.groups.add(Group.objects.get(name=roles.PROGRAMME_ADMINISTRATORS))
    client.post("/sign-out/")

    sign_in_through(client, single_sign_on, sub)

    assert role_names(signed_in_user(client)) == {"Committee members"}


def test_without_a_mapping_sign_in_leaves_roles_as_the_administrators_set_them(
    client, single_sign_on, settings
):
    settings.OIDC_ROLE_GROUPS = {}
    sub = single_sign_on.new_person(email="kim@wirral.example", groups=[OFFICERS_GROUP])
    sign_in_through(client, single_sign_on, sub)
    user = signed_in_user(client)
    assert role_names(user) == set()
    user.groups.add(Group.objects.get(name=roles.HEADS_OF_SERVICE))
    client.post("/sign-out/")

    sign_in_through(client, single_sign_on, sub)

    assert role_names(signed_in_user(client)) == {"Heads of service"}


# Accounts


def test_an_existing_account_with_the_same_verified_email_is_linked_not_duplicated(
    client, single_sign_on, officer
):
    sub = single_sign_on.new_person(
        email=officer.email.upper(), email_verified=True, groups=[OFFICERS_GROUP]
    )
    accounts = User.objects.count()

    sign_in_through(client, single_sign_on, sub)

    assert signed_in_user(client).pk == officer.pk
    assert User.objects.count() == accounts
    assert OIDCIdentity.objects.get(subject=sub).user == officer


def test_an_existing_account_is_never_linked_on_an_unverified_email(
    client, single_sign_on, officer
):
    sub = single_sign_on.new_person(email=officer.email, groups=[OFFICERS_GROUP])
    accounts = User.objects.count()

    response = sign_in_through(client, single_sign_on, sub)

    assert_refused(response, 403)
    assert "Ask the service's administrator to link your account" in response.content.decode()
    assert signed_in_user(client) is None
    assert User.objects.count() == accounts and not OIDCIdentity.objects.exists()


def test_name_and_email_are_kept_current_from_the_provider(client, single_sign_on):
    sub = single_sign_on.new_person(email="pat@wirral.example", given_name="Pat", family_name="Lee")
    sign_in_through(client, single_sign_on, sub)
    client.post("/sign-out/")

    single_sign_on.set_person(
        sub, email="pat.lee@wirral.example", given_name="Patricia", family_name="Lee-Smith"
    )
    sign_in_through(client, single_sign_on, sub)

    user = signed_in_user(client)
    assert (user.email, user.first_name, user.last_name) == (
        "pat.lee@wirral.example",
        "Patricia",
        "Lee-Smith",
    )


def test_a_deactivated_account_cannot_sign_in_through_the_provider(client, single_sign_on):
    sub = single_sign_on.new_person(email="left@wirral.example", groups=[OFFICERS_GROUP])
    sign_in_through(client, single_sign_on, sub)
    client.post("/sign-out/")
    User.objects.filter(oidc_identities__subject=sub).update(is_active=False)

    response = sign_in_through(client, single_sign_on, sub)

    assert_refused(response, 403)
    assert "deactivated" in response.content.decode()
    assert signed_in_user(client) is None


# The request to the provider


def test_the_request_to_the_provider_carries_state_nonce_and_an_s256_pkce_challenge(
    client, single_sign_on
):
    params = query_of(start_sign_in(client))

    assert params["client_id"] == CLIENT_ID
    assert params["redirect_uri"] == "http://testserver/oidc/callback/"
    assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert set(params["scope"].split()) >= {"openid", "email", "profile"}


def test_signing_in_returns_the_person_to_the_page_they_asked_for(client, single_sign_on):
    sub = single_sign_on.new_person(email="ray@wirral.example", groups=[OFFICERS_GROUP])
    back = single_sign_on.authorize(start_sign_in(client, "/actions/mine/"), sub)

    assert client.get(callback_path(back)).url == "/actions/mine/"


# Forged, replayed and expired answers


def test_a_callback_with_a_state_this_browser_never_started_signs_no_one_in(client, single_sign_on):
    sub = single_sign_on.new_person(email="x@wirral.example", groups=[OFFICERS_GROUP])
    back = query_of(single_sign_on.authorize(start_sign_in(client), sub))

    response = client.get("/oidc/callback/", {"code": back["code"], "state": "forged-state"})

    assert_refused(response, 400)
    assert signed_in_user(client) is None


def test_a_code_the_provider_never_issued_signs_no_one_in(client, single_sign_on):
    state = query_of(start_sign_in(client))["state"]

    response = client.get("/oidc/callback/", {"code": "forged-code", "state": state})

    assert_refused(response, 400)
    assert signed_in_user(client) is None


def test_a_callback_replayed_after_use_signs_no_one_in(client, single_sign_on):
    sub = single_sign_on.new_person(email="y@wirral.example", groups=[OFFICERS_GROUP])
    back = callback_path(single_sign_on.authorize(start_sign_in(client), sub))
    assert client.get(back).status_code == 302
    client.post("/sign-out/")

    response = client.get(back)

    assert_refused(response, 400)
    assert signed_in_user(client) is None


def test_an_id_token_signed_by_another_key_signs_no_one_in(client, single_sign_on, monkeypatch):
    """The token answer is tampered with in flight: the same claims, signed by a key that
    the provider never published."""
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    exchange = CouncilAccountBackend.get_token

    def resigned(backend, payload):
        tokens = exchange(backend, payload)
        claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
        tokens["id_token"] = jwt.encode(claims, stranger, algorithm="RS256")
        return tokens

    monkeypatch.setattr(CouncilAccountBackend, "get_token", resigned)
    sub = single_sign_on.new_person(email="z@wirral.example", groups=[OFFICERS_GROUP])

    response = sign_in_through(client, single_sign_on, sub)

    assert_refused(response, 400)
    assert signed_in_user(client) is None and not OIDCIdentity.objects.exists()


def test_an_id_token_for_another_client_signs_no_one_in(client, single_sign_on, settings):
    sub = single_sign_on.new_person(email="w@wirral.example", groups=[OFFICERS_GROUP])
    authorize = start_sign_in(client).replace(CLIENT_ID, "another-service")
    back = single_sign_on.authorize(authorize, sub)

    response = client.get(callback_path(back))

    assert_refused(response, 400)
    assert signed_in_user(client) is None


def test_an_expired_id_token_signs_no_one_in(client, settings):
    with running_provider(**short_lived(-600)) as provider:
        turn_on(settings, provider.issuer)
        sub = provider.new_person(email="old@wirral.example", groups=[OFFICERS_GROUP])

        response = sign_in_through(client, provider, sub)

    forget()
    assert_refused(response, 400)
    assert signed_in_user(client) is None


def test_a_person_who_cancels_at_the_provider_gets_the_refusal_page(client, single_sign_on):
    state = query_of(start_sign_in(client))["state"]

    response = client.get("/oidc/callback/", {"error": "access_denied", "state": state})

    assert_refused(response, 403)


def test_entra_ids_group_overage_is_refused_rather_than_taking_every_role_away(
    client, single_sign_on
):
    sub = single_sign_on.new_person(
        email="many@wirral.example",
        _claim_names={"groups": "src1"},
        _claim_sources={"src1": {"endpoint": "https://graph.microsoft.com/"}},
    )

    response = sign_in_through(client, single_sign_on, sub)

    assert_refused(response, 403)
    assert "too many" in response.content.decode()


# When the provider cannot be reached


def test_when_discovery_fails_the_sign_in_page_says_so_and_passwords_still_work(
    client, settings, officer
):
    turn_on(settings, "http://localhost:9")  # nothing listens on the discard port

    page = client.get("/sign-in/")
    start = client.get("/oidc/authenticate/")

    forget()
    assert page.status_code == 200
    assert f"Signing in with {PROVIDER_NAME} is not available" in page.content.decode()
    assert start.status_code == 503
    assert client.post("/sign-in/", {"username": "olive", "password": PASSWORD}).status_code == 302


def test_without_an_issuer_the_provider_pages_do_not_exist_and_sign_in_is_as_before(client):
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/", {"code": "c", "state": "s"}).status_code == 404
    page = client.get("/sign-in/").content.decode()
    assert 'name="password"' in page and "Sign in with" not in page


# Signing out


def test_signing_out_ends_the_session_and_signs_out_at_the_provider(client, single_sign_on):
    sub = single_sign_on.new_person(email="bye@wirral.example", groups=[OFFICERS_GROUP])
    sign_in_through(client, single_sign_on, sub)
    id_token = client.session["oidc_id_token"]

    response = client.post("/sign-out/")

    assert signed_in_user(client) is None
    assert response.url.startswith(f"{single_sign_on.issuer}/oauth2/end_session?")
    assert query_of(response.url) == {
        "id_token_hint": id_token,
        "post_logout_redirect_uri": "http://testserver/sign-in/",
        "client_id": CLIENT_ID,
    }
    ended = requests.get(response.url, timeout=5)
    assert ended.status_code == 200


def test_a_password_user_signs_out_locally_only(client, single_sign_on, officer):
    client.post("/sign-in/", {"username": "olive", "password": PASSWORD})

    assert client.post("/sign-out/").url == "/sign-in/"


# Local passwords off


def test_with_local_passwords_off_the_sign_in_page_offers_only_the_provider(client, provider_only):
    page = client.get("/sign-in/").content.decode()

    assert f"Sign in with {PROVIDER_NAME}" in page
    assert 'name="password"' not in page
    assert 'href="/sign-in/?with=password"' in page


def test_with_local_passwords_off_an_officers_password_is_refused(client, provider_only, officer):
    response = client.post("/sign-in/", {"username": "olive", "password": PASSWORD})

    assert response.status_code == 200
    assert f"Sign in with {PROVIDER_NAME}: passwords are kept" in response.content.decode()
    assert 'class="govuk-error-summary"' in response.content.decode()
    assert signed_in_user(client) is None


def test_with_local_passwords_off_a_superuser_can_still_sign_in_with_a_password(
    client, provider_only, superuser
):
    page = client.get("/sign-in/", {"with": "password"}).content.decode()
    assert 'name="password"' in page

    response = client.post("/sign-in/", {"username": "root", "password": PASSWORD})

    assert response.status_code == 302
    assert signed_in_user(client) == superuser


def test_with_local_passwords_off_django_admins_own_sign_in_is_no_way_round(
    client, provider_only, administrator, superuser
):
    refused = client.post(
        "/admin/login/", {"username": administrator.username, "password": PASSWORD}
    )
    assert refused.status_code == 200 and signed_in_user(client) is None
    assert "passwords are kept for the service" in refused.content.decode()

    client.post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert signed_in_user(client) == superuser


def test_with_local_passwords_off_password_reset_emails_only_the_emergency_account(
    client, provider_only, officer, superuser, mailoutbox
):
    """A password set now could not be used: an officer asking for one gets the same "sent"
    page as anyone, and no email; the superuser's break-glass account still can."""
    response = client.post("/password-reset/", {"email": officer.email})
    assert response.status_code == 302
    assert mailoutbox == []

    client.post("/password-reset/", {"email": superuser.email})
    assert [message.to for message in mailoutbox] == [[superuser.email]]


@pytest.mark.parametrize(
    ("fixture", "offers_password"), [("single_sign_on", True), ("provider_only", False)]
)
def test_a_new_persons_invitation_says_to_sign_in_with_the_councils_account(
    request,
    client,
    administrator,
    mailoutbox,
    django_capture_on_commit_callbacks,
    fixture,
    offers_password,
):
    request.getfixturevalue(fixture)
    client.force_login(administrator)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/people/new/",
            {"name": "Sam Smith", "email": "sam@example.org", "role": roles.OFFICERS},
        )

    [invitation] = mailoutbox
    assert f'choose "Sign in with {PROVIDER_NAME}"' in invitation.body
    assert "/sign-in/" in invitation.body
    assert ("/password-reset/" in invitation.body) is offers_password


def test_the_guide_and_the_role_page_say_that_roles_follow_the_councils_groups(
    client, single_sign_on, administrator, officer
):
    guide = client.get("/help/").content.decode()
    assert f"Select “Sign in with {PROVIDER_NAME}”" in guide
    client.force_login(administrator)

    role_page = client.get(f"/people/{officer.pk}/role/")

    assert role_page.status_code == 200
    assert "Roles follow the council's groups" in role_page.content.decode()


# What a sign-in costs


@pytest.mark.parametrize("groups", [1, 40])
def test_a_returning_persons_sign_in_costs_the_same_whatever_their_groups(
    client, single_sign_on, django_assert_num_queries, groups
):
    names = [OFFICERS_GROUP] + [f"other-{n}" for n in range(groups - 1)]
    sub = single_sign_on.new_person(email="q@wirral.example", name="Quinn Q", groups=names)
    sign_in_through(client, single_sign_on, sub)
    client.post("/sign-out/")
    back = callback_path(single_sign_on.authorize(start_sign_in(client), sub))

    # The session (3), django-axes' lock-out checks (3) and its sign-in log (3), the
    # identity and its last sign-in (2), the roles held (1), last_login (1), savepoints.
    with django_assert_num_queries(22):
        assert client.get(back).status_code == 302


def test_entra_ids_verified_email_domain_claim_also_links_an_existing_account(
    client, single_sign_on, officer
):
    sub = single_sign_on.new_person(email=officer.email, xms_edov=True, groups=[OFFICERS_GROUP])

    sign_in_through(client, single_sign_on, sub)

    assert signed_in_user(client).pk == officer.pk


def test_an_administrator_links_an_account_the_provider_could_not_vouch_for(
    client, single_sign_on, officer, administrator
):
    sub = single_sign_on.new_person(email=officer.email, groups=[OFFICERS_GROUP])
    assert sign_in_through(client, single_sign_on, sub).status_code == 403
    client.force_login(administrator)
    added = client.post(
        "/admin/careprog/oidcidentity/add/",
        {"user": officer.pk, "issuer": single_sign_on.issuer, "subject": sub},
    )
    assert added.status_code == 302
    client.post("/sign-out/")

    sign_in_through(client, single_sign_on, sub)

    assert signed_in_user(client).pk == officer.pk
