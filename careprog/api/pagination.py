"""Paging for every list: ``page`` from 1 and ``page_size`` up to MAX_PAGE_SIZE, strictly.

DRF's own page-number paging reads an empty, repeated or non-numeric ``?page=`` as page 1: a
client with a bug would silently read the first page again and again. Here anything but one
whole number in range is a 400 naming the parameter. A page past the last is an empty page
(200, no ``next``), so a client that counts pages ahead never meets an error.

Each page says ``count``, ``next`` and ``previous`` (absolute links), and the same links go in
a ``Link`` header, which is how a CSV page points to the next.
"""

import re
from collections import OrderedDict

from django.core.paginator import Paginator
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
_WHOLE_NUMBER = re.compile(r"^[1-9][0-9]{0,8}$")


def _whole_number(request, name: str, *, default: int, maximum: int | None = None) -> int:
    given = request.query_params.getlist(name)
    if not given:
        return default
    if len(given) > 1:
        raise ValidationError({name: [f"Give {name} once."]})
    if not _WHOLE_NUMBER.match(given[0]) or (maximum and int(given[0]) > maximum):
        upper = f" to {maximum}" if maximum else " or more"
        raise ValidationError({name: [f"{name} is a whole number from 1{upper}."]})
    return int(given[0])


class StrictPagination(BasePagination):
    page_query_param = "page"
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.number = _whole_number(request, self.page_query_param, default=1)
        self.page_size = _whole_number(
            request, self.page_size_query_param, default=DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE
        )
        paginator = Paginator(queryset, self.page_size)
        self.count = paginator.count
        self.num_pages = paginator.num_pages if self.count else 0
        if self.number > self.num_pages:
            return []
        bottom = (self.number - 1) * self.page_size
        return list(queryset[bottom : bottom + self.page_size])

    def _link(self, number: int | None) -> str | None:
        if number is None or number < 1 or number > self.num_pages:
            return None
        url = self.request.build_absolute_uri()
        if number == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, number)

    def get_next_link(self):
        return self._link(self.number + 1)

    def get_previous_link(self):
        return self._link(min(self.number - 1, self.num_pages))

    def get_paginated_response(self, data):
        links = [
            f'<{url}>; rel="{rel}"'
            for rel, url in (("next", self.get_next_link()), ("prev", self.get_previous_link()))
            if url
        ]
        response = Response(
            OrderedDict(
                [
                    ("count", self.count),
                    ("next", self.get_next_link()),
                    ("previous", self.get_previous_link()),
                    ("results", data),
                ]
            )
        )
        if links:
            response["Link"] = ", ".join(links)
        return response

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "next", "previous", "results"],
            "properties": {
                "count": {"type": "integer", "minimum": 0, "description": "Rows in every page."},
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The next page, or null on the last.",
                },
                "previous": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The previous page, or null on the first.",
                },
                "results": {**schema, "description": "This page's rows, in a stable order."},
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "The page, from 1. A page past the last is empty.",
                "schema": {"type": "integer", "minimum": 1, "maximum": 999999999},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page (default {DEFAULT_PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]
