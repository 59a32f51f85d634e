"""The people pages: thin views over actions/people/queries.py.

Every request is checked on the server: only those who may manage people (programme
administrators and superusers) get past _require; anyone else signed in gets 403.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from actions.people import queries, services
from actions.people.forms import PersonForm, RoleForm, SuccessorForm
from actions.permissions import can_manage_people


def _require(request) -> None:
    if not can_manage_people(request.user):
        raise PermissionDenied


@require_GET
def people(request):
    _require(request)
    return render(request, "actions/people/people.html", {"people": queries.people()})


@require_http_methods(["GET", "POST"])
def person_new(request):
    _require(request)
    form = PersonForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_valid():
        try:
            person = services.add_person(**form.cleaned_data, by=request.user)
        except services.PersonRefused as refusal:
            form.add_error(refusal.field, refusal.message)
        else:
            messages.success(
                request,
                f"{person.get_full_name()} added as {form.cleaned_data['role']}, "
                f"and invited by email to {person.email} to set a password",
            )
            return redirect("actions:people")
    if form.errors:
        status = 400
    return render(request, "actions/people/person_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def person_role(request, pk):
    _require(request)
    person = queries.person(pk)
    current = person.roles[0].name if person.roles else ""
    form = RoleForm(request.POST if request.method == "POST" else None, initial={"role": current})
    if form.is_valid():
        role = form.cleaned_data["role"]
        try:
            services.change_role(person_id=person.pk, role=role, by=request.user)
        except services.PersonRefused as refusal:
            form.add_error(refusal.field, refusal.message)
        else:
            name = person.get_full_name() or person.username
            messages.success(request, f"{name} is now in the role {role}")
            return redirect("actions:people")
    status = 400 if form.errors else 200
    context = {"form": form, "person": person}
    return render(request, "actions/people/person_role.html", context, status=status)


@require_http_methods(["GET", "POST"])
def person_deactivate(request, pk):
    """Two steps: choose the successor (GET), see what moves to them (GET with
    ``successor``: nothing changes yet), then deactivate (POST), all or nothing."""
    _require(request)
    person = queries.person(pk)
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = SuccessorForm(data, successors=queries.successors(person))
    holdings = queries.holdings(person)
    previewing = False
    if form.is_valid():
        successor = form.cleaned_data["successor"]
        try:
            if request.method == "POST":
                services.deactivate(
                    person_id=person.pk,
                    successor_id=successor.pk if successor else None,
                    by=request.user,
                )
                messages.success(request, _deactivated(person, successor))
                return redirect("actions:people")
            services.check_deactivation(
                person=person, successor=successor, by=request.user, moving=holdings
            )
            previewing = True
        except services.PersonRefused as refusal:
            form.add_error(refusal.field, refusal.message)
    status = 400 if form.errors else 200
    context = {
        "form": form,
        "person": person,
        "holdings": holdings,
        "previewing": previewing,
    }
    return render(request, "actions/people/person_deactivate.html", context, status=status)


def _deactivated(person, successor) -> str:
    name = person.get_full_name() or person.username
    if successor is None:
        return f"{name} is deactivated"
    return f"{name} is deactivated: {successor.get_full_name() or successor.username} takes over"
