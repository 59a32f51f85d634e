"""The pages of signing in: the sign-in page, the way to and back from the council's
provider, and signing out of both.

Every way the provider's answer can fail (a forged or replayed state, a code the provider
refuses, a token signed by another key, an account that may not be linked) ends on one
page that says what happened and what to do, with a 4xx status: never a 500, and no one
signed in.
"""

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import View
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from careprog.oidc.backend import SignInRefused
from careprog.oidc.forms import SignInForm, passwords_for_everyone
from careprog.oidc.provider import ProviderUnavailable, discover, enabled

LOGGER = logging.getLogger(__name__)
BACKEND = "careprog.oidc.backend.CouncilAccountBackend"
ID_TOKEN = "oidc_id_token"  # where mozilla-django-oidc keeps it (OIDC_STORE_ID_TOKEN)


def refuse(request, reason: str, status: int):
    """The one page for a sign-in that did not happen (registration/sign_in_refused.html)."""
    return render(
        request,
        "registration/sign_in_refused.html",
        {"reason": reason, "provider_name": settings.OIDC_PROVIDER_NAME},
        status=status,
    )


def provider_available() -> bool:
    try:
        discover()
    except ProviderUnavailable:
        return False
    return True


class SignInView(auth_views.LoginView):
    """/sign-in/: "Sign in with <provider>" when single sign-on is on; the password form
    as before when it is off, beside the button while OIDC_LOCAL_PASSWORDS is on, and
    otherwise only at ?with=password, for the superuser's break-glass account."""

    form_class = SignInForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        single_sign_on = enabled()
        context.update(
            single_sign_on=single_sign_on,
            provider_name=settings.OIDC_PROVIDER_NAME,
            provider_available=single_sign_on and provider_available(),
            show_password_form=(
                passwords_for_everyone()
                or self.request.GET.get("with") == "password"
                or self.request.method == "POST"
            ),
        )
        return context


@method_decorator([login_not_required, never_cache], name="dispatch")
class StartSignIn(OIDCAuthenticationRequestView):
    """/oidc/authenticate/: off to the provider with a fresh state, nonce and PKCE
    challenge (the library keeps them in the session, one set per tab)."""

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)  # the library's reads endpoints from settings here
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request):
        if not enabled():
            raise Http404("Single sign-on is not set up")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = discover().authorization_endpoint
        except ProviderUnavailable as error:
            LOGGER.warning("single sign-on unavailable: %s", error)
            return refuse(request, "unavailable", 503)
        return super().get(request)


@login_not_required
@never_cache
@require_GET
def callback(request):
    """/oidc/callback/: the provider's answer. The state must be one this browser's session
    started, and is spent whatever happens next, so a callback cannot be replayed."""
    if not enabled():
        raise Http404("Single sign-on is not set up")
    states = request.session.get("oidc_states") or {}
    state = request.GET.get("state", "")
    started = states.pop(state, None) if isinstance(state, str) else None
    if started is not None:
        request.session["oidc_states"] = states
    if request.GET.get("error"):
        return refuse(request, "cancelled", 403)
    if started is None or not request.GET.get("code"):
        return refuse(request, "expired", 400)
    try:
        user = auth.authenticate(
            request, nonce=started.get("nonce"), code_verifier=started.get("code_verifier")
        )
    except SignInRefused as refusal:
        LOGGER.warning("single sign-on refused: %s", refusal)
        return refuse(request, refusal.reason, refusal.status)
    if user is None or getattr(user, "backend", None) != BACKEND:
        return refuse(request, "expired", 400)
    next_url = request.session.get("oidc_login_next") or resolve_url(settings.LOGIN_REDIRECT_URL)
    id_token = request.session.get(ID_TOKEN)
    auth.login(request, user)
    request.session[ID_TOKEN] = id_token
    return HttpResponseRedirect(next_url)


class SignOutView(auth_views.LogoutView):
    """/sign-out/: ends careprog's session and, for a person who came from the provider
    when it lists an end_session_endpoint, theirs too (RP-initiated logout 1.0)."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get(ID_TOKEN)
        response = super().post(request, *args, **kwargs)
        if not (id_token and enabled()):
            return response
        try:
            end_session = discover().end_session_endpoint
        except ProviderUnavailable:
            return response
        if not end_session:
            return response
        query = urlencode(
            {
                "id_token_hint": id_token,
                "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
                "client_id": settings.OIDC_RP_CLIENT_ID,
            }
        )
        return HttpResponseRedirect(f"{end_session}?{query}")
