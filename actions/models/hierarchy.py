"""The programme's structure: programme → objective → requirement → mechanism. Actions and
their quarterly updates hang off a mechanism (progress.py)."""

from django.conf import settings
from django.db import models
from django.db.models import (
    Case,
    Exists,
    F,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Greatest, Least
from django.urls import reverse
from simple_history.models import HistoricalRecords

from actions.models.papers import Committee, QuarterLock
from careprog.fields import NextPeriod, ReportingPeriodField
from careprog.periods import ReportingPeriod


class ProgrammeQuerySet(models.QuerySet):
    def with_update_period(self):
        """Each programme carries ``update_period_now``: Programme.update_period() in SQL, so
        one query can ask many programmes, or each action its own programme (the
        missing-update rule), about the quarter officers are asked to update. None once the
        programme's reporting is complete. Adds no query: subqueries on the quarter locks.

        The current quarter if no published paper holds it locked, else the quarter after
        the first locked one from there whose next quarter is not locked (the first gap in
        the run of locked quarters), if the programme still reports on it.
        """
        today = Value(ReportingPeriod.current(), output_field=ReportingPeriodField())
        current = Least(Greatest(today, F("first_period")), F("last_period"))
        held = QuarterLock.objects.filter(reopened_at__isnull=True)
        after_held = held.filter(programme=OuterRef("programme"), period=OuterRef("after"))
        first_gap = (
            held.filter(programme=OuterRef("pk"), period__gte=OuterRef("current_period_now"))
            .annotate(after=NextPeriod(F("period")))
            .filter(~Exists(after_held), after__lte=OuterRef("last_period"))
            .order_by("period")
            .values("after")[:1]
        )
        current_held = held.filter(programme=OuterRef("pk"), period=OuterRef("current_period_now"))
        return self.alias(current_period_now=current).annotate(
            update_period_now=Case(
                When(Exists(current_held), then=first_gap),
                default=F("current_period_now"),
                output_field=ReportingPeriodField(),
            )
        )


class RetirableQuerySet(models.QuerySet):
    """Parts of a programme that may be retired (actions/structure.py): kept with their
    updates and history, gone from every live read."""

    def live(self):
        """The parts not retired. Retiring a part retires everything under it and a part
        cannot be restored under a retired parent, so a part's own ``retired_at`` says
        whether it is live: no join up the tree. Adds no query."""
        return self.filter(retired_at__isnull=True)

    def retired(self):
        return self.filter(retired_at__isnull=False)


class Retirable(models.Model):
    """A part of a programme that can be retired (actions/structure.py): kept, with its
    updates and history, and left out of every live read (RetirableQuerySet.live)."""

    retired_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When a programme administrator retired it: kept, with its updates and "
        "history, but left out of the live report, lists, reminders and carrying",
    )

    class Meta:
        abstract = True


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
    # The committee its papers usually go to: the new-paper form offers its meetings first.
    # PROTECT, as Meeting.committee is: a committee a programme reports to is not removed
    # from under it.
    committee = models.ForeignKey(
        Committee,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="programmes",
        help_text="The committee the programme's papers usually go to",
    )
    # Open data (actions/open_data/): when an administrator published the programme's
    # published papers and approved figures at /open/ for anyone. None, the default: nothing
    # of it is public. Kept in the programme's history, so who switched it on, and when, is
    # on record.
    open_data_from = models.DateTimeField(
        "open data since",
        null=True,
        blank=True,
        help_text="Blank: not published as open data. Set: its published papers and approved "
        "figures are at /open/ for anyone, without signing in.",
    )
    # Raised on every save, admin's included: a form opened before someone else's save is
    # refused (actions/structure.py), as committees and meetings are.
    version = models.PositiveIntegerField(default=1, editable=False)

    # Last year's programme this one was carried from (actions/carry.py): a programme is
    # carried once, so next year is never created twice.
    carried_from = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, editable=False, related_name="carried_into"
    )

    objects = ProgrammeQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version"])

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

    def save(self, *args, **kwargs):
        if self.pk is not None:
            self.version += 1
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("actions:report_latest", kwargs={"slug": self.slug})

    def periods(self) -> list[ReportingPeriod]:
        return self.first_period.until(self.last_period)

    def current_period(self) -> ReportingPeriod:
        """Today's financial quarter, kept within the quarters the programme reports on.

        ProgrammeQuerySet.with_update_period() starts from the same rule in SQL.
        """
        return min(max(ReportingPeriod.current(), self.first_period), self.last_period)

    def update_period(self) -> ReportingPeriod | None:
        """The quarter officers are asked to update: the first from the current one that no
        published paper holds locked (a reopened quarter is open again), or None when every
        quarter left is locked: the programme's reporting is complete. Home, the action
        tables, "missing an update" and the reminders all ask this, never a locked quarter.

        Read from ``update_period_now`` when the programme was read with
        ProgrammeQuerySet.with_update_period() (the same rule in SQL), else one query.
        """
        if hasattr(self, "update_period_now"):
            return self.update_period_now
        held = set(
            QuarterLock.objects.filter(programme=self, reopened_at__isnull=True).values_list(
                "period", flat=True
            )
        )
        remaining = self.current_period().until(self.last_period)
        return next((period for period in remaining if period not in held), None)

    def periods_open_for_updates(self) -> list[ReportingPeriod]:
        """Quarters an officer may write about: the programme's, up to the one they are
        asked to update (which is after the current one when that is locked). A locked
        quarter among them still refuses officers (actions.services.record_update)."""
        return self.first_period.until(self.update_period() or self.current_period())

    def covers(self, period: ReportingPeriod) -> bool:
        return self.first_period <= period <= self.last_period


class Objective(Retirable):
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
    # Raised on every save: a form opened before someone else's save is refused
    # (actions/structure.py). Position is left out of history: a reorder is not a change of
    # what the programme says.
    version = models.PositiveIntegerField(default=1, editable=False)
    objects = RetirableQuerySet.as_manager()
    # The chosen measures are history too: which evidence a committee read changes over time.
    history = HistoricalRecords(excluded_fields=["version", "position"], m2m_fields=[kpis])

    class Meta:
        ordering = ["programme", "position", "pk"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.pk is not None:
            self.version += 1
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return (
            reverse("actions:report_latest", kwargs={"slug": self.programme.slug})
            + f"#objective-{self.pk}"
        )


class Requirement(Retirable):
    """What we need for an objective."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="requirements")
    position = models.PositiveIntegerField(default=0)
    text = models.TextField()
    version = models.PositiveIntegerField(default=1, editable=False)  # as Objective's
    objects = RetirableQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version", "position"])

    class Meta:
        ordering = ["objective", "position", "pk"]

    def __str__(self):
        return self.text

    def save(self, *args, **kwargs):
        if self.pk is not None:
            self.version += 1
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return self.objective.get_absolute_url()


class Mechanism(Retirable):
    """How we will make a requirement happen."""

    requirement = models.ForeignKey(
        Requirement, on_delete=models.CASCADE, related_name="mechanisms"
    )
    position = models.PositiveIntegerField(default=0)
    text = models.TextField()
    version = models.PositiveIntegerField(default=1, editable=False)  # as Objective's
    objects = RetirableQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version", "position"])

    class Meta:
        ordering = ["requirement", "position", "pk"]

    def __str__(self):
        return self.text

    def save(self, *args, **kwargs):
        if self.pk is not None:
            self.version += 1
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return self.requirement.get_absolute_url()
