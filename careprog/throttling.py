"""Limits on guessing passwords and on password-reset emails (docs/operating.md, "Sign-in
throttling").

Sign-in: django-axes counts failures per username and address, per username from any address,
and per address whatever the username (AXES_LOCKOUT_PARAMETERS). Axes compares one limit with
the busiest of those; SignInThrottle gives each its own (AXES_FAILURE_LIMIT,
AXES_ACCOUNT_FAILURE_LIMIT, AXES_ADDRESS_FAILURE_LIMIT), so the per-username limit can be high
enough that a stranger cannot lock an account with a handful of tries.

Password reset: axes does not see it, so PasswordResetView counts requests per address and
emails per account in the "throttle" cache; past a limit it shows the usual "sent" page and
sends nothing. Client addresses come from axes (django-ipware, AXES_PROXY_COUNT) in both.

Imports no app of ours.
"""

import logging
import time

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_client_username, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.core.cache import caches
from django.db.models import Sum
from django.http import HttpResponseRedirect

from careprog.oidc.forms import passwords_for_everyone

log = logging.getLogger(__name__)


def _failure_limit(parameter) -> int:
    names = tuple(parameter) if isinstance(parameter, list | tuple) else (parameter,)
    return {
        ("username", "ip_address"): settings.AXES_FAILURE_LIMIT,
        ("username",): settings.AXES_ACCOUNT_FAILURE_LIMIT,
        ("ip_address",): settings.AXES_ADDRESS_FAILURE_LIMIT,
    }[names]


class SignInThrottle(AxesDatabaseHandler):
    """axes' database handler, with a limit for each lockout parameter."""

    def get_failures(self, request, credentials=None) -> int:
        """The failures of the parameter nearest its own limit, on AXES_FAILURE_LIMIT's scale:
        axes locks out when this reaches AXES_FAILURE_LIMIT, so when any parameter has
        reached its limit. One query per parameter."""
        parameters = get_lockout_parameters(request, credentials)
        attempts = self.get_user_attempts(request, credentials)
        headroom = min(
            _failure_limit(parameter)
            - (rows.aggregate(failures=Sum("failures_since_start"))["failures"] or 0)
            for parameter, rows in zip(parameters, attempts, strict=True)
        )
        return settings.AXES_FAILURE_LIMIT - headroom

    def reset_user_attempts(self, request, credentials=None) -> int:
        """After a successful sign-in, forget that username's failures, from every address.
        Axes would also forget the address's failures at other usernames, so signing in to
        one's own account would wipe the count of guesses at colleagues' from that address."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


def within_limit(key: str, limit: int, *, window: int) -> bool:
    """Count one more event for ``key``; whether it is still within ``limit`` for the fixed
    window of ``window`` seconds that began with the key's first event.

    A get and a set, not an atomic increment, so that any cache backend keeps the window
    (Django's database cache's incr() would reset the expiry): under concurrent requests a
    few more than ``limit`` may pass.
    """
    cache = caches["throttle"]
    now = time.time()
    count, ends = cache.get(key, (0, now + window))
    if ends <= now:
        count, ends = 0, now + window
    count += 1
    cache.set(key, (count, ends), timeout=max(1, int(ends - now)))
    return count <= limit


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, emailing an account at most PASSWORD_RESET_LIMIT_PER_ACCOUNT times a
    window, however many addresses ask; once single sign-on has replaced passwords, only the
    emergency (superuser) account."""

    def get_users(self, email):
        for user in super().get_users(email):
            if not passwords_for_everyone() and not user.is_superuser:
                # The council's accounts have replaced passwords: a password set now could
                # not be used, so none is offered (the same "sent" page, as for no account).
                continue
            key = f"password-reset:account:{user.pk}"
            if within_limit(
                key,
                settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT,
                window=settings.PASSWORD_RESET_LIMIT_WINDOW,
            ):
                yield user
            else:
                log.warning(
                    "Password reset: no email to user %s, past the account's limit", user.pk
                )


class PasswordResetView(auth_views.PasswordResetView):
    """Django's view, acting on at most PASSWORD_RESET_LIMIT_PER_ADDRESS requests a window
    from one address. Past either limit the answer is the same "sent" page, so it reveals
    neither the limit nor whether the address has an account."""

    form_class = PasswordResetForm

    def form_valid(self, form):
        address = get_client_ip_address(self.request) or "unknown"
        if within_limit(
            f"password-reset:address:{address}",
            settings.PASSWORD_RESET_LIMIT_PER_ADDRESS,
            window=settings.PASSWORD_RESET_LIMIT_WINDOW,
        ):
            return super().form_valid(form)
        log.warning("Password reset: request from %s ignored, past the address's limit", address)
        return HttpResponseRedirect(self.get_success_url())
