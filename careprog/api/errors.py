"""Every error the API answers has one shape: ``{"detail": "…"}``, and for a 400 also
``"errors": {"parameter": ["what is wrong"]}``, always as JSON (a CSV of an error would read as
an empty table). The schema documents it on every operation (careprog.api.schema)."""

from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.views import exception_handler

CHECK_PARAMETERS = "Check the parameters: errors says what is wrong with each."


def api_exception_handler(exc, context):
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {"detail": CHECK_PARAMETERS, "errors": errors}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"])}
    request = context.get("request")
    if request is not None:
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    return response
