"""Paper templates' pages: the report families, kept in the app by administrators (as well as
in Django admin). A template says its title block, the kind of meeting it goes to and its
sections in order, each of a kind; papers copy it when they start, so a change here never
touches a paper already drafted. Every template is fetched through _get_template_for_user:
403 for a user who may not keep templates, 404 for one that does not exist."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from actions.models import PaperTemplate
from actions.papers import queries, services, templates_kept
from actions.papers.template_forms import PaperTemplateForm
from actions.permissions import can_keep_paper_templates


def _require(request) -> None:
    if not can_keep_paper_templates(request.user):
        raise PermissionDenied


def _get_template_for_user(request, pk) -> PaperTemplate:
    _require(request)
    return queries.paper_template_for_page(pk)


def _posted(request):
    return request.POST if request.method == "POST" else None


@require_GET
def template_list(request):
    _require(request)
    return render(
        request,
        "actions/papers/template_list.html",
        {"templates": queries.paper_templates()},
    )


@require_http_methods(["GET", "POST"])
def template_new(request):
    _require(request)
    return _template_page(request, None)


@require_http_methods(["GET", "POST"])
def template_edit(request, pk):
    return _template_page(request, _get_template_for_user(request, pk))


def _template_page(request, template: PaperTemplate | None):
    sections = list(template.sections.all()) if template else []
    initial = (
        {
            "version": template.version,
            "name": template.name,
            "title_block": template.title_block,
            "audience": template.audience,
            "generated_appendices": template.generated_appendices,
        }
        if template
        else {"generated_appendices": True}
    )
    form = PaperTemplateForm(_posted(request), initial=initial, sections=sections)
    stale, status = None, 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = templates_kept.save_template(
                    user=request.user,
                    template_id=template.pk if template else None,
                    seen_version=data["version"],
                    name=data["name"],
                    title_block=data["title_block"],
                    audience=data["audience"],
                    generated_appendices=data["generated_appendices"],
                    sections=form.section_values(),
                )
            except templates_kept.StaleTemplate as conflict:
                stale, status = conflict.template, 409
            except services.PaperRefused as refusal:
                if refusal.status == 403:
                    raise PermissionDenied from refusal
                form.add_error("name" if refusal.status == 400 else None, refusal.message)
                status = refusal.status
            else:
                done = "changed" if template else "added"
                messages.success(request, f"The template “{saved}” has been {done}.")
                return redirect(saved)
    return render(
        request,
        "actions/papers/template_form.html",
        {"template": template, "form": form, "stale": stale},
        status=status,
    )
