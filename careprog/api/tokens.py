"""Personal API tokens: made, used and revoked (the model is careprog.models.ApiToken).

A secret is ``careprog_`` and 43 URL-safe characters (256 random bits); only its SHA-256
digest is stored, which is enough for a secret that cannot be guessed (no salt or slow hash is
needed: nobody can try candidates against 2^256).
"""

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from careprog.models import ApiToken

SECRET_PREFIX = "careprog_"
DEFAULT_DAYS = 90
MAX_DAYS = 366
# last_used_at is written at most this often per token, so a paging client does not make a
# database write per page (SQLite has one write lock).
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(*, person, name: str, days: int = DEFAULT_DAYS) -> tuple[ApiToken, str]:
    """Make a token for ``person``; returns it and its secret, which is never shown again."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"A token lasts from 1 to {MAX_DAYS} days.")
    name = name.strip()
    if not name:
        raise ValueError("Give the token a name.")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        person=person,
        name=name[:100],
        prefix=secret[: len(SECRET_PREFIX) + 4],
        digest=digest_of(secret),
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    return token, secret


def revoke_token(*, token_id: int, person) -> bool:
    """Revoke one of ``person``'s own tokens; False if it is not theirs or already revoked."""
    with transaction.atomic():
        return bool(
            ApiToken.objects.filter(pk=token_id, person=person, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
        )


def person_for(secret: str):
    """The token a secret names and its person, if it still works; else None.

    One query (the token with its person); a second, an UPDATE, at most once a minute."""
    if not secret.startswith(SECRET_PREFIX):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.working(now=now)
        .select_related("person")
        .filter(digest=digest_of(secret))
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
