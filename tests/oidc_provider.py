"""A real OpenID Connect provider on loopback (PyPI oidc-provider-mock, built on authlib),
and the steps of signing in through it with Django's test client.

The provider runs in a thread for the whole session; each test names its people with
fresh subjects, so what one test sets at the provider never meets another's.
"""

import uuid
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from careprog.oidc.provider import forget

CLIENT_ID = "careprog-test"
CLIENT_SECRET = "careprog-test-secret"
PROVIDER_NAME = "Wirral account"
OFFICERS_GROUP = "3f2a-officers"
COMMITTEE_GROUP = "9b1c-committee"
HEADS_GROUP = "77aa-heads"
ROLE_GROUPS = {
    OFFICERS_GROUP: "Officers",
    COMMITTEE_GROUP: "Committee members",
    HEADS_GROUP: "Heads of service",
}


class LoopbackProvider:
    def __init__(self, server):
        self.issuer = f"http://localhost:{server.server_port}"

    def set_person(self, sub: str, **claims) -> None:
        """What the provider says about `sub` from now on (its PUT /users/<sub>)."""
        response = requests.put(f"{self.issuer}/users/{sub}", json=claims, timeout=5)
        response.raise_for_status()

    def new_person(self, **claims) -> str:
        sub = f"person-{uuid.uuid4().hex[:12]}"
        self.set_person(sub, **claims)
        return sub

    def authorize(self, authorize_url: str, sub: str) -> str:
        """The person signs in at the provider's page: where it sends them back to."""
        response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=5)
        assert response.status_code == 302, response.text
        return response.headers["Location"]


@contextmanager
def running_provider(**options):
    import oidc_provider_mock  # only where a provider runs: it loads authlib and Flask

    with oidc_provider_mock.run_server_in_thread(**options) as server:
        yield LoopbackProvider(server)


@pytest.fixture(scope="session")
def oidc_provider():
    with running_provider(require_nonce=True) as provider:
        yield provider


def turn_on(settings, issuer: str, *, local_passwords: bool = True) -> None:
    settings.OIDC_ISSUER = issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_PROVIDER_NAME = PROVIDER_NAME
    settings.OIDC_ROLE_GROUPS = ROLE_GROUPS
    settings.OIDC_LOCAL_PASSWORDS = local_passwords
    forget()


@pytest.fixture
def single_sign_on(settings, oidc_provider):
    """careprog configured for the loopback provider, local passwords still offered."""
    turn_on(settings, oidc_provider.issuer)
    yield oidc_provider
    forget()


@pytest.fixture
def provider_only(settings, oidc_provider):
    """The same, with OIDC_LOCAL_PASSWORDS off: only a superuser may use a password."""
    turn_on(settings, oidc_provider.issuer, local_passwords=False)
    yield oidc_provider
    forget()


def start_sign_in(client, next_url: str | None = None):
    """careprog's "Sign in with …": the address at the provider it sends the browser to."""
    response = client.get("/oidc/authenticate/", {"next": next_url} if next_url else {})
    assert response.status_code == 302, response.status_code
    return response.url


def callback_path(location: str) -> str:
    parts = urlsplit(location)
    return f"{parts.path}?{parts.query}"


def sign_in_through(client, provider: LoopbackProvider, sub: str):
    """The whole round trip: careprog → the provider's page → careprog's callback."""
    back = provider.authorize(start_sign_in(client), sub)
    return client.get(callback_path(back))


def query_of(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def short_lived(seconds: int):
    return {"access_token_max_age": timedelta(seconds=seconds)}
