"""Password reset by email, and the lockout after repeated failed sign-ins (django-axes).

Axes records attempts in the database, so each test's rollback starts it afresh; the
password-reset counts live in the "throttle" cache, which fresh_throttle_counts clears.
"""

import re

import pytest
from django.conf import settings
from django.core.cache import caches

from tests.conftest import PASSWORD

NEW_PASSWORD = "a-brand-new-test-password"
RESET_LINK = re.compile(r"^http://testserver(/password-reset/[^/\s]+/[^/\s]+/)$", re.MULTILINE)
NONCE = re.compile(r' nonce="[^"]*"')


@pytest.fixture(autouse=True)
def fresh_throttle_counts(db):
    caches["throttle"].clear()
    yield
    caches["throttle"].clear()


def reset_link(mailoutbox):
    """The one link in the one email sent, as a path the test client can follow."""
    assert len(mailoutbox) == 1
    match = RESET_LINK.search(mailoutbox[0].body)
    assert match, f"No reset link in:\n{mailoutbox[0].body}"
    return match.group(1)


def ask_for_reset(client, email):
    return client.post("/password-reset/", {"email": email})


def sign_in(client, username, password):
    return client.post("/sign-in/", {"username": username, "password": password})


def signed_in(client):
    return "_auth_user_id" in client.session


def choose_new_password(client, link, password1, password2):
    """Follows the emailed link (Django swaps the token for a session one) and posts the form."""
    response = client.get(link)
    assert response.status_code == 302
    set_password_url = response.url
    assert set_password_url.endswith("/set-password/")
    return client.post(set_password_url, {"new_password1": password1, "new_password2": password2})


# Password reset


def test_a_known_address_is_emailed_a_link_that_opens_the_new_password_form(
    client, committee_member, mailoutbox
):
    response = ask_for_reset(client, "councillor@example.org")
    assert response.status_code == 302
    assert response.url == "/password-reset/sent/"

    email = mailoutbox[0]
    assert email.to == ["councillor@example.org"]
    assert email.from_email == settings.DEFAULT_FROM_EMAIL
    link = reset_link(mailoutbox)

    response = client.get(link, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-l">Choose a new password</h1>' in html
    assert 'name="new_password1"' in html


def test_the_email_says_which_service_it_is_from_and_that_it_can_be_ignored(
    client, committee_member, mailoutbox
):
    ask_for_reset(client, "councillor@example.org")
    email = mailoutbox[0]
    assert email.subject == f"Reset your {settings.SERVICE_NAME} password"
    assert settings.SERVICE_NAME in email.body
    assert "Your username is councillor." in email.body
    assert "If you did not ask to reset your password, you can ignore this email." in email.body
    assert "stops working after 3 days" in email.body
    assert "&#x27;" not in email.body and "&amp;" not in email.body  # plain text, not escaped
    assert not email.alternatives  # plain text only


def test_the_address_is_matched_whatever_its_capitals(client, committee_member, mailoutbox):
    ask_for_reset(client, "Councillor@Example.ORG")
    assert mailoutbox[0].to == ["councillor@example.org"]


def test_an_unknown_address_gets_the_same_sent_page_and_no_email(
    client, committee_member, mailoutbox
):
    known = ask_for_reset(client, "councillor@example.org")
    unknown = ask_for_reset(client, "nobody@example.org")
    assert len(mailoutbox) == 1  # only the known address's
    assert unknown.status_code == known.status_code == 302
    assert unknown.url == known.url == "/password-reset/sent/"

    page = client.get(unknown.url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "<title>Check your email" in html
    assert "If that email address belongs to a" in html
    assert "nobody@example.org" not in html
    # Byte for byte the same page either way, bar the per-request CSP nonce.
    assert NONCE.sub("", html) == NONCE.sub("", client.get(known.url).content.decode())


def test_the_link_lets_the_user_set_a_new_password_and_sign_in_with_it(
    client, committee_member, mailoutbox
):
    ask_for_reset(client, "councillor@example.org")
    response = choose_new_password(client, reset_link(mailoutbox), NEW_PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert response.url == "/password-reset/done/"
    assert not signed_in(client)  # resetting does not sign you in

    complete = client.get(response.url).content.decode()
    assert "Your password has been changed" in complete
    assert 'href="/sign-in/"' in complete

    assert sign_in(client, "councillor", PASSWORD).status_code == 200
    assert not signed_in(client)
    response = sign_in(client, "councillor", NEW_PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_a_link_works_only_once(client, committee_member, mailoutbox):
    ask_for_reset(client, "councillor@example.org")
    link = reset_link(mailoutbox)
    choose_new_password(client, link, NEW_PASSWORD, NEW_PASSWORD)

    response = client.get(link, follow=True)
    html = response.content.decode()
    assert "This link does not work" in html
    assert 'name="new_password1"' not in html


def test_an_invalid_link_shows_a_clear_message_and_a_way_to_ask_for_another(
    client, committee_member
):
    response = client.get("/password-reset/MQ/not-a-real-token/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>This link does not work" in html
    assert "has expired or has already been used" in html
    assert 'href="/password-reset/"' in html
    assert "<form" not in html.split('id="main-content"')[1]


@pytest.mark.parametrize(
    "url",
    [
        "/password-reset/",
        "/password-reset/sent/",
        "/password-reset/done/",
        "/password-reset/MQ/not-a-real-token/",
    ],
)
def test_the_password_reset_pages_are_open_without_sign_in(client, db, url):
    assert client.get(url).status_code == 200


def test_the_sign_in_page_links_to_password_reset(client, db):
    html = client.get("/sign-in/").content.decode()
    assert '<a class="govuk-link" href="/password-reset/">Forgotten your password?</a>' in html


@pytest.mark.parametrize(
    ("email", "message"),
    [("", "This field is required."), ("not-an-email", "Enter a valid email address.")],
)
def test_a_missing_or_malformed_address_shows_the_error_summary(
    client, db, mailoutbox, email, message
):
    response = ask_for_reset(client, email)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Reset your password" in html
    assert 'data-module="govuk-error-summary"' in html
    assert f'<li><a href="#id_email">{message}</a></li>' in html
    assert 'aria-describedby="id_email-error"' in html
    assert not mailoutbox


def test_mismatched_new_passwords_show_the_error_summary(client, committee_member, mailoutbox):
    ask_for_reset(client, "councillor@example.org")
    response = choose_new_password(
        client, reset_link(mailoutbox), NEW_PASSWORD, NEW_PASSWORD + "-typo"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Choose a new password" in html
    assert 'data-module="govuk-error-summary"' in html
    assert '<li><a href="#id_new_password2">The two password fields didn’t match.</a></li>' in html
    assert "govuk-input--error" in html
    committee_member.refresh_from_db()
    assert committee_member.check_password(PASSWORD)


def test_a_weak_new_password_is_refused_with_the_reason(client, committee_member, mailoutbox):
    ask_for_reset(client, "councillor@example.org")
    response = choose_new_password(client, reset_link(mailoutbox), "12345678", "12345678")
    html = response.content.decode()
    assert "<title>Error: Choose a new password" in html
    assert "This password is entirely numeric." in html


# Lockout after repeated failed sign-ins


def test_five_failed_sign_ins_lock_the_username_out_even_with_the_right_password(
    client, committee_member
):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, "councillor", "wrong")
        assert response.status_code == 200
        assert "<title>Error: Sign in" in response.content.decode()
    # Axes locks out on the failure that reaches the limit, so the fifth already gets the page.
    assert sign_in(client, "councillor", "wrong").status_code == 429

    response = sign_in(client, "councillor", PASSWORD)
    html = response.content.decode()
    assert response.status_code == 429
    assert not signed_in(client)
    assert "<title>You have tried to sign in too many times" in html
    assert "Try again in 15 minutes." in html
    assert 'href="/password-reset/"' in html
    assert "Sign out" not in html  # rendered for nobody signed in
    assert client.get("/programmes/").status_code == 302


def test_a_lockout_is_for_that_username_only(client, committee_member, officer):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "councillor", "wrong")
    assert sign_in(client, "councillor", PASSWORD).status_code == 429

    response = sign_in(client, "olive", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_a_successful_sign_in_before_the_limit_resets_the_count(client, committee_member):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "councillor", "wrong").status_code == 200
    assert sign_in(client, "councillor", PASSWORD).status_code == 302
    client.post("/sign-out/")

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "councillor", "wrong").status_code == 200
    response = sign_in(client, "councillor", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_resetting_the_password_does_not_lift_a_lockout(client, committee_member, mailoutbox):
    """The lockout page says so: a reset is allowed, but the wait still applies."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "councillor", "wrong")
    ask_for_reset(client, "councillor@example.org")
    choose_new_password(client, reset_link(mailoutbox), NEW_PASSWORD, NEW_PASSWORD)

    assert sign_in(client, "councillor", NEW_PASSWORD).status_code == 429
    assert not signed_in(client)
