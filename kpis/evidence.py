"""What the catalogue's measures evidence, as the apps above the catalogue tell it.

kpis is the lower layer and imports no app above it (tests/test_architecture.py): a programme
chooses measures from the catalogue as evidence for its objectives, and that link lives with the
programme (actions: ``Objective.kpis``). So that the dashboard can still be filtered by what its
measures evidence, and a measure's page can still say what it evidences, the app holding such a
link registers a `Use` when it starts (its AppConfig.ready); the pages here ask every registered
use without naming any.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.db.models import QuerySet


@dataclass(frozen=True)
class Evidenced:
    """One thing a measure evidences, as the measure's page names and links it."""

    text: str
    url: str


class Use(Protocol):
    """How one app uses the catalogue's measures as evidence."""

    parameter: str  # the dashboard's query parameter and its filter's id, e.g. "programme"
    label: str  # the dashboard filter's label, e.g. "Evidences the programme"
    spanning: str  # what the dashboard says when nothing is chosen, e.g. "Across all programmes"

    def choices(self) -> list[tuple[str, str]]:
        """(value, text) of each choice the dashboard's filter offers: one query."""

    def filter(self, kpis: QuerySet, value: str) -> QuerySet:
        """The measures among ``kpis`` that the chosen value uses: no query."""

    def evidenced_by(self, kpi) -> list[Evidenced]:
        """What one measure evidences, in the order its page lists it: one query."""

    def reporting_years(self) -> list[tuple[int | None, int, int]]:
        """(measure id, first and last financial year) of each thing that reports on measures
        (a programme's years), the measure id None for each such thing: one query. What a
        return template proposes (kpis.importing.template)."""


_uses: list[Use] = []


def register(use: Use) -> None:
    """Called from an app's AppConfig.ready; registering the same use again does nothing."""
    if use not in _uses:
        _uses.append(use)


@dataclass(frozen=True)
class Filter:
    """One use's filter on the dashboard, with the reader's choice ('' for none)."""

    parameter: str
    label: str
    choices: list[tuple[str, str]]
    chosen: str
    spanning: str = ""

    @property
    def chosen_text(self) -> str:
        """The chosen value as the filter's option names it ('' for none)."""
        return dict(self.choices).get(self.chosen, "")


def filters(query: dict[str, str]) -> list[Filter]:
    """Each registered use's dashboard filter, its choice read from ``query`` (a value not
    among its choices is no choice): one query per use."""
    found = []
    for use in _uses:
        choices = use.choices()
        value = query.get(use.parameter, "")
        chosen = value if value in {v for v, _ in choices} else ""
        found.append(Filter(use.parameter, use.label, choices, chosen, use.spanning))
    return found


def chosen_measures(kpis: QuerySet, chosen: list[Filter]) -> QuerySet:
    """``kpis`` narrowed by every filter with a choice: no query."""
    uses = {use.parameter: use for use in _uses}
    for one in chosen:
        if one.chosen:
            kpis = uses[one.parameter].filter(kpis, one.chosen)
    return kpis


def evidenced_by(kpi) -> list[Evidenced]:
    """Everything one measure evidences, use by use: one query per use."""
    return [item for use in _uses for item in use.evidenced_by(kpi)]


def reporting_years() -> tuple[dict[int, list[tuple[int, int]]], list[tuple[int, int]]]:
    """The financial years (first, last) each measure is reported on, by measure id, and those
    of everything that reports (for a measure nothing uses yet): one query per use."""
    by_measure: dict[int, list[tuple[int, int]]] = {}
    every: list[tuple[int, int]] = []
    for use in _uses:
        for measure, first, last in use.reporting_years():
            years = (first, last)
            if measure is None:
                every.append(years)
            elif years not in by_measure.setdefault(measure, []):
                by_measure[measure].append(years)
    return by_measure, every
