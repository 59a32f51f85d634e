"""Paper templates, kept in the app by administrators (/papers/templates/): a template is a
report family (its title block, audience, sections of each kind, and whether the generated
appendices follow them), copied into each paper started from it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from actions.models import PaperTemplate, TemplateSection
from actions.papers.services import PaperRefused
from actions.permissions import can_keep_paper_templates


@dataclass
class StaleTemplate(Exception):
    """Someone saved the template after the form was opened."""

    template: PaperTemplate


@transaction.atomic
def save_template(
    *,
    user,
    name: str,
    title_block: str,
    audience: str,
    sections: list[dict],
    generated_appendices: bool = True,
    template_id: int | None = None,
    seen_version: int | None = None,
) -> PaperTemplate:
    """A new template, or a template changed (opened at ``seen_version``: a save after
    someone else's, or one that says no version, is refused with StaleTemplate, saving
    nothing): its name, title block, audience, whether the generated appendices follow, and
    its sections, each kept, changed, reordered by its ``order`` (ties keep the form's order)
    or removed, and a new one added. Papers already drafted keep their own sections: they were
    copied when each paper started."""
    if not can_keep_paper_templates(user):
        raise PaperRefused("Only an administrator can change paper templates.")
    if template_id is None:
        template = PaperTemplate(name=name, title_block=title_block, audience=audience)
        template.generated_appendices = generated_appendices
    else:
        template = PaperTemplate.objects.select_for_update().get(pk=template_id)
        if seen_version is None or template.version != seen_version:
            raise StaleTemplate(template=template)
        template.name, template.title_block, template.audience = name, title_block, audience
        template.generated_appendices = generated_appendices
    if PaperTemplate.objects.filter(name=name).exclude(pk=template.pk).exists():
        raise PaperRefused(f"There is already a template called “{name}”.", status=400)
    template.save()
    stored = {section.pk: section for section in template.sections.all()}
    if {s["pk"] for s in sections if s["pk"] is not None} - set(stored):
        raise PaperRefused("A section of this template was removed meanwhile.", status=409)
    kept = sorted(
        (s for s in sections if not s.get("remove")),
        key=lambda s: s["order"],  # sorted() is stable: equal numbers keep the form's order
    )
    for s in sections:
        if s.get("remove"):
            stored[s["pk"]].delete()
    for position, values in enumerate(kept, 1):
        section = stored.get(values["pk"]) or TemplateSection(template=template)
        for field in TemplateSection.AUTHORED_FIELDS:
            setattr(section, field, values[field])
        section.position = position * 10
        section.save()
    return template
