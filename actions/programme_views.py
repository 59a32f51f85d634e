"""Pages where programme administrators set up a programme in the app: add one, change its
name, address, quarters and description. The writes are actions/structure.py's; these
views only read the form and show its refusals."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from actions import structure
from actions.forms import ProgrammeForm
from actions.models import Programme
from actions.permissions import can_manage


def _get_programme_for_user(request, slug) -> Programme:
    """403 before 404: a role that may not manage learns nothing about which slugs exist."""
    if not can_manage(request.user):
        raise PermissionDenied
    return get_object_or_404(Programme, slug=slug)


def _refusal_to_form(form, refusal: structure.StructureRefused):
    """The form again, with the refusal in its error summary. After someone else's save it
    keeps what was typed but carries the version stored now, so that saving again, having
    read the message (which says what is stored), applies it."""
    if isinstance(refusal, structure.StaleStructure):
        data = form.data.copy()
        data["version"] = refusal.current.version
        form = type(form)(data, initial=form.initial)
        form.is_valid()
    form.add_error(refusal.field, refusal.message)
    return form, refusal.status


def _programme_page(request, programme: Programme | None):
    initial = {}
    if programme is not None:
        initial = {
            "name": programme.name,
            "slug": programme.slug,
            "first_period": programme.first_period,
            "last_period": programme.last_period,
            "description": programme.description,
            "version": programme.version,
        }
    form = ProgrammeForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = structure.save_programme(
                    user=request.user,
                    name=data["name"],
                    slug=data["slug"],
                    description=data["description"],
                    first_period=data["first_period"],
                    last_period=data["last_period"],
                    programme_id=programme.pk if programme else None,
                    seen_version=data["version"],
                )
            except structure.StructureRefused as refusal:
                form, status = _refusal_to_form(form, refusal)
            else:
                done = "changed" if programme else "added"
                messages.success(request, f"The programme “{saved.name}” has been {done}.")
                return redirect(saved)
    return render(
        request,
        "actions/programme_form.html",
        {"form": form, "programme": programme},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def programme_new(request):
    if not can_manage(request.user):
        raise PermissionDenied
    return _programme_page(request, None)


@require_http_methods(["GET", "POST"])
def programme_edit(request, slug):
    return _programme_page(request, _get_programme_for_user(request, slug))
