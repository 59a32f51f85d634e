from django import template
from django.utils.html import conditional_escape

from actions.glossary import PageGlossary

register = template.Library()


@register.filter
def plain_words(text, glossary):
    """``{{ text|plain_words:glossary }}``: the text escaped, its abbreviations marked up and
    spelt out on first use on the page (actions/glossary.py). Without the page's glossary
    (a template rendered outside a request), just the text, escaped."""
    if text is None:
        text = ""
    if isinstance(glossary, PageGlossary):
        return glossary.mark(str(text))
    return conditional_escape(text)
