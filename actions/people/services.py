"""Writes to people: keyword-only, atomic, refusing with a sentence the page can show.

Adding a person gives them one of the service's roles and a password nobody knows: they are
emailed a link to set their own (Django's password-reset token, so it works once and expires as a
reset link does), sent only once the person is saved.
"""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from actions.people import queries
from actions.people.bulk import PersonRow, check
from careprog import emails, links
from careprog.oidc.forms import passwords_for_everyone
from careprog.oidc.provider import enabled as oidc_enabled
from careprog.roles import PROGRAMME_ADMINISTRATORS, ROLES

USERNAME_MAX = 150


class PersonRefused(Exception):
    """A change to people the service will not make; ``field`` is the form field it is about."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _split_name(name: str) -> tuple[str, str]:
    """First word the first name, the rest the last name: how the service greets and lists."""
    first, _, last = " ".join(name.split()).partition(" ")
    return first, last


def _derived_username(email: str) -> str:
    """The email's local part, lower case, in the characters Django's usernames allow; a
    number added when taken, so two Sam Smiths at different councils' domains both get one."""
    User = get_user_model()
    base = re.sub(r"[^\w.@+-]", "", email.split("@")[0].lower())[: USERNAME_MAX - 4] or "person"
    candidate, number = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        number += 1
        candidate = f"{base}{number}"
    return candidate


@transaction.atomic
def add_person(*, name: str, email: str, role: str, username: str = "", by):
    """A new active person with ``role`` and a password nobody knows, invited by email to set
    their own.

    Refuses a role the service does not have, an email address or username someone already
    has (whatever its case: people type them both ways).
    """
    User = get_user_model()
    name, email, username = " ".join(name.split()), email.strip(), username.strip()
    _check_role(role)
    if User.objects.filter(email__iexact=email).exists():
        raise PersonRefused(f"Someone already has the email address {email}", field="email")
    if username and User.objects.filter(username__iexact=username).exists():
        raise PersonRefused(f"Someone already has the username {username}", field="username")
    first_name, last_name = _split_name(name)
    person = User(
        username=username or _derived_username(email),
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_active=True,
    )
    # A password nobody knows, not an unusable one: Django's reset form skips accounts with
    # an unusable password, and an invitee whose link ran out must be able to ask for another.
    person.set_password(secrets.token_urlsafe(32))
    person.save()
    person.groups.add(Group.objects.get(name=role))
    invite(person=person, by=by)
    return person


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise PersonRefused(
            f"“{role}” is not a role: choose one of {', '.join(ROLES)}", field="role"
        )


def _is_administrator(person) -> bool:
    return person.is_superuser or person.groups.filter(name=PROGRAMME_ADMINISTRATORS).exists()


@transaction.atomic
def change_role(*, person_id: int, role: str, by):
    """Gives ``person`` the one role ``role`` in place of the service's roles they had (any
    other group, Django admin's business, is left alone).

    Refuses an unknown role, a change to one's own role (an administrator could lock
    themselves out: another administrator changes it), and taking the role from the last
    active administrator.
    """
    User = get_user_model()
    _check_role(role)
    person = User.objects.select_for_update().get(pk=person_id)
    if person.pk == by.pk:
        raise PersonRefused(
            "You cannot change your own role: ask another programme administrator",
            field="role",
        )
    if (
        role != PROGRAMME_ADMINISTRATORS
        and _is_administrator(person)
        and not person.is_superuser
        and person.is_active
        and queries.other_active_administrators(person) == 0
    ):
        raise PersonRefused(
            f"{person.get_full_name() or person.username} is the last programme "
            "administrator: make someone else one first",
            field="role",
        )
    person.groups.remove(*Group.objects.filter(name__in=list(ROLES)))
    person.groups.add(Group.objects.get(name=role))
    return person


@transaction.atomic
def deactivate(*, person_id: int, successor_id: int | None, by) -> dict:
    """A leaver: ``person`` can no longer sign in, and the actions they lead, their places as
    a delegate and the measures and risks they own pass to ``successor`` in the same step,
    all or nothing. Each action moved is saved, so its history says who changed its lead and when.

    Refuses deactivating oneself or the last active administrator, one already deactivated,
    and a successor who is the leaver, inactive or missing while something has to move.
    Returns what moved, as queries.holdings() lists it.
    """
    User = get_user_model()
    person = User.objects.select_for_update().get(pk=person_id)
    successor = None
    if successor_id is not None:
        successor = User.objects.select_for_update().filter(pk=successor_id).first()
    moving = queries.holdings(person)
    check_deactivation(
        person=person, successor=successor, successor_id=successor_id, by=by, moving=moving
    )
    for action in moving["led"]:
        action.lead = successor
        action.save()
    led = {action.pk for action in moving["led"]}
    for action in moving["delegated"]:
        action.delegates.remove(person)
        if action.pk not in led and action.lead_id != successor.pk:
            action.delegates.add(successor)  # a lead needs no delegation to their own action
    for kpi in moving["owned"]:
        kpi.owned_by = successor
        kpi.save()
    for risk in moving["risks"]:  # saved one by one, so each risk's history says who moved it
        risk.owner = successor
        risk.save()
    person.is_active = False
    person.save(update_fields=["is_active"])
    return moving


def check_deactivation(*, person, successor, by, moving, successor_id=None) -> None:
    """Raises PersonRefused if deactivate() would refuse: the preview asks it too, so the
    administrator hears of a refusal before confirming, not after."""
    if person.pk == by.pk:
        raise PersonRefused(
            "You cannot deactivate yourself: ask another programme administrator",
            field="successor",
        )
    if not person.is_active:
        raise PersonRefused(f"{_name(person)} is already deactivated", field="successor")
    if _is_administrator(person) and queries.other_active_administrators(person) == 0:
        raise PersonRefused(
            f"{_name(person)} is the last programme administrator: make someone else one first",
            field="successor",
        )
    if successor_id is not None and (
        successor is None or not successor.is_active or successor.pk == person.pk
    ):
        raise PersonRefused(
            "Choose someone still active, other than the leaver, to take over",
            field="successor",
        )
    if successor is None and any(moving.values()):
        raise PersonRefused(
            f"Choose who takes over what {_name(person)} leads and owns", field="successor"
        )


def _name(person) -> str:
    return person.get_full_name() or person.get_username()


@transaction.atomic
def add_people(*, rows: list[dict], by) -> list:
    """Everyone in a bulk list (``rows``: name, email and role of each), or nobody: checked
    again here, since the preview was read earlier and others may have been added since.
    Each is invited as add_person invites one, once all are saved."""
    people = [
        PersonRow(str(row.get("line", "")), row["name"], row["email"], row["role"]) for row in rows
    ]
    check(people)
    problems = [person for person in people if person.problems]
    if not people or problems:
        raise PersonRefused(
            "Nobody was added: "
            + (
                f"{problems[0].line}: {problems[0].problems[0]}"
                if problems
                else "the list is empty"
            ),
            field="file",
        )
    return [
        add_person(name=person.name, email=person.email, role=person.role, by=by)
        for person in people
    ]


def invite(*, person, by) -> None:
    """Emails ``person`` how to sign in (queued with the change that adds them): a link to set
    their password; with single sign-on, also (or, when passwords are kept for the emergency
    account, only) the sign-in page, where they use the council's account."""
    link = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
            "token": default_token_generator.make_token(person),
        },
    )
    context = {
        "name": person.get_short_name() or person.get_username(),
        "by": by.get_full_name() or by.get_username(),
        "username": person.get_username(),
        "link": f"{links.base_url()}{link}" if passwords_for_everyone() else "",
        "single_sign_on": oidc_enabled(),
        "provider_name": settings.OIDC_PROVIDER_NAME,
        "sign_in_link": f"{links.base_url()}{reverse('login')}",
        "link_valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        "service_name": settings.SERVICE_NAME,
    }
    message = EmailMessage(
        subject=" ".join(render_to_string("emails/person_invited_subject.txt", context).split()),
        body=render_to_string("emails/person_invited.txt", context),
        to=[person.email],
    )
    # Queued with the person (careprog.emails): a mail server that is down fails the job, not
    # the page; the person is added either way, and an administrator can invite them again.
    emails.send_later([message], what=f"the invitation to {person.get_username()}")
