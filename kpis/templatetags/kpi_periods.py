"""The one name of a figure's period (kpis.rating.period_name), for templates.

A page that named a period by its last day would call a quarter's count "31 December 2024"
beside a table that calls it "2024-25 Q3".
"""

from django import template

from kpis import rating

register = template.Library()


@register.filter
def period_name(period_end, kpi):
    """``{{ entry.period_end|period_name:entry.kpi }}``"""
    return rating.period_name(period_end, kpi)


@register.filter
def figure(value, kpi):
    """``{{ entry.value|figure:entry.kpi }}``: '90.0%', '£4,531,000', in the measure's unit,
    to its decimal places or the figure's own where it has more, so that an import's pages
    never show two different figures as the same."""
    if value is None:
        return "–"
    given = -value.normalize().as_tuple().exponent
    return rating.format_value(value, kpi.unit, max(kpi.decimal_places, given, 0))
