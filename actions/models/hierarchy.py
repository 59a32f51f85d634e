"""The programme's structure: programme → objective → requirement → mechanism. Actions and
their quarterly updates hang off a mechanism (progress.py)."""

from django.conf import settings
from django.db import models
from django.db.models import (
    F,
    Q,
)
from django.urls import reverse

from careprog.fields import ReportingPeriodField
from careprog.periods import ReportingPeriod


class Programme(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    first_period = ReportingPeriodField(
        help_text="First quarter the programme reports on, e.g. 2024-25 Q1"
    )
    last_period = ReportingPeriodField(
        help_text="Last quarter the programme reports on, e.g. 2024-25 Q4"
    )
    # Readers (committee members, mostly) emailed when one of its papers is published; each
    # subscribes and unsubscribes themselves on the programme's papers page.
    subscribers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="subscribed_programmes",
        help_text="Emailed when one of the programme's papers is published",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(first_period__lte=F("last_period")),
                name="actions_programme_periods_in_order",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("actions:report_latest", kwargs={"slug": self.slug})

    def periods(self) -> list[ReportingPeriod]:
        return self.first_period.until(self.last_period)

    def current_period(self) -> ReportingPeriod:
        """Today's financial quarter, kept within the quarters the programme reports on.

        ``_current_period_in_sql`` is the same rule inside a query over many programmes.
        """
        return min(max(ReportingPeriod.current(), self.first_period), self.last_period)

    def periods_open_for_updates(self) -> list[ReportingPeriod]:
        """Quarters an officer may write about: the programme's, up to the current one."""
        return self.first_period.until(self.current_period())

    def covers(self, period: ReportingPeriod) -> bool:
        return self.first_period <= period <= self.last_period


class Objective(models.Model):
    """What the programme wants to achieve: a short title and the statement under it."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="objectives")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(
        max_length=200, help_text="Short title, e.g. 'Children live safely with their families'"
    )
    statement = models.TextField(help_text="What we want to achieve, as the programme states it")
    # The programme chooses measures from the catalogue as evidence; the catalogue (kpis, the
    # lower layer) knows no programme, so the link lives here. ``kpi.objectives`` reads it back.
    kpis = models.ManyToManyField(
        "kpis.KPI",
        blank=True,
        related_name="objectives",
        verbose_name="measures",
        help_text="The measures from the KPI catalogue that evidence this objective",
    )

    class Meta:
        ordering = ["programme", "position", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return (
            reverse("actions:report_latest", kwargs={"slug": self.programme.slug})
            + f"#objective-{self.pk}"
        )


class Requirement(models.Model):
    """What we need for an objective."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="requirements")
    position = models.PositiveIntegerField(default=0)
    text = models.TextField()

    class Meta:
        ordering = ["objective", "position", "pk"]

    def __str__(self):
        return self.text

    def get_absolute_url(self):
        return self.objective.get_absolute_url()


class Mechanism(models.Model):
    """How we will make a requirement happen."""

    requirement = models.ForeignKey(
        Requirement, on_delete=models.CASCADE, related_name="mechanisms"
    )
    position = models.PositiveIntegerField(default=0)
    text = models.TextField()

    class Meta:
        ordering = ["requirement", "position", "pk"]

    def __str__(self):
        return self.text

    def get_absolute_url(self):
        return self.requirement.get_absolute_url()
