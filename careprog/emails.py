"""Emails a request asks for are sent by a background job (careprog.jobs), not by the request:
a slow or broken mail server neither holds a worker nor fails the page, and the emails go only
if the change that asked for them commits, since the job is saved in the same transaction.

The messages are rendered by the request (its templates, its links) and queued as plain text,
so the job needs no model and sends exactly what was rendered.
"""

from __future__ import annotations

import logging

from django.core.mail import EmailMessage, get_connection
from django_tasks import task

from careprog import jobs

logger = logging.getLogger(__name__)


def send_later(messages: list[EmailMessage], *, what: str) -> str | None:
    """Queues ``messages`` (subject, body and recipients each) in the current transaction;
    returns the job's id, or None when there is nothing to send."""
    if not messages:
        return None
    rendered = [
        {"subject": m.subject, "body": m.body, "to": list(m.to), "cc": list(m.cc)} for m in messages
    ]
    return jobs.enqueue(send_emails, messages=rendered, what=what)


@task()
def send_emails(*, messages: list[dict], what: str) -> int:
    """Sends the queued messages through one connection; returns how many. A mail server that
    fails is logged and fails the job (kept on record with its traceback), never the step."""
    try:
        return get_connection().send_messages([EmailMessage(**message) for message in messages])
    except OSError:  # smtplib.SMTPException is an OSError
        logger.exception("Could not send the emails about %s", what)
        raise
