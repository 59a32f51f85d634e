"""The programme's models, one module per concern (Django's "organising models in a
package"): the hierarchy from programme to quarterly update, committee papers with their
sign-off and the quarters they lock, and the papers' glossary. Import them from here:
``from actions.models import Action``."""

from actions.models.glossary import Abbreviation
from actions.models.hierarchy import (
    NEEDS_EXPLANATION,
    NO_UPDATE_POSITION,
    ROLLED_UP_FIELDS,
    Action,
    ActionQuerySet,
    Mechanism,
    Objective,
    Programme,
    Requirement,
    Status,
    Update,
    UpdateQuerySet,
    missing_update_rule,
    overdue_rule,
    update_due_by,
)
from actions.models.papers import (
    Committee,
    Meeting,
    Paper,
    PaperEvent,
    PaperSection,
    PaperTemplate,
    QuarterLock,
    TemplateSection,
)

__all__ = [
    "NEEDS_EXPLANATION",
    "NO_UPDATE_POSITION",
    "ROLLED_UP_FIELDS",
    "Abbreviation",
    "Action",
    "ActionQuerySet",
    "Committee",
    "Mechanism",
    "Meeting",
    "Objective",
    "Paper",
    "PaperEvent",
    "PaperSection",
    "PaperTemplate",
    "Programme",
    "QuarterLock",
    "Requirement",
    "Status",
    "TemplateSection",
    "Update",
    "UpdateQuerySet",
    "missing_update_rule",
    "overdue_rule",
    "update_due_by",
]
