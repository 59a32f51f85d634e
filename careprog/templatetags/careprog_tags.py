from django import template
from django.utils.safestring import mark_safe

from careprog.council_text import as_html

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` in a template, or None: Django's templates cannot index by a variable."""
    return mapping.get(key) if mapping else None


# Characters that can neither end a CSS string nor a <style> element.
_CSS_PLAIN = frozenset(" ,.:;!?()-—–'/")


@register.filter
def css_string(value):
    """``value`` as a quoted CSS string, safe inside a ``<style>`` element.

    Everything but letters, digits, spaces and plain punctuation becomes a CSS hex escape,
    so a quote, backslash or newline cannot end the string, and ``<``, ``>`` or ``&``
    cannot end the element (HTML escaping would print "&amp;": CSS does not decode it).
    """
    escaped = "".join(
        char if char.isalnum() or char in _CSS_PLAIN else f"\\{ord(char):x} " for char in str(value)
    )
    return mark_safe(f'"{escaped}"')  # noqa: S308 - every unsafe character is escaped above


@register.filter
def person(user, nobody="someone"):
    """A user's full name, else their username; ``nobody`` where there is no user (a command
    line import, a deleted account). ``a.get_full_name|default:a.username`` fails to render
    when ``a`` is None: a filter's argument that cannot be read is an error, not blank."""
    if user is None:
        return nobody
    return user.get_full_name() or user.get_username()


@register.filter
def council_text(text):
    """Text a council wrote in admin as paragraphs, headings and lists, escaped
    (careprog.council_text)."""
    return as_html(text)
