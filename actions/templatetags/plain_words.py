from django import template
from django.utils.html import conditional_escape

from actions.glossary import PageGlossary

register = template.Library()


@register.filter
def abbreviations(text, glossary):
    """``{{ text|abbreviations:glossary }}``: the text escaped and its abbreviations marked
    up as ``<abbr>`` with their expansions, the words left as written."""
    if text is None:
        text = ""
    if isinstance(glossary, PageGlossary):
        return glossary.mark(str(text), spell_out=False)
    return conditional_escape(text)


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
