"""An action and its quarterly updates: the BRAG status, the roll-up of an action's status,
reason and next step from its latest update, and the rules for an overdue action and a missing
update, each written once as a Q expression."""

import datetime as dt
from contextlib import contextmanager

from django.conf import settings
from django.db import models, transaction
from django.db.models import (
    BooleanField,
    CharField,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from actions.models.hierarchy import Mechanism, Programme, Retirable, RetirableQuerySet
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
    def given_label(self) -> str:
        """The status as its officer gave it, or '' where none was given: "not assessed" is
        the absence of a rating (an officer cannot choose it), so a paper prints nothing."""
        return "" if self == Status.NOT_ASSESSED else self.label

    @property
    def tag_class(self) -> str:
        """GOV.UK tag colour modifier for this status."""
        return _TAG_CLASS[self]

    @property
    def needs_explanation(self) -> bool:
        """At risk and off track must say why and what happens next."""
        return self in NEEDS_EXPLANATION


NEEDS_EXPLANATION = (Status.AT_RISK, Status.OFF_TRACK)

UNTITLED_ACTION = "(no action text)"
"""How an action with no text is named wherever it must be named (pages, papers, files,
emails): in brackets, so no reader takes it for the council's own words. The seed's
"Managed reunification for older young people" action cell is empty in the committee's table."""


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


_PROGRAMME = "mechanism__requirement__objective__programme"
ROLLED_UP_FIELDS = ("status", "reason", "next_step")
NO_UPDATE_POSITION = (Status.NOT_ASSESSED, "", "")
UPDATE_PERIOD = "programme_update_period"


def _programme_update_period() -> Subquery:
    """Programme.update_period() of each action's programme, in SQL
    (ProgrammeQuerySet.with_update_period), which ActionQuerySet aliases as
    ``UPDATE_PERIOD`` so one query asks each programme about its own quarter."""
    programmes = Programme.objects.with_update_period().filter(pk=OuterRef(_PROGRAMME))
    return Subquery(programmes.values("update_period_now")[:1])


def overdue_rule(today=None) -> Q:
    """Past its due date and not complete. Null-safe, so an action with no due date is
    "not overdue" (False), not unknown (NULL), wherever the rule is evaluated."""
    today = today or timezone.localdate()
    return Q(due_date__isnull=False, due_date__lt=today) & ~Q(status=Status.COMPLETE)


def _resolved(period: ReportingPeriod | None):
    """``period``, or, given None, the quarter each action's programme asks about (from
    inside a subquery of a query ActionQuerySet gave the ``UPDATE_PERIOD`` alias)."""
    return OuterRef(UPDATE_PERIOD) if period is None else period


def _has_update_for(period: ReportingPeriod | None) -> Exists:
    """Whether the action has an update for ``period``, or, given None, for the quarter its
    programme asks about."""
    return Exists(Update.objects.filter(action=OuterRef("pk"), period=_resolved(period)))


def _complete_by(period: ReportingPeriod | None) -> Exact:
    """Whether the status last reported on or before ``period`` is complete. Null-safe: an
    action with no update by then is not complete (False), not unknown."""
    latest = Update.objects.filter(action=OuterRef("pk"), period__lte=_resolved(period))
    status = Subquery(latest.order_by("-period").values("status")[:1])
    return Exact(Coalesce(status, Value("")), Value(Status.COMPLETE))


def missing_update_rule(period: ReportingPeriod | None = None) -> Q:
    """No update for ``period`` and not complete by then: a complete action is never asked
    for another update, whether by the action tables, the reminders, an officer's home page
    or "Needs attention". Without ``period``, the quarter each action's programme asks
    about (Programme.update_period(): never a locked quarter), and none at all once its
    reporting is complete; that needs the ``UPDATE_PERIOD`` alias, which ActionQuerySet's
    methods add."""
    rule = ~Q(_has_update_for(period)) & ~Q(_complete_by(period))
    if period is None:
        rule &= Q(**{f"{UPDATE_PERIOD}__isnull": False})
    return rule


def update_due_by(period: ReportingPeriod) -> dt.date:
    """The day a quarter's updates are due: the quarter's last day. The reminders go out near
    it, so that leads fill the gaps before the committee paper is drawn up."""
    return period.end


class ActionQuerySet(RetirableQuerySet):
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

    def _asking(self, period: ReportingPeriod | None):
        """This queryset, ready for a rule about ``period``: given None, with each action's
        programme's update period aliased (a subquery, no extra query)."""
        if period is not None or UPDATE_PERIOD in self.query.annotations:
            return self
        return self.alias(**{UPDATE_PERIOD: _programme_update_period()})

    def updated(self, period: ReportingPeriod | None = None):
        """Actions with an update for ``period`` (default: the quarter their programme asks
        about, Programme.update_period())."""
        return self._asking(period).filter(_has_update_for(period))

    def missing_update(self, period: ReportingPeriod | None = None):
        """missing_update_rule(): no update for ``period`` (default: the quarter their
        programme asks about; none once its reporting is complete) and not complete by then."""
        return self._asking(period).filter(missing_update_rule(period))

    def not_missing_update(self, period: ReportingPeriod | None = None):
        """Every action missing_update() leaves out: updated, complete, or in a programme
        whose reporting is complete."""
        return self._asking(period).exclude(missing_update_rule(period))

    def with_current_update(self):
        """Each row carries ``update_period`` (Programme.update_period() of its programme,
        None once its reporting is complete), ``has_current_update`` (the rule of
        updated()) and ``missing_current_update`` (missing_update()'s) for that quarter."""
        return (
            self._asking(None)
            .annotate(update_period=F(UPDATE_PERIOD))
            .annotate(
                has_current_update=_has_update_for(None),
                missing_current_update=ExpressionWrapper(
                    missing_update_rule(), output_field=BooleanField()
                ),
            )
        )

    def roll_up(self) -> int:
        """Action.roll_up() for every action here: one query reads them, locked, with their
        latest updates; each that changed is saved (with its history record). Returns how many
        changed."""
        with transaction.atomic(using=self.db):
            return sum(action._take_latest_update() for action in self._with_latest_update())

    def _with_latest_update(self):
        """Locked, with the latest update's status, reason and next step as ``latest_*``."""
        latest = Update.objects.filter(action=OuterRef("pk")).order_by("-period")
        return (
            self.select_related(None)
            .select_for_update()
            .annotate(
                **{f"latest_{name}": Subquery(latest.values(name)[:1]) for name in ROLLED_UP_FIELDS}
            )
            .order_by("pk")
        )


class Action(Retirable):
    """What we need to do. The title may be empty: the source table has such a row.

    ``status``, ``reason`` and ``next_step`` are the current position, stored so lists can
    filter and count it, and only ever written by roll_up(), which every write of an update
    calls: the action's status is its latest update's. ``version`` grows on every save, so
    a form opened on an older version can tell that someone else saved in between.
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
    # Last year's action this one continues (actions/carry.py): its page shows both years.
    carried_from = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["version", "position", "carried_from"])

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
        return self.title or UNTITLED_ACTION

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

    def roll_up(self) -> bool:
        """Take the status, reason and next step of the latest update ("not assessed" with
        neither when there is none), saving only on a real change so ``version`` and the
        history move only then. Called by every write of an update (Update.save and delete,
        and UpdateQuerySet's bulk writes). This instance is refreshed with the result.

        Returns whether anything changed. One query, plus the save when something did.
        """
        with transaction.atomic():
            current = Action.objects.filter(pk=self.pk)._with_latest_update().get()
            changed = current._take_latest_update()
        for name in (*ROLLED_UP_FIELDS, "version"):
            setattr(self, name, getattr(current, name))
        return changed

    def _take_latest_update(self) -> bool:
        """The roll-up rule, on a row read by ActionQuerySet._with_latest_update()."""
        latest = tuple(getattr(self, f"latest_{name}") for name in ROLLED_UP_FIELDS)
        position = NO_UPDATE_POSITION if latest[0] is None else latest
        if position == (self.status, self.reason, self.next_step):
            return False
        self.status, self.reason, self.next_step = position
        self.save()
        return True


@contextmanager
def _rolling_up(action_ids: set[int], *, held: Action | None = None):
    """Around a write of updates: lock their actions first, in pk order as record_update
    does, so two writers of one action queue rather than deadlock; after it, roll them up,
    ``held`` (an action in memory: an admin form's, record_update's) in place, so whoever
    holds it sees the result. Yields the set, for a write that learns of more actions."""
    with transaction.atomic():
        list(
            Action.objects.select_for_update()
            .filter(pk__in=action_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        yield action_ids
        if held is not None:
            held.roll_up()
            action_ids = action_ids - {held.pk}
        Action.objects.filter(pk__in=action_ids).roll_up()


class UpdateQuerySet(models.QuerySet):
    """Bulk writes roll their actions up too, so no write of an update, whoever makes it,
    leaves an action showing a status its updates do not say. A cascade from deleting the
    action itself goes through the base manager, so it rolls nothing up."""

    def delete(self):
        with _rolling_up(self._action_ids()):
            return super().delete()

    delete.alters_data = True
    delete.queryset_only = True

    def update(self, **kwargs):
        rows = list(self.order_by().values_list("pk", "action_id"))
        with _rolling_up({action_id for _, action_id in rows}) as action_ids:
            updated = super().update(**kwargs)
            if "action" in kwargs or "action_id" in kwargs:
                action_ids |= Update.objects.filter(pk__in=[pk for pk, _ in rows])._action_ids()
        return updated

    update.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        with _rolling_up({update.action_id for update in objs}):
            return super().bulk_create(objs, *args, **kwargs)

    bulk_create.alters_data = True

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        action_ids = {update.action_id for update in objs}
        if "action" in fields or "action_id" in fields:
            action_ids |= self.filter(pk__in=[update.pk for update in objs])._action_ids()
        with _rolling_up(action_ids):
            return super().bulk_update(objs, fields, *args, **kwargs)

    bulk_update.alters_data = True

    def _action_ids(self) -> set[int]:
        return set(self.order_by().values_list("action_id", flat=True))


class Update(models.Model):
    """An action's update for one reporting period, with its status at that time.

    Saving or deleting one rolls its action up (Action.roll_up), and the action it was
    moved from if an administrator moved it.
    """

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

    objects = UpdateQuerySet.as_manager()

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
        with _rolling_up(self._action_ids(), held=self._action_in_memory()):
            super().save(*args, **kwargs)
        self._stored_action_id = self.action_id

    def get_absolute_url(self):
        return self.action.get_absolute_url()

    def delete(self, *args, **kwargs):
        with _rolling_up(self._action_ids(), held=self._action_in_memory()):
            return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        update = super().from_db(db, field_names, values)
        update._stored_action_id = update.__dict__.get("action_id")
        return update

    def _action_ids(self) -> set[int]:
        """This update's action, and the one it was moved from if an administrator moved it."""
        return {self.action_id, getattr(self, "_stored_action_id", None)} - {None}

    def _action_in_memory(self) -> Action | None:
        return self.action if self._meta.get_field("action").is_cached(self) else None

    @property
    def status_choice(self) -> Status:
        return Status(self.status)

    @property
    def recorded_on(self) -> str:
        """The day (and time) the update's page gives beside who wrote it or where it came
        from. One loaded from a published paper (``source``) was never typed in careprog,
        so it has no time of its own; its date is the day it was first published (not the
        day it was loaded), left out when its source names it: "From Appendix C, …,
        5 March 2025", not "…, 5 March 2025, 5 March 2025, 00:00"."""
        if not self.source or self.author_id is not None:
            return f"{timezone.localtime(self.updated_at):%-d %B %Y, %H:%M}"
        day = f"{timezone.localtime(self.created_at):%-d %B %Y}"
        return "" if day in self.source else day
