"""The council's OpenID Connect provider, as its discovery document describes it.

mozilla-django-oidc reads each endpoint from its own setting; operators know only the
issuer. So the endpoints are read from `<issuer>/.well-known/openid-configuration`, with
a timeout, and kept in the cache for an hour (a failure for a minute, so that a provider
that is down does not slow every sign-in page by the timeout).
"""

from dataclasses import dataclass

import requests
from django.conf import settings
from django.core.cache import cache

FAILED = "unavailable"
# Claims careprog reads, in the order a provider's documentation lists them.
REQUIRED_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri")


class ProviderUnavailable(Exception):
    """The discovery document could not be read, or does not describe this issuer."""


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str = ""
    end_session_endpoint: str = ""


def enabled() -> bool:
    return bool(settings.OIDC_ISSUER)


def _cache_key() -> str:
    return f"careprog.oidc.discovery:{settings.OIDC_ISSUER}"


def discover() -> Provider:
    """The provider's endpoints: one HTTP call an hour, none when cached.

    Raises ProviderUnavailable when the document cannot be fetched, is not JSON, names
    another issuer (OpenID Connect Discovery 1.0, section 4.3) or lacks an endpoint.
    """
    key = _cache_key()
    cached = cache.get(key)
    if cached == FAILED:
        raise ProviderUnavailable("discovery failed less than a minute ago")
    if cached is not None:
        return cached
    try:
        provider = _fetch(settings.OIDC_ISSUER)
    except ProviderUnavailable:
        cache.set(key, FAILED, 60)
        raise
    cache.set(key, provider, settings.OIDC_DISCOVERY_CACHE_SECONDS)
    return provider


def _fetch(issuer: str) -> Provider:
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(f"{url}: {error}") from error
    if not isinstance(document, dict) or document.get("issuer", "").rstrip("/") != issuer:
        raise ProviderUnavailable(f"{url} describes another issuer")
    missing = [name for name in REQUIRED_ENDPOINTS if not document.get(name)]
    if missing:
        raise ProviderUnavailable(f"{url} lists no {', '.join(missing)}")
    return Provider(
        issuer=issuer,
        authorization_endpoint=document["authorization_endpoint"],
        token_endpoint=document["token_endpoint"],
        jwks_uri=document["jwks_uri"],
        userinfo_endpoint=document.get("userinfo_endpoint") or "",
        end_session_endpoint=document.get("end_session_endpoint") or "",
    )


def forget() -> None:
    """Read the discovery document again at the next sign-in (tests, a changed provider)."""
    cache.delete(_cache_key())
