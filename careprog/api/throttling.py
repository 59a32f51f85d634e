"""The API's rate limit: API_RATE_LIMIT requests per token (or per signed-in person), counted
in the "throttle" cache (the database's cache table in production, so every worker counts
together). Past it: 429 with Retry-After."""

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle


class PerTokenRateThrottle(SimpleRateThrottle):
    scope = "api"

    def __init__(self):
        self.cache = caches["throttle"]
        super().__init__()

    def get_rate(self):
        # Read on each request, not once at import as DRF does, so settings can change it.
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view):
        token = request.auth
        if token is not None and hasattr(token, "pk"):
            return f"api-rate:token:{token.pk}"
        if request.user and request.user.is_authenticated:
            return f"api-rate:person:{request.user.pk}"
        return None
