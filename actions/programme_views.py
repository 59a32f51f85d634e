"""Pages where programme administrators set up a programme in the app: add one, change its
name, address, quarters and description, and its structure (objectives, requirements and
mechanisms and actions). The writes are actions/structure.py's; these views only read the form and
show its refusals. Every part is fetched through its programme: 404 for a part of another."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from actions import queries, structure
from actions.forms import (
    ActionForm,
    ObjectiveForm,
    PartTextForm,
    ProgrammeForm,
    measure_choices,
)
from actions.models import Action, Mechanism, Objective, Programme, Requirement
from actions.permissions import can_manage
from kpis.models import KPI


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
        form.data = form.data.copy()
        form.data["version"] = refusal.current.version
        form.full_clean()
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
            "committee": programme.committee_id,
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
                    committee_id=data["committee"].pk if data["committee"] else None,
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


@require_GET
def programme_structure(request, slug):
    programme = _get_programme_for_user(request, slug)
    return render(
        request,
        "actions/programme_structure.html",
        {"programme": programme, "objectives": queries.programme_structure(programme)},
    )


def _part_page(request, programme, form, *, heading: str, button: str, save):
    """The form for one part of the structure; ``save(data)`` writes it through
    actions/structure.py. Back to the structure page, at the part, when saved."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved = save(form.cleaned_data)
            except structure.StructureRefused as refusal:
                form, status = _refusal_to_form(form, refusal)
            else:
                messages.success(request, f"{heading}: saved.")
                url = reverse("actions:programme_structure", args=[programme.slug])
                return redirect(f"{url}#{type(saved).__name__.lower()}-{saved.pk}")
    return render(
        request,
        "actions/structure_part_form.html",
        {"form": form, "programme": programme, "heading": heading, "button": button},
        status=status,
    )


def _posted(request):
    return request.POST if request.method == "POST" else None


@require_http_methods(["GET", "POST"])
def objective_new(request, slug):
    programme = _get_programme_for_user(request, slug)
    return _part_page(
        request,
        programme,
        _objective_form(request),
        heading="Add an objective",
        button="Add the objective",
        save=lambda data: structure.save_objective(
            user=request.user,
            programme_id=programme.pk,
            title=data["title"],
            statement=data["statement"],
            kpi_ids=data["kpis"],
        ),
    )


@require_http_methods(["GET", "POST"])
def objective_edit(request, slug, pk):
    programme = _get_programme_for_user(request, slug)
    objective = get_object_or_404(Objective, pk=pk, programme=programme)
    initial = {
        "title": objective.title,
        "statement": objective.statement,
        "kpis": list(objective.kpis.values_list("pk", flat=True)),
        "version": objective.version,
    }
    return _part_page(
        request,
        programme,
        _objective_form(request, initial),
        heading="Change the objective",
        button="Save the objective",
        save=lambda data: structure.save_objective(
            user=request.user,
            programme_id=programme.pk,
            title=data["title"],
            statement=data["statement"],
            kpi_ids=data["kpis"],
            objective_id=objective.pk,
            seen_version=data["version"],
        ),
    )


def _objective_form(request, initial=None):
    """The whole catalogue is offered, grouped: a programme chooses its evidence from it."""
    return ObjectiveForm(
        _posted(request), initial=initial, catalogue=measure_choices(KPI.objects.all())
    )


def _requirement_form(request, initial=None):
    return PartTextForm(
        _posted(request),
        initial=initial,
        label="What we need",
        required_message="Enter what the objective needs",
    )


def _mechanism_form(request, initial=None):
    return PartTextForm(
        _posted(request),
        initial=initial,
        label="How we will make it happen",
        required_message="Enter how the requirement will be made to happen",
    )


@require_http_methods(["GET", "POST"])
def requirement_new(request, slug, pk):
    programme = _get_programme_for_user(request, slug)
    objective = get_object_or_404(Objective, pk=pk, programme=programme)
    return _part_page(
        request,
        programme,
        _requirement_form(request),
        heading="Add a requirement",
        button="Add the requirement",
        save=lambda data: structure.save_requirement(
            user=request.user, objective_id=objective.pk, text=data["text"]
        ),
    )


@require_http_methods(["GET", "POST"])
def requirement_edit(request, slug, pk):
    programme = _get_programme_for_user(request, slug)
    requirement = get_object_or_404(Requirement, pk=pk, objective__programme=programme)
    return _part_page(
        request,
        programme,
        _requirement_form(request, {"text": requirement.text, "version": requirement.version}),
        heading="Change the requirement",
        button="Save the requirement",
        save=lambda data: structure.save_requirement(
            user=request.user,
            objective_id=requirement.objective_id,
            text=data["text"],
            requirement_id=requirement.pk,
            seen_version=data["version"],
        ),
    )


@require_http_methods(["GET", "POST"])
def mechanism_new(request, slug, pk):
    programme = _get_programme_for_user(request, slug)
    requirement = get_object_or_404(Requirement, pk=pk, objective__programme=programme)
    return _part_page(
        request,
        programme,
        _mechanism_form(request),
        heading="Add a mechanism",
        button="Add the mechanism",
        save=lambda data: structure.save_mechanism(
            user=request.user, requirement_id=requirement.pk, text=data["text"]
        ),
    )


@require_http_methods(["GET", "POST"])
def mechanism_edit(request, slug, pk):
    programme = _get_programme_for_user(request, slug)
    mechanism = get_object_or_404(Mechanism, pk=pk, requirement__objective__programme=programme)
    return _part_page(
        request,
        programme,
        _mechanism_form(request, {"text": mechanism.text, "version": mechanism.version}),
        heading="Change the mechanism",
        button="Save the mechanism",
        save=lambda data: structure.save_mechanism(
            user=request.user,
            requirement_id=mechanism.requirement_id,
            text=data["text"],
            mechanism_id=mechanism.pk,
            seen_version=data["version"],
        ),
    )


def _action_form(request, initial=None, *, mechanisms=None):
    people = get_user_model().objects.filter(is_active=True)
    return ActionForm(
        _posted(request),
        initial=initial,
        people=people.order_by("first_name", "last_name", "username"),
        mechanisms=mechanisms,
    )


def _save_action(request, data, *, mechanism_id, action=None):
    return structure.save_action(
        user=request.user,
        mechanism_id=data["mechanism"].pk if data.get("mechanism") else mechanism_id,
        title=data["title"],
        lead_id=data["lead"].pk if data["lead"] else None,
        delegate_ids=[person.pk for person in data["delegates"]],
        due_date=data["due_date"],
        action_id=action.pk if action else None,
        seen_version=data["version"] if action else None,
    )


@require_http_methods(["GET", "POST"])
def action_new(request, slug, pk):
    programme = _get_programme_for_user(request, slug)
    mechanism = get_object_or_404(Mechanism, pk=pk, requirement__objective__programme=programme)
    return _part_page(
        request,
        programme,
        _action_form(request),
        heading="Add an action",
        button="Add the action",
        save=lambda data: _save_action(request, data, mechanism_id=mechanism.pk),
    )


@require_http_methods(["GET", "POST"])
def action_edit(request, slug, pk):
    programme = _get_programme_for_user(request, slug)
    action = get_object_or_404(
        Action.objects.prefetch_related("delegates"),
        pk=pk,
        mechanism__requirement__objective__programme=programme,
    )
    initial = {
        "title": action.title,
        "lead": action.lead_id,
        "delegates": [person.pk for person in action.delegates.all()],
        "due_date": action.due_date.strftime("%d/%m/%Y") if action.due_date else "",
        "version": action.version,
        "mechanism": action.mechanism_id,
    }
    return _part_page(
        request,
        programme,
        _action_form(request, initial, mechanisms=queries.mechanisms_of(programme)),
        heading="Change the action",
        button="Save the action",
        save=lambda data: _save_action(
            request, data, mechanism_id=action.mechanism_id, action=action
        ),
    )


REORDERED = {
    "objectives": (Objective, "programme"),
    "requirements": (Requirement, "objective__programme"),
    "mechanisms": (Mechanism, "requirement__objective__programme"),
    "actions": (Action, "mechanism__requirement__objective__programme"),
}


@require_POST
def reorder(request, slug, kind, pk):
    """One place up or down; back to the structure page at the part moved."""
    programme = _get_programme_for_user(request, slug)
    model, through = REORDERED[kind]
    part = get_object_or_404(model, pk=pk, **{through: programme})
    try:
        structure.reorder(
            user=request.user, model=model, part_id=part.pk, direction=request.POST.get("move")
        )
    except structure.StructureRefused as refusal:
        return render(
            request,
            "actions/structure_refused.html",
            {"programme": programme, "message": refusal.message},
            status=refusal.status,
        )
    url = reverse("actions:programme_structure", args=[programme.slug])
    return redirect(f"{url}#{model.__name__.lower()}-{part.pk}")
