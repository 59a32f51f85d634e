"""Reads for committee papers. Each states its query cost."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, OuterRef, Prefetch, Q, QuerySet, Subquery, When
from django.shortcuts import get_object_or_404

from actions.evidence import programme_measures
from actions.models import (
    Action,
    Committee,
    Meeting,
    Paper,
    PaperEvent,
    PaperSection,
    PaperTemplate,
    Programme,
    QuarterLock,
    TemplateSection,
)
from actions.queries import report_tables
from careprog.periods import ReportingPeriod
from careprog.roles import PROGRAMME_ADMINISTRATORS
from kpis.models import KPIEntry

_PAPER_RELATED = ("programme", "meeting__committee", "author")


def papers_for_programme(programme: Programme) -> QuerySet[Paper]:
    """The programme's papers, newest meeting first, without their snapshots: one query."""
    return (
        Paper.objects.filter(programme=programme)
        .select_related(*_PAPER_RELATED)
        .defer("snapshot")
        .order_by("-meeting__date", "-period", "-pk")
    )


def all_papers() -> QuerySet[Paper]:
    """Every paper, a portfolio's too, newest meeting first, without snapshots: one query."""
    return (
        Paper.objects.select_related(*_PAPER_RELATED)
        .defer("snapshot")
        .order_by("-meeting__date", "-period", "-pk")
    )


def paper_for_page(pk: int) -> Paper:
    """A paper with its programme, meeting, committee and author (one query), its sections
    and its sign-off timeline (two prefetches): three queries."""
    events = PaperEvent.objects.select_related("by").order_by("at", "pk")
    return get_object_or_404(
        Paper.objects.select_related(*_PAPER_RELATED).prefetch_related(
            Prefetch("sections", queryset=PaperSection.objects.order_by("position", "pk")),
            Prefetch("events", queryset=events),
        ),
        pk=pk,
    )


def previous_published(paper: Paper) -> Paper | None:
    """The programme's published paper before this one (by meeting date, then quarter, then
    when it was published), with its snapshot: one query."""
    date, period = paper.meeting.date, paper.period
    earlier = Q(meeting__date__lt=date) | Q(meeting__date=date, period__lt=period)
    if paper.published_at is not None:
        earlier |= Q(meeting__date=date, period=period, published_at__lt=paper.published_at)
    else:
        earlier |= Q(meeting__date=date, period=period)
    return (
        Paper.objects.filter(programme_id=paper.programme_id, state=Paper.State.PUBLISHED)
        .exclude(pk=paper.pk)
        .filter(earlier)
        .select_related("meeting__committee")
        .order_by("-meeting__date", "-period", "-published_at", "-pk")
        .first()
    )


def published_paper_for(programme: Programme, period: ReportingPeriod) -> Paper | None:
    """The latest published paper on the programme's quarter, with its snapshot: one query."""
    return (
        Paper.objects.filter(programme=programme, period=period, state=Paper.State.PUBLISHED)
        .select_related("meeting__committee")
        .order_by("-published_at", "-pk")
        .first()
    )


def lock_for(programme_id: int, period: ReportingPeriod) -> QuarterLock | None:
    """The lock holding the programme's quarter closed to officers, if any: one query."""
    return (
        QuarterLock.objects.filter(
            programme_id=programme_id, period=period, reopened_at__isnull=True
        )
        .select_related("paper__meeting__committee")
        .order_by("-locked_at")
        .first()
    )


def locks_for_programme(programme: Programme) -> list[QuarterLock]:
    """Every lock of the programme, open or reopened, newest first: one query."""
    return list(
        QuarterLock.objects.filter(programme=programme)
        .select_related("paper__meeting__committee", "reopened_by")
        .order_by("-locked_at", "-pk")
    )


def differences_from_published(paper: Paper | None, tables) -> dict[int, dict]:
    """Where today's report (actions.queries.report_tables) differs from what ``paper``
    published: for each action whose status or update now reads differently, what the paper
    said. Actions the paper did not have are marked as new. No queries."""
    if paper is None:
        return {}
    published = {
        row["action"]["id"]: row
        for table in paper.snapshot["progress"]
        for row in table["rows"]
        if row["action"] is not None
    }
    differs = {}
    for table in tables:
        for row in table.rows:
            if row.action is None:
                continue
            then = published.get(row.action.pk)
            if then is None:
                differs[row.action.pk] = {"new": True}
                continue
            update_now = row.update.text if row.update else None
            update_then = (then["update"] or {}).get("text")
            if then["status"] != row.status.value or update_then != update_now:
                differs[row.action.pk] = {
                    "new": False,
                    "status_label": then["status_label"],
                    "update": update_then,
                }
    return differs


def last_published(programme: Programme) -> Paper | None:
    """The programme's latest published paper (by meeting, then quarter, then publication),
    without its snapshot: one query. A new draft starts from its sections and title block."""
    return (
        Paper.objects.filter(programme=programme, state=Paper.State.PUBLISHED)
        .select_related("meeting__committee")
        .defer("snapshot")
        .order_by("-meeting__date", "-period", "-published_at", "-pk")
        .first()
    )


def published_periods(programme: Programme) -> set[ReportingPeriod]:
    """The quarters the programme has published a paper on: one query."""
    published = Paper.objects.filter(programme=programme, state=Paper.State.PUBLISHED)
    return set(published.values_list("period", flat=True))


def meetings_from(day: dt.date, *, committee_first: int | None = None) -> QuerySet[Meeting]:
    """Meetings on ``day`` or later, soonest first, with their committees: one query. With
    ``committee_first`` (a programme's committee), that committee's meetings come before
    the others'."""
    others_after = Case(When(committee_id=committee_first, then=0), default=1)
    return (
        Meeting.objects.filter(date__gte=day)
        .select_related("committee")
        .order_by(*([others_after] if committee_first else []), "date", "committee__name")
    )


def programme_administrators() -> list:
    """The active members of the Programme administrators group, who keep the forward plan,
    by name: one query."""
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=PROGRAMME_ADMINISTRATORS)
        .order_by("last_name", "first_name", "username")
        .distinct()
    )


@dataclass
class CommitteePlan:
    """One committee's forward plan: meetings to come, soonest first, then those held,
    latest first; each meeting's ``papers`` prefetched."""

    committee: Committee
    upcoming: list[Meeting]
    past: list[Meeting]


def forward_plan(*, today: dt.date, drafts_too: bool) -> list[CommitteePlan]:
    """Every committee with its meetings and each meeting's papers (only published ones
    unless ``drafts_too``), by committee name: three queries whatever the number of
    committees, meetings and papers."""
    papers = Paper.objects.select_related("programme").defer("snapshot")
    if not drafts_too:
        papers = papers.filter(state=Paper.State.PUBLISHED)
    meetings = Meeting.objects.order_by("date", "pk").prefetch_related(
        Prefetch("papers", queryset=papers.order_by("programme__name", "-period", "pk"))
    )
    committees = Committee.objects.order_by("name").prefetch_related(
        Prefetch("meetings", queryset=meetings)
    )
    plans = []
    for committee in committees:
        held = committee.meetings.all()
        plans.append(
            CommitteePlan(
                committee=committee,
                upcoming=[m for m in held if m.is_upcoming(today)],
                past=[m for m in reversed(held) if not m.is_upcoming(today)],
            )
        )
    return plans


def meeting_with_papers(pk: int) -> Meeting:
    """A meeting with its committee (one query) and its papers with their programmes (one
    more): two queries. What stands between it and deletion."""
    papers = Paper.objects.select_related("programme").defer("snapshot").order_by("pk")
    return get_object_or_404(
        Meeting.objects.select_related("committee").prefetch_related(
            Prefetch("papers", queryset=papers)
        ),
        pk=pk,
    )


@dataclass
class PublishingGaps:
    """What a paper about to be published is missing, for the approver to weigh."""

    actions_without_update: list[Action]
    figures_awaiting_approval: int
    empty_sections: list[str]

    @property
    def any(self) -> bool:
        return bool(
            self.actions_without_update or self.figures_awaiting_approval or self.empty_sections
        )


def publishing_gaps(paper: Paper) -> PublishingGaps:
    """The actions its report on progress shows with no update for its quarter (five
    queries, as the paper reads them: actions.queries.report_tables), the figures of the
    programme's measures up to the paper's figures date still awaiting approval, which the
    paper leaves out (one query), and its sections left empty (none: expects ``paper`` from
    paper_for_page). Six queries whatever the programme's size; none for a portfolio's paper,
    which has no appendices."""
    empty = [section.heading for section in paper.sections.all() if not section.has_content]
    if not paper.has_appendices:
        return PublishingGaps([], 0, empty)
    missing = [
        row.action
        for table in report_tables(paper.programme, paper.period)
        for row in table.rows
        if row.action is not None and row.update is None
    ]
    awaiting = KPIEntry.objects.filter(
        state=KPIEntry.State.AWAITING,
        kpi__in=programme_measures(paper.programme),
        period_end__lte=paper.figures_as_at,
    ).count()
    return PublishingGaps(missing, awaiting, empty)


def is_subscribed(programme: Programme, user) -> bool:
    """Whether ``user`` is emailed the programme's published papers: one query."""
    return programme.subscribers.filter(pk=user.pk).exists()


# The sign-off steps that say where a paper stands: an edit does not move it.
_STANDING = [s for s in PaperEvent.Step if s != PaperEvent.Step.EDITED]


def papers_awaiting(user, *, may_draft: bool, may_approve: bool) -> list[Paper]:
    """The papers waiting for ``user``: for an approver, those submitted (to approve) or
    approved (to publish) that they did not draft, edit or submit; for a drafter, drafts
    returned to them (they drafted, edited or submitted it), each with ``returned_comment``.
    Oldest meeting first. One query, whatever the number of papers."""
    if not (may_draft or may_approve):
        return []
    wrote = PaperEvent.objects.filter(by=user, step__in=PaperEvent.CONTRIBUTING).values("paper_id")
    latest = PaperEvent.objects.filter(paper=OuterRef("pk"), step__in=_STANDING).order_by(
        "-at", "-pk"
    )
    waiting = Q(pk__in=[])
    if may_approve:
        waiting |= Q(state__in=[Paper.State.SUBMITTED, Paper.State.APPROVED]) & ~(
            Q(author=user) | Q(pk__in=wrote)
        )
    if may_draft:
        waiting |= Q(state=Paper.State.DRAFT, last_step=PaperEvent.Step.RETURNED) & (
            Q(author=user) | Q(pk__in=wrote)
        )
    return list(
        Paper.objects.annotate(
            last_step=Subquery(latest.values("step")[:1]),
            returned_comment=Subquery(latest.values("comment")[:1]),
        )
        .filter(waiting)
        .select_related("programme", "meeting__committee")
        .defer("snapshot")
        .order_by("meeting__date", "pk")
    )


def paper_templates() -> QuerySet[PaperTemplate]:
    """Every template with its number of sections, default first: one query."""
    return PaperTemplate.objects.annotate(section_count=Count("sections")).order_by(
        "-is_default", "name"
    )


def paper_template_for_page(pk: int) -> PaperTemplate:
    """A template with its sections in order: two queries."""
    return get_object_or_404(
        PaperTemplate.objects.prefetch_related(
            Prefetch("sections", queryset=TemplateSection.objects.order_by("position", "pk"))
        ),
        pk=pk,
    )
