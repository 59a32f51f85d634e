"""The programme's models, one module per concern (Django's "organising models in a
package"): the programme's structure down to mechanisms (hierarchy.py), actions and their
quarterly updates (progress.py), committee papers with their sign-off and the quarters they
lock (papers.py), the papers' glossary (glossary.py) and the risk register (risks.py).
Import them from here: ``from actions.models import Action``."""

from actions.models.draft_files import DraftFile
from actions.models.families import SWOT_QUADRANTS, SectionKind, TitleBlock
from actions.models.glossary import Abbreviation
from actions.models.hierarchy import Mechanism, Objective, Programme, Requirement
from actions.models.papers import (
    Committee,
    Meeting,
    Paper,
    PaperEvent,
    PaperFile,
    PaperSection,
    PaperTemplate,
    QuarterLock,
    TemplateSection,
)
from actions.models.progress import (
    NEEDS_EXPLANATION,
    NO_UPDATE_POSITION,
    ROLLED_UP_FIELDS,
    UNTITLED_ACTION,
    Action,
    ActionQuerySet,
    Status,
    Update,
    UpdateQuerySet,
    missing_update_rule,
    overdue_rule,
    update_due_by,
)
from actions.models.risks import (
    POSSIBLE_SCORES,
    Direction,
    Risk,
    RiskBand,
    RiskReview,
    RiskStatus,
    band_for,
    direction,
)

__all__ = [
    "DraftFile",
    "POSSIBLE_SCORES",
    "Direction",
    "Risk",
    "RiskBand",
    "RiskReview",
    "RiskStatus",
    "band_for",
    "direction",
    "NEEDS_EXPLANATION",
    "NO_UPDATE_POSITION",
    "ROLLED_UP_FIELDS",
    "UNTITLED_ACTION",
    "SWOT_QUADRANTS",
    "Abbreviation",
    "SectionKind",
    "TitleBlock",
    "Action",
    "ActionQuerySet",
    "Committee",
    "Mechanism",
    "Meeting",
    "Objective",
    "Paper",
    "PaperEvent",
    "PaperFile",
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
