"""Remind action leads which of their actions still lack an update for a quarter.

Meant for cron near the end of each quarter, so leads hear about gaps before the
committee paper is drawn up rather than after.
"""

import os
from dataclasses import dataclass, field
from itertools import groupby
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import EmailMessage, get_connection
from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string
from django.utils.text import Truncator

from actions.models import Action, Programme, update_due_by
from careprog.periods import InvalidPeriod, ReportingPeriod

BASE_URL_ENV = "CAREPROG_BASE_URL"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
_PROGRAMME = "mechanism__requirement__objective__programme"


@dataclass
class Reminder:
    """One email: a lead's actions that lack an update for one period."""

    lead: AbstractBaseUser
    period: ReportingPeriod
    actions: list[Action] = field(default_factory=list)

    @property
    def greeting_name(self) -> str:
        return self.lead.get_short_name() or self.lead.get_full_name() or self.lead.get_username()

    @property
    def who(self) -> str:
        """The username, which an administrator can look up, with the name if there is one."""
        name = self.lead.get_full_name()
        return f"{self.lead.get_username()} ({name})" if name else self.lead.get_username()

    def by_programme_and_objective(self):
        """Nested (programme, [(objective, [actions])]) so the email reads like the report."""
        for programme, in_programme in groupby(
            self.actions, key=lambda a: a.mechanism.requirement.objective.programme
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


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


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
        if not period_of:
            self.stdout.write(
                f"{verb} 0 reminders for {period}: no programme reports on that period."
                if period
                else f"{verb} 0 reminders: there are no programmes."
            )
            return

        reminders, no_email = self.gather(period_of, period, base_url)
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
            self.stdout.write(
                self.style.WARNING(
                    f"Not reminded: {reminder.who} has no email address and leads "
                    f"{plural(len(reminder.actions), 'action')} without an update "
                    f"for {reminder.period}."
                )
            )
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
        ``period``: a reminder about a quarter the committee never sees is noise."""
        period_of = {}
        for programme in Programme.objects.order_by("name"):
            if period is None:
                period_of[programme.pk] = programme.current_period()
            elif programme.covers(period):
                period_of[programme.pk] = period
            elif self.verbosity >= 1:
                self.stdout.write(
                    f"Skipped {programme}: it reports on {programme.first_period} "
                    f"to {programme.last_period}, not {period}."
                )
        return period_of

    def gather(self, period_of, period, base_url):
        """One query for every action due a reminder, grouped here per lead and period so the
        query count stays flat however many actions and leads there are.

        Without ``period``, each programme's own current quarter: the action tables' rule for
        "missing an update" (complete actions never are), which ``period_of`` states for each
        programme in Python.
        """
        actions = (
            Action.objects.filter(
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
            period = period_of[action.mechanism.requirement.objective.programme_id]
            key = (action.lead_id, period)
            if key not in grouped:
                grouped[key] = Reminder(action.lead, period)
            grouped[key].actions.append(action)
        reminders = sorted(
            grouped.values(), key=lambda r: (r.period, r.lead.get_username().lower())
        )
        return (
            [r for r in reminders if r.lead.email],
            [r for r in reminders if not r.lead.email],
        )

    def message(self, reminder, base_url):
        context = {
            "name": reminder.greeting_name,
            "period": reminder.period,
            "due_by": update_due_by(reminder.period),
            "count": len(reminder.actions),
            "programmes": list(reminder.by_programme_and_objective()),
            "service_name": settings.SERVICE_NAME,
            "base_url": base_url,
        }
        subject = render_to_string("emails/update_reminder_subject.txt", context)
        return EmailMessage(
            subject=" ".join(subject.split()),
            body=render_to_string("emails/update_reminder.txt", context),
            to=[reminder.lead.email],
        )

    def describe(self, reminder, dry_run):
        if self.verbosity < 1:
            return
        self.stdout.write(
            f"{'Would remind' if dry_run else 'Reminded'} {reminder.who} "
            f"<{reminder.lead.email}>: {plural(len(reminder.actions), 'action')} "
            f"for {reminder.period}"
        )
        if dry_run or self.verbosity >= 2:
            for action in reminder.actions:
                title = Truncator(" ".join(str(action).split())).chars(70)
                self.stdout.write(f"  - {title} {action.link}")

    def summary(self, verb, reminders, no_email, period_of):
        line = (
            f"{verb} {plural(len(reminders), 'reminder')} covering "
            f"{plural(sum(len(r.actions) for r in reminders), 'action')} "
            f"for {period_list(set(period_of.values()))}"
        )
        if no_email:
            leads = ", ".join(
                f"{r.lead.get_username()}, {plural(len(r.actions), 'action')}" for r in no_email
            )
            line += f"; no email address for {plural(len(no_email), 'lead')} ({leads})"
        return line + "."
