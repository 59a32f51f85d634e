"""The home council's comparators from DfE's figures: the mean of its statistical neighbours,
its region and England.

One statement of what a comparator is, used by the LAIT sync (kpis/lait/sync.py), which stores
them as ComparatorValues, and by the benchmark page (kpis/benchmarks.py), which shows them
beside every area's own figure: the two can never disagree about a period's comparators.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Q, Subquery

from kpis.models import Area, StatisticalNeighbour


@dataclass(frozen=True)
class ComparatorAreas:
    """The home council and the areas it is compared with (any may be missing: not loaded)."""

    home: Area | None
    neighbours: list[Area]  # its current statistical neighbours, closest first
    region: Area | None  # the REGION Area named as the home council's region
    england: Area | None

    @property
    def ids(self) -> list[int]:
        areas = [self.home, *self.neighbours, self.region, self.england]
        return [area.pk for area in areas if area is not None]


def comparator_areas(home_la_number: int) -> ComparatorAreas:
    """The home council (by its LA number) and its comparator areas: one query whatever the
    data. Each neighbour carries `neighbour_position`, 1 the closest."""
    neighbours = StatisticalNeighbour.objects.filter(area__la_number=home_la_number)
    wanted = (
        Q(la_number=home_la_number)
        | Q(pk__in=neighbours.values("neighbour"))
        | Q(
            kind=Area.Kind.REGION,
            name__in=Area.objects.filter(la_number=home_la_number).values("region"),
        )
        | Q(kind=Area.Kind.ENGLAND)
    )
    areas = list(
        Area.objects.filter(wanted)
        .annotate(
            neighbour_position=Subquery(
                neighbours.filter(neighbour=OuterRef("pk")).values("position")[:1]
            )
        )
        .order_by("name")
    )
    home = next((a for a in areas if a.la_number == home_la_number), None)
    return ComparatorAreas(
        home=home,
        neighbours=sorted(
            (a for a in areas if a.neighbour_position is not None),
            key=lambda a: a.neighbour_position,
        ),
        region=next(
            (a for a in areas if a.kind == Area.Kind.REGION and home and a.name == home.region),
            None,
        ),
        england=next((a for a in areas if a.kind == Area.Kind.ENGLAND), None),
    )


@dataclass(frozen=True)
class Comparators:
    """A period's comparators; None where DfE published no figure."""

    neighbours: Decimal | None  # the mean of the neighbours with a published figure
    contributors: int  # how many neighbours that mean is of
    region: Decimal | None
    england: Decimal | None


def comparators_for_period(
    figures: Mapping[int, Decimal | None], areas: ComparatorAreas
) -> Comparators:
    """A period's comparators from DfE's figures by area id (None: suppressed): no queries.

    The neighbours' mean is of those with a published figure, never counting a suppressed one
    as zero, and exact: whoever stores or prints it rounds it (ComparatorValue holds 4 places).
    """
    published = [figures[area.pk] for area in areas.neighbours if figures.get(area.pk) is not None]
    return Comparators(
        neighbours=sum(published, Decimal(0)) / len(published) if published else None,
        contributors=len(published),
        region=figures.get(areas.region.pk) if areas.region else None,
        england=figures.get(areas.england.pk) if areas.england else None,
    )
