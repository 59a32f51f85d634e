"""The people pages: thin views over actions/people/queries.py.

Every request is checked on the server: only those who may manage people (programme
administrators and superusers) get past _require; anyone else signed in gets 403.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from actions.people import queries
from actions.permissions import can_manage_people


def _require(request) -> None:
    if not can_manage_people(request.user):
        raise PermissionDenied


@require_GET
def people(request):
    _require(request)
    return render(request, "actions/people/people.html", {"people": queries.people()})
