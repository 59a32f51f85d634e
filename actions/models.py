"""The programme hierarchy: objective → requirement → mechanism → action → update."""

from django.conf import settings
from django.db import models
from django.db.models import (
    BooleanField,
    CharField,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Value,
)
from django.db.models.functions import Greatest, Least
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from careprog.fields import ReportingPeriodField
from careprog.periods import ReportingPeriod


class Status(models.TextChoices):
    """The public-sector BRAG convention, plus the two states before a rating exists."""

    NOT_ASSESSED = "not_assessed", "Not assessed"
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    COMPLETE = "complete", "Complete"

    @property
    def brag(self) -> str:
        """The BRAG letter a committee paper would print, or '' where there is none."""
        return _BRAG_LETTER[self]

    @property
    def tag_class(self) -> str:
        """GOV.UK tag colour modifier for this status."""
        return _TAG_CLASS[self]

    @property
    def needs_explanation(self) -> bool:
        """At risk and off track must say why and what happens next."""
        return self in NEEDS_EXPLANATION


NEEDS_EXPLANATION = (Status.AT_RISK, Status.OFF_TRACK)


def _explained_when_needed() -> Q:
    """At risk or off track requires a reason and a next step (a database rule, not a form rule)."""
    return ~Q(status__in=NEEDS_EXPLANATION) | (~Q(reason="") & ~Q(next_step=""))


_BRAG_LETTER = {
    Status.NOT_ASSESSED: "",
    Status.NOT_STARTED: "",
    Status.ON_TRACK: "G",
    Status.AT_RISK: "A",
    Status.OFF_TRACK: "R",
    Status.COMPLETE: "B",
}
_TAG_CLASS = {
    Status.NOT_ASSESSED: "govuk-tag--grey",
    Status.NOT_STARTED: "govuk-tag--grey",
    Status.ON_TRACK: "govuk-tag--green",
    Status.AT_RISK: "govuk-tag--orange",
    Status.OFF_TRACK: "govuk-tag--red",
    Status.COMPLETE: "govuk-tag--blue",
}


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


_PROGRAMME = "mechanism__requirement__objective__programme"


def _current_period_in_sql(programme: str) -> Least:
    """Programme.current_period() of the programme at the path ``programme`` (an OuterRef
    path from inside a subquery), so one query can ask each programme about its own quarter.
    Periods are stored as slugs, which sort in time order."""
    today = Value(ReportingPeriod.current(), output_field=ReportingPeriodField())
    return Least(
        Greatest(today, OuterRef(f"{programme}__first_period")),
        OuterRef(f"{programme}__last_period"),
    )


def overdue_rule(today=None) -> Q:
    """Past its due date and not complete. Null-safe, so an action with no due date is
    "not overdue" (False), not unknown (NULL), wherever the rule is evaluated."""
    today = today or timezone.localdate()
    return Q(due_date__isnull=False, due_date__lt=today) & ~Q(status=Status.COMPLETE)


def _has_update_for(period: ReportingPeriod | None) -> Exists:
    """Whether the action has an update for ``period``, or, given None, for its own
    programme's current quarter."""
    if period is None:
        period = _current_period_in_sql(_PROGRAMME)
    return Exists(Update.objects.filter(action=OuterRef("pk"), period=period))


class ActionQuerySet(models.QuerySet):
    """The rules the action tables, their filters and counts, the action page and the
    reminders share, each stated once. The orders, filters and annotations add no query."""

    def in_programme_order(self):
        """The order of the committee paper: programme, objective, requirement, mechanism,
        then the action's own position, with ties at each level kept together by pk."""
        return self.order_by(
            f"{_PROGRAMME}__name",
            f"{_PROGRAMME}__pk",
            "mechanism__requirement__objective__position",
            "mechanism__requirement__objective__pk",
            "mechanism__requirement__position",
            "mechanism__requirement__pk",
            "mechanism__position",
            "mechanism__pk",
            "position",
            "pk",
        )

    def overdue(self, today=None):
        return self.filter(overdue_rule(today))

    def not_overdue(self, today=None):
        return self.exclude(overdue_rule(today))

    def with_overdue(self, today=None):
        """Each row carries ``overdue``, which Action.is_overdue() reads."""
        return self.annotate(
            overdue=ExpressionWrapper(overdue_rule(today), output_field=BooleanField())
        )

    def updated(self, period: ReportingPeriod | None = None):
        """Actions with an update for ``period`` (default: their programme's current quarter)."""
        return self.filter(_has_update_for(period))

    def missing_update(self, period: ReportingPeriod | None = None):
        """Actions without an update for ``period`` (default: their programme's current quarter)."""
        return self.filter(~_has_update_for(period))

    def with_current_update(self):
        """Each row carries ``has_current_update``: the rule of updated() and missing_update()."""
        return self.annotate(has_current_update=_has_update_for(None))


class Action(models.Model):
    """What we need to do. The title may be empty: the source table has such a row.

    ``status``, ``reason`` and ``next_step`` are the current position, rolled up from the
    latest update. ``version`` grows on every save, so a form opened on an older
    version can tell that someone else saved in between.
    """

    Status = Status

    mechanism = models.ForeignKey(Mechanism, on_delete=models.CASCADE, related_name="actions")
    position = models.PositiveIntegerField(default=0)
    title = models.TextField(blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_actions",
        help_text="The officer who keeps this action's status and updates current",
    )
    delegates = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="delegated_actions",
        help_text="Officers who may post updates on the lead's behalf",
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_ASSESSED)
    reason = models.TextField(blank=True, help_text="Why the action is at risk or off track")
    next_step = models.TextField(blank=True, help_text="What is being done about it, and by when")
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(excluded_fields=["version", "position"])

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["mechanism", "position", "pk"]
        permissions = [
            ("manage_programmes", "Can change every programme, action and update"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=_explained_when_needed(),
                name="actions_action_explained_when_at_risk_or_off_track",
            ),
        ]

    def __str__(self):
        return self.title or "(no action text)"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            self.version += 1
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("actions:action_detail", kwargs={"pk": self.pk})

    @property
    def status_choice(self) -> Status:
        return Status(self.status)

    def is_overdue(self, today=None) -> bool:
        """overdue_rule() for this action: read from ``overdue`` when the row was read with
        ActionQuerySet.with_overdue(), otherwise asked of the database (one query) for this
        instance's values."""
        if today is None and hasattr(self, "overdue"):
            return bool(self.overdue)
        return overdue_rule(today).check(
            {
                "due_date": Value(self.due_date, output_field=DateField()),
                "status": Value(self.status, output_field=CharField()),
            }
        )


class Update(models.Model):
    """An action's update for one reporting period, with its status at that time."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    period = ReportingPeriodField()
    text = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_ASSESSED)
    reason = models.TextField(blank=True, help_text="Why the action is at risk or off track")
    next_step = models.TextField(blank=True, help_text="What is being done about it, and by when")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where the text was first published, for imported updates",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(excluded_fields=["version", "updated_at"])

    class Meta:
        ordering = ["action", "-period"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "period"], name="actions_update_one_per_period"
            ),
            models.CheckConstraint(
                condition=_explained_when_needed(),
                name="actions_update_explained_when_at_risk_or_off_track",
            ),
        ]

    def __str__(self):
        return f"{self.action} ({self.period})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            self.version += 1
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return self.action.get_absolute_url()

    @property
    def status_choice(self) -> Status:
        return Status(self.status)
