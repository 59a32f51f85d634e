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
