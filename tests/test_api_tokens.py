"""Personal API tokens: a token opens the read API as its person and nothing else, stops when
it is revoked, expires or its person leaves, and is limited in rate; `create_api_token` makes
one from the command line; and a person keeps their own at /account/tokens/, where a secret is
shown once and another person's token can be neither seen nor revoked."""

import datetime as dt
import hashlib
import io

import pytest
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from careprog.api.tokens import issue_token, revoke_token
from careprog.models import ApiToken
from tests.factories import make_programme
from tests.kpi_factories import make_kpi

TOKENS = "/account/tokens/"
NEW_TOKEN = "/account/tokens/new/"
PROGRAMMES = "/api/programmes/"


def revoke_url(token) -> str:
    return f"/account/tokens/{token.pk}/revoke/"


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def api_lists() -> list[str]:
    """Every list the schema documents (those without a path parameter), so that each
    endpoint added later is walked here too."""
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    return sorted(path for path in paths if "{" not in path)


@pytest.fixture
def some_data(db):
    make_programme("Care programme")
    make_kpi("cla-1")


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    caches["throttle"].clear()
    yield
    caches["throttle"].clear()


# The API: 401 unless a working token (or a session) is sent.


def test_without_a_token_the_api_answers_401_and_asks_for_a_bearer_token(client, db):
    response = client.get(PROGRAMMES)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_a_working_token_reads_the_api(client, officer, some_data):
    token, secret = issue_token(person=officer, name="Power BI")
    response = client.get(PROGRAMMES, **bearer(secret))
    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == ["Care programme"]


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer two words",
        "Bearer nonsense",
        "Bearer careprog_not-a-real-token",
        "Bearer careprog_caf\u00e9",
        "Basic b2xpdmU6YS1sb25nLXRlc3QtcGFzc3dvcmQ=",
        "careprog_AbCd",
    ],
)
def test_a_garbage_or_malformed_authorization_header_gets_401(client, officer, header):
    issue_token(person=officer, name="real")
    response = client.get(PROGRAMMES, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401, header
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_the_secret_without_bearer_or_with_another_scheme_opens_nothing(client, officer):
    _, secret = issue_token(person=officer, name="real")
    for header in (secret, f"Token {secret}", f"Basic {secret}"):
        assert client.get(PROGRAMMES, HTTP_AUTHORIZATION=header).status_code == 401, header
    assert client.get(PROGRAMMES, HTTP_AUTHORIZATION=f"bearer {secret}").status_code == 200


def test_a_revoked_token_gets_401(client, officer):
    token, secret = issue_token(person=officer, name="t")
    assert client.get(PROGRAMMES, **bearer(secret)).status_code == 200
    assert revoke_token(token_id=token.pk, person=officer)
    response = client.get(PROGRAMMES, **bearer(secret))
    assert response.status_code == 401
    assert response.json() == {"detail": "That token does not work."}


def test_an_expired_token_gets_401(client, officer):
    token, secret = issue_token(person=officer, name="t", days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(PROGRAMMES, **bearer(secret)).status_code == 401


def test_a_deactivated_persons_tokens_get_401_and_work_again_if_they_return(client, officer):
    _, secret = issue_token(person=officer, name="t")
    officer.is_active = False
    officer.save()
    assert client.get(PROGRAMMES, **bearer(secret)).status_code == 401
    officer.is_active = True
    officer.save()
    assert client.get(PROGRAMMES, **bearer(secret)).status_code == 200


def test_a_token_opens_the_api_and_no_page_nor_the_token_pages(client, officer):
    """A stolen token cannot make more tokens, or read a page the person could."""
    _, secret = issue_token(person=officer, name="t")
    for url in ("/", "/programmes/", TOKENS, NEW_TOKEN, "/api/docs/"):
        response = client.get(url, **bearer(secret))
        assert response.status_code == 302 and "/sign-in/" in response.url, url
    response = client.post(NEW_TOKEN, {"name": "more", "days": 90}, **bearer(secret))
    assert response.status_code == 302 and "/sign-in/" in response.url
    assert ApiToken.objects.count() == 1


# A token is its person: the same roles, the same answers.


@pytest.mark.parametrize(
    "persona", ["committee_member", "officer", "head_of_service", "administrator", "superuser"]
)
def test_a_token_reads_every_list_exactly_as_its_person_does_signed_in(request, persona, some_data):
    person = request.getfixturevalue(persona)
    _, secret = issue_token(person=person, name="t")
    signed_in = Client()
    signed_in.force_login(person)
    lists = api_lists()
    assert {PROGRAMMES, "/api/kpis/"} <= set(lists)
    for url in lists:
        by_token = Client().get(url, **bearer(secret))
        by_session = signed_in.get(url)
        assert by_token.status_code == 200, (persona, url)
        assert by_token.json() == by_session.json(), (persona, url)


def test_a_person_with_no_role_gets_403_everywhere_in_the_api(client, outsider, some_data):
    _, secret = issue_token(person=outsider, name="t")
    for url in [*api_lists(), "/api/schema/"]:
        response = client.get(url, **bearer(secret))
        assert response.status_code == 403, url
        assert "no role" in response.json()["detail"]


def test_the_schema_opens_to_a_token_and_the_docs_page_to_a_signed_in_reader(
    client, committee_member, outsider
):
    _, secret = issue_token(person=committee_member, name="t")
    assert client.get("/api/schema/", **bearer(secret)).status_code == 200
    response = client.get("/api/docs/")
    assert response.status_code == 302 and response.url.startswith("/sign-in/?next=/api/docs/")
    client.force_login(outsider)
    assert client.get("/api/docs/").status_code == 403
    client.force_login(committee_member)
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert "<style" not in page.content.decode()  # our CSP's style-src 'self' refuses it
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()


# Last used: written at most once a minute.


def test_last_used_is_recorded_at_most_once_a_minute(client, officer, django_assert_num_queries):
    token, secret = issue_token(person=officer, name="t")
    assert token.last_used_at is None
    client.get(PROGRAMMES, **bearer(secret))
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None and timezone.now() - first < dt.timedelta(seconds=5)

    half_a_minute_ago = timezone.now() - dt.timedelta(seconds=30)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=half_a_minute_ago)
    client.get(PROGRAMMES, **bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at == half_a_minute_ago

    a_minute_ago = timezone.now() - dt.timedelta(seconds=61)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=a_minute_ago)
    client.get(PROGRAMMES, **bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at > half_a_minute_ago


@pytest.mark.parametrize("programmes", [1, 30])
def test_a_page_read_with_a_token_costs_the_same_whatever_the_data(
    client, officer, programmes, django_assert_num_queries
):
    """The token with its person (1), the person's and their groups' permissions (2), the
    count and the rows (2); the last-used write only on the first use in a minute (1)."""
    for _ in range(programmes):
        make_programme()
    _, secret = issue_token(person=officer, name="t")
    with django_assert_num_queries(6):
        assert client.get(PROGRAMMES, **bearer(secret)).status_code == 200
    with django_assert_num_queries(5):
        assert client.get(PROGRAMMES, **bearer(secret)).status_code == 200


# The rate limit: per token.


def test_past_the_rate_limit_a_token_gets_429_with_retry_after(client, officer, settings):
    settings.API_RATE_LIMIT = "3/minute"
    _, secret = issue_token(person=officer, name="busy")
    _, other = issue_token(person=officer, name="quiet")
    for _ in range(3):
        assert client.get(PROGRAMMES, **bearer(secret)).status_code == 200
    refused = client.get(PROGRAMMES, **bearer(secret))
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "detail" in refused.json()
    assert client.get(PROGRAMMES, **bearer(other)).status_code == 200  # per token


# manage.py create_api_token


def run_command(*args) -> list[str]:
    out = io.StringIO()
    call_command("create_api_token", *args, stdout=out)
    return out.getvalue().splitlines()


def test_create_api_token_prints_a_working_token_on_its_last_line(client, officer):
    lines = run_command("olive", "--name", "Nightly refresh", "--days", "7")
    secret = lines[-1]
    token = ApiToken.objects.get()
    assert token.person == officer and token.name == "Nightly refresh"
    assert dt.timedelta(days=6, hours=23) < token.expires_at - timezone.now() <= dt.timedelta(7)
    assert client.get(PROGRAMMES, **bearer(secret)).status_code == 200


def test_create_api_token_defaults_to_90_days(officer):
    run_command("olive")
    days = (ApiToken.objects.get().expires_at - timezone.now()).days
    assert days == 89  # 90 days less the moment since


@pytest.mark.parametrize(
    "args, said",
    [
        (["nobody"], "No person has the username 'nobody'"),
        (["olive", "--days", "0"], "A token lasts from 1 to 366 days."),
        (["olive", "--days", "367"], "A token lasts from 1 to 366 days."),
        (["olive", "--name", "  "], "Give the token a name."),
    ],
)
def test_create_api_token_refuses_an_unknown_person_or_bad_days(officer, args, said):
    with pytest.raises(CommandError, match=said):
        run_command(*args)
    assert not ApiToken.objects.exists()


def test_create_api_token_refuses_a_deactivated_person(officer):
    officer.is_active = False
    officer.save()
    with pytest.raises(CommandError, match="deactivated"):
        run_command("olive")
    assert not ApiToken.objects.exists()


def test_create_api_token_refuses_days_that_are_not_a_number(officer):
    with pytest.raises(CommandError, match="invalid int value"):
        run_command("olive", "--days", "many")


# The token pages at /account/tokens/.


@pytest.fixture
def olive(client, officer):
    client.force_login(officer)
    return client


def make_token_through_the_page(client, name="Power BI refresh", days="90"):
    response = client.post(NEW_TOKEN, {"name": name, "days": days})
    assert response.status_code == 200
    return response, response.context["secret"]


def test_signed_out_the_token_pages_send_you_to_sign_in(client, officer):
    token, _ = issue_token(person=officer, name="t")
    for url in (TOKENS, NEW_TOKEN, revoke_url(token)):
        response = client.get(url)
        assert response.status_code == 302 and response.url == f"/sign-in/?next={url}", url
        response = client.post(url, {"name": "forged", "days": 9})
        assert response.status_code == 302 and "/sign-in/" in response.url, url
    assert list(ApiToken.objects.values_list("name", "revoked_at")) == [("t", None)]


def test_a_person_with_no_role_may_not_hold_tokens(client, outsider):
    client.force_login(outsider)
    assert client.get(TOKENS).status_code == 403
    assert client.get(NEW_TOKEN).status_code == 403
    assert client.post(NEW_TOKEN, {"name": "t", "days": 9}).status_code == 403
    assert not ApiToken.objects.exists()


def test_the_footer_links_each_person_with_a_role_to_their_tokens(client, committee_member):
    link = f'href="{TOKENS}">Your API tokens</a>'
    client.force_login(committee_member)
    assert link in client.get("/").content.decode()


def test_the_list_shows_only_ones_own_tokens_with_their_state(olive, officer, other_officer):
    issue_token(person=officer, name="Power BI refresh")
    gone, _ = issue_token(person=officer, name="Old laptop")
    revoke_token(token_id=gone.pk, person=officer)
    stale, _ = issue_token(person=officer, name="Last year", days=1)
    ApiToken.objects.filter(pk=stale.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    theirs, _ = issue_token(person=other_officer, name="Oscar's Excel")
    response = olive.get(TOKENS)
    html = response.content.decode()
    assert [(token.name, state) for token, state in response.context["tokens"]] == [
        ("Last year", "Expired"),
        ("Old laptop", "Revoked"),
        ("Power BI refresh", "Working"),
    ]
    assert "Oscar's Excel" not in html and theirs.prefix not in html
    assert html.count("Revoke<span") == 1  # only a working token can be revoked
    assert "careprog_" in html  # each token's first characters
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("tokens", [1, 25])
def test_the_list_reads_in_the_same_queries_however_many_tokens(
    olive, officer, tokens, django_assert_num_queries
):
    """Session, person, their and their groups' permissions, and the tokens: one query."""
    for n in range(tokens):
        issue_token(person=officer, name=f"Token {n}")
    with django_assert_num_queries(5):
        assert olive.get(TOKENS).status_code == 200


def test_a_new_token_is_shown_once_in_the_answer_to_the_post_and_never_again(olive, officer):
    assert olive.get(NEW_TOKEN).context["form"]["days"].value() == 90
    response, secret = make_token_through_the_page(olive, days="30")
    html = response.content.decode()
    assert secret in html and "You will not see it again" in html and "copy it" in html
    assert "no-store" in response["Cache-Control"]
    assert "Location" not in response  # not a redirect: the secret is in this answer alone

    token = ApiToken.objects.get()
    assert (token.person, token.name) == (officer, "Power BI refresh")
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest() != secret
    assert secret not in str(list(ApiToken.objects.values()))  # only the digest is kept
    assert secret.startswith(token.prefix)
    assert dt.timedelta(days=29) < token.expires_at - timezone.now() <= dt.timedelta(days=30)

    for url in (TOKENS, NEW_TOKEN, revoke_url(token)):
        assert secret not in olive.get(url).content.decode(), url
    assert Client().get(PROGRAMMES, **bearer(secret)).status_code == 200


@pytest.mark.parametrize(
    "name, days, field, said",
    [
        ("", "90", "name", "Enter a name for the token"),
        ("   ", "90", "name", "Enter a name for the token"),
        ("x" * 101, "90", "name", "Enter a name of 100 characters or fewer"),
        ("t", "", "days", "Enter how many days the token lasts, from 1 to 366"),
        ("t", "0", "days", "A token lasts at least 1 day: enter 1 to 366"),
        ("t", "367", "days", "A token lasts at most 366 days: enter 1 to 366"),
        ("t", "ninety", "days", "Enter the days as a whole number, from 1 to 366"),
        ("t", "1.5", "days", "Enter the days as a whole number, from 1 to 366"),
    ],
)
def test_bad_input_is_explained_in_an_error_summary_and_makes_no_token(
    olive, name, days, field, said
):
    response = olive.post(NEW_TOKEN, {"name": name, "days": days})
    assert response.status_code == 400
    html = response.content.decode()
    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in html
    assert f'<a href="#id_{field}">{said}</a>' in html
    assert f'<p id="id_{field}-error" class="govuk-error-message">' in html
    assert "<title>Error: " in html
    assert not ApiToken.objects.exists()


def test_revoking_asks_first_then_stops_the_token_at_once(olive, officer):
    _, secret = make_token_through_the_page(olive)
    token = ApiToken.objects.get()
    confirm = olive.get(revoke_url(token))
    assert confirm.status_code == 200
    assert "Revoke the token" in confirm.content.decode()
    assert ApiToken.objects.get().revoked_at is None  # asking changes nothing

    response = olive.post(revoke_url(token))
    assert response.status_code == 302 and response.url == TOKENS
    assert ApiToken.objects.get().revoked_at is not None
    assert "is revoked" in olive.get(TOKENS).content.decode()
    assert Client().get(PROGRAMMES, **bearer(secret)).status_code == 401

    again = olive.post(revoke_url(token))
    assert again.status_code == 302
    assert "was already revoked" in olive.get(TOKENS).content.decode()


def test_another_persons_token_cannot_be_seen_or_revoked(client, officer, other_officer):
    theirs, secret = issue_token(person=other_officer, name="Oscar's Excel")
    client.force_login(officer)
    assert client.get(revoke_url(theirs)).status_code == 404
    assert client.post(revoke_url(theirs)).status_code == 404
    assert client.post("/account/tokens/999999/revoke/").status_code == 404
    assert ApiToken.objects.get().revoked_at is None
    assert Client().get(PROGRAMMES, **bearer(secret)).status_code == 200


def test_the_token_list_takes_no_post(olive):
    assert olive.post(TOKENS, {"name": "t", "days": 9}).status_code == 405
    assert not ApiToken.objects.exists()
