"""The KPI catalogue's models, one module per concern (Django's "organising models in a
package"): the catalogue itself, a measure's figures, import batches and DfE's published data.
Import them from here: ``from kpis.models import KPI``."""

from kpis.models.catalogue import (
    KPI,
    RESERVED_KPI_CODES,
    BenchmarkRelation,
    KPIGroup,
    validate_kpi_code,
)
from kpis.models.dfe import (
    Area,
    BenchmarkIndicator,
    BenchmarkValue,
    KPIRank,
    StatisticalNeighbour,
)
from kpis.models.figures import (
    ComparatorQuerySet,
    ComparatorValue,
    DfEFigureReplaced,
    FigureQuerySet,
    KPIEntry,
    KPITarget,
    KPIValue,
    Origin,
)
from kpis.models.imports import ImportBatch, ImportedValue

__all__ = [
    "KPI",
    "RESERVED_KPI_CODES",
    "Area",
    "BenchmarkIndicator",
    "BenchmarkRelation",
    "BenchmarkValue",
    "ComparatorQuerySet",
    "ComparatorValue",
    "DfEFigureReplaced",
    "FigureQuerySet",
    "ImportBatch",
    "ImportedValue",
    "KPIEntry",
    "KPIGroup",
    "KPIRank",
    "KPITarget",
    "KPIValue",
    "Origin",
    "StatisticalNeighbour",
    "validate_kpi_code",
]
