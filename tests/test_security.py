"""Every request's safeguards: pages read data, and nothing writes except sign-in and
sign-out, which need CSRF; signed-in responses are never cached; sessions end when idle;
passwords are long; cookies are host-only under HTTPS; oversized requests are refused
unread."""

import datetime as dt
import io
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone

from careprog.management.commands.setup_demo import DEMO_PASSWORD
from tests.conftest import PASSWORD

READ_ONLY_PAGES = [
    "/",
    "/programmes/",
    "/programmes/care-programme-2024-25/report/",
    "/programmes/care-programme-2024-25/report/2024-25-q3/",
]


@pytest.mark.parametrize("url", READ_ONLY_PAGES)
def test_posting_to_a_read_only_page_is_refused_not_an_error(member_client, seed_programme, url):
    assert member_client.post(url).status_code == 405


@pytest.mark.parametrize("url", READ_ONLY_PAGES)
def test_anonymous_posts_are_sent_to_sign_in(client, seed_programme, url):
    response = client.post(url)
    assert response.status_code == 302
    assert response.url.startswith("/sign-in/")


def test_sign_in_without_the_csrf_token_is_refused(committee_member):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/sign-in/", {"username": "councillor", "password": "a-long-test-password"}
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_sign_out_is_a_post_and_ends_the_session(member_client):
    assert member_client.get("/sign-out/").status_code == 405
    response = member_client.post("/sign-out/")
    assert response.status_code == 302
    assert member_client.get("/programmes/").status_code == 302


def test_the_server_error_page_renders_without_a_request():
    html = render_to_string("500.html")
    assert "Sorry, there is a problem with the service" in html


# Signed-in responses are never kept by a cache.

SIGNED_IN_RESPONSES = [
    "/",
    "/programmes/",
    "/programmes/care-programme-2024-25/report/2024-25-q3/",
    "/actions/?export=csv",
    "/actions/?export=xlsx",
    "/kpis/",
    "/kpis/import/template.xlsx",
    "/admin/",
]


@pytest.mark.parametrize("url", SIGNED_IN_RESPONSES)
def test_no_page_export_or_download_of_a_signed_in_user_is_stored(
    client, administrator, seed_programme, url
):
    client.force_login(administrator)
    response = client.get(url)
    assert response.status_code == 200
    assert {"no-store", "private"} <= set(re.split(r",\s*", response["Cache-Control"]))


# Sessions end after an idle hour (SESSION_IDLE_MINUTES); activity keeps them open.


class Clock:
    """Moves timezone.now, which sessions read to decide whether they have expired."""

    def __init__(self, monkeypatch):
        self.offset = dt.timedelta()
        real_now = timezone.now
        monkeypatch.setattr(timezone, "now", lambda: real_now() + self.offset)

    def advance(self, minutes):
        self.offset += dt.timedelta(minutes=minutes)


def _sign_in(client, username):
    response = client.post("/sign-in/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, "signed in"


def test_a_session_idle_for_over_an_hour_is_signed_out(client, committee_member, monkeypatch):
    clock = Clock(monkeypatch)
    _sign_in(client, "councillor")
    assert client.get("/programmes/").status_code == 200
    clock.advance(61)
    response = client.get("/programmes/")
    assert response.status_code == 302
    assert response.url.startswith("/sign-in/")


def test_each_request_extends_the_session_so_a_working_officer_stays_signed_in(
    client, committee_member, monkeypatch
):
    clock = Clock(monkeypatch)
    _sign_in(client, "councillor")
    for _ in range(4):  # three hours in all, never an hour idle
        clock.advance(45)
        response = client.get("/programmes/")
        assert response.status_code == 200
        assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 3600


# Passwords of at least 12 characters.


def test_a_password_shorter_than_twelve_characters_is_refused(client, superuser):
    client.force_login(superuser)
    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "newofficer",
            "usable_password": "true",
            "password1": "Tr1cky-pass",  # eleven characters
            "password2": "Tr1cky-pass",
        },
    )
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    assert not User.objects.filter(username="newofficer").exists()


def test_the_demo_and_test_passwords_are_long_enough():
    for password in (DEMO_PASSWORD, PASSWORD):
        validate_password(password)
    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("Tr1cky-pass")


# The session and CSRF cookies are __Host- cookies under HTTPS.


def test_over_https_the_session_and_csrf_cookies_are_host_only_and_secure(client, committee_member):
    client.get("/sign-in/", secure=True)
    csrf = client.cookies["__Host-csrftoken"]
    response = client.post(
        "/sign-in/",
        {"username": "councillor", "password": PASSWORD, "csrfmiddlewaretoken": csrf.value},
        secure=True,
    )
    assert response.status_code == 302
    for name in ("__Host-sessionid", "__Host-csrftoken"):
        cookie = client.cookies[name]
        assert cookie["secure"] and cookie["path"] == "/" and not cookie["domain"], name
    assert client.cookies["__Host-sessionid"]["httponly"]


# Requests larger than REQUEST_MAX_BYTES are refused before they are read.


class UnreadBody(io.RawIOBase):
    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def test_an_anonymous_50_mb_post_to_sign_in_is_refused_before_it_is_read(client):
    response = client.generic(
        "POST",
        "/sign-in/",
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
        **{"wsgi.input": UnreadBody()},
    )
    assert response.status_code == 413
    assert "larger than the 11 MB the service accepts" in response.content.decode()


def test_a_real_upload_over_the_cap_is_refused_with_413(client, administrator):
    client.force_login(administrator)
    too_large = SimpleUploadedFile("return.xlsx", b"0" * settings.REQUEST_MAX_BYTES)
    response = client.post("/kpis/import/", {"file": too_large})
    assert response.status_code == 413


def test_a_return_just_over_the_import_limit_gets_the_import_pages_own_message(
    client, administrator
):
    client.force_login(administrator)
    just_over = SimpleUploadedFile("return.xlsx", b"0" * (settings.KPI_IMPORT_MAX_BYTES + 1))
    response = client.post("/kpis/import/", {"file": just_over})
    assert response.status_code == 200
    assert "The file must be smaller than 10 MB" in response.content.decode()
