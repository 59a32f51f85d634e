"""Carrying a programme into next year: one page that previews, then confirms (carry.py)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from actions.carry import CarryRefused, carry_programme, proposed_name, proposed_slug
from actions.forms import CarryForm
from actions.models import Programme
from actions.permissions import can_manage, can_read
from actions.queries import plan_carry


@require_http_methods(["GET", "POST"])
def carry(request, slug):
    """GET previews what carrying would copy, carry and leave behind; POST carries it. A
    refusal (the slug taken, the programme already carried) comes back in the error summary
    with status 400 and writes nothing."""
    if not (can_read(request.user) and can_manage(request.user)):
        raise PermissionDenied
    programme = get_object_or_404(Programme, slug=slug)
    status = 200
    if request.method == "POST":
        form = CarryForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                new = carry_programme(
                    programme=programme,
                    name=form.cleaned_data["name"],
                    slug=form.cleaned_data["slug"],
                )
            except CarryRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, f"{programme.name} has been carried into {new.name}.")
                return redirect(new)
    else:
        form = CarryForm(
            initial={"name": proposed_name(programme), "slug": proposed_slug(programme)}
        )
    return render(
        request,
        "actions/carry.html",
        {"programme": programme, "plan": plan_carry(programme=programme), "form": form},
        status=status,
    )
