"""The catalogue: groups of measures and the measures themselves (what is counted, its unit,
polarity, frequency, owner and DfE's indicator). Figures, imports and DfE's data hang off a KPI in
the modules beside this one."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from careprog.periods import (
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
        # kpis.permissions.MANAGE_PERMISSION: writes to the catalogue in Django admin.
        permissions = [("manage_catalogue", "Can change the KPI catalogue in admin")]
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
    def published_by_dfe(self) -> bool:
        """DfE publishes this very measure (LAIT, the same definition): its figure is the
        official one for a period, and the council's own is provisional until it arrives."""
        return self.benchmark_relation == BenchmarkRelation.SAME and bool(self.benchmark_code)

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
