"""The KPI catalogue: groups, measures, values over time, targets and comparators."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from actions.models import Objective


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
        YEAR_TO_DATE = "ytd", "Year to date"
        ROLLING_12_MONTHS = "rolling12", "Rolling 12 months"
        THREE_YEAR_AVERAGE = "3yr_average", "3-year average"

    code = models.SlugField(
        max_length=40, unique=True, help_text="Stable identifier used in imports"
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
    owner = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=300, blank=True, help_text="Where the figures come from")
    objectives = models.ManyToManyField(
        Objective, blank=True, related_name="kpis", help_text="Programme objectives it evidences"
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


class Origin(models.TextChoices):
    """Where a figure came from. Illustrative figures are demo data, never real."""

    PUBLISHED = "published", "Published report"
    RETURN = "return", "Local return"
    DFE = "dfe", "DfE published statistics"
    ILLUSTRATIVE = "illustrative", "Illustrative (not real)"


_REAL = ~Q(origin=Origin.ILLUSTRATIVE)
_ILLUSTRATIVE = Q(origin=Origin.ILLUSTRATIVE)


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
    history = HistoricalRecords()

    class Meta:
        ordering = ["kpi", "period_end"]
        verbose_name = "KPI value"
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
        ]

    def __str__(self):
        return f"{self.kpi.code} {self.year_label}"

    def get_absolute_url(self):
        return self.kpi.get_absolute_url()

    @property
    def is_illustrative(self) -> bool:
        return self.origin == Origin.ILLUSTRATIVE

    @property
    def year_label(self) -> str:
        return f"{self.financial_year}-{(self.financial_year + 1) % 100:02d}"


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
    origin = models.CharField(max_length=15, choices=Origin.choices, default=Origin.DFE)
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["kpi", "comparator", "period_end"]
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
