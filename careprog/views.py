"""The users' guides at /help/: one short guide per role, open to everyone, signed in or not,
so that someone who cannot sign in can still read how to. They import no app: what a guide
says is written in its template (templates/help/), in the words the pages use. The pages a
public body must publish, the accessibility statement and the privacy notice, open to everyone
too. And the service's icon at /favicon.ico, which browsers and bookmarks ask for whatever a
page says."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from careprog.queries import public_details

# Address → the role's name, as careprog.roles names the groups (a test keeps them in step).
GUIDES = {
    "officer": "Officers",
    "committee-member": "Committee members",
    "head-of-service": "Heads of service",
    "administrator": "Programme administrators",
}


def _context(**extra):
    """What the guides quote from this service's own settings, so they say what it does."""
    return {
        "guides": GUIDES,
        "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
        "lockout_minutes": round(settings.AXES_COOLOFF_TIME * 60),
        **extra,
    }


@login_not_required
@require_GET
def help_index(request):
    return render(request, "help/index.html", _context())


@login_not_required
@require_GET
def help_guide(request, role):
    if role not in GUIDES:
        raise Http404("No such guide")
    return render(request, f"help/{role}.html", _context(role=role, role_name=GUIDES[role]))


@login_not_required
@require_GET
def accessibility_statement(request):
    """Regulation 7 of the Public Sector Bodies (Websites and Mobile Applications) (No. 2)
    Accessibility Regulations 2018, in the GOV.UK model statement's order."""
    return render(request, "public/accessibility.html", {"details": public_details()})


@login_not_required
@require_GET
def privacy_notice(request):
    return render(request, "public/privacy.html", {"details": public_details()})


FAVICON = Path(__file__).resolve().parent / "favicon.ico"


@login_not_required
@require_GET
def favicon(request):
    """careprog's own icon (not GOV.UK's crown: this is not a GOV.UK service), open without
    sign-in, as the sign-in page's tab asks for it too."""
    response = HttpResponse(FAVICON.read_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response
