"""Reads for the people pages, in one place.

Each function states its query cost; the people page's count is pinned at two sizes in
tests/test_people.py.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from actions.models import Action, Risk
from actions.permissions import UPDATE_PERMISSION
from careprog.roles import PROGRAMME_ADMINISTRATORS, ROLES
from kpis.models import KPI


def people():
    """Every person, active first then by name, with their roles, the actions they lead and
    the measures they own counted.

    Two queries whatever the number of people: the users with both counts (joined and
    counted distinct, so the two joins cannot inflate each other), and their roles,
    prefetched. Only the
    service's roles are prefetched: any other group is Django admin's business.
    """
    User = get_user_model()
    return (
        User.objects.annotate(
            actions_led=Count("led_actions", distinct=True),
            measures_owned=Count("owned_kpis", distinct=True),
        )
        .prefetch_related(
            Prefetch(
                "groups",
                queryset=Group.objects.filter(name__in=list(ROLES)).order_by("name"),
                to_attr="roles",
            )
        )
        .order_by("-is_active", "first_name", "last_name", "username")
    )


def person(pk: int):
    """One person with their roles (two queries), or 404."""
    User = get_user_model()
    return get_object_or_404(
        User.objects.prefetch_related(
            Prefetch(
                "groups",
                queryset=Group.objects.filter(name__in=list(ROLES)).order_by("name"),
                to_attr="roles",
            )
        ),
        pk=pk,
    )


def other_active_administrators(person) -> int:
    """How many active people besides ``person`` may manage people and programmes (one
    query): the service must always keep one, or nobody could add the next."""
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=PROGRAMME_ADMINISTRATORS))
        .exclude(pk=person.pk)
        .distinct()
        .count()
    )


def holdings(person) -> dict:
    """What moves to a successor when ``person`` leaves: the actions they lead, those they
    are a delegate of, the measures and the risks they own, each in its page's order. Four
    queries."""
    programme = "mechanism__requirement__objective__programme"
    return {
        "led": list(Action.objects.filter(lead=person).select_related(programme).order_by("pk")),
        "delegated": list(
            Action.objects.filter(delegates=person).select_related(programme).order_by("pk")
        ),
        "owned": list(KPI.objects.filter(owned_by=person).order_by("code")),
        "risks": list(
            Risk.objects.filter(owner=person)
            .select_related("programme")
            .order_by("programme__name", "reference")
        ),
    }


def successors(person):
    """Who may take over from ``person``: everyone else still active, by name (one query)."""
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .exclude(pk=person.pk)
        .order_by("first_name", "last_name", "username")
    )


def people_who_may_lead() -> QuerySet:
    """Active people who may post updates (officers, administrators): the only ones an action's
    lead or delegate can be, since the lead keeps the action's updates current. A committee
    member or a head of service named lead could never update it. No query until read."""
    return get_user_model().objects.with_perm(
        UPDATE_PERMISSION, backend="django.contrib.auth.backends.ModelBackend"
    )


def people_named(names: list[str]) -> dict[str, object]:
    """People who may lead (`people_who_may_lead`) a progress table's Lead column names, by the
    name as written: matched to an email address, a full name ("Jo Bloggs") or a username,
    ignoring case. A name two people share matches neither (a lead is never guessed). Names
    matching no one are absent.

    One query (every such person: a council's staff list is hundreds, not millions), or none
    when the table names no lead."""
    wanted = {name.strip().lower(): name for name in names if name.strip()}
    if not wanted:
        return {}
    found: dict[str, list] = {}
    for person in people_who_may_lead().order_by("pk"):
        keys = {
            person.email.lower(),
            person.username.lower(),
            f"{person.first_name} {person.last_name}".strip().lower(),
        }
        for key in keys & wanted.keys():
            found.setdefault(wanted[key], []).append(person)
    return {name: people[0] for name, people in found.items() if len(people) == 1}
