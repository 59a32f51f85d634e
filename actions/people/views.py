"""The people pages: thin views over actions/people/queries.py.

Every request is checked on the server: only those who may manage people (programme
administrators and superusers) get past _require; anyone else signed in gets 403.
"""

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from actions.people import bulk, queries, services
from actions.people.forms import PeopleListForm, PersonForm, RoleForm, SuccessorForm
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


# The preview carries the rows it showed, signed, so the confirmation adds exactly those (and
# checks them again) without storing the upload; an hour is time enough to read a preview.
_LIST_SALT = "careprog.people.list"
_LIST_MAX_AGE = 3600


@require_http_methods(["GET", "POST"])
def people_import(request):
    """Upload (POST with a file): the preview, each row with its problems. Confirm (POST with
    the preview's signed rows): everyone added, or nobody."""
    _require(request)
    form = PeopleListForm(request.POST or None, request.FILES or None)
    rows, signed, refused = None, "", ""
    if request.method == "POST" and "people" in request.POST:
        form = PeopleListForm()
        try:
            listed = signing.loads(request.POST["people"], salt=_LIST_SALT, max_age=_LIST_MAX_AGE)
            added = services.add_people(rows=listed, by=request.user)
        except signing.BadSignature:
            refused = "The preview is too old: upload the list again"
        except services.PersonRefused as refusal:
            refused = refusal.message
        else:
            messages.success(request, f"{len(added)} people added and invited by email")
            return redirect("actions:people")
    elif form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = bulk.read_people(upload.read(), upload.name)
        except bulk.ListRejected as rejected:
            form.add_error("file", str(rejected))
        else:
            if rows and not any(row.problems for row in rows):
                signed = signing.dumps(
                    [vars(row) | {"problems": []} for row in rows], salt=_LIST_SALT
                )
            elif not rows:
                form.add_error("file", "The list has a heading row but nobody under it")
    status = 400 if form.errors or refused else 200
    context = {"form": form, "rows": rows, "signed": signed, "refused": refused}
    return render(request, "actions/people/people_import.html", context, status=status)
