"""The "Changes" list on a KPI's page: its definition, values and targets, from
django-simple-history's records."""

from __future__ import annotations

from decimal import Decimal

from careprog.periods import financial_year_label
from kpis.models import KPI, KPITarget, KPIValue, Origin
from kpis.rating import format_value, period_label


def changes_for_kpi(kpi: KPI):
    """Recorded changes to the KPI's definition, values and targets, newest first: 3 queries."""
    from actions.history import changes_from_records

    def show(name, record, *, unknown=False):
        if unknown:
            return "(not recorded)"
        value = getattr(record, name) if record is not None else None
        if value in (None, ""):
            return "(none)"
        if name in ("value", "amber_tolerance") and isinstance(value, Decimal):
            return format_value(value, kpi.unit, kpi.decimal_places)
        if name == "origin":
            return Origin(value).label
        return str(value)

    kpi_fields = {
        "name": "Name",
        "definition": "Definition",
        "method": "Method",
        "unit": "Unit",
        "polarity": "Polarity",
        "frequency": "Frequency",
        "source": "Source",
    }
    value_fields = {"value": "Value", "note": "Note", "origin": "Origin", "source": "Source"}
    target_fields = {"value": "Target", "amber_tolerance": "Amber tolerance"}
    ordered = ("history_date", "history_id")
    changes = changes_from_records(
        kpi.history.select_related("history_user").order_by(*ordered),
        kpi_fields,
        lambda r: "KPI",
        show,
    )
    changes += changes_from_records(
        KPIValue.history.filter(kpi_id=kpi.pk).select_related("history_user").order_by(*ordered),
        value_fields,
        lambda r: f"Value for {period_label(r.period_end, kpi.frequency)}",
        show,
    )
    changes += changes_from_records(
        KPITarget.history.filter(kpi_id=kpi.pk).select_related("history_user").order_by(*ordered),
        target_fields,
        lambda r: f"Target for {financial_year_label(r.financial_year)}",
        show,
    )
    return sorted(changes, key=lambda change: change.when, reverse=True)
