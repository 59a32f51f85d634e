"""A real figure beats an illustrative one for the same period, wherever figures are read."""

import datetime as dt
from decimal import Decimal

import pytest

from kpis.models import ComparatorValue, KPIValue, Origin
from tests.kpi_factories import make_kpi

pytestmark = pytest.mark.django_db

MARCH, APRIL = dt.date(2025, 3, 31), dt.date(2025, 4, 30)


def test_the_real_figure_is_preferred_where_a_period_has_both():
    kpi = make_kpi("foster")
    KPIValue.objects.create(kpi=kpi, period_end=MARCH, value=Decimal(70), origin=Origin.DFE)
    KPIValue.objects.create(
        kpi=kpi, period_end=MARCH, value=Decimal(19), origin=Origin.ILLUSTRATIVE
    )
    KPIValue.objects.create(
        kpi=kpi, period_end=APRIL, value=Decimal(20), origin=Origin.ILLUSTRATIVE
    )

    preferred = KPIValue.objects.filter(kpi=kpi).preferred().order_by("period_end")

    assert [(v.period_end, v.value, v.origin) for v in preferred] == [
        (MARCH, Decimal(70), Origin.DFE),
        (APRIL, Decimal(20), Origin.ILLUSTRATIVE),
    ]
    assert list(KPIValue.objects.real().values_list("value", flat=True)) == [Decimal(70)]
    assert KPIValue.objects.illustrative().count() == 2


def test_comparators_prefer_the_real_figure_of_the_same_comparator_only():
    kpi = make_kpi("foster")
    england, region = ComparatorValue.Comparator.ENGLAND, ComparatorValue.Comparator.REGION
    ComparatorValue.objects.create(
        kpi=kpi, comparator=england, period_end=MARCH, value=Decimal(68), origin=Origin.DFE
    )
    for comparator in (england, region):
        ComparatorValue.objects.create(
            kpi=kpi,
            comparator=comparator,
            period_end=MARCH,
            value=Decimal(50),
            origin=Origin.ILLUSTRATIVE,
        )

    preferred = ComparatorValue.objects.filter(kpi=kpi).preferred().order_by("comparator")

    assert [(c.comparator, c.value) for c in preferred] == [
        (england, Decimal(68)),
        (region, Decimal(50)),
    ]
