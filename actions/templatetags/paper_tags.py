from django import template

from actions.models import UNTITLED_ACTION, Status
from actions.papers import changes as paper_changes

register = template.Library()


@register.filter
def status_tag_class(value: str) -> str:
    """The GOV.UK tag colour of a status stored as its value (as a paper's snapshot holds it)."""
    return Status(value).tag_class if value in Status.values else "govuk-tag--grey"


@register.filter
def action_name(title: str) -> str:
    """An action's text, or the one phrase for an action with none (UNTITLED_ACTION)."""
    return title or UNTITLED_ACTION


@register.filter
def change_summary(changes: dict) -> list[dict]:
    """Appendix B's counts, which come before its details (papers.changes.summary)."""
    return paper_changes.summary(changes)


@register.filter
def change_groups(changes: dict) -> list[dict]:
    """Appendix B's details, the same cells in every form (papers.changes.groups)."""
    return paper_changes.groups(changes)
