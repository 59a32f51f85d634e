"""The shipped DfE extract (fixtures/lait/) gives Wirral's real, published figures."""

import datetime as dt
import statistics
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from kpis.models import (
    Area,
    BenchmarkValue,
    ComparatorValue,
    KPIRank,
    KPIValue,
    Origin,
    StatisticalNeighbour,
)

EXTRACT = sorted((Path(__file__).parent.parent / "fixtures" / "lait").glob("*"))
MARCH_2025 = dt.date(2025, 3, 31)


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """Load the catalogue and the extract once for the module (about a second)."""
    with django_db_blocker.unblock():
        call_command("loaddata", "care_programme_2024_25", "cla_strategy_2022_25", verbosity=0)
        call_command("import_lait", *map(str, EXTRACT), verbosity=0)
        yield
        call_command("flush", interactive=False, verbosity=0)


pytestmark = pytest.mark.usefixtures("loaded")


def dfe(code, period_end=MARCH_2025):
    return KPIValue.objects.get(kpi__code=code, period_end=period_end, origin=Origin.DFE).value


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "period_end", "published"),
    [
        ("cp-children-in-care", dt.date(2025, 3, 31), 681),
        ("cp-children-in-care", dt.date(2024, 3, 31), 766),
        ("cla-rate", MARCH_2025, 103),
        ("cla-starters", MARCH_2025, 160),
        ("cla-foster-placements", MARCH_2025, 70),
        ("care-leavers-eet-19-21", MARCH_2025, 57),
        ("care-leavers-accommodation-19-21", MARCH_2025, 96),
        ("cla-health-checks", MARCH_2025, 90),
        ("cla-dental-checks", MARCH_2025, 78),
        ("cla-adopted", MARCH_2025, 7),
    ],
)
def test_wirrals_published_figures_arrive_with_their_period_ends(code, period_end, published):
    assert dfe(code, period_end) == Decimal(published)


@pytest.mark.django_db
def test_the_2018_peak_is_dfes_834_with_the_committee_papers_834_kept_beside_it():
    value = KPIValue.objects.get(kpi__code="cp-children-in-care", period_end=dt.date(2018, 3, 31))
    assert (value.value, value.origin, value.local_value) == (834, Origin.DFE, 834)
    assert not value.own_figure_differs


@pytest.mark.django_db
def test_a_suppressed_figure_is_not_published_not_zero(member_client):
    wirral = Area.objects.get(la_number=344)
    suppressed = BenchmarkValue.objects.get(
        indicator__code="LAC_KS2_ExpStd_RWM", area=wirral, period_label="2021"
    )
    assert (suppressed.status, suppressed.value) == ("suppressed", None)
    assert not KPIValue.objects.filter(
        kpi__code="cla-ks2-rwm", period_end=suppressed.period_end
    ).exists()
    html = member_client.get("/kpis/cla-ks2-rwm/benchmark/").content.decode()
    assert "not published" in html


@pytest.mark.django_db
def test_the_neighbour_average_is_the_mean_of_the_ten_neighbours_figures():
    # Wirral's 10 statistical neighbours, % of children looked after in foster care, 2025:
    # Durham 69, Sefton 67, Halton 61, Stockton-on-Tees 70, Sunderland 63, Gateshead 75,
    # Redcar and Cleveland 65, Lancashire 66, Bury 68, South Tyneside 69.
    by_hand = Decimal(69 + 67 + 61 + 70 + 63 + 75 + 65 + 66 + 68 + 69) / 10
    average = ComparatorValue.objects.get(
        kpi__code="cla-foster-placements", comparator="neighbours", period_end=MARCH_2025
    )
    assert (average.value, average.contributors) == (by_hand, 10)
    wirral = Area.objects.get(la_number=344)
    names = list(
        StatisticalNeighbour.objects.filter(area=wirral)
        .order_by("position")
        .values_list("neighbour__name", flat=True)
    )
    assert names[:3] == ["Durham", "Sefton", "Halton"] and len(names) == 10
    region = ComparatorValue.objects.get(
        kpi__code="cla-foster-placements", comparator="region", period_end=MARCH_2025
    )
    assert region.value == Decimal(66)


def _councils(code, period_label):
    return [
        v
        for v in BenchmarkValue.objects.filter(
            indicator__code=code,
            period_label=period_label,
            area__kind=Area.Kind.LA,
            status="published",
        ).values_list("value", flat=True)
    ]


def _band(value, values, higher_is_better):
    """LAIT's quartile bands: quartiles as R computes them by default (type 7)."""
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    if higher_is_better:
        return "A" if value > q3 else "B" if value > q2 else "C" if value > q1 else "D"
    return "A" if value <= q1 else "B" if value <= q2 else "C" if value <= q3 else "D"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kpi", "code", "period_label", "period_end", "higher_is_better"),
    [
        ("cla-foster-placements", "LAC_Foster_Placements", "2025", MARCH_2025, True),
        ("cla-fixed-term-exclusions", "LAC_Fixed_ Ex", "2024", dt.date(2024, 8, 31), False),
    ],
)
def test_rank_and_band_among_all_councils_by_polarity_with_ties_sharing_the_best_rank(
    kpi, code, period_label, period_end, higher_is_better
):
    values = _councils(code, period_label)
    ours = dfe(kpi, period_end)
    better = [v for v in values if (v > ours if higher_is_better else v < ours)]
    rank = KPIRank.objects.get(kpi__code=kpi, period_end=period_end)
    assert (rank.rank, rank.out_of) == (len(better) + 1, len(values))
    assert rank.band == _band(ours, values, higher_is_better)
    if higher_is_better:
        assert values.count(ours) > 1  # a tie: every council on 70% shares the rank


@pytest.mark.django_db
def test_no_rank_where_dfe_gives_no_polarity():
    assert not KPIRank.objects.filter(kpi__code__in=["cla-rate", "cla-starters"]).exists()
