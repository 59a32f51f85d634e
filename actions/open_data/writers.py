"""Open data's figures as rows, and the rows as CSV and JSON: one row per figure, flat, the
same text in both (a test reads both and compares), suppressed counts as "c" in both.

Numbers are written as plain decimal text, to the measure's decimal places (numerators and
denominators, which count children, without trailing zeros): the JSON keeps them as text so
a suppressed "c" and a figure are the same type, and so no figure is rounded by a float.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby

from actions.models import Paper
from actions.open_data.queries import Figure
from actions.open_data.suppression import SUPPRESSED, shown_figure
from careprog.queries import PublicDetails
from careprog.spreadsheets import csv_bytes
from kpis.models import KPI, ComparatorValue
from kpis.rating import format_value, period_name

Comparator = ComparatorValue.Comparator

FIGURE_COLUMNS = [
    "programme",
    "kpi_code",
    "kpi_name",
    "unit",
    "polarity",
    "period_end",
    "period",
    "value",
    "numerator",
    "denominator",
    "target",
    "statistical_neighbours",
    "region",
    "england",
    "origin",
]


@dataclass(frozen=True)
class Licence:
    """The line every page and file carries: who publishes, under which licence."""

    name: str
    url: str
    attribution: str
    threshold: int

    @classmethod
    def of(cls, details: PublicDetails) -> Licence:
        return cls(
            name=details.open_data_licence,
            url=details.open_data_licence_url,
            attribution=(
                f"Contains public sector information from {details.council_name} licensed "
                f"under the {details.open_data_licence}."
            ),
            threshold=details.open_data_threshold,
        )

    @property
    def suppression(self) -> str:
        return (
            f"Counts from 1 to {self.threshold - 1}, and figures they could be worked out "
            f"from, are shown as “{SUPPRESSED}”."
            if self.threshold > 1
            else "No figure is suppressed."
        )

    def as_json(self) -> dict:
        return {"name": self.name, "url": self.url, "attribution": self.attribution}


def _places(number: Decimal | str | None, places: int) -> str:
    if number is None or number == SUPPRESSED:
        return number or ""
    return f"{number:.{places}f}"


def _count(number: Decimal | str | None) -> str:
    if number is None or number == SUPPRESSED:
        return number or ""
    return format(number.normalize(), "f")


def figure_row(figure: Figure, *, programme: str, threshold: int) -> dict[str, str]:
    """One figure as text, suppressed as suppression.shown_figure says."""
    kpi, value = figure.kpi, figure.value
    places = kpi.decimal_places
    shown = shown_figure(
        unit=kpi.unit,
        value=value.value,
        numerator=value.numerator,
        denominator=value.denominator,
        threshold=threshold,
    )

    def comparator(kind: Comparator) -> str:
        return _comparator(figure.comparators.get(kind.value), places)

    return {
        "programme": programme,
        "kpi_code": kpi.code,
        "kpi_name": kpi.name,
        "unit": kpi.get_unit_display(),
        "polarity": kpi.get_polarity_display(),
        "period_end": value.period_end.isoformat(),
        "period": period_name(value.period_end, kpi),
        "value": _places(shown.value, places),
        "numerator": _count(shown.numerator),
        "denominator": _count(shown.denominator),
        "target": _places(figure.target.value if figure.target else None, places),
        "statistical_neighbours": comparator(Comparator.STATISTICAL_NEIGHBOURS),
        "region": comparator(Comparator.REGION),
        "england": comparator(Comparator.ENGLAND),
        "origin": value.get_origin_display(),
    }


def _comparator(comparator: ComparatorValue | None, places: int) -> str:
    return _places(comparator.value if comparator else None, places)


def figure_rows(figures: list[Figure], *, programme: str, threshold: int) -> list[dict]:
    return [figure_row(f, programme=programme, threshold=threshold) for f in figures]


def paper_row(paper: Paper, *, links: dict[str, str]) -> dict[str, str]:
    """A published paper: its title, meeting, publication and its files' addresses."""
    return {
        "title": paper.title,
        "committee": paper.meeting.committee.name,
        "meeting": paper.meeting.date.isoformat(),
        "published": paper.published_at.date().isoformat(),
        "pdf": links["pdf"],
        "docx": links["docx"],
        "xlsx": links["xlsx"],
    }


def figures_csv(rows: list[dict], *, licence: Licence) -> bytes:
    """The licence line as a comment row (a first line starting "#", written as it is, not
    quoted, so readers that skip comment lines skip it), then a header row, then one row
    per figure."""
    line = " ".join(f"# {licence.attribution} {licence.url} {licence.suppression}".split())
    body = csv_bytes([FIGURE_COLUMNS, *([row[c] for c in FIGURE_COLUMNS] for row in rows)])
    bom = "\ufeff".encode()
    return bom + f"{line}\r\n".encode() + body.removeprefix(bom)


def figures_json(
    rows: list[dict], *, papers: list[dict], licence: Licence, programme: dict
) -> bytes:
    return json.dumps(
        {
            "licence": licence.as_json(),
            "suppression": {"threshold": licence.threshold, "shown_as": SUPPRESSED},
            "programme": programme,
            "figures": rows,
            "papers": papers,
        },
        ensure_ascii=False,
        indent=1,
    ).encode("utf-8")


@dataclass(frozen=True)
class MeasureTable:
    """A measure's figures as its page table shows them, newest first."""

    kpi: KPI
    rows: list[dict[str, str]]
    has_counts: bool  # whether any figure has a numerator or denominator


def measure_tables(figures: list[Figure], *, threshold: int) -> list[MeasureTable]:
    """The page's tables, one per measure: each figure formatted as the dashboard formats
    it ("63.0%", "87 per 10,000"), "c" where suppressed. No queries."""
    tables = []
    for _kpi_id, group in groupby(figures, key=lambda figure: figure.kpi.pk):
        group = list(group)
        kpi = group[0].kpi
        rows = []
        for figure in reversed(group):
            value = figure.value
            shown = shown_figure(
                unit=kpi.unit,
                value=value.value,
                numerator=value.numerator,
                denominator=value.denominator,
                threshold=threshold,
            )

            def show(number, kpi=kpi):
                if number is None:
                    return ""
                return format_value(number, kpi.unit, kpi.decimal_places)

            rows.append(
                {
                    "period": period_name(value.period_end, kpi),
                    "value": SUPPRESSED if shown.suppressed else show(shown.value),
                    "numerator": _count(shown.numerator),
                    "denominator": _count(shown.denominator),
                    "target": show(figure.target.value) if figure.target else "",
                    **{
                        kind.value: show(figure.comparators[kind.value].value)
                        if kind.value in figure.comparators
                        else ""
                        for kind in Comparator
                    },
                }
            )
        has_counts = any(
            f.value.numerator is not None or f.value.denominator is not None for f in group
        )
        tables.append(MeasureTable(kpi=kpi, rows=rows, has_counts=has_counts))
    return tables
