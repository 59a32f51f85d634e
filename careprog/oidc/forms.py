"""The password forms, when single sign-on may have taken their place."""

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from careprog.oidc.provider import enabled


def passwords_for_everyone() -> bool:
    """Whether anyone may sign in with a password: always without single sign-on, and with
    it while OIDC_LOCAL_PASSWORDS is on (the default)."""
    return not enabled() or settings.OIDC_LOCAL_PASSWORDS


def refuse_password_unless_allowed(user) -> None:
    """Once the council's accounts have replaced passwords, only a superuser may use one:
    the break-glass account for when the provider is down or misconfigured."""
    if not passwords_for_everyone() and not user.is_superuser:
        raise forms.ValidationError(
            "Sign in with %(provider)s: passwords are kept for the service's emergency account",
            code="single_sign_on_only",
            params={"provider": settings.OIDC_PROVIDER_NAME},
        )


class SignInForm(AuthenticationForm):
    """/sign-in/'s form: Django's, with the rule above. Throttling (django-axes) is unchanged."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        refuse_password_unless_allowed(user)


class AdminSignInForm(AdminAuthenticationForm):
    """Django admin's own sign-in form, under the same rule, so that it is no way round it."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        refuse_password_unless_allowed(user)
