"""A measure's figures: its values over time, its targets per financial year, its comparators,
and the entries awaiting approval before they become values. "A real figure beats an
illustrative one" is stated once, in FigureQuerySet."""

from decimal import Decimal

from django.db import models
from django.db.models import Exists, OuterRef, Q
from simple_history.models import HistoricalRecords

from careprog.periods import (
    financial_year_label,
)
from kpis.models.catalogue import KPI


class Origin(models.TextChoices):
    """Where a figure came from. Illustrative figures are demo data, never real."""

    PUBLISHED = "published", "Published report"
    RETURN = "return", "Local return"
    DFE = "dfe", "DfE published statistics"
    ILLUSTRATIVE = "illustrative", "Illustrative (not real)"


_REAL = ~Q(origin=Origin.ILLUSTRATIVE)
_ILLUSTRATIVE = Q(origin=Origin.ILLUSTRATIVE)


class FigureQuerySet(models.QuerySet):
    """Figures that may be real or illustrative for the same period (values, comparators).

    The one statement of "a real figure beats an illustrative one": a period may hold one of
    each, and wherever a figure is shown, compared or rated the real one is taken.
    """

    # The fields that name "the same period" for the model (its unique constraints' fields).
    period_key: tuple[str, ...] = ("kpi", "period_end")

    def real(self):
        return self.filter(_REAL)

    def illustrative(self):
        return self.filter(_ILLUSTRATIVE)

    def preferred(self):
        """One figure per period: the real one where there is one, else the illustrative one.
        A correlated subquery, so it adds no query."""
        key = {name: OuterRef(name) for name in self.period_key}
        real_twin = self.model._default_manager.filter(_REAL, **key)
        return self.exclude(_ILLUSTRATIVE & Q(Exists(real_twin)))


class ComparatorQuerySet(FigureQuerySet):
    period_key = ("kpi", "comparator", "period_end")


class DfEFigureReplaced(Exception):
    """Something other than DfE's sync tried to write over DfE's published figure."""


class KPIValue(models.Model):
    """One figure for a KPI at a period end. A real and an illustrative figure may share a
    period; the real one wins wherever a value is shown.

    Where DfE publishes the period (origin DFE), ``value`` is DfE's and stays DfE's: the
    council's own figure for the period (a return or an entry, approved) is kept beside it
    in the ``local_*`` fields, never over it, so every page, rating, rank and paper, which
    read ``value``, read DfE's and can show the council's own where it differs. The local
    fields are only ever filled beside a DfE figure (a named constraint), and ``save``
    refuses to turn a loaded DfE figure into anything else; bulk writers go through
    ``approved_figure`` (kpis/approval.py) and kpis/lait/sync.py, the only writer of
    DfE's figures.
    """

    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="values")
    period_end = models.DateField()
    value = models.DecimalField(max_digits=18, decimal_places=4)
    numerator = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    note = models.TextField(blank=True)
    origin = models.CharField(max_length=15, choices=Origin.choices, default=Origin.RETURN)
    source = models.CharField(max_length=300, blank=True, help_text="Document, return or file")
    commentary = models.TextField(
        blank=True, help_text="What the figure means and what is being done, from its owner"
    )
    local_value = models.DecimalField(
        max_digits=18,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="The council's own figure for a period DfE publishes, kept beside DfE's",
    )
    local_numerator = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    local_denominator = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    local_source = models.CharField(max_length=300, blank=True)
    dfe_published_on = models.DateField(
        null=True,
        blank=True,
        help_text="When DfE's figure arrived over the council's own: DfE's last update of "
        "the indicator, or the day it was loaded",
    )
    history = HistoricalRecords()

    objects = FigureQuerySet.as_manager()

    class Meta:
        ordering = ["kpi", "period_end"]
        verbose_name = "KPI value"
        # A KPI's latest figure of any standing, newest first, without reading its history:
        # the unique indexes below are partial (real, illustrative) so cannot serve it.
        indexes = [models.Index(fields=["kpi", "-period_end"], name="kpis_value_latest")]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "period_end"], condition=_REAL, name="kpis_value_one_per_period"
            ),
            models.UniqueConstraint(
                fields=["kpi", "period_end"],
                condition=_ILLUSTRATIVE,
                name="kpis_value_one_illustrative_per_period",
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | ~Q(denominator=0),
                name="kpis_value_denominator_not_zero",
            ),
            # The council's own figure is only ever kept beside DfE's, never as a figure of
            # its own standing hidden in a row that is not DfE's.
            models.CheckConstraint(
                condition=Q(origin=Origin.DFE)
                | Q(
                    local_value__isnull=True,
                    local_numerator__isnull=True,
                    local_denominator__isnull=True,
                    local_source="",
                ),
                name="kpis_value_own_figure_only_beside_dfe",
            ),
            models.CheckConstraint(
                condition=Q(local_denominator__isnull=True) | ~Q(local_denominator=0),
                name="kpis_value_own_denominator_not_zero",
            ),
        ]

    def __str__(self):
        return f"{self.kpi.code} {self.period_end}: {self.value}"

    def save(self, *args, **kwargs):
        """Refuses to write over a DfE figure this instance was loaded as (its value, source
        or origin): the council's own figure goes beside it (``local_value``), and only
        DfE's sync, which writes in bulk, changes DfE's."""
        loaded = getattr(self, "_loaded_dfe", False)
        if loaded and (self.origin != Origin.DFE or (self.value, self.source) != loaded):
            raise DfEFigureReplaced(
                f"DfE publishes {self.kpi.code} for {self.period_end}: keep the council's own "
                "figure beside DfE's (local_value), not over it."
            )
        super().save(*args, **kwargs)
        self._loaded_dfe = self.origin == Origin.DFE and (self.value, self.source)

    def get_absolute_url(self):
        return self.kpi.get_absolute_url()

    @classmethod
    def from_db(cls, db, field_names, values):
        """Remembers a DfE figure as loaded, for ``save`` (deferred fields are not in
        ``__dict__``, and are not fetched here)."""
        instance = super().from_db(db, field_names, values)
        loaded = instance.__dict__
        instance._loaded_dfe = loaded.get("origin") == Origin.DFE and (
            loaded.get("value"),
            loaded.get("source"),
        )
        return instance

    @property
    def own_figure_differs(self) -> bool:
        """DfE's figure with the council's own beside it, and the two differ."""
        return self.local_value is not None and self.local_value != self.value

    @property
    def is_illustrative(self) -> bool:
        return self.origin == Origin.ILLUSTRATIVE


class KPIEntry(models.Model):
    """A figure and its commentary as a measure's owner entered it, awaiting approval.

    Entries are kept apart from KPIValue: every figure in KPIValue is approved (by an
    approver, or by its source: DfE's and published figures), so everything that reads
    figures (dashboards, reports, papers, exports) reads approved figures only, and an entry
    changes nothing a committee member sees until it is approved. Approving writes the
    figure and its commentary to KPIValue; returning sends it back to the owner with a
    comment. One open entry (awaiting or returned) per measure and period. An imported
    return's figures are entries too (``batch``), approved one by one or all at once.
    """

    class State(models.TextChoices):
        AWAITING = "awaiting", "Awaiting approval"
        RETURNED = "returned", "Returned to its owner"
        APPROVED = "approved", "Approved"

    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="entries")
    period_end = models.DateField()
    value = models.DecimalField(max_digits=18, decimal_places=4)
    numerator = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    commentary = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.AWAITING)
    entered_by = models.ForeignKey(
        "auth.User", null=True, on_delete=models.SET_NULL, related_name="kpi_entries"
    )
    entered_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True, help_text="Why it was returned")
    batch = models.ForeignKey(
        "ImportBatch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entries",
        help_text="The import that brought this figure; cleared when its owner corrects it",
    )
    note = models.TextField(
        blank=True, help_text="An imported figure's note (an owner's entry leaves it alone)"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["kpi", "-period_end"]
        verbose_name = "KPI entry"
        verbose_name_plural = "KPI entries"
        permissions = [("approve_kpientry", "Can approve or return a measure's entered figure")]
        # An import's figure for a measure and period: what approving, undoing and their
        # checks look up once per figure (without it each look-up scans the import's entries).
        indexes = [
            models.Index(fields=["batch", "kpi", "period_end"], name="kpis_entry_batch_period")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "period_end"],
                condition=~Q(state="approved"),
                name="kpis_entry_one_open_per_period",
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | ~Q(denominator=0),
                name="kpis_entry_denominator_not_zero",
            ),
            models.CheckConstraint(
                condition=~Q(state="returned") | ~Q(decision_comment=""),
                name="kpis_entry_returned_with_a_comment",
            ),
        ]

    def __str__(self):
        return f"{self.kpi.code} {self.period_end}: {self.value} ({self.get_state_display()})"

    def get_absolute_url(self):
        return self.kpi.get_absolute_url()


class KPITarget(models.Model):
    """A KPI's target for one financial year, with the tolerance that rates a miss amber."""

    class Tolerance(models.TextChoices):
        ABSOLUTE = "absolute", "In the KPI's own unit"
        PERCENT = "percent", "Percent of the target"

    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="targets")
    financial_year = models.PositiveSmallIntegerField(
        help_text="The year the financial year starts in: 2024 for 2024-25"
    )
    value = models.DecimalField(max_digits=18, decimal_places=4)
    amber_tolerance = models.DecimalField(
        max_digits=18, decimal_places=4, default=Decimal(0), help_text="How far short is amber"
    )
    tolerance_kind = models.CharField(
        max_length=10, choices=Tolerance.choices, default=Tolerance.ABSOLUTE
    )
    origin = models.CharField(max_length=15, choices=Origin.choices, default=Origin.RETURN)
    note = models.TextField(blank=True)
    agreed_by = models.CharField(
        max_length=200, blank=True, help_text='Who agreed it, e.g. "CYPE Committee"'
    )
    agreed_on = models.DateField(null=True, blank=True, help_text="When it was agreed")
    agreed_where = models.CharField(
        max_length=200, blank=True, help_text='Where, e.g. "CYPE Committee, 5 March 2025"'
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["kpi", "financial_year"]
        verbose_name = "KPI target"
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "financial_year"], name="kpis_target_one_per_financial_year"
            ),
            models.CheckConstraint(
                condition=Q(amber_tolerance__gte=0), name="kpis_target_tolerance_not_negative"
            ),
            # A date of agreement without who agreed it reads as agreed by no one.
            models.CheckConstraint(
                condition=Q(origin=Origin.ILLUSTRATIVE)
                | Q(agreed_on__isnull=True)
                | ~Q(agreed_by=""),
                name="kpis_target_agreed_on_says_who",
                violation_error_message="Say who agreed the target as well as when.",
            ),
        ]

    def __str__(self):
        return f"{self.kpi.code} {self.year_label}"

    def get_absolute_url(self):
        return self.kpi.get_absolute_url()

    @property
    def is_illustrative(self) -> bool:
        return self.origin == Origin.ILLUSTRATIVE

    @property
    def standing(self) -> str:
        """ "agreed" or "illustrative": only an agreed target rates a real figure."""
        return "illustrative" if self.is_illustrative else "agreed"

    @property
    def provenance(self) -> str:
        """Who agreed the target, when and where, in words; what an illustrative one is."""
        if self.is_illustrative:
            return "Illustrative: demonstration data, not agreed"
        if not self.agreed_by:
            return "Agreed; who agreed it and when is not recorded"
        when = f" on {self.agreed_on.day} {self.agreed_on:%B %Y}" if self.agreed_on else ""
        where = f" ({self.agreed_where})" if self.agreed_where else ""
        return f"Agreed by {self.agreed_by}{when}{where}"

    @property
    def year_label(self) -> str:
        return financial_year_label(self.financial_year)


class ComparatorValue(models.Model):
    """A comparator's figure for a KPI's period: statistical neighbours, the region, England."""

    class Comparator(models.TextChoices):
        STATISTICAL_NEIGHBOURS = "neighbours", "Statistical neighbours"
        REGION = "region", "North West"
        ENGLAND = "england", "England"

    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="comparator_values")
    comparator = models.CharField(max_length=12, choices=Comparator.choices)
    period_end = models.DateField()
    value = models.DecimalField(max_digits=18, decimal_places=4)
    contributors = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For an average: how many areas had a published figure"
    )
    origin = models.CharField(max_length=15, choices=Origin.choices, default=Origin.DFE)
    source = models.CharField(max_length=300, blank=True)

    objects = ComparatorQuerySet.as_manager()

    class Meta:
        ordering = ["kpi", "comparator", "period_end"]
        # A KPI's comparators for one period, of any standing: the unique indexes are partial.
        indexes = [models.Index(fields=["kpi", "period_end"], name="kpis_comparator_period")]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "comparator", "period_end"],
                condition=_REAL,
                name="kpis_comparator_one_per_period",
            ),
            models.UniqueConstraint(
                fields=["kpi", "comparator", "period_end"],
                condition=_ILLUSTRATIVE,
                name="kpis_comparator_one_illustrative_per_period",
            ),
        ]

    def __str__(self):
        return f"{self.kpi.code} {self.get_comparator_display()} {self.period_end}"

    def get_absolute_url(self):
        return self.kpi.get_absolute_url()

    @property
    def is_illustrative(self) -> bool:
        return self.origin == Origin.ILLUSTRATIVE
