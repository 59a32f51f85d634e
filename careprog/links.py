"""The address the service's emails link to: the update reminders, the papers' sign-off emails,
a person's invitation. Emails are sent outside a request, so the address comes from the
environment, not from a request's host."""

import os

BASE_URL_ENV = "CAREPROG_BASE_URL"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def base_url() -> str:
    """``CAREPROG_BASE_URL``, or the local address `make run` serves, with no trailing slash."""
    return (os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")
