"""Pages read data; nothing here writes except sign-in and sign-out, and those need CSRF."""

import pytest
from django.template.loader import render_to_string
from django.test import Client

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
