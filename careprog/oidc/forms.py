"""The password form, when single sign-on may have taken its place."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm

from careprog.oidc.provider import enabled


def passwords_for_everyone() -> bool:
    """Whether anyone may sign in with a password: always without single sign-on, and with
    it while OIDC_LOCAL_PASSWORDS is on (the default)."""
    return not enabled() or settings.OIDC_LOCAL_PASSWORDS


class SignInForm(AuthenticationForm):
    """Django's form, less its password for everyone but a superuser once the council's
    accounts have replaced passwords: the superuser is the break-glass account for when
    the provider is down or misconfigured. Throttling (django-axes) is unchanged."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not passwords_for_everyone() and not user.is_superuser:
            raise forms.ValidationError(
                "Sign in with %(provider)s: passwords are kept for the service's emergency account",
                code="single_sign_on_only",
                params={"provider": settings.OIDC_PROVIDER_NAME},
            )
