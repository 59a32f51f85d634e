"""ReadList: what every list in the API does the same way.

- Its query parameters are a serializer (``parameters``), validated strictly: a parameter
  given twice, or a value the schema would not allow, is a 400 that names it, never ignored.
  The same serializer documents them in /api/schema/.
- Rows come in a stable order (``ordering`` ends with the primary key), paged by
  careprog.api.pagination.StrictPagination, as JSON or ``?format=csv``.
- Conditional GET: every 200 carries an ETag (a digest of the body, so it changes exactly
  when what the client would read changes) and, where the endpoint knows it, Last-Modified;
  ``If-None-Match`` or ``If-Modified-Since`` that still hold get 304 with no body. Responses are
  ``Cache-Control: private, no-cache``: a client may keep a copy but must ask each time.

Subclasses give ``rows(parameters)`` (a queryset, already ordered) and may give
``last_modified(parameters)``.
"""

import hashlib

from django.contrib.auth.decorators import login_not_required
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, quote_etag
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated

# actions.permissions.READ_PERMISSION, which every role has (careprog imports no app).
READ_PERMISSION = "actions.view_action"


class MayRead(BasePermission):
    """Every role reads; an account with no role reads nothing (403)."""

    message = "Your account has no role in careprog yet: ask its administrators."

    def has_permission(self, request, view):
        return bool(request.user and request.user.has_perm(READ_PERMISSION))


class NoParameters(serializers.Serializer):
    pass


def validated(serializer_class, request) -> dict:
    """The query parameters ``serializer_class`` declares, validated: 400 if any is repeated
    or not as documented."""
    data = {}
    errors = {}
    for name in serializer_class().fields:
        given = request.query_params.getlist(name)
        if len(given) > 1:
            errors[name] = [f"Give {name} once."]
        elif given:
            data[name] = given[0]
    if errors:
        raise ValidationError(errors)
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ReadList(generics.ListAPIView):
    permission_classes = [IsAuthenticated, MayRead]
    parameters = NoParameters

    @classmethod
    def as_view(cls, **initkwargs):
        # The API answers 401 itself; Django's LoginRequiredMiddleware would redirect to
        # the sign-in page, which a scheduled refresh cannot follow.
        return login_not_required(super().as_view(**initkwargs))

    def perform_content_negotiation(self, request, force=False):
        # DRF reads an empty or repeated ``?format=`` as no format (or the last one), so a
        # client's slip would silently get JSON: like every parameter, a 400 that names it.
        given = request.query_params.getlist(self.settings.URL_FORMAT_OVERRIDE)
        if not force and given and (len(given) > 1 or not given[0]):
            raise ValidationError({"format": ["Give format once: csv or json."]})
        return super().perform_content_negotiation(request, force)

    @property
    def csv_columns(self):
        return list(self.get_serializer_class()().fields)

    def get_parameters(self) -> dict:
        if not hasattr(self, "_parameters"):
            self._parameters = validated(self.parameters, self.request)
        return self._parameters

    def get_queryset(self):
        return self.rows(self.get_parameters())

    def last_modified(self, parameters: dict):
        return None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ["Authorization", "Cookie"])
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            response.render()
            response["ETag"] = quote_etag(hashlib.sha256(response.content).hexdigest()[:40])
            changed = self.last_modified(self.get_parameters())
            if changed is not None:
                response["Last-Modified"] = http_date(changed.timestamp())
            response = get_conditional_response(
                request,
                etag=response["ETag"],
                last_modified=int(changed.timestamp()) if changed else None,
                response=response,
            )
            patch_vary_headers(response, ["Authorization", "Cookie"])
        response["Cache-Control"] = "private, no-cache"
        # careprog.middleware.NoStoreWhenSignedInMiddleware leaves this one as it is.
        response.revalidate_only = True
        return response
