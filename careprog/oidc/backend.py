"""Signing a person in from the council's provider: who they are, and what roles they have.

mozilla-django-oidc exchanges the code for tokens (with the PKCE verifier); this backend
checks the ID token itself (RS256 against the provider's published keys, issuer, audience,
expiry, nonce), finds the account by the provider's subject, and sets the person's roles
from their groups at every sign-in, so that movers and leavers are handled where the
council handles them.
"""

import hashlib
import logging
import re

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from careprog import roles
from careprog.models import OIDCIdentity
from careprog.oidc.provider import ProviderUnavailable, discover, enabled

LOGGER = logging.getLogger(__name__)
# A clock difference between careprog and the provider that is not an expired token.
LEEWAY_SECONDS = 60


class SignInRefused(Exception):
    """The provider's answer does not sign anyone in; `reason` picks the page that says why
    (templates/registration/sign_in_refused.html), `status` its HTTP status."""

    def __init__(self, reason: str, status: int = 400, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.status = status


def role_groups() -> dict[str, str]:
    """OIDC_ROLE_GROUPS, checked: each value must be one of careprog's roles."""
    mapping = settings.OIDC_ROLE_GROUPS
    unknown = sorted(set(mapping.values()) - set(roles.ROLES))
    if unknown:
        raise SignInRefused("misconfigured", 503, f"OIDC_ROLE_GROUPS names no role {unknown}")
    return mapping


def roles_for(claims: dict) -> set[str]:
    """The careprog roles a person's groups map to (none when no group is mapped)."""
    groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
    if isinstance(groups, str):
        groups = [groups]
    mapping = role_groups()
    return {mapping[group] for group in groups if isinstance(group, str) and group in mapping}


def email_verified(claims: dict) -> bool:
    """Whether the provider vouches for the address: `email_verified` (OpenID Connect), or
    Entra ID's `xms_edov` (the email's domain owner is verified), which it sends instead."""
    return any(
        value is True or (isinstance(value, str) and value.lower() == "true")
        for value in (claims.get("email_verified"), claims.get("xms_edov"))
    )


class CouncilAccountBackend(OIDCAuthenticationBackend):
    """Answers only the callback view's authenticate(request, nonce=, code_verifier=); the
    sign-in form's username and password pass through it untouched, and it grants no
    permission of its own (ModelBackend does, from the person's groups)."""

    def __init__(self, *args, **kwargs):
        # The library reads every endpoint from a setting here; ours come from discovery,
        # read only when a callback arrives (see authenticate).
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.UserModel = get_user_model()

    def authenticate(self, request, nonce=None, code_verifier=None, **credentials):
        if request is None or nonce is None or credentials or not enabled():
            return None
        try:
            self.provider = discover()
        except ProviderUnavailable as error:
            raise SignInRefused("unavailable", 503, str(error)) from error
        self.OIDC_OP_TOKEN_ENDPOINT = self.provider.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = self.provider.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = self.provider.jwks_uri
        try:
            return super().authenticate(request, nonce=nonce, code_verifier=code_verifier)
        except requests.HTTPError as error:
            # The token endpoint refused the code: forged, replayed, expired or not ours.
            raise SignInRefused("refused_code", 400, str(error)) from error
        except requests.RequestException as error:
            raise SignInRefused("unavailable", 503, str(error)) from error

    # -- The ID token ------------------------------------------------------------------

    def verify_token(self, token, **kwargs):
        """The ID token's claims, once its RS256 signature verifies with one of the
        provider's published keys and its issuer, audience, expiry and nonce are ours.

        Providers that sign without a `kid` (the loopback test provider) are checked
        against each RSA key the provider publishes.
        """
        if not isinstance(token, str):
            raise SignInRefused("invalid_token", 400, "no ID token")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise SignInRefused("invalid_token", 400, str(error)) from error
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SignInRefused("invalid_token", 400, f"alg {header.get('alg')!r}")
        claims = None
        for key in self._signing_keys(header.get("kid")):
            try:
                claims = jwt.decode(
                    token,
                    key=key,
                    algorithms=[self.OIDC_RP_SIGN_ALGO],
                    audience=self.OIDC_RP_CLIENT_ID,
                    issuer=self.provider.issuer,
                    leeway=LEEWAY_SECONDS,
                    options={"require": ["exp", "iat", "iss", "aud", "sub"]},
                )
                break
            except jwt.InvalidSignatureError:
                continue
            except jwt.ExpiredSignatureError as error:
                raise SignInRefused("expired", 400, str(error)) from error
            except jwt.PyJWTError as error:
                raise SignInRefused("invalid_token", 400, str(error)) from error
        if claims is None:
            raise SignInRefused("invalid_token", 400, "signed by none of the provider's keys")
        if claims.get("nonce") != kwargs.get("nonce"):
            raise SignInRefused("invalid_token", 400, "nonce does not match this sign-in")
        return claims

    def _signing_keys(self, kid):
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        keys = []
        for jwk in response.json().get("keys", []):
            if jwk.get("kty") != "RSA" or jwk.get("use", "sig") != "sig":
                continue
            if kid is not None and jwk.get("kid") not in (None, kid):
                continue
            try:
                keys.append(jwt.PyJWK(jwk, algorithm=self.OIDC_RP_SIGN_ALGO).key)
            except jwt.PyJWTError:
                continue
        return keys

    # -- The person ----------------------------------------------------------------------

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, with what the userinfo endpoint adds where the token
        is silent (some providers put email or name only there); groups only from the
        token, as Entra ID's userinfo has none."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT and access_token:
            extra = super().get_userinfo(access_token, id_token, payload)
            if extra.get("sub") == payload["sub"]:
                for name, value in extra.items():
                    claims.setdefault(name, value)
        return claims

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if "_claim_names" in claims and settings.OIDC_GROUPS_CLAIM in claims["_claim_names"]:
            # Entra ID's overage: too many groups to list, so none are. Signing in would
            # take every role away; refuse and say how to fix it.
            raise SignInRefused("too_many_groups", 403)
        try:
            with transaction.atomic():
                user = self._account_for(claims)
                if not user.is_active:
                    raise SignInRefused("deactivated", 403)
                self._keep_current(user, claims)
                if settings.OIDC_ROLE_GROUPS:
                    self._set_roles(user, roles_for(claims))
        except IntegrityError as error:
            # The same person's first sign-in, twice at once (two tabs): one wins.
            raise SignInRefused("expired", 409, str(error)) from error
        return user

    def _account_for(self, claims):
        issuer, subject = self.provider.issuer, str(claims["sub"])
        identity = (
            OIDCIdentity.objects.select_related("user")
            .filter(issuer=issuer, subject=subject)
            .first()
        )
        if identity is not None:
            identity.last_sign_in = timezone.now()
            identity.save(update_fields=["last_sign_in"])
            return identity.user
        email = (claims.get("email") or "").strip()
        same_email = list(self.UserModel.objects.filter(email__iexact=email)[:2]) if email else []
        if len(same_email) > 1:
            raise SignInRefused("ambiguous_email", 403)
        if same_email:
            if not email_verified(claims):
                raise SignInRefused("unverified_email", 403, f"subject {subject} at {issuer}")
            user = same_email[0]
            if user.oidc_identities.filter(issuer=issuer).exists():
                raise SignInRefused("already_linked", 403, f"subject {subject} at {issuer}")
        else:
            user = self.UserModel(username=self._new_username(claims), email=email)
            user.set_unusable_password()
            user.save()
        OIDCIdentity.objects.create(
            user=user, issuer=issuer, subject=subject, last_sign_in=timezone.now()
        )
        LOGGER.info("linked %s to subject %s at %s", user, subject, issuer)
        return user

    def _new_username(self, claims) -> str:
        wanted = claims.get("preferred_username") or claims.get("email") or "person"
        base = re.sub(r"[^\w.@+-]", "", str(wanted))[:120] or "person"
        if not self.UserModel.objects.filter(username=base).exists():
            return base
        return f"{base}-{hashlib.sha256(str(claims['sub']).encode()).hexdigest()[:8]}"

    def _keep_current(self, user, claims) -> None:
        given = claims.get("given_name") or ""
        family = claims.get("family_name") or ""
        if not (given or family) and claims.get("name"):
            given, _, family = str(claims["name"]).partition(" ")
        wanted = {
            "first_name": str(given)[:150],
            "last_name": str(family)[:150],
            "email": str(claims.get("email") or user.email)[:254],
        }
        changed = [name for name, value in wanted.items() if value and getattr(user, name) != value]
        for name in changed:
            setattr(user, name, wanted[name])
        if changed:
            user.save(update_fields=changed)

    def _set_roles(self, user, wanted: set[str]) -> None:
        """Every careprog role is the provider's to give when OIDC_ROLE_GROUPS is set:
        roles the groups no longer map to are taken away, as well as new ones added."""
        held = set(user.groups.filter(name__in=roles.ROLES).values_list("name", flat=True))
        if held == wanted:
            return
        user.groups.remove(*Group.objects.filter(name__in=held - wanted))
        user.groups.add(*Group.objects.filter(name__in=wanted - held))
        LOGGER.info("roles of %s from their groups: %s", user, sorted(wanted) or "none")

    # -- No permissions of its own ---------------------------------------------------------

    def has_perm(self, user_obj, perm, obj=None):
        return False

    def has_module_perms(self, user_obj, app_label):
        return False

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()
