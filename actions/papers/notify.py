"""Who is told of each sign-off step, and of a published quarter reopened for updates, by
email, once the step is saved.

Each function is called inside the step's transaction: it works out who to tell from the
paper as the step left it, and queues the emails in the same transaction (careprog.emails), so
a step that is rolled back tells no one and a mail server that is down never undoes a step nor
holds the page. One email a person, to them alone.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from actions.models import Paper, PaperEvent, QuarterLock
from actions.permissions import APPROVE_PAPER_PERMISSION, READ_PAPER_PERMISSION
from careprog import emails, links

_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
_PROGRAMME = "mechanism__requirement__objective__programme"


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _send(
    paper: Paper, *, step: str, by, people, comment: str = "", link: str = "", **extra
) -> None:
    """Renders one email a person (each with an address, and never the one who took the
    step) now, and queues them all with the step. ``people`` are (person, why
    they are told) pairs; a person listed twice is told once, for the first reason. ``link``
    (default: the paper's page) and ``extra`` go to the templates."""
    base_url = links.base_url()
    seen, messages = set(), []
    for person, why in people:
        if not person.email or person.pk == by.pk or person.pk in seen or not person.is_active:
            continue
        seen.add(person.pk)
        context = {
            "name": person.get_short_name() or _name(person),
            "by": _name(by),
            "paper": paper,
            "comment": comment,
            "link": link or f"{base_url}{paper.get_absolute_url()}",
            "base_url": base_url,
            "service_name": settings.SERVICE_NAME,
            "why": why,
            **extra,
        }
        subject = render_to_string(f"emails/paper_{step}_subject.txt", context)
        messages.append(
            EmailMessage(
                subject=" ".join(subject.split()),
                body=render_to_string(f"emails/paper_{step}.txt", context),
                to=[person.email],
            )
        )
    emails.send_later(messages, what=f"{step}: {paper}")


def _writers(paper: Paper) -> list:
    """The paper's author and everyone who edited or submitted it: two queries."""
    User = get_user_model()
    ids = set(
        PaperEvent.objects.filter(paper=paper, step__in=PaperEvent.CONTRIBUTING)
        .exclude(by=None)
        .values_list("by_id", flat=True)
    )
    if paper.author_id:
        ids.add(paper.author_id)
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


def submitted(paper: Paper, *, by, comment: str) -> None:
    """To every approver who may decide on it: not one of its writers."""
    writers = {person.pk for person in _writers(paper)}
    approvers = (
        get_user_model()
        .objects.with_perm(APPROVE_PAPER_PERMISSION, backend=_MODEL_BACKEND)
        .exclude(pk__in=writers)
        .order_by("pk")
    )
    why = "you approve committee papers"
    _send(paper, step="submitted", by=by, people=[(p, why) for p in approvers], comment=comment)


def returned(paper: Paper, *, by, comment: str) -> None:
    """To its author and everyone who edited or submitted it, with what to change."""
    why = "you drafted, edited or submitted this paper"
    _send(
        paper, step="returned", by=by, people=[(p, why) for p in _writers(paper)], comment=comment
    )


def approved(paper: Paper, *, by, comment: str) -> None:
    """To its author."""
    _send(paper, step="approved", by=by, people=_author(paper), comment=comment)


def published(paper: Paper, *, by, comment: str) -> None:
    """To its author, and to everyone subscribed to the programme's published papers who may
    still read them."""
    if paper.programme_id is None:  # a portfolio's paper: nobody subscribes to a portfolio
        readers = []
    else:
        why = f"you subscribed to {paper.programme.name}'s published papers"
        readers = [(person, why) for person in _subscribed_readers(paper)]
    _send(paper, step="published", by=by, people=[*_author(paper), *readers], comment=comment)


def _author(paper: Paper) -> list:
    return [(paper.author, "you drafted this paper")] if paper.author_id else []


def _subscribed_readers(paper: Paper) -> list:
    """The programme's subscribers who may read its papers: one query."""
    may_read = get_user_model().objects.with_perm(READ_PAPER_PERMISSION, backend=_MODEL_BACKEND)
    return list(may_read.filter(subscribed_programmes=paper.programme_id).order_by("pk"))


def reopened(lock: QuarterLock, *, by) -> None:
    """To every lead and delegate of the programme's actions, with the reason and a link to
    their actions in the programme: the quarter's updates are theirs to correct again."""
    programme = lock.programme
    why = f"you lead or are a delegate of actions in {programme.name}"
    link = f"{links.base_url()}{reverse('actions:my_actions')}?programme={programme.pk}"
    people = [(person, why) for person in _officers_of(programme.pk)]
    _send(lock.paper, step="reopened", by=by, people=people, link=link, lock=lock)


def _officers_of(programme_id: int) -> list:
    """The leads and delegates of the programme's actions, each once: one query."""
    return list(
        get_user_model()
        .objects.filter(
            Q(**{f"led_actions__{_PROGRAMME}": programme_id})
            | Q(**{f"delegated_actions__{_PROGRAMME}": programme_id})
        )
        .distinct()
        .order_by("pk")
    )
