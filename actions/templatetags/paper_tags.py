from django import template

from actions.models import Status

register = template.Library()


@register.filter
def status_tag_class(value: str) -> str:
    """The GOV.UK tag colour of a status stored as its value (as a paper's snapshot holds it)."""
    return Status(value).tag_class if value in Status.values else "govuk-tag--grey"
