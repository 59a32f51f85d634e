"""The programme a progress table describes, as read and before anything is saved.

Plain dataclasses, so that the Word reader (and later the Excel reader) build the same tree and the
preview and the service read one shape. `Problem.where` names the place in the file the way the
person who wrote it would look for it ("Table 2, row 5").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


class TableRejected(Exception):
    """The file cannot be read as a progress table at all: one sentence saying why."""


@dataclass
class ParsedAction:
    title: str
    update: str
    where: str
    lead: str = ""  # as the table names them: matched to a person when created
    due: dt.date | None = None


@dataclass
class ParsedMechanism:
    text: str
    actions: list[ParsedAction] = field(default_factory=list)


@dataclass
class ParsedRequirement:
    text: str
    mechanisms: list[ParsedMechanism] = field(default_factory=list)


@dataclass
class ParsedObjective:
    title: str
    statement: str
    requirements: list[ParsedRequirement] = field(default_factory=list)


@dataclass(frozen=True)
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class ParsedProgramme:
    objectives: list[ParsedObjective] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def rows(self) -> list[tuple[str, str, str, str, str, str]]:
        """(objective title, statement, requirement, mechanism, action, update), in order."""
        return [
            (o.title, o.statement, r.text, m.text, a.title, a.update)
            for o in self.objectives
            for r in o.requirements
            for m in r.mechanisms
            for a in m.actions
        ]

    def leads(self) -> list[str]:
        """Every lead the table names, once each, in order of first mention."""
        return list(
            dict.fromkeys(
                a.lead
                for o in self.objectives
                for r in o.requirements
                for m in r.mechanisms
                for a in m.actions
                if a.lead
            )
        )

    def counts(self) -> dict[str, int]:
        requirements = [r for o in self.objectives for r in o.requirements]
        mechanisms = [m for r in requirements for m in r.mechanisms]
        return {
            "objectives": len(self.objectives),
            "requirements": len(requirements),
            "mechanisms": len(mechanisms),
            "actions": sum(len(m.actions) for m in mechanisms),
        }
