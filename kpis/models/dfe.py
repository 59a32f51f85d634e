"""DfE benchmarks: every council's published figures, as LAIT holds them.

Kept apart from KPIValue/ComparatorValue: these are DfE's figures for all 150-odd councils,
regions and England, loaded in bulk by `manage.py import_lait` (kpis/lait/), so that the
council's KPIs can be set beside any comparator without anyone keying a number in. They are shown
through a KPI's benchmark page (kpis/benchmarks.py), not pages of their own; KPIRank is the
council's place among all councils for a KPI's period."""

from django.db import models
from django.db.models import Q
from django.urls import reverse

from kpis.models.catalogue import KPI


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
