"""The "Changes" list on a KPI's page: the KPI's, its values' and its targets' fields, and
how each reads. The differences themselves are computed by careprog/change_history.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from careprog.change_history import RECORD_ORDER, Change, changes_from_records, newest_first
from careprog.periods import financial_year_label
from kpis.models import KPI, KPITarget, KPIValue, Origin
from kpis.rating import format_value, period_name

SHOWN = 50  # the newest changes listed on the page

KPI_FIELDS = {
    "name": "Name",
    "definition": "Definition",
    "method": "Method",
    "unit": "Unit",
    "polarity": "Polarity",
    "frequency": "Frequency",
    "source": "Source",
}
VALUE_FIELDS = {
    "value": "Value",
    "note": "Note",
    "commentary": "Commentary",
    "origin": "Origin",
    "source": "Source",
}
TARGET_FIELDS = {
    "value": "Target",
    "amber_tolerance": "Amber tolerance",
    "origin": "Standing",
    "agreed_by": "Agreed by",
    "agreed_on": "Agreed on",
    "agreed_where": "Agreed where",
}


def changes_for_kpi(kpi: KPI) -> list[Change]:
    """The newest recorded changes to the KPI's definition, values and targets, newest
    first: three queries."""

    def show(name, value, record) -> str:
        if name in ("value", "amber_tolerance") and isinstance(value, Decimal):
            return format_value(value, kpi.unit, kpi.decimal_places)
        if name == "origin":
            return Origin(value).label
        if isinstance(value, dt.date):
            return f"{value.day} {value:%B %Y}"
        return str(value)

    def show_target(name, value, record) -> str:
        if name == "origin":  # a target is agreed or illustrative, whoever set it
            return "Illustrative" if value == Origin.ILLUSTRATIVE else "Agreed"
        return show(name, value, record)

    def records(history):
        return history.select_related("history_user").order_by(*RECORD_ORDER)

    changes = newest_first(
        changes_from_records(records(kpi.history), KPI_FIELDS, lambda r: "KPI", show),
        changes_from_records(
            records(KPIValue.history.filter(kpi_id=kpi.pk)),
            VALUE_FIELDS,
            lambda r: f"Value for {period_name(r.period_end, kpi)}",
            show,
        ),
        changes_from_records(
            records(KPITarget.history.filter(kpi_id=kpi.pk)),
            TARGET_FIELDS,
            lambda r: f"Target for {financial_year_label(r.financial_year)}",
            show_target,
        ),
    )
    return changes[:SHOWN]
