"""Writes for the forward plan: the committees and their meetings that papers are written for.

Kept in the app by whoever holds the model permissions (Programme administrators); each write
is keyword-only and atomic, and refuses with PlanRefused, whose message says why and which
field of the form it concerns. A meeting's papers hold it in place: it cannot be deleted,
and a published paper's meeting keeps its committee and date, since what was published is
the record.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from actions.models import Committee, Meeting, Paper
from actions.papers.services import PaperRefused
from actions.permissions import (
    can_add_committee,
    can_add_meeting,
    can_change_committee,
    can_change_meeting,
    can_delete_meeting,
)


class PlanRefused(PaperRefused):
    """A write the forward plan does not allow; ``field`` names the form field it is about
    (None when it is about the whole request)."""

    def __init__(self, message: str, *, status: int = 400, field: str | None = None):
        super().__init__(message, status=status)
        self.field = field


class StalePlan(PlanRefused):
    """Someone saved the committee or meeting after the form was opened: nothing is written,
    and ``current`` is what is stored now, for the form to show and to be saved over."""

    def __init__(self, message: str, *, current: Committee | Meeting):
        super().__init__(message, status=409)
        self.current = current


def paper_name(paper: Paper) -> str:
    """“Care Programme” (Care Programme 2024-25, 2024-25 Q3, published)."""
    state = paper.get_state_display().lower()
    return f"“{paper.title}” ({paper.programme.name}, {paper.period.label}, {state})"


@transaction.atomic
def save_committee(
    *,
    user,
    name: str,
    committee_id: int | None = None,
    seen_version: int | None = None,
    kind: str | None = None,
) -> Committee:
    """A new committee, or a committee renamed (``committee_id``, opened at ``seen_version``:
    a save after someone else's, or one that says no version, is refused with StalePlan).
    Names are unique, whatever their capitals. ``kind`` (committee, board, scrutiny) is what
    a paper template's audience matches; None keeps it as it is."""
    if committee_id is None:
        if not can_add_committee(user):
            raise PlanRefused("You cannot add committees.", status=403)
        committee = Committee()
    else:
        if not can_change_committee(user):
            raise PlanRefused("You cannot change committees.", status=403)
        committee = Committee.objects.select_for_update().filter(pk=committee_id).first()
        if committee is None:
            raise PlanRefused("This committee no longer exists.", status=409)
        if seen_version is None or committee.version != seen_version:
            raise StalePlan(
                f"Someone renamed this committee after you opened it: it is now called "
                f"“{committee.name}”. Check the name below and save again.",
                current=committee,
            )
    name = name.strip()
    same_name = Committee.objects.filter(name__iexact=name).exclude(pk=committee.pk)
    if same_name.exists():
        raise PlanRefused(f"There is already a committee called “{name}”.", field="name")
    committee.name = name
    if kind is not None:
        committee.kind = kind
    committee.save()
    return committee


def _locked_meeting(meeting_id: int) -> Meeting:
    meeting = Meeting.objects.select_for_update().filter(pk=meeting_id).first()
    if meeting is None:
        raise PlanRefused("This meeting has been deleted by someone else.", status=409)
    return meeting


def _same_day(committee: Committee, date: dt.date) -> PlanRefused:
    return PlanRefused(
        f"{committee.name} already has a meeting on {date:%-d %B %Y}. "
        "Choose another day, or change that meeting.",
        field="date",
    )


def move_problem(meeting: Meeting, *, committee: Committee, date: dt.date) -> PlanRefused | None:
    """Why ``meeting`` cannot move to ``committee`` on ``date``, or None: a meeting with a
    published paper keeps its committee and date (the record names it); one with drafts cannot
    move before the day their figures are taken at. Django admin asks the same (one query)."""
    moved = (meeting.committee_id, meeting.date) != (committee.pk, date)
    papers = list(meeting.papers.select_related("programme").defer("snapshot"))
    published = [paper for paper in papers if paper.is_published]
    if moved and published:
        return PlanRefused(
            f"{paper_name(published[0])} was published for this meeting, and what was "
            "published is the record: the meeting keeps its committee and date. "
            "Add a new meeting instead.",
            status=409,
            field="date",
        )
    for paper in papers:
        if date < paper.figures_as_at:
            return PlanRefused(
                f"{paper_name(paper)} takes its figures as at "
                f"{paper.figures_as_at:%-d %B %Y}, so the meeting cannot be before then. "
                "Change the paper's figures date first.",
                field="date",
            )
    return None


@transaction.atomic
def save_meeting(
    *,
    user,
    committee: Committee,
    date: dt.date,
    agenda_item: str,
    meeting_id: int | None = None,
    seen_version: int | None = None,
) -> Meeting:
    """A new meeting on the forward plan, or a meeting changed (``meeting_id``, opened at
    ``seen_version``: a save after someone else's, or one that says no version, is refused with
    StalePlan). A committee meets once a day; move_problem() says where a meeting may not move."""
    if meeting_id is None:
        if not can_add_meeting(user):
            raise PlanRefused("You cannot add meetings.", status=403)
        meeting = Meeting()
    else:
        if not can_change_meeting(user):
            raise PlanRefused("You cannot change meetings.", status=403)
        meeting = _locked_meeting(meeting_id)
        if seen_version is None or meeting.version != seen_version:
            item = f", agenda item {meeting.agenda_item}" if meeting.agenda_item else ""
            raise StalePlan(
                f"Someone changed this meeting after you opened it: it is now {meeting}{item}. "
                "Your changes are below: check them and save again.",
                current=meeting,
            )
        problem = move_problem(meeting, committee=committee, date=date)
        if problem is not None:
            raise problem
    if Meeting.objects.filter(committee=committee, date=date).exclude(pk=meeting.pk).exists():
        raise _same_day(committee, date)
    meeting.committee, meeting.date, meeting.agenda_item = committee, date, agenda_item.strip()
    try:
        with transaction.atomic():
            meeting.save()
    except IntegrityError:  # the same meeting added by someone else a moment ago
        raise _same_day(committee, date) from None
    return meeting


@transaction.atomic
def delete_meeting(*, user, meeting_id: int) -> None:
    """Take a meeting off the forward plan: only one with no papers, drafts included."""
    if not can_delete_meeting(user):
        raise PlanRefused("You cannot delete meetings.", status=403)
    meeting = _locked_meeting(meeting_id)
    papers = list(meeting.papers.select_related("programme").defer("snapshot").order_by("pk"))
    if papers:
        raise PlanRefused(
            f"{meeting} cannot be deleted: papers are written for it "
            f"({'; '.join(paper_name(paper) for paper in papers)}).",
            status=409,
        )
    meeting.delete()
