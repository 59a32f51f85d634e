"""A period's comparators, as both the LAIT sync and the benchmark page take them."""

from decimal import Decimal

from kpis.comparators import ComparatorAreas, Comparators, comparators_for_period
from kpis.models import Area

D = Decimal


def areas(neighbours=3, region=True, england=True):
    home = Area(pk=1, name="Wirral", kind=Area.Kind.LA, la_number=344, region="North West")
    return ComparatorAreas(
        home=home,
        neighbours=[
            Area(pk=10 + n, name=f"Neighbour {n}", kind=Area.Kind.LA) for n in range(neighbours)
        ],
        region=Area(pk=2, name="North West", kind=Area.Kind.REGION) if region else None,
        england=Area(pk=3, name="England", kind=Area.Kind.ENGLAND) if england else None,
    )


def test_the_neighbours_mean_is_of_those_with_a_published_figure_and_exact():
    found = comparators_for_period({1: D(99), 10: D(1), 11: None, 12: D(2), 2: D(5)}, areas())
    assert (found.neighbours, found.contributors) == (D("1.5"), 2)
    assert (found.region, found.england) == (D(5), None)  # England has no row
    assert comparators_for_period({10: D(1), 11: D(1), 12: D(2)}, areas()).neighbours == D(4) / 3


def test_no_published_neighbour_is_no_mean_never_zero():
    found = comparators_for_period({1: D(60), 10: None, 11: None}, areas())
    assert (found.neighbours, found.contributors) == (None, 0)


def test_an_area_not_loaded_has_no_comparator():
    found = comparators_for_period({1: D(60), 2: D(5), 3: D(6)}, areas(0, False, False))
    assert found == Comparators(neighbours=None, contributors=0, region=None, england=None)
    assert areas(0, False, False).ids == [1]
