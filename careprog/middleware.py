"""Request and response rules that hold for every page, so no view can forget them."""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

# Where a session keeps the time of its last recorded activity (seconds since the epoch).
ACTIVE_AT = "careprog_active_at"
# Activity is recorded at most this often: one session write a minute, not one a request.
ACTIVITY_RESOLUTION_SECONDS = 60


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is larger than REQUEST_MAX_BYTES with 413,
    before anything reads it.

    Django's own limits stop short of this: DATA_UPLOAD_MAX_MEMORY_SIZE leaves out file
    uploads, and an upload of any size is otherwise spooled to disk before a form can
    refuse it, even for a visitor who is not signed in. The cap sits above the largest
    KPI return (KPI_IMPORT_MAX_BYTES), so a return just over that limit gets the import
    page's own sentence, and below the proxy's limit, so the refusal is ours.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0  # Django reads such a body as empty
        if declared > settings.REQUEST_MAX_BYTES:
            megabytes = settings.REQUEST_MAX_BYTES // (1024 * 1024)
            return HttpResponse(render_to_string("413.html", {"limit_mb": megabytes}), status=413)
        return self.get_response(request)


class NoStoreWhenSignedInMiddleware:
    """Cache-Control: no-store on every response to a signed-in user (pages, exports,
    downloads), so neither a shared proxy nor the browser's cache keeps a copy of them
    for the next person at that computer. Static files never reach this: whitenoise
    serves them earlier, with their own far-future caching. The API's lists say
    ``private, no-cache`` themselves (careprog.api.views.ReadList), so that a scheduled
    refresh can ask "changed?" with the ETag it kept."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated and not getattr(response, "revalidate_only", False):
            add_never_cache_headers(response)
        return response


def mark_session_active(sender, request, **kwargs):
    """Record activity now: the session is saved, so its expiry moves SESSION_COOKIE_AGE on."""
    request.session[ACTIVE_AT] = int(timezone.now().timestamp())


class SessionActivityMiddleware:
    """The idle timeout: a signed-in session expires SESSION_COOKIE_AGE (SESSION_IDLE_MINUTES)
    after its last request, give or take ACTIVITY_RESOLUTION_SECONDS.

    Django's SESSION_SAVE_EVERY_REQUEST would do the same with a database write on every
    request, each of which queues for SQLite's one write lock.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(timezone.now().timestamp())
            if now - request.session.get(ACTIVE_AT, 0) >= ACTIVITY_RESOLUTION_SECONDS:
                mark_session_active(None, request)
        return self.get_response(request)
