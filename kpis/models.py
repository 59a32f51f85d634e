"""The KPI catalogue: groups, measures, values over time, targets and comparators."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from actions.models import Objective
from careprog.periods import (
    financial_year_label,
    is_financial_year_end,
    is_month_end,
    is_quarter_end,
)


class KPIGroup(models.Model):
    """A heading of a strategy's measures, e.g. "Priority 1. Emotional and physical health"."""

    name = models.CharField(max_length=200, unique=True)
    summary = models.TextField(blank=True, help_text="The source's words under the heading")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = "KPI group"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("kpis:dashboard") + f"?group={self.pk}"


class BenchmarkRelation(models.TextChoices):
    """How a KPI stands to DfE's published indicator. Only SAME feeds the KPI's own figures;
    a RELATED indicator is shown beside it, labelled, and never passed off as the measure."""

    SAME = "same", "The same measure"
    RELATED = "related", "A related measure (different definition)"


# Addresses under /kpis/ that are pages, not measures (kpis/urls.py): no measure may be called so.
RESERVED_KPI_CODES = frozenset({"entries", "import", "mine"})


def validate_kpi_code(code: str) -> None:
    if code in RESERVED_KPI_CODES:
        raise ValidationError(
            f"“{code}” names a page under /kpis/; choose another code.", code="reserved"
        )


class KPI(models.Model):
    class Unit(models.TextChoices):
        COUNT = "count", "Count"
        PERCENTAGE = "percentage", "Percentage"
        RATE_PER_10000 = "rate_10000", "Rate per 10,000"
        DAYS = "days", "Days"
        CURRENCY = "currency", "Currency (£)"
        SCORE = "score", "Score"

    class Polarity(models.TextChoices):
        HIGHER_IS_BETTER = "higher", "Higher is better"
        LOWER_IS_BETTER = "lower", "Lower is better"
        NONE = "none", "No polarity"

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        ANNUAL = "annual", "Annual"

    class Measurement(models.TextChoices):
        SNAPSHOT = "snapshot", "Snapshot at the period end"
        IN_PERIOD = "period", "Over the period (events or a rate in the month, quarter or year)"
        YEAR_TO_DATE = "ytd", "Year to date"
        ROLLING_12_MONTHS = "rolling12", "Rolling 12 months"
        THREE_YEAR_AVERAGE = "3yr_average", "3-year average"

    code = models.SlugField(
        max_length=40,
        unique=True,
        help_text="Stable identifier used in imports",
        validators=[validate_kpi_code],
    )
    name = models.CharField(max_length=300, help_text="As the source writes it")
    group = models.ForeignKey(KPIGroup, on_delete=models.PROTECT, related_name="kpis")
    position = models.PositiveIntegerField(default=0)
    definition = models.TextField(blank=True)
    method = models.TextField(blank=True, help_text="How the value is calculated")
    unit = models.CharField(max_length=20, choices=Unit.choices)
    polarity = models.CharField(max_length=10, choices=Polarity.choices)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    measurement = models.CharField(
        max_length=12, choices=Measurement.choices, default=Measurement.SNAPSHOT
    )
    decimal_places = models.PositiveSmallIntegerField(default=0)
    owner = models.CharField(
        max_length=200, blank=True, help_text="The owner's post, as the strategy names it"
    )
    owned_by = models.ForeignKey(
        "auth.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_kpis",
        help_text="Who enters this measure's figures and commentary",
    )
    delegates = models.ManyToManyField(
        "auth.User",
        blank=True,
        related_name="delegated_kpis",
        help_text="Who may also enter its figures",
    )
    due_working_day = models.PositiveSmallIntegerField(
        default=10,
        help_text="A period's figure is due on this working day after the period ends",
    )
    source = models.CharField(max_length=300, blank=True, help_text="Where the figures come from")
    objectives = models.ManyToManyField(
        Objective, blank=True, related_name="kpis", help_text="Programme objectives it evidences"
    )
    benchmark_code = models.CharField(
        max_length=60,
        blank=True,
        help_text="The DfE LAIT indicator (its Short Desc) published for this measure",
    )
    benchmark_relation = models.CharField(
        max_length=10,
        choices=BenchmarkRelation.choices,
        blank=True,
        help_text="Whether DfE's indicator is this measure, or only a related one",
    )
    history = HistoricalRecords(m2m_fields=[])

    class Meta:
        ordering = ["group__position", "position", "code"]
        verbose_name = "KPI"
        constraints = [
            models.CheckConstraint(
                condition=Q(decimal_places__lte=4), name="kpis_kpi_decimal_places_at_most_4"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("kpis:kpi_detail", kwargs={"code": self.code})

    @property
    def is_total(self) -> bool:
        """A count or a sum of money: the region's and England's figures for it add up many
        councils', so they are not on the council's scale (a rate or percentage is)."""
        return self.unit in (self.Unit.COUNT, self.Unit.CURRENCY)

    def accepts_period_end(self, day: dt.date) -> bool:
        """Monthly figures end a month, quarterly ones a quarter, annual ones on 31 March."""
        if self.frequency == self.Frequency.QUARTERLY:
            return is_quarter_end(day)
        if self.frequency == self.Frequency.ANNUAL:
            return is_financial_year_end(day)
        return is_month_end(day)


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


class KPIValue(models.Model):
    """One figure for a KPI at a period end. A real and an illustrative figure may share a
    period; the real one wins wherever a value is shown."""

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
        ]

    def __str__(self):
        return f"{self.kpi.code} {self.period_end}: {self.value}"

    def get_absolute_url(self):
        return self.kpi.get_absolute_url()

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


class ImportBatch(models.Model):
    """One uploaded return: the file (kept, with its SHA-256), who sent it, and what it did.

    Values are written in bulk, which django-simple-history does not record: the batch and
    its ImportedValue rows are the audit record of an import, and what undoing restores.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Checked, not yet imported"
        APPLIED = "applied", "Imported"
        UNDONE = "undone", "Undone"

    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    content = models.BinaryField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    uploaded_by = models.ForeignKey(
        "auth.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    applied_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name_plural = "import batches"

    def __str__(self):
        return f"{self.file_name} ({self.uploaded_at:%d %b %Y %H:%M})"

    def get_absolute_url(self):
        if self.status == self.Status.PENDING:
            return reverse("kpis:import_preview", kwargs={"pk": self.pk})
        return reverse("kpis:import_batch", kwargs={"pk": self.pk})

    @property
    def figure_source(self) -> str:
        """What a figure this import brought says of its source, approved or not."""
        return f"Import {self.pk}: {self.file_name}"[:300]


class ImportedValue(models.Model):
    """A value an import created or changed, with what was there before."""

    class Outcome(models.TextChoices):
        CREATED = "created", "New"
        UPDATED = "updated", "Changed"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="values")
    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="+")
    period_end = models.DateField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    old_value = models.DecimalField(max_digits=18, decimal_places=4, null=True)
    old_numerator = models.DecimalField(max_digits=18, decimal_places=4, null=True)
    old_denominator = models.DecimalField(max_digits=18, decimal_places=4, null=True)
    old_note = models.TextField(blank=True)
    old_source = models.CharField(max_length=300, blank=True)
    old_origin = models.CharField(max_length=15, blank=True)
    new_value = models.DecimalField(max_digits=18, decimal_places=4)
    new_numerator = models.DecimalField(max_digits=18, decimal_places=4, null=True)
    new_denominator = models.DecimalField(max_digits=18, decimal_places=4, null=True)
    new_note = models.TextField(blank=True)

    class Meta:
        ordering = ["batch", "kpi", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "kpi", "period_end"], name="kpis_imported_value_once_per_batch"
            )
        ]

    def __str__(self):
        return f"{self.kpi_id} {self.period_end}: {self.old_value} → {self.new_value}"

    def get_absolute_url(self):
        return self.batch.get_absolute_url()


# --- DfE benchmarks: every council's published figures, as LAIT holds them ---------------------
#
# Kept apart from KPIValue/ComparatorValue: these are DfE's figures for all 150-odd councils,
# regions and England, loaded in bulk by `manage.py import_lait` (kpis/lait/), so that Wirral's
# KPIs can be set beside any comparator without anyone keying a number in. They are shown
# through a KPI's benchmark page (kpis/benchmarks.py), not pages of their own.


class BenchmarkIndicator(models.Model):
    """One LAIT measure, from DfE's data dictionary; `code` is LAIT's `Short Desc`."""

    class Polarity(models.TextChoices):
        """DfE's words for what KPI.Polarity says; `as_kpi_polarity` is where the two meet."""

        HIGH = "high", "Higher is better"
        LOW = "low", "Lower is better"
        NONE = "none", "No polarity"

        def as_kpi_polarity(self) -> "KPI.Polarity":
            return {
                self.HIGH: KPI.Polarity.HIGHER_IS_BETTER,
                self.LOW: KPI.Polarity.LOWER_IS_BETTER,
                self.NONE: KPI.Polarity.NONE,
            }[self]

    class YearType(models.TextChoices):
        """How the dictionary says a bare year such as "2025" is to be read."""

        FINANCIAL = "financial", "Financial year (to 31 March)"
        ACADEMIC = "academic", "Academic year (to 31 August)"
        CALENDAR = "calendar", "Calendar year"
        END_OF_SEPTEMBER = "end_september", "Annual, at the end of September"
        JANUARY = "january", "Annual, in January"
        ANNUAL = "annual", "Annual, at 31 March"

    # LAIT's codes hold spaces and symbols ("%_of LAC Adopted", "Hosp_Adm_Alc_<18yrs"): not slugs.
    code = models.CharField(max_length=60, unique=True, help_text="LAIT's Short Desc")
    name = models.CharField(max_length=300)
    topic = models.CharField(max_length=100, blank=True)
    unit = models.CharField(max_length=100, blank=True, help_text="LAIT's axis label")
    definition = models.TextField(blank=True)
    method = models.TextField(blank=True)
    polarity = models.CharField(max_length=10, choices=Polarity.choices, default=Polarity.NONE)
    decimal_places = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="As DfE shows it; blank when the dictionary says NA"
    )
    year_type = models.CharField(max_length=15, choices=YearType.choices)
    source = models.CharField(max_length=300, blank=True, help_text="Data owner or supplier")
    link = models.URLField(max_length=500, blank=True)
    last_update = models.DateField(null=True, blank=True)
    next_update = models.DateField(
        null=True, blank=True, help_text="Blank when DfE says TBC or discontinued"
    )
    no_quartile = models.BooleanField(
        default=False, help_text="The range is too small for quartile banding"
    )

    class Meta:
        ordering = ["topic", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decimal_places__lte=6), name="kpis_benchmark_indicator_dps_at_most_6"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def kpi_polarity(self) -> "KPI.Polarity":
        """The indicator's polarity in a KPI's words ("higher", "lower" or "none")."""
        return self.Polarity(self.polarity).as_kpi_polarity()


class Area(models.Model):
    """A local authority, a region or England, as DfE numbers them (England 970, regions 980+)."""

    class Kind(models.TextChoices):
        LA = "la", "Local authority"
        REGION = "region", "Region"
        ENGLAND = "england", "England"

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    la_number = models.PositiveSmallIntegerField(null=True, blank=True, unique=True)
    region = models.CharField(
        max_length=100, blank=True, help_text="For an LA: its region, named as that region's Area"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="la") | Q(la_number__isnull=False),
                name="kpis_area_la_has_number",
            ),
        ]

    def __str__(self):
        return self.name


class StatisticalNeighbour(models.Model):
    """One of an LA's ten DfE statistical neighbours, closest first."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="neighbours")
    neighbour = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    closeness = models.CharField(max_length=30, blank=True, help_text='e.g. "Very close"')

    class Meta:
        ordering = ["area", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "neighbour"], name="kpis_neighbour_once_per_area"
            ),
            models.UniqueConstraint(
                fields=["area", "position"], name="kpis_neighbour_one_per_position"
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1, position__lte=10),
                name="kpis_neighbour_position_1_to_10",
            ),
            models.CheckConstraint(
                condition=~Q(area=models.F("neighbour")), name="kpis_neighbour_not_itself"
            ),
        ]

    def __str__(self):
        return f"{self.area} neighbour {self.position}: {self.neighbour}"


class BenchmarkValue(models.Model):
    """DfE's figure for one indicator, area and period. A suppressed or unpublished figure is
    kept as such (no value), never as zero; one row per period label, the latest revision."""

    class PeriodKind(models.TextChoices):
        SNAPSHOT_MARCH = "snapshot_march", "Snapshot at 31 March"
        FINANCIAL_YEAR = "financial", "Financial year"
        ACADEMIC_YEAR = "academic", "Academic year"
        CALENDAR_YEAR = "calendar", "Calendar year"
        THREE_YEARS = "three_years", "3-year range"
        OUTTURN = "outturn", "Financial-year outturn"
        END_OF_SEPTEMBER = "end_september", "Annual, at the end of September"
        JANUARY = "january", "Annual, in January"

    class Status(models.TextChoices):
        PUBLISHED = "published", "Published"
        SUPPRESSED = "suppressed", "Suppressed or not published"

    class Revision(models.TextChoices):
        """In the order a figure is superseded (see kpis.lait.periods.revision_rank)."""

        PROVISIONAL = "prov", "Provisional"
        NONE = "", "Not marked"
        REVISED = "Rev", "Revised"
        FINAL = "Final", "Final"

    # No index of its own: kpis_benchmark_one_per_period's index leads with the indicator.
    indicator = models.ForeignKey(
        BenchmarkIndicator, on_delete=models.CASCADE, related_name="values", db_index=False
    )
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="benchmark_values")
    period_label = models.CharField(
        max_length=20, help_text='LAIT\'s Years without its revision: "2025", "2014-16", "2024-25"'
    )
    period_end = models.DateField()
    period_kind = models.CharField(max_length=15, choices=PeriodKind.choices)
    value = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    revision = models.CharField(
        max_length=5, choices=Revision.choices, blank=True, default=Revision.NONE
    )

    class Meta:
        # By id, not by the related models' own ordering: that would join two tables into
        # every unordered query of a 640,000-row table.
        ordering = ["indicator_id", "area_id", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "period_label"],
                name="kpis_benchmark_one_per_period",
            ),
            models.CheckConstraint(
                condition=Q(status="published", value__isnull=False)
                | Q(status="suppressed", value__isnull=True),
                name="kpis_benchmark_value_matches_status",
            ),
        ]

    def __str__(self):
        shown = "suppressed" if self.value is None else f"{self.value.normalize():f}"
        return f"{self.indicator.code} {self.area} {self.period_label}: {shown}"


class KPIRank(models.Model):
    """The home council's place among all councils with a figure for a KPI's period.

    Rank 1 is the best by the indicator's polarity; ties share the best rank. Band A is always
    the best quarter. Measures without polarity get no rank.
    """

    class Band(models.TextChoices):
        A = "A", "A (best quarter)"
        B = "B", "B"
        C = "C", "C"
        D = "D", "D (worst quarter)"

    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="ranks")
    period_end = models.DateField()
    rank = models.PositiveSmallIntegerField()
    out_of = models.PositiveSmallIntegerField(help_text="Councils with a published figure")
    band = models.CharField(max_length=1, choices=Band.choices)

    class Meta:
        ordering = ["kpi", "period_end"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "period_end"], name="kpis_rank_one_per_period"),
            models.CheckConstraint(
                condition=Q(rank__gte=1) & Q(rank__lte=models.F("out_of")),
                name="kpis_rank_within_out_of",
            ),
        ]

    def __str__(self):
        return f"{self.kpi.code} {self.period_end}: {self.rank} of {self.out_of} ({self.band})"

    def get_absolute_url(self):
        return reverse("kpis:kpi_benchmark", kwargs={"code": self.kpi.code})
