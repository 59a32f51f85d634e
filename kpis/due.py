"""When a measure's figure is due, and what its owner has to do: "My measures".

Working days are Monday to Friday less the bank holidays of the council's nation
(settings.BANK_HOLIDAYS_REGION; careprog.periods.add_working_days).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Prefetch, Q

from careprog import periods
from careprog.periods import financial_year_end, financial_year_of, month_end, months_before
from kpis import rating
from kpis.approval import open_entries
from kpis.models import KPI, KPIEntry, KPIValue
from kpis.permissions import ENTER_PERMISSION


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The ``count``th working day after ``day`` where the council is."""
    return periods.add_working_days(day, count, settings.BANK_HOLIDAYS_REGION)


def period_ends_before(kpi: KPI, today: dt.date, count: int) -> list[dt.date]:
    """The measure's last ``count`` period ends before ``today``, newest first."""
    if kpi.frequency == KPI.Frequency.ANNUAL:
        year = financial_year_of(today)
        ends = [financial_year_end(y) for y in range(year, year - count - 1, -1)]
    else:
        step = 3 if kpi.frequency == KPI.Frequency.QUARTERLY else 1
        ends, day = [], month_end(today.year, today.month)
        while len(ends) < count + step:
            if kpi.accepts_period_end(day):
                ends.append(day)
            day = months_before(day, 1)
            day = month_end(day.year, day.month)
    return [end for end in ends if end < today][:count]


def due_on(kpi: KPI, period_end: dt.date) -> dt.date:
    return add_working_days(period_end, kpi.due_working_day)


@dataclass
class MeasureDue:
    """One line of "My measures": the period to act on and where it stands."""

    kpi: KPI
    period_end: dt.date
    due: dt.date
    entry: KPIEntry | None  # the period's open entry
    approved: bool
    today: dt.date

    @property
    def state(self) -> str:
        if self.entry is not None:
            return self.entry.state  # awaiting or returned
        if self.approved:
            return "approved"
        return "late" if self.due < self.today else "due"

    @property
    def period_name(self) -> str:
        """The period as every page names it ("2024-25 Q3" for a quarter's count)."""
        return rating.period_name(self.period_end, self.kpi)

    @property
    def state_label(self) -> str:
        return {
            "awaiting": "Awaiting approval",
            "returned": "Returned",
            "approved": "Approved",
            "late": "Late",
            "due": "Due",
        }[self.state]

    @property
    def tag_class(self) -> str:
        return {
            "awaiting": "govuk-tag--blue",
            "returned": "govuk-tag--orange",
            "approved": "govuk-tag--green",
            "late": "govuk-tag--red",
            "due": "govuk-tag--yellow",
        }[self.state]


ATTENTION = {"late", "returned", "awaiting"}
ASKS_FOR_A_FIGURE = {"due", "late", "returned"}
# A figure not yet late is chased once its due day is this many working days away or fewer:
# a month's figure is "due" from the day the month ends, ten working days before its due day.
REMIND_WORKING_DAYS_BEFORE_DUE = 3
# The backend that holds roles' permissions (axes' backend, listed first, only throttles).
PERMISSIONS_BACKEND = "django.contrib.auth.backends.ModelBackend"


def measures_due(user, today: dt.date) -> list[MeasureDue]:
    """The measures the user owns or is a delegate for, each with its latest period that has
    ended, and also the one before when that one still needs attention (late: past its due
    day with neither an approved figure nor an open entry; returned; awaiting approval), so
    a newer period never hides an older one. Three queries however many measures and
    figures there are."""
    kpis = (
        KPI.objects.filter(Q(owned_by=user) | Q(delegates=user))
        .distinct()
        .select_related("group")
        .order_by("group__position", "position", "code")
    )
    return _lines(list(kpis), today)


def chases(line: MeasureDue, today: dt.date) -> bool:
    """Whether the reminders ask for this line's figure now: late or returned, or due within
    REMIND_WORKING_DAYS_BEFORE_DUE working days; never one awaiting approval."""
    if line.state == "due":
        return line.due <= add_working_days(today, REMIND_WORKING_DAYS_BEFORE_DUE)
    return line.state in ASKS_FOR_A_FIGURE


def measures_due_by_person(today: dt.date) -> dict[User, list[MeasureDue]]:
    """``measures_due`` for every active owner and delegate who may enter figures, at once,
    keeping only the lines the reminders chase (``chases``): what they email. Someone named
    owner who may not enter figures (a committee member, say) is not sent a link they would
    be refused. Five queries however many people, measures and figures there are."""
    kpis = list(
        KPI.objects.filter(Q(owned_by__is_active=True) | Q(delegates__is_active=True))
        .distinct()
        .select_related("group", "owned_by")
        .prefetch_related(
            Prefetch("delegates", queryset=User.objects.filter(is_active=True).order_by("username"))
        )
        .order_by("group__position", "position", "code")
    )
    may_enter = set(
        User.objects.with_perm(
            ENTER_PERMISSION, include_superusers=True, backend=PERMISSIONS_BACKEND
        ).values_list("pk", flat=True)
    )
    people: dict[int, User] = {}
    by_person: dict[int, list[MeasureDue]] = {}
    for line in _lines(kpis, today):
        if not chases(line, today):
            continue
        owners = [line.kpi.owned_by] if line.kpi.owned_by and line.kpi.owned_by.is_active else []
        for person in owners + [d for d in line.kpi.delegates.all() if d not in owners]:
            if person.pk not in may_enter:
                continue
            people[person.pk] = person
            by_person.setdefault(person.pk, []).append(line)
    return {people[pk]: lines for pk, lines in by_person.items()}


def _lines(kpis: list[KPI], today: dt.date) -> list[MeasureDue]:
    """The one rule for what "My measures" and the reminders list. Two queries."""
    candidates = {kpi.pk: period_ends_before(kpi, today, 2) for kpi in kpis}
    periods = {day for days in candidates.values() for day in days}
    wanted = Q(kpi__in=kpis, period_end__in=periods)
    entries = {
        (e.kpi_id, e.period_end): e
        for e in open_entries().filter(wanted).select_related("decided_by")
    }
    approved = set(
        KPIValue.objects.real().filter(wanted).values_list("kpi_id", "period_end").order_by()
    )
    lines = []
    for kpi in kpis:
        for period_end in candidates[kpi.pk]:
            line = MeasureDue(
                kpi=kpi,
                period_end=period_end,
                due=due_on(kpi, period_end),
                entry=entries.get((kpi.pk, period_end)),
                approved=(kpi.pk, period_end) in approved,
                today=today,
            )
            if period_end == candidates[kpi.pk][0] or line.state in ATTENTION:
                lines.append(line)
    return lines
