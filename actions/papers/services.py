"""Writes for committee papers: drafting, sign-off, publishing (the frozen record) and the
quarter locks publishing sets. Each is keyword-only and atomic, takes the paper's row lock
first, and refuses a step its state or the person does not allow with PaperRefused.

The steps: draft → submitted → approved → published, with "returned with comments" from
submitted or approved back to draft. Whoever may approve (Programme administrators, heads of
service) approves, returns and publishes, but never a paper they drafted, edited or submitted.
Each step emails whoever it concerns once it is saved (papers/notify.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from actions.models import (
    SWOT_QUADRANTS,
    Meeting,
    Paper,
    PaperEvent,
    PaperSection,
    PaperTemplate,
    Programme,
    QuarterLock,
    SectionKind,
    TemplateSection,
    TitleBlock,
)
from actions.models.families import portfolio_problem
from actions.models.papers import figures_date_problem
from actions.papers import appendices, files, notify
from actions.papers import content as paper_content
from actions.papers.queries import lock_for, paper_for_page
from actions.permissions import (
    can_approve_paper,
    can_draft_paper,
    can_read,
    can_reopen_quarter,
)
from careprog import jobs
from careprog.periods import ReportingPeriod

Step = PaperEvent.Step
State = Paper.State


class PaperRefused(Exception):
    """A step the paper's state (409), or who is asking (403), does not allow; the message
    says why."""

    def __init__(self, message: str, *, status: int = 403):
        super().__init__(message)
        self.message, self.status = message, status


@dataclass
class StalePaper(Exception):
    """Someone saved the paper after the form was opened."""

    paper: Paper


def check_figures_date(*, period: ReportingPeriod, meeting: Meeting, figures_as_at: dt.date):
    """Figures are taken between the quarter's end and the meeting, both days included
    (actions.models.papers.figures_date_problem, whose message says what would be right)."""
    problem = figures_date_problem(
        period=period, meeting_date=meeting.date, figures_as_at=figures_as_at
    )
    if problem is not None:
        raise PaperRefused(problem.message, status=400)


@transaction.atomic
def start_paper(
    *,
    programme: Programme | None,
    meeting: Meeting,
    period: ReportingPeriod,
    figures_as_at: dt.date,
    title: str,
    report_of: str,
    author,
    template: PaperTemplate | None = None,
    start_from: Paper | None = None,
    group_name: str = "",
    councillor: str = "",
    portfolio: str = "",
) -> Paper:
    """A draft with the sections of ``start_from``, a published paper of the programme
    (heading, numbering, kind, guidance, text and rows: what stays true from one quarter to
    the next, such as the legal and equality implications, is not typed again), or else with
    the template's (the default template unless one is given). The template gives the
    paper its family (title block); a labelled-rows section "one row per objective" gets a
    row for each of the programme's objectives as they are titled now. ``programme`` None is
    a paper on a portfolio: it has no appendices and locks no quarter."""
    if not can_draft_paper(author):
        raise PaperRefused("You cannot draft committee papers.")
    if programme is not None and not programme.covers(period):
        raise PaperRefused(f"{programme} does not report on {period.label}.")
    if programme is not None:
        check_figures_date(period=period, meeting=meeting, figures_as_at=figures_as_at)
    if start_from is not None and not (
        start_from.is_published
        and programme is not None
        and start_from.programme_id == programme.pk
    ):
        raise PaperRefused(
            "A draft can start only from a published paper of the same programme.", status=400
        )
    template = template or PaperTemplate.objects.order_by("-is_default", "name").first()
    if programme is None and template is not None and (problem := portfolio_problem(template)):
        raise PaperRefused(problem, status=400)
    family = start_from or template
    paper = Paper.objects.create(
        programme=programme,
        meeting=meeting,
        period=period,
        figures_as_at=figures_as_at,
        title=title,
        report_of=report_of,
        author=author,
        title_block=family.title_block if family else TitleBlock.COMMITTEE_REPORT,
        group_name=group_name,
        councillor=councillor,
        portfolio=portfolio,
        # The template's appendix names, kept by the paper (and its snapshot) from now on.
        **({field: getattr(template, field) for field in appendices.FIELDS} if template else {}),
    )
    if start_from is not None:
        sections = [
            _section_like(s, text=s.text, rows=s.rows)
            for s in start_from.sections.order_by("position", "pk")
        ]
    elif template is not None:
        sections = [
            _section_like(s, text=s.default_text, rows=_starting_rows(s, programme))
            for s in template.sections.order_by("position", "pk")
        ]
    else:
        sections = []
    for position, section in enumerate(sections, 1):
        section.paper, section.position = paper, position * 10
    PaperSection.objects.bulk_create(sections)
    PaperEvent.objects.create(paper=paper, step=Step.DRAFTED, by=author)
    return paper


def _section_like(source, *, text: str, rows: list[dict]) -> PaperSection:
    """A new paper's section laid out as ``source`` (a template's section or the last
    published paper's), with the text and rows it starts with."""
    layout = {field: getattr(source, field) for field in TemplateSection.LAYOUT_FIELDS}
    return PaperSection(**layout, text=text, rows=rows)


def _starting_rows(section, programme: Programme | None) -> list[dict]:
    """A new paper's rows for a template section: a SWOT's four quadrants, or the labelled
    rows (first one per objective of the programme, when the template asks, labelled with
    the objective's title as it is now: one query)."""
    if section.kind == SectionKind.SWOT:
        return [{"label": label, "text": ""} for label in SWOT_QUADRANTS]
    if section.kind != SectionKind.LABELLED_ROWS:
        return []
    labels = []
    if section.one_row_per_objective and programme is not None:
        labels += list(
            programme.objectives.order_by("position", "pk").values_list("title", flat=True)
        )
    labels += section.labels()
    return [{"label": label, "text": ""} for label in labels]


def _locked_paper(paper_id: int, seen_version: int | None = None) -> Paper:
    paper = Paper.objects.select_for_update().get(pk=paper_id)
    if seen_version is not None and paper.version != seen_version:
        raise StalePaper(paper=paper)
    return paper


def _require_draft(paper: Paper, user) -> None:
    if not paper.is_draft:
        raise PaperRefused(
            f"This paper is {paper.get_state_display().lower()}: only a draft can be changed.",
            status=409,
        )
    if not can_draft_paper(user):
        raise PaperRefused("You cannot edit committee papers.")


def _record_edit(paper: Paper, user) -> None:
    """Note that ``user`` edited the paper, once in each draft round (since it was started or
    last returned), so the timeline names every writer without a line for every save."""
    round_started = (
        paper.events.filter(step__in=[Step.DRAFTED, Step.RETURNED]).order_by("-at", "-pk").first()
    )
    edits = paper.events.filter(step=Step.EDITED, by=user)
    if round_started is not None:
        edits = edits.filter(pk__gt=round_started.pk)
    if not edits.exists():
        _step(paper, Step.EDITED, user)


@transaction.atomic
def save_draft(
    *,
    paper_id: int,
    user,
    seen_version: int,
    figures_as_at: dt.date,
    title: str,
    report_of: str,
    sections: dict[int, tuple[str, str]],
    new_section: tuple[int, str] | None = None,
    rows: dict[int, list[str]] | None = None,
    group_name: str | None = None,
    councillor: str | None = None,
    portfolio: str | None = None,
) -> Paper:
    """The title block, the figures' date and each section's heading and text (by section
    id), then, when ``new_section`` is (the section to add it after, its heading), a new
    numbered section: all of it or nothing, so text typed before adding a section is never
    lost. ``rows`` gives a labelled-rows or SWOT section's rows' text, by section id, in the
    rows' order (their labels are the template's). The family's title values (group,
    councillor, portfolio) are saved when given. A save after someone else's is refused with
    StalePaper, saving nothing."""
    paper = _locked_paper(paper_id, seen_version)
    _require_draft(paper, user)
    meeting = Meeting.objects.get(pk=paper.meeting_id)
    if paper.has_appendices:
        check_figures_date(period=paper.period, meeting=meeting, figures_as_at=figures_as_at)
    stored = {section.pk: section for section in paper.sections.all()}
    if set(sections) - set(stored):
        raise PaperRefused(
            "A section of this paper was removed while you were editing it.", status=409
        )
    changed = (paper.figures_as_at, paper.title, paper.report_of) != (
        figures_as_at,
        title,
        report_of,
    )
    rows = rows or {}
    for pk, (heading, body) in sections.items():
        section = stored[pk]
        new_rows = section.rows
        if pk in rows:
            if len(rows[pk]) != len(section.rows):
                raise PaperRefused(
                    "The rows of a section changed while you were editing it.", status=409
                )
            new_rows = [
                {**row, "text": typed} for row, typed in zip(section.rows, rows[pk], strict=True)
            ]
        if (section.heading, section.text, section.rows) != (heading, body, new_rows):
            section.heading, section.text, section.rows = heading, body, new_rows
            section.save()
            changed = True
    for field, value in (
        ("group_name", group_name),
        ("councillor", councillor),
        ("portfolio", portfolio),
    ):
        if value is not None and getattr(paper, field) != value:
            setattr(paper, field, value)
            changed = True
    paper.figures_as_at, paper.title, paper.report_of = figures_as_at, title, report_of
    if new_section is not None:
        after_section_id, heading = new_section
        _insert_section(paper, after_section_id=after_section_id, heading=heading)
        changed = True
    paper.save()
    if changed:
        _record_edit(paper, user)
    return paper


def _insert_section(paper: Paper, *, after_section_id: int, heading: str) -> PaperSection:
    ordered = list(paper.sections.order_by("position", "pk"))
    index = next((i for i, s in enumerate(ordered) if s.pk == after_section_id), None)
    if index is None:
        raise PaperRefused(
            "The section to add the new one after was removed while you were editing.",
            status=409,
        )
    new = PaperSection(paper=paper, heading=heading, numbered=True)
    ordered.insert(index + 1, new)
    for position, section in enumerate(ordered, 1):
        section.position = position * 10
    new.save()
    PaperSection.objects.bulk_update([s for s in ordered if s is not new], ["position"])
    return new


@transaction.atomic
def add_section(
    *, paper_id: int, user, seen_version: int, after_section_id: int, heading: str
) -> PaperSection:
    """A numbered section after the one given (a topic of the supporting information). The
    edit page adds one through save_draft, with the text typed around it."""
    paper = _locked_paper(paper_id, seen_version)
    _require_draft(paper, user)
    new = _insert_section(paper, after_section_id=after_section_id, heading=heading)
    paper.save()
    _record_edit(paper, user)
    return new


def _step(paper: Paper, step: Step, user, comment: str = "") -> None:
    PaperEvent.objects.create(paper=paper, step=step, by=user, comment=comment)


@transaction.atomic
def submit(*, paper_id: int, user, comment: str = "") -> Paper:
    paper = _locked_paper(paper_id)
    _require_draft(paper, user)
    paper.state = State.SUBMITTED
    paper.save()
    _step(paper, Step.SUBMITTED, user, comment)
    notify.submitted(paper, by=user, comment=comment)
    return paper


def _require_approver(paper: Paper, user, doing: str) -> None:
    """Separation of duties: whoever drafted, edited or submitted the paper does not sign
    it off (DOMAIN.md, the committee cycle)."""
    if not can_approve_paper(user):
        raise PaperRefused(f"You cannot {doing} committee papers.")
    contribution = paper.contribution_of(user)
    if contribution is not None:
        raise PaperRefused(f"You {contribution} this paper, so someone else must {doing} it.")


def check_may_publish(*, paper: Paper, user) -> None:
    """Refuses (PaperRefused) unless ``user`` may publish ``paper`` now: for the publishing
    page, before it lists what is incomplete."""
    if paper.state != State.APPROVED:
        raise PaperRefused("Only an approved paper can be published.", status=409)
    _require_approver(paper, user, "publish")


@transaction.atomic
def return_paper(*, paper_id: int, user, comment: str) -> Paper:
    """Back to draft, with what to change (required)."""
    paper = _locked_paper(paper_id)
    if paper.state not in (State.SUBMITTED, State.APPROVED):
        raise PaperRefused("Only a submitted or approved paper can be returned.", status=409)
    _require_approver(paper, user, "return")
    if not comment.strip():
        raise PaperRefused("Say what needs changing when you return a paper.")
    paper.state = State.DRAFT
    paper.save()
    _step(paper, Step.RETURNED, user, comment)
    notify.returned(paper, by=user, comment=comment)
    return paper


@transaction.atomic
def approve(*, paper_id: int, user, comment: str = "") -> Paper:
    paper = _locked_paper(paper_id)
    if paper.state != State.SUBMITTED:
        raise PaperRefused("Only a submitted paper can be approved.", status=409)
    _require_approver(paper, user, "approve")
    paper.state = State.APPROVED
    paper.save()
    _step(paper, Step.APPROVED, user, comment)
    notify.approved(paper, by=user, comment=comment)
    return paper


@transaction.atomic
def publish(*, paper_id: int, user, comment: str = "", now: dt.datetime | None = None) -> Paper:
    """Freeze the paper: store everything it shows as its snapshot with its SHA-256, and lock
    its quarter's updates for officers. From here the paper renders from the snapshot only;
    its PDF, Word and Excel files are built and stored by a job queued with it (papers/files.py)."""
    _locked_paper(paper_id)
    paper = paper_for_page(paper_id)
    check_may_publish(paper=paper, user=user)
    snapshot = paper_content.build(paper)
    paper.snapshot = snapshot
    paper.snapshot_sha256 = paper_content.sha256(snapshot)
    paper.state = State.PUBLISHED
    paper.published_at = now or timezone.now()
    paper.save()
    _step(paper, Step.PUBLISHED, user, comment)
    notify.published(paper, by=user, comment=comment)
    jobs.enqueue(files.store_published_files, paper_id=paper.pk)
    if paper.has_appendices and lock_for(paper.programme_id, paper.period) is None:
        QuarterLock.objects.create(
            programme_id=paper.programme_id,
            period=paper.period,
            paper=paper,
            locked_at=paper.published_at,
        )
    return paper


@transaction.atomic
def set_subscription(*, programme: Programme, user, subscribed: bool) -> None:
    """Whether ``user`` is emailed when one of the programme's papers is published: any
    reader chooses for themselves."""
    if not can_read(user):
        raise PaperRefused("You cannot read committee papers.")
    if subscribed:
        programme.subscribers.add(user)
    else:
        programme.subscribers.remove(user)


@transaction.atomic
def reopen_quarter(*, programme: Programme, period: ReportingPeriod, user, reason: str):
    """Let officers update a published quarter again, recording who and why, and tell each
    lead and delegate of the programme's actions by email once that is saved."""
    if not can_reopen_quarter(user):
        raise PaperRefused("Only an administrator can reopen a published quarter.")
    if not reason.strip():
        raise PaperRefused("Give the reason for reopening the quarter.")
    lock = (
        QuarterLock.objects.select_for_update()
        .filter(programme=programme, period=period, reopened_at__isnull=True)
        .first()
    )
    if lock is None:
        raise PaperRefused(f"{period.label} is not locked.", status=409)
    lock.reopened_at, lock.reopened_by, lock.reopen_reason = timezone.now(), user, reason
    lock.save()
    notify.reopened(lock, by=user)
    return lock
