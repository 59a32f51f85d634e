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


class _KeptNode(template.Node):
    def __init__(self, name: str, nodelist):
        self.name, self.nodelist = name, nodelist

    def render(self, context):
        from careprog import page_cache

        request = context.get("request")
        if request is None:
            return self.nodelist.render(context)
        return page_cache.kept(request, self.name, lambda: self.nodelist.render(context))


@register.tag
def kept(parser, token):
    """``{% kept "name" %}...{% endkept %}``: the enclosed HTML, kept until anything it could
    show changes (careprog.page_cache). Nothing inside may differ between two requests of one
    person for one address on one day but the data: no CSRF token, no CSP nonce, no messages."""
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('{% kept "name" %} takes one quoted name')
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return _KeptNode(bits[1][1:-1], nodelist)
