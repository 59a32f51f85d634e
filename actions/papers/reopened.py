"""The email that tells officers a published quarter is open again for their updates: one to
each lead and delegate of the programme's actions, with the reason, who reopened it and a
link to their actions. Sent by reopen_quarter once its transaction commits, so no one hears
of a reopening that was rolled back."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.template.loader import render_to_string

from actions.models import QuarterLock

logger = logging.getLogger(__name__)
_PROGRAMME = "mechanism__requirement__objective__programme"


def officers_concerned(programme_id: int) -> list:
    """The active leads and delegates of the programme's actions who have an email address,
    each once, by username: one query."""
    return list(
        get_user_model()
        .objects.filter(
            Q(**{f"led_actions__{_PROGRAMME}": programme_id})
            | Q(**{f"delegated_actions__{_PROGRAMME}": programme_id}),
            is_active=True,
        )
        .exclude(email="")
        .distinct()
        .order_by("username")
    )


def tell_officers(*, lock: QuarterLock, actions_url: str) -> int:
    """Email each officer concerned that ``lock``'s quarter is open again. A mail server's
    failure is logged, not raised: the quarter is reopened either way, and the reopening
    page must not fail for it. Returns how many emails went."""
    officers = officers_concerned(lock.programme_id)
    messages = [_message(lock, officer, actions_url) for officer in officers]
    if not messages:
        return 0
    try:
        return get_connection().send_messages(messages) or 0
    except OSError:  # smtplib.SMTPException is an OSError
        logger.exception("Could not email the officers that %s is reopened", lock)
        return 0


def _message(lock: QuarterLock, officer, actions_url: str) -> EmailMessage:
    by = lock.reopened_by
    context = {
        "name": officer.get_short_name() or officer.get_full_name() or officer.get_username(),
        "programme": lock.programme,
        "period": lock.period,
        "paper": lock.paper,
        "reason": lock.reopen_reason,
        "by": (by.get_full_name() or by.get_username()) if by else "An administrator",
        "actions_url": actions_url,
        "service_name": settings.SERVICE_NAME,
    }
    subject = render_to_string("emails/quarter_reopened_subject.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=render_to_string("emails/quarter_reopened.txt", context),
        to=[officer.email],
    )
