"""Pages where programme administrators set up a programme in the app: add one, change its
name, address, quarters and description, and its structure (objectives, requirements and
mechanisms and actions). The writes are actions/structure.py's; these views only read the form and
show its refusals. Every part is fetched through its programme: 404 for a part of another."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
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
from actions.people import queries as people_queries
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
            "open_data": programme.open_data_from is not None,
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
                    open_data=data["open_data"],
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


def _action_form(request, initial=None, *, mechanisms=None, current=()):
    """Lead and delegates offered from those who may lead; an action's ``current`` lead and
    delegates stay offered even if their role has changed, so that the form never drops them
    unsaid: saving then asks for someone who may lead (structure.save_action)."""
    people = get_user_model().objects.filter(
        Q(pk__in=people_queries.people_who_may_lead().values("pk")) | Q(pk__in=current)
    )
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
        _action_form(
            request,
            initial,
            mechanisms=queries.mechanisms_of(programme, keeping=action.mechanism_id),
            current=[p for p in [initial["lead"], *initial["delegates"]] if p is not None],
        ),
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


# Retire, restore and delete: a confirmation page (GET) saying what the change reaches, and
# the change itself (POST), back on the structure page at the part.
RETIRING = {
    "retire": (
        structure.retire,
        "Retire",
        "retired",
        "It is kept, with its updates and history, and left out of the live report, the "
        "action lists, “Needs attention”, reminders, draft papers and carrying into next "
        "year. Published papers keep it. You can restore it later.",
    ),
    "restore": (
        structure.restore,
        "Restore",
        "restored",
        "It comes back into the live report with what was retired with it.",
    ),
    "delete": (
        structure.delete,
        "Delete",
        "deleted",
        "It is removed for good, with everything under it. Its history keeps a record of "
        "the deletion.",
    ),
}


def _refusal_before(change: str, part) -> str | None:
    """Why ``change`` cannot be made to ``part`` as it stands (read with
    queries.part_for_confirmation), for the confirmation page: no query."""
    name = type(part)._meta.verbose_name
    if change == "retire" and part.retired_at is not None:
        return f"This {name} was retired on {part.retired_at:%-d %B %Y}."
    if change == "restore":
        if part.retired_at is None:
            return f"This {name} is not retired."
        parent = structure.parent_of(part)
        if parent is not None and parent.retired_at is not None:
            return structure.under_retired_parent(part, parent)
    if change == "delete":
        return structure.why_not_deletable(part)
    return None


@require_http_methods(["GET", "POST"])
def change_part(request, slug, kind, pk, change):
    """Retire, restore or delete one part. GET: what it reaches (the parts and updates
    under it) and a button; POST: the change, then the structure page at the part. A page
    opened before someone else's save gets 409 with what is stored now, and saving again
    applies it."""
    programme = _get_programme_for_user(request, slug)
    model, _ = REORDERED[kind]
    service, verb, done, explanation = RETIRING[change]
    part = queries.part_for_confirmation(model, pk=pk, programme=programme)
    name = model._meta.verbose_name
    version, message, status = part.version, None, 200
    if request.method == "POST":
        try:
            seen = int(request.POST.get("version", ""))
        except ValueError:
            seen = None
        try:
            service(user=request.user, model=model, part_id=part.pk, seen_version=seen)
        except structure.StructureRefused as refusal:
            message, status = refusal.message, refusal.status
            if isinstance(refusal, structure.StaleStructure):
                message = (
                    f"{refusal.message} You opened version {seen}; it is now version "
                    f"{refusal.current.version}."
                )
            part = queries.part_for_confirmation(model, pk=pk, programme=programme)
            version = part.version
        else:
            messages.success(request, f"The {name} “{part}” has been {done}.")
            url = reverse("actions:programme_structure", args=[programme.slug])
            if change == "delete":
                return redirect(url)
            return redirect(f"{url}#{model.__name__.lower()}-{part.pk}")
    if change == "restore" and part.retired_at is not None:
        under = queries.parts_under(part, retired_at=part.retired_at)
    else:
        under = queries.parts_under(part, everything=change == "delete")
    return render(
        request,
        "actions/structure_change_part.html",
        {
            "programme": programme,
            "part": part,
            "name": name,
            "kind": kind,
            "change": change,
            "verb": verb,
            "explanation": explanation,
            "under": under,
            "version": version,
            "message": message,
            "refused": _refusal_before(change, part),
        },
        status=status,
    )
