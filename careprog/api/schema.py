"""The OpenAPI schema's additions to drf-spectacular's: each list's query parameters from its
``parameters`` serializer, and every error the API can answer, on every operation, so that a
client (and Schemathesis, with every check) can rely on the schema for all of them."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class Error(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in a sentence.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For a 400: each parameter that is wrong, with what is wrong.",
    )


ERRORS = {
    "400": "A parameter is repeated or not as documented; errors names it.",
    "401": "No token, or a token that is unknown, revoked, expired or whose person has left.",
    "403": "The token's person has no role that reads this.",
    "404": "No such thing, or one the token's person may not read.",
    "429": "Too many requests for this token: wait as Retry-After says.",
}


class ReadSchema(AutoSchema):
    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        declared = getattr(self.view, "parameters", None)
        if declared is not None and declared().fields:
            parameters.append(declared)
        return parameters

    def _get_format_parameters(self):
        parameters = super()._get_format_parameters()
        for parameter in parameters:
            parameter["description"] = (
                "csv: the same page as CSV, its columns the JSON's fields in order "
                "(json, the default, needs no parameter)."
            )
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if "200" in responses and not responses["200"].get("description"):
            responses["200"]["description"] = (
                "A page of rows, with count, next and previous; ETag (and Last-Modified where "
                "known) for a conditional request next time."
            )
        # A CSV page is text; its columns are the JSON's (docs/api.md).
        for response in responses.values():
            if "text/csv" in response.get("content", {}):
                response["content"]["text/csv"] = {"schema": {"type": "string"}}
        error = self.resolve_serializer(Error, "response").ref
        for code, description in ERRORS.items():
            responses.setdefault(
                code,
                {"description": description, "content": {"application/json": {"schema": error}}},
            )
        responses.setdefault("304", {"description": "Not modified since the ETag or date sent."})
        return responses


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "careprog.api.authentication.BearerTokenAuthentication"
    name = "personalToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A personal API token: “Your API tokens” in any page's footer (docs/api.md)."
            ),
        }
