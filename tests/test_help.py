"""The users' guides at /help/: open to everyone, one per role, each job as numbered steps in
plain words; and every page's footer, signed in or not, error pages included, links to them."""

import re

import pytest
from django.template.loader import render_to_string

from careprog import roles
from careprog.views import GUIDES

HELP_LINK = '<a class="govuk-footer__link" href="/help/">Help</a>'
GUIDE_URLS = [f"/help/{slug}/" for slug in GUIDES]


def _main(html):
    return html.split('id="main-content"', 1)[1].split("</main>", 1)[0]


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("url", ["/help/", *GUIDE_URLS])
def test_the_help_pages_open_without_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "<h1" in response.content.decode()


def test_there_is_one_guide_for_each_role_named_as_the_role_is():
    assert sorted(GUIDES.values()) == sorted(roles.ROLES)


def test_the_help_index_links_to_every_roles_guide(client, db):
    html = client.get("/help/").content.decode()
    for slug, name in GUIDES.items():
        assert f'href="/help/{slug}/">Help for {name.lower()}</a>' in html


@pytest.mark.parametrize("url", GUIDE_URLS)
def test_each_guide_lists_its_jobs_and_gives_each_as_numbered_steps(client, db, url):
    main = _main(client.get(url).content.decode())
    contents = re.findall(r'<a class="govuk-link" href="#([\w-]+)">', main)
    assert len(contents) >= 4, "a guide covers a role's jobs"
    for job in contents:
        section = main.split(f'id="{job}"', 1)[1].split("<h2", 1)[0]
        assert '<ol class="govuk-list govuk-list--number">' in section, job
        assert section.count("<li>") >= 2, job


@pytest.mark.parametrize("url", ["/help/", *GUIDE_URLS])
def test_the_help_is_written_in_plain_words_not_code(client, db, url):
    text = _text(_main(client.get(url).content.decode()))
    code = re.findall(r"\b\w+_\w+\b|\b\w+\.py\b|\w+\(\)|\bmanage\.py\b|/[a-z]+/", text)
    assert code == []


def test_the_guides_quote_this_services_own_time_limits(client, db, settings):
    settings.SESSION_COOKIE_AGE = 30 * 60
    settings.AXES_COOLOFF_TIME = 0.5  # hours
    text = _text(client.get("/help/").content.decode())
    assert "after 30 minutes without using the service" in text
    assert "cannot sign in for 30 minutes" in text


def test_an_unknown_guide_is_not_found_signed_in_or_not(client, committee_member):
    assert client.get("/help/nobody/").status_code == 404
    client.force_login(committee_member)
    assert client.get("/help/nobody/").status_code == 404


def test_the_help_pages_are_read_only(client, committee_member):
    assert client.post("/help/").status_code == 405
    client.force_login(committee_member)
    assert client.post("/help/officer/").status_code == 405


def test_a_signed_in_reader_gets_the_same_help(client, committee_member):
    signed_out = _main(client.get("/help/officer/").content.decode())
    client.force_login(committee_member)
    assert _main(client.get("/help/officer/").content.decode()) == signed_out


# Every page's footer links to help.


@pytest.mark.parametrize(
    ("person", "url"),
    [
        ("committee_member", "/"),
        ("committee_member", "/programmes/care-programme-2024-25/attention/2024-25-q3/"),
        ("officer", "/actions/mine/"),
        ("officer", "/kpis/mine/"),
        ("head_of_service", "/kpis/entries/"),
        ("administrator", "/kpis/import/"),
        ("outsider", "/"),
    ],
)
def test_the_footer_links_to_help_on_the_pages_each_role_reads(
    client, seed_programme, request, person, url
):
    client.force_login(request.getfixturevalue(person))
    response = client.get(url)
    assert response.status_code == 200
    assert HELP_LINK in response.content.decode()


@pytest.mark.parametrize(
    "url", ["/sign-in/", "/password-reset/", "/password-reset/sent/", "/help/", *GUIDE_URLS]
)
def test_the_footer_links_to_help_on_the_pages_open_without_sign_in(client, db, url):
    assert HELP_LINK in client.get(url).content.decode()


def test_the_footer_links_to_help_on_refusals_and_missing_pages(
    client, seed_programme, committee_member, outsider
):
    client.force_login(outsider)
    refused = client.get("/actions/")
    assert refused.status_code == 403 and HELP_LINK in refused.content.decode()
    client.force_login(committee_member)
    missing = client.get("/programmes/care-programme-2024-25/report/2031-32-q1/")
    assert missing.status_code == 404 and HELP_LINK in missing.content.decode()


@pytest.mark.parametrize(
    ("template", "context"), [("500.html", {}), ("413.html", {"limit_mb": 11})]
)
def test_the_pages_rendered_without_the_base_template_link_to_help_too(template, context):
    assert HELP_LINK in render_to_string(template, context)


def test_djangos_admin_pages_link_to_the_administrators_guide(client, administrator):
    guide = '<a href="/help/administrator/">Help for programme administrators</a>'
    assert guide in client.get("/admin/login/").content.decode()
    client.force_login(administrator)
    for url in ["/admin/", "/admin/actions/action/", "/admin/auth/user/"]:
        response = client.get(url)
        assert response.status_code == 200
        assert guide in response.content.decode(), url


def test_the_service_icon_is_served_without_sign_in(client):
    """Issue 20, point 8: /favicon.ico answered 404. Every page's <link rel="icon"> names it."""
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content.startswith(b"\x00\x00\x01\x00")  # an ICO file's header
    assert '<link rel="icon" href="/favicon.ico"' in client.get("/help/").content.decode()
