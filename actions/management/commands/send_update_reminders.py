"""Remind action leads which of their actions still lack an update for a quarter, measure
owners which of their figures are due, late or returned to them, and risk owners which of their
risks' reviews are overdue: one email per person.

Meant for cron near the end of each quarter (and after each month end for measures), so people
hear about gaps before the committee paper is drawn up rather than after.
"""

import os
from dataclasses import dataclass, field
from itertools import groupby
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import EmailMessage, get_connection
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from actions.models import Action, Programme, QuarterLock, Risk, update_due_by
from actions.risks.queries import overdue_reviews_by_owner
from careprog.links import BASE_URL_ENV, DEFAULT_BASE_URL
from careprog.periods import InvalidPeriod, ReportingPeriod
from kpis.due import MeasureDue, measures_due_by_person

_PROGRAMME = "mechanism__requirement__objective__programme"


@dataclass
class Reminder:
    """One email: a person's actions that lack an update (each for its programme's period) and
    their measures that need a figure."""

    lead: AbstractBaseUser
    actions: list[Action] = field(default_factory=list)
    measures: list[MeasureDue] = field(default_factory=list)
    risks: list[Risk] = field(default_factory=list)  # whose review is overdue

    @property
    def greeting_name(self) -> str:
        return self.lead.get_short_name() or self.lead.get_full_name() or self.lead.get_username()

    @property
    def who(self) -> str:
        """The username, which an administrator can look up, with the name if there is one."""
        name = self.lead.get_full_name()
        return f"{self.lead.get_username()} ({name})" if name else self.lead.get_username()

    @property
    def periods(self) -> list[ReportingPeriod]:
        return sorted({action.period for action in self.actions})

    def by_period(self):
        """(period, [actions]) oldest first, actions in programme order within each."""
        for period in self.periods:
            yield period, [a for a in self.actions if a.period == period]

    @staticmethod
    def by_programme_and_objective(actions):
        """Nested (programme, [(objective, [actions])]) so the email reads like the report."""
        for programme, in_programme in groupby(
            actions, key=lambda a: a.mechanism.requirement.objective.programme
        ):
            yield (
                programme,
                [
                    (objective, list(actions))
                    for objective, actions in groupby(
                        in_programme, key=lambda a: a.mechanism.requirement.objective
                    )
                ],
            )

    def counts(self) -> str:
        """ "7 actions for 2024-25 Q4, 1 measure": what the command prints about the email."""
        parts = []
        if self.actions:
            parts.append(f"{plural(len(self.actions), 'action')} for {period_list(self.periods)}")
        if self.measures:
            parts.append(plural(len(self.measures), "measure"))
        if self.risks:
            parts.append(f"{plural(len(self.risks), 'risk review')} overdue")
        return ", ".join(parts)


def plural(count: int, noun: str, nouns: str = "") -> str:
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def period_list(periods) -> str:
    labels = [str(p) for p in sorted(periods)]
    return " and ".join(filter(None, [", ".join(labels[:-1]), labels[-1]])) if labels else ""


class Command(BaseCommand):
    help = (
        "Email each action lead one list of their actions that have no update for the "
        "period (default: each programme's current quarter)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--period",
            help="Quarter to check, e.g. 2024-25-q4 or '2024-25 Q4'. "
            "Default: each programme's current quarter.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Send nothing; print who would be reminded about which actions.",
        )
        parser.add_argument(
            "--base-url",
            help=f"Start of the email's links. Default: ${BASE_URL_ENV}, else {DEFAULT_BASE_URL}.",
        )

    def handle(self, *args, period=None, dry_run=False, base_url=None, **options):
        self.verbosity = options["verbosity"]
        period = self.parse_period(period)
        base_url = self.parse_base_url(base_url)
        verb = "Would send" if dry_run else "Sent"

        period_of = self.programme_periods(period)
        reminders, no_email = self.gather(period_of, period, base_url)
        if not period_of and not reminders and not no_email:
            self.stdout.write(self.nothing_to_send(verb, period))
            return

        messages = [self.message(reminder, base_url) for reminder in reminders]
        if messages and not dry_run:
            try:
                get_connection().send_messages(messages)
            except OSError as error:  # smtplib.SMTPException is an OSError
                raise CommandError(
                    f"Could not send the reminders ({error}); some may have gone before it failed."
                ) from None

        for reminder in reminders:
            self.describe(reminder, dry_run)
        for reminder in no_email if self.verbosity >= 1 else ():
            self.stdout.write(self.style.WARNING(self.not_reminded(reminder)))
        self.stdout.write(self.summary(verb, reminders, no_email, period_of))

    def parse_period(self, text):
        if text is None:
            return None
        try:
            return ReportingPeriod.parse(text)
        except InvalidPeriod as error:
            raise CommandError(f"--period: {error}") from None

    def parse_base_url(self, base_url):
        base_url = base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise CommandError(
                f"--base-url must be an address such as {DEFAULT_BASE_URL}, not {base_url!r}."
            )
        return base_url.rstrip("/")

    def programme_periods(self, period):
        """Programme pk → the period to check, leaving out programmes that do not report on
        ``period`` or hold it locked (a reminder about a quarter the committee never sees,
        or one officers can no longer update, is noise). Without ``period``, the quarter
        each programme asks officers to update (Programme.update_period()), leaving out
        those whose reporting is complete. One query."""
        period_of, self.skips = {}, []
        programmes = Programme.objects.with_update_period().order_by("name")
        if period is not None:
            programmes = programmes.annotate(
                locked=Exists(
                    QuarterLock.objects.filter(
                        programme=OuterRef("pk"), period=period, reopened_at__isnull=True
                    )
                )
            )
        for programme in programmes:
            if period is None and programme.update_period() is not None:
                period_of[programme.pk] = programme.update_period()
            elif period is None:
                self.skipped(
                    f"Skipped {programme}: its reporting is complete (its papers have been "
                    f"published up to its last quarter, {programme.last_period})."
                )
            elif not programme.covers(period):
                self.skipped(
                    f"Skipped {programme}: it reports on {programme.first_period} "
                    f"to {programme.last_period}, not {period}."
                )
            elif programme.locked:
                self.skipped(
                    f"Skipped {programme}: {period} is locked, as its paper has been published."
                )
            else:
                period_of[programme.pk] = period
        return period_of

    def skipped(self, line):
        self.skips.append(line)
        if self.verbosity >= 1:
            self.stdout.write(line)

    def nothing_to_send(self, verb, period):
        if period is not None:
            locked = any(" is locked," in line for line in self.skips)
            why = "asks for updates on" if locked else "reports on"
            return f"{verb} 0 reminders for {period}: no programme {why} that period."
        if self.skips:
            return f"{verb} 0 reminders: every programme's reporting is complete."
        return f"{verb} 0 reminders: there are no programmes."

    def gather(self, period_of, period, base_url):
        """One query for every live action (a retired one is asked for nothing) due a
        reminder, grouped here per lead and period so the query count stays flat however
        many actions and leads there are.

        Without ``period``, the quarter each programme asks officers to update: the action
        tables' rule for "missing an update" (complete actions never are; a programme whose
        reporting is complete asks nothing), which ``period_of`` states for each programme.
        """
        actions = (
            Action.objects.live()
            .filter(
                **{f"{_PROGRAMME}__in": list(period_of)}, lead__isnull=False, lead__is_active=True
            )
            .missing_update(period)
            .with_overdue()
            .select_related("lead", _PROGRAMME)
            .in_programme_order()
        )
        grouped = {}
        for action in actions:
            action.link = base_url + action.get_absolute_url()
            action.period = period_of[action.mechanism.requirement.objective.programme_id]
            if action.lead_id not in grouped:
                grouped[action.lead_id] = Reminder(action.lead)
            grouped[action.lead_id].actions.append(action)
        for person, measures in measures_due_by_person(timezone.localdate()).items():
            for line in measures:
                line.link = base_url + (
                    reverse("kpis:entry", args=[line.entry.pk])
                    if line.entry is not None
                    else reverse("kpis:kpi_enter", kwargs={"code": line.kpi.code})
                    + f"?period={line.period_end:%Y-%m-%d}"
                )
            grouped.setdefault(person.pk, Reminder(person)).measures = measures
        for risks in overdue_reviews_by_owner(timezone.localdate()).values():
            for risk in risks:
                risk.link = base_url + reverse(
                    "actions:risk_review", args=[risk.programme.slug, risk.pk]
                )
            grouped.setdefault(risks[0].owner_id, Reminder(risks[0].owner)).risks = risks
        reminders = sorted(grouped.values(), key=lambda r: r.lead.get_username().lower())
        return (
            [r for r in reminders if r.lead.email],
            [r for r in reminders if not r.lead.email],
        )

    def message(self, reminder, base_url):
        context = {
            "name": reminder.greeting_name,
            "sections": [
                {
                    "period": period,
                    "due_by": update_due_by(period),
                    "count": len(actions),
                    "programmes": list(reminder.by_programme_and_objective(actions)),
                }
                for period, actions in reminder.by_period()
            ],
            "count": len(reminder.actions),
            "periods": period_list(reminder.periods),
            "measures": reminder.measures,
            "risks": reminder.risks,
            "service_name": settings.SERVICE_NAME,
            "base_url": base_url,
        }
        subject = render_to_string("emails/update_reminder_subject.txt", context)
        return EmailMessage(
            subject=" ".join(subject.split()),
            body=render_to_string("emails/update_reminder.txt", context),
            to=[reminder.lead.email],
        )

    def not_reminded(self, reminder):
        what = []
        if reminder.actions:
            what.append(
                f"leads {plural(len(reminder.actions), 'action')} without an update "
                f"for {period_list(reminder.periods)}"
            )
        if reminder.measures:
            what.append(f"owns {plural(len(reminder.measures), 'measure')} needing a figure")
        if reminder.risks:
            what.append(f"owns {plural(len(reminder.risks), 'risk')} whose review is overdue")
        return f"Not reminded: {reminder.who} has no email address and {' and '.join(what)}."

    def describe(self, reminder, dry_run):
        if self.verbosity < 1:
            return
        self.stdout.write(
            f"{'Would remind' if dry_run else 'Reminded'} {reminder.who} "
            f"<{reminder.lead.email}>: {reminder.counts()}"
        )
        if dry_run or self.verbosity >= 2:
            for action in reminder.actions:
                title = Truncator(" ".join(str(action).split())).chars(70)
                self.stdout.write(f"  - {title} {action.link}")
            for line in reminder.measures:
                name = Truncator(" ".join(line.kpi.name.split())).chars(50)
                self.stdout.write(
                    f"  - {name}, {line.period_name}: {line.state_label.lower()} {line.link}"
                )
            for risk in reminder.risks:
                self.stdout.write(f"  - risk {risk.reference}: review overdue {risk.link}")

    def summary(self, verb, reminders, no_email, period_of):
        line = (
            f"{verb} {plural(len(reminders), 'reminder')} covering "
            f"{plural(sum(len(r.actions) for r in reminders), 'action')}"
        )
        if period_of:
            line += f" for {period_list(set(period_of.values()))}"
        measures = sum(len(r.measures) for r in reminders)
        if measures:
            line += f" and {plural(measures, 'measure')} needing a figure"
        risks = sum(len(r.risks) for r in reminders)
        if risks:
            line += f" and {plural(risks, 'overdue risk review')}"
        if no_email:
            people = ", ".join(f"{r.lead.get_username()}, {r.counts()}" for r in no_email)
            line += f"; no email address for {plural(len(no_email), 'person', 'people')} ({people})"
        return line + "."
