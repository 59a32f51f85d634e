"""Small builders for KPI catalogue tests, so tests need not wait for the seed catalogue."""

from __future__ import annotations

import itertools
from decimal import Decimal

from kpis.models import KPI, KPIGroup, KPITarget, KPIValue, Origin

UNITS = [u.value for u in KPI.Unit]
POLARITIES = [p.value for p in KPI.Polarity]
FREQUENCIES = [f.value for f in KPI.Frequency]

# Decimal places a catalogue would give each unit.
PLACES = {"percentage": 1, "score": 2, "rate_10000": 0, "count": 0, "days": 0, "currency": 0}


def make_group(name: str = "Priority 1. Emotional and physical health", position: int = 1):
    group, _ = KPIGroup.objects.get_or_create(name=name, defaults={"position": position})
    return group


def make_kpi(
    code: str,
    *,
    unit: str = "percentage",
    polarity: str = "higher",
    frequency: str = "monthly",
    decimal_places: int | None = None,
    group: KPIGroup | None = None,
    **extra,
) -> KPI:
    return KPI.objects.create(
        code=code,
        name=extra.pop("name", f"Measure {code}"),
        group=group or make_group(),
        unit=unit,
        polarity=polarity,
        frequency=frequency,
        decimal_places=PLACES.get(unit, 0) if decimal_places is None else decimal_places,
        **extra,
    )


def make_catalogue(count: int, *, frequencies=("monthly",), groups: int = 5) -> list[KPI]:
    """``count`` KPIs cycling through every unit, polarity and the given frequencies, spread
    over ``groups`` groups, made with one query per table."""
    kpi_groups = [make_group(f"Group {n}", position=n) for n in range(1, groups + 1)]
    mixes = itertools.cycle(itertools.product(UNITS, POLARITIES))
    kinds = itertools.cycle(frequencies)
    kpis = []
    for n in range(count):
        unit, polarity = next(mixes)
        kpis.append(
            KPI(
                code=f"kpi-{n:03d}",
                name=f"Measure {n}",
                group=kpi_groups[n % groups],
                position=n,
                unit=unit,
                polarity=polarity,
                frequency=next(kinds),
                decimal_places=PLACES[unit],
            )
        )
    return KPI.objects.bulk_create(kpis)


def make_value(kpi: KPI, period_end, value, *, origin: str = Origin.RETURN, **extra) -> KPIValue:
    return KPIValue.objects.create(
        kpi=kpi, period_end=period_end, value=Decimal(value), origin=origin, **extra
    )


def make_target(
    kpi: KPI, financial_year: int, value, *, origin: str = Origin.PUBLISHED, **extra
) -> KPITarget:
    return KPITarget.objects.create(
        kpi=kpi, financial_year=financial_year, value=Decimal(value), origin=origin, **extra
    )


def approve_imports() -> int:
    """Approve every imported figure still awaiting approval, as a head of service would (an
    approver other than the importer): what a test of what an import brings reads after."""
    from django.contrib.auth.models import Group, User

    from careprog import roles
    from kpis.importing.apply import approve_import
    from kpis.models import ImportBatch, KPIEntry

    approver, made = User.objects.get_or_create(username="approver-of-imports")
    if made:
        approver.groups.add(Group.objects.get(name=roles.HEADS_OF_SERVICE))
    awaiting = KPIEntry.objects.filter(state=KPIEntry.State.AWAITING, batch__isnull=False)
    batches = ImportBatch.objects.filter(pk__in=awaiting.values("batch"))
    return sum(approve_import(batch=batch, user=approver) for batch in batches)
