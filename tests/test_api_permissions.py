"""The API's permission matrix: every list the schema names, the schema and its docs page, for
every role and anonymous, with a token and with the browser's session, by every method.

Readers read (200); an account with no role is refused (403); without a token or session the
answer is 401, never a redirect to a sign-in page a scheduled refresh could not follow. The API
has no writes: POST, PUT, PATCH and DELETE are refused for everyone and change nothing.
"""

import pytest
from django.apps import apps
from drf_spectacular.generators import SchemaGenerator

from careprog.api.tokens import issue_token
from tests.conftest import RISK_MATRIX, seed_action

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
READERS = set(ROLES) - {"anonymous", "outsider"}
WRITES = ("post", "put", "patch", "delete")
# Every model the API reads, and the tokens themselves.
RECORDED = [
    "actions.Programme",
    "actions.Objective",
    "actions.Action",
    "actions.Update",
    "actions.Paper",
    "actions.Risk",
    "kpis.KPI",
    "kpis.KPIValue",
    "kpis.KPIEntry",
    "careprog.ApiToken",
]


@pytest.fixture
def api_urls(officer_actions):
    seed_action(RISK_MATRIX)
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    return sorted(paths) + ["/api/schema/"]


def snapshot():
    """Every row of every recorded model; a token's last use aside (a refused write is a use)."""
    rows = {name: list(apps.get_model(name).objects.order_by("pk").values()) for name in RECORDED}
    for token in rows["careprog.ApiToken"]:
        token.pop("last_used_at")
    return rows


def expected(role: str) -> set[int]:
    if role == "anonymous":
        return {401}
    if role == "outsider":
        return {403}
    return {200}


@pytest.mark.parametrize("role", ROLES)
def test_every_list_answers_each_role_by_token_as_its_roles_say(client, people, api_urls, role):
    headers = {}
    if people[role] is not None:
        _, secret = issue_token(person=people[role], name="matrix")
        headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    for url in api_urls:
        response = client.get(url, **headers)
        assert response.status_code in expected(role), (role, url)


@pytest.mark.parametrize("role", ROLES)
def test_every_list_answers_each_role_signed_in_in_a_browser_as_its_roles_say(
    client, people, api_urls, role
):
    if people[role] is not None:
        client.force_login(people[role])
    for url in api_urls:
        response = client.get(url)
        assert response.status_code in expected(role), (role, url)
    docs = client.get("/api/docs/")
    if role == "anonymous":
        assert docs.status_code == 302 and "/sign-in/" in docs.url
    else:
        assert docs.status_code == (200 if role in READERS else 403), role


@pytest.mark.parametrize("role", ROLES)
def test_no_method_but_reading_is_accepted_and_a_refused_write_changes_nothing(
    client, people, api_urls, role
):
    headers = {}
    if people[role] is not None:
        _, secret = issue_token(person=people[role], name="matrix")
        headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    before = snapshot()
    for url in api_urls:
        for method in WRITES:
            response = getattr(client, method)(
                url, data="{}", content_type="application/json", **headers
            )
            wanted = {401} if role == "anonymous" else {403} if role == "outsider" else {405}
            assert response.status_code in wanted, (role, method, url, response.status_code)
    assert snapshot() == before, role
