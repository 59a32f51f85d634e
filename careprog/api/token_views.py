"""A person's own API tokens at /account/tokens/: list them, make one, revoke one.

Every signed-in person with a role may hold tokens (a token carries exactly its person's
roles, so it reads what they read); a person with no role gets 403, as the API would give
their token. Each token is fetched through _own_token: another person's token is 404, so a
forged id neither changes nor reveals anything.

A new token's secret is shown once, in the answer to the POST that made it, never in a URL
or after a redirect (a browser's history, a proxy's log or the Referer would keep it), and
with Cache-Control: no-store.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from careprog.api.token_forms import NewTokenForm
from careprog.api.tokens import issue_token, revoke_token
from careprog.api.views import READ_PERMISSION
from careprog.models import ApiToken


def _require_role(request) -> None:
    if not request.user.has_perm(READ_PERMISSION):
        raise PermissionDenied


def _own_token(request, pk) -> ApiToken:
    return get_object_or_404(ApiToken, pk=pk, person=request.user)


@require_GET
def api_tokens(request):
    """One query for the tokens, whatever their number (newest first, the model's order)."""
    _require_role(request)
    now = timezone.now()
    tokens = [(token, token.state(now=now)) for token in request.user.api_tokens.all()]
    return render(request, "api/tokens.html", {"tokens": tokens})


@never_cache
@require_http_methods(["GET", "POST"])
def api_token_new(request):
    _require_role(request)
    form = NewTokenForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        token, secret = issue_token(person=request.user, **form.cleaned_data)
        return render(request, "api/token_made.html", {"token": token, "secret": secret})
    status = 400 if form.errors else 200
    return render(request, "api/token_new.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def api_token_revoke(request, pk):
    """Asks first (GET), then revokes (POST): at once, for every program that sends it."""
    _require_role(request)
    token = _own_token(request, pk)
    if request.method == "POST":
        if revoke_token(token_id=token.pk, person=request.user):
            said = f"“{token.name}” is revoked: anything that sends it is refused"
        else:
            said = f"“{token.name}” was already revoked"
        messages.success(request, said)
        return redirect("api_tokens")
    state = token.state(now=timezone.now())
    return render(request, "api/token_revoke.html", {"token": token, "state": state})
