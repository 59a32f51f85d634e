"""Committee papers: committees and their meetings, a council's paper template, a programme's
paper for one meeting and quarter with its sign-off, and the quarters publishing locks.

A paper is drafted from live data; publishing stores everything it shows as a snapshot with
its SHA-256, and from then on the paper renders from that snapshot only (papers/content.py).
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from actions.models.families import AppendixNames, SectionKind, TitleBlock
from careprog.fields import ReportingPeriodField
from careprog.periods import ReportingPeriod


class Committee(models.Model):
    """A council committee that receives programme papers, e.g. "Children, Young People and
    Education Committee". Its kind is what a paper template names as its audience, so a new
    paper is offered only the meetings its family is written for."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", "Committee"
        BOARD = "board", "Board"
        SCRUTINY = "scrutiny", "Overview and scrutiny"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COMMITTEE)
    # Raised on every save, admin's included: a form opened before someone else's save is
    # refused (actions/papers/forward_plan.py).
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.pk is not None:
            self.version += 1
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{reverse('actions:forward_plan')}#committee-{self.pk}"


class Meeting(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="meetings")
    date = models.DateField()
    agenda_item = models.CharField(max_length=50, blank=True, help_text="e.g. 7")
    version = models.PositiveIntegerField(default=1, editable=False)  # as Committee's

    class Meta:
        ordering = ["-date", "committee"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "date"], name="actions_meeting_one_per_committee_and_day"
            )
        ]

    def __str__(self):
        return f"{self.committee}, {self.date:%-d %B %Y}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            self.version += 1
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{reverse('actions:forward_plan')}#meeting-{self.pk}"

    def is_upcoming(self, today: dt.date) -> bool:
        """A paper is written for a meeting that has not happened yet: today's counts."""
        return self.date >= today


class FiguresDateProblem(NamedTuple):
    field: str  # the field of the start form that is wrong: "meeting" or "figures_as_at"
    message: str


def figures_date_problem(
    *, period: ReportingPeriod, meeting_date: dt.date, figures_as_at: dt.date | None
) -> FiguresDateProblem | None:
    """A paper's figures are taken from its quarter's end to its meeting, both days included.
    A meeting before the quarter ends leaves no date at all, so then the meeting is what is
    wrong, and the message says so rather than naming a range that runs backwards."""
    if meeting_date < period.end:
        return FiguresDateProblem(
            "meeting",
            f"The meeting on {meeting_date:%-d %B %Y} is before {period.label} ends "
            f"({period.end:%-d %B %Y}): choose a later meeting or an earlier quarter.",
        )
    if figures_as_at is not None and not period.end <= figures_as_at <= meeting_date:
        return FiguresDateProblem(
            "figures_as_at",
            f"Figures as at must be from {period.end:%-d %B %Y} to {meeting_date:%-d %B %Y}: "
            f"from the end of {period.label} to the day of the meeting.",
        )
    return None


class PaperTemplate(AppendixNames):
    """A family of papers: its title block, the kind of meeting it goes to, its sections in
    order (each of a kind) and its appendices' names, copied into each new paper. A council
    changes it in the app or in admin; papers already drafted keep their own sections and
    names."""

    name = models.CharField(max_length=200, unique=True)
    title_block = models.CharField(
        max_length=30, choices=TitleBlock.choices, default=TitleBlock.COMMITTEE_REPORT
    )
    audience = models.CharField(
        "Goes to",
        max_length=10,
        choices=Committee.Kind.choices,
        default=Committee.Kind.COMMITTEE,
        help_text="The kind of meeting its papers are written for",
    )
    # Raised on every save, admin's included: the template's page refuses a save made on a
    # form opened before someone else's (papers/paper_templates.py).
    version = models.PositiveIntegerField(default=1, editable=False)
    is_default = models.BooleanField(
        default=False, help_text="Offered first when an officer starts a paper"
    )

    class Meta:
        ordering = ["-is_default", "name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.pk is not None:
            self.version += 1
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("actions:paper_template", args=[self.pk])


class TemplateSection(models.Model):
    # What an administrator writes of each section, in the order the template page and admin
    # show it (papers/template_forms.py, papers/templates_kept.py, admin/papers.py).
    AUTHORED_FIELDS = (
        "heading",
        "kind",
        "numbered",
        "heading_number_only",
        "guidance",
        "default_text",
        "row_labels",
        "one_row_per_objective",
    )
    # What a paper's section takes of its layout from the section it starts from, a template's
    # or the last published paper's (papers/services.start_paper).
    LAYOUT_FIELDS = ("heading", "numbered", "heading_number_only", "kind", "guidance")

    template = models.ForeignKey(PaperTemplate, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField(default=0)
    heading = models.CharField(max_length=200)
    numbered = models.BooleanField(
        default=False,
        help_text="Numbered as the supporting information is (1.0, with points 1.1, 1.2 ...)",
    )
    heading_number_only = models.BooleanField(
        "Only the heading numbered",
        default=False,
        help_text="In a numbered section, the heading is numbered (2.0) but not its paragraphs",
    )
    guidance = models.TextField(blank=True, help_text="Shown to the author beside the section")
    default_text = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=SectionKind.choices, default=SectionKind.TEXT)
    row_labels = models.TextField(
        blank=True, help_text="Labelled rows: each row's label, one a line, in order"
    )
    one_row_per_objective = models.BooleanField(
        default=False,
        help_text="Labelled rows: first a row for each of the programme's objectives, "
        "labelled with its title when the paper is drafted",
    )

    class Meta:
        ordering = ["template", "position", "pk"]

    def __str__(self):
        return self.heading

    def get_absolute_url(self):
        return self.template.get_absolute_url()

    def labels(self) -> list[str]:
        return [line.strip() for line in self.row_labels.splitlines() if line.strip()]


class Paper(AppendixNames):
    """A programme's covering report to one meeting, on one quarter, with its generated
    appendices. ``figures_as_at`` is the date its figures are taken at: the author chooses it
    between the quarter's end and the meeting, as papers quote the latest figures when written.

    Once published, ``snapshot`` holds everything the paper shows and ``snapshot_sha256`` its
    digest; both are then never written again (PaperQuerySet refuses nothing, the services do).
    """

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted for approval"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"

    # None for a paper on a portfolio (002, a cabinet member's update): it has no generated
    # appendices and locks no quarter.
    programme = models.ForeignKey(
        "actions.Programme",
        on_delete=models.PROTECT,
        related_name="papers",
        null=True,
        blank=True,
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="papers")
    title_block = models.CharField(
        max_length=30, choices=TitleBlock.choices, default=TitleBlock.COMMITTEE_REPORT
    )
    group_name = models.CharField(
        max_length=200, blank=True, help_text="Board update: the group reporting"
    )
    councillor = models.CharField(
        max_length=200, blank=True, help_text="Cabinet member update: the councillor"
    )
    portfolio = models.CharField(
        max_length=200, blank=True, help_text="Cabinet member update: the portfolio"
    )
    period = ReportingPeriodField(help_text="The quarter the progress appendix reports")
    figures_as_at = models.DateField(
        help_text="Figures are the latest on or before this date: from the quarter's end to "
        "the meeting"
    )
    title = models.CharField(max_length=200, help_text="Report title, e.g. Care Programme")
    report_of = models.CharField(
        max_length=200, help_text="e.g. Director for Children, Families and Education"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who drafted it; never its approver",
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)
    published_at = models.DateTimeField(null=True, blank=True)
    snapshot = models.JSONField(null=True, blank=True, editable=False)
    snapshot_sha256 = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-meeting__date", "-period", "-pk"]
        permissions = [
            ("approve_paper", "Can approve, return and publish committee papers"),
            ("reopen_quarter", "Can reopen a published quarter's updates"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(state="published", snapshot__isnull=False, published_at__isnull=False)
                    & ~Q(snapshot_sha256="")
                )
                | (~Q(state="published") & Q(snapshot__isnull=True, snapshot_sha256="")),
                name="actions_paper_published_has_snapshot",
            ),
        ]

    def __str__(self):
        if self.programme_id is None:  # a portfolio's paper is dated by its meeting
            return f"{self.title}, {self.meeting}"
        return f"{self.title}: {self.period.label}, {self.meeting}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            self.version += 1
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("actions:paper", kwargs={"pk": self.pk})

    @property
    def reports_on(self) -> str:
        """What its headings date it by: the quarter a programme's paper reports, or for a
        portfolio's paper (no quarter of its own) the day of its meeting."""
        return self.period.label if self.programme_id else f"{self.meeting.date:%-d %B %Y}"

    @property
    def has_appendices(self) -> bool:
        """The generated appendices report a programme: a portfolio's paper has none, nor a
        paper whose template leaves them out (it then locks no quarter: it reported none)."""
        return self.programme_id is not None and self.generated_appendices

    @property
    def state_choice(self) -> Paper.State:
        return self.State(self.state)

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED

    @property
    def is_draft(self) -> bool:
        return self.state == self.State.DRAFT

    def contribution_of(self, user) -> str | None:
        """How ``user`` had a hand in this paper ("drafted", "edited" or "submitted"), or None.
        Whoever did may not approve, return or publish it: sign-off is someone else's. Reads
        ``events`` (prefetch them for a page; one query otherwise)."""
        if user.pk is None:
            return None
        if self.author_id == user.pk:
            return "drafted"
        steps = {event.step for event in self.events.all() if event.by_id == user.pk}
        for step in PaperEvent.CONTRIBUTING:
            if step in steps:
                return str(step)  # the step's value is the verb: "edited"
        return None

    def contributors(self) -> list:
        """Everyone who drafted, edited or submitted it, in the order they first did: reads
        ``events`` with their ``by`` (prefetched on a page)."""
        people = {}
        for event in self.events.all():
            if event.step in PaperEvent.CONTRIBUTING and event.by is not None:
                people.setdefault(event.by_id, event.by)
        return list(people.values())


class PaperSection(models.Model):
    """One section of a paper's covering report: plain paragraphs and bullet points, typed by
    its author (no HTML: papers/text.py reads it). Numbered sections are numbered in order.

    A labelled-rows or SWOT section keeps its rows as JSON on the section, ``[{"label": ...,
    "text": ...}]`` (a SWOT's four rows are its quadrants, each item a line), rather than as
    child rows: a section is written, guarded against stale saves, kept in history and frozen
    as a whole, and never queried by row, so one field keeps each save one row and each
    historical version the whole section as it then stood."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField(default=0)
    heading = models.CharField(max_length=200)
    numbered = models.BooleanField(default=False)
    # As its template's: a board update numbers "1.0 Introduction" but not the paragraphs under it.
    heading_number_only = models.BooleanField(default=False)
    kind = models.CharField(max_length=20, choices=SectionKind.choices, default=SectionKind.TEXT)
    guidance = models.TextField(blank=True)
    text = models.TextField(blank=True)
    rows = models.JSONField(default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["paper", "position", "pk"]

    def __str__(self):
        return self.heading

    def get_absolute_url(self):
        return self.paper.get_absolute_url()

    @property
    def has_content(self) -> bool:
        if self.kind in (SectionKind.RISKS, SectionKind.HEADING):
            return True  # the register's, even when it holds no open risk: that is news too;
            # a heading's is itself
        if self.kind == SectionKind.TEXT:
            return bool(self.text.strip())
        return any(row.get("text", "").strip() for row in self.rows)


class PaperFile(models.Model):
    """A published paper's file (PDF, Word or Excel) as built once, from its snapshot: the bytes
    are in the default storage (MEDIA_ROOT), their SHA-256 here. Every download serves those
    bytes; a file lost from storage is built again and served only if its digest is this one
    (actions/papers/files.py)."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "Word"
        XLSX = "xlsx", "Excel"

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    file = models.FileField(upload_to="papers", max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    built_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["paper", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "kind"], name="actions_paperfile_one_per_kind")
        ]

    def __str__(self):
        return f"{self.paper}: {self.get_kind_display()}"

    def get_absolute_url(self):
        name = {"pdf": "paper_pdf", "docx": "paper_docx", "xlsx": "paper_xlsx"}[self.kind]
        return reverse(f"actions:{name}", kwargs={"pk": self.paper_id})


class PaperEvent(models.Model):
    """One step of a paper's sign-off: who, when, and what they said."""

    class Step(models.TextChoices):
        DRAFTED = "drafted", "Drafted"
        # Saved a change or added a section: at most one a person in each draft round.
        EDITED = "edited", "Edited"
        SUBMITTED = "submitted", "Submitted for approval"
        RETURNED = "returned", "Returned with comments"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"

    # The steps that make someone one of the paper's writers, so never its approver.
    CONTRIBUTING = (Step.DRAFTED, Step.EDITED, Step.SUBMITTED)

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="events")
    step = models.CharField(max_length=10, choices=Step.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_name = models.CharField(
        max_length=200, blank=True, help_text="For a step taken outside careprog"
    )
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["paper", "at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(step="returned") | ~Q(comment=""),
                name="actions_paper_event_returned_has_comment",
            ),
        ]

    def __str__(self):
        return f"{self.paper}: {self.get_step_display()}"

    def get_absolute_url(self):
        return self.paper.get_absolute_url()


class QuarterLock(models.Model):
    """A programme's quarter, locked for officers' updates when a paper on it is published,
    until an administrator reopens it with a reason. Rows are kept: they are the record."""

    programme = models.ForeignKey(
        "actions.Programme", on_delete=models.CASCADE, related_name="quarter_locks"
    )
    period = ReportingPeriodField()
    paper = models.ForeignKey(Paper, on_delete=models.PROTECT, related_name="locks")
    locked_at = models.DateTimeField(default=timezone.now)
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopen_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["programme", "period", "locked_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reopened_at__isnull=True) | ~Q(reopen_reason=""),
                name="actions_quarter_lock_reopened_with_reason",
            ),
            models.CheckConstraint(
                condition=Q(reopened_at__isnull=True) | Q(reopened_at__gte=F("locked_at")),
                name="actions_quarter_lock_reopened_after_locked",
            ),
        ]

    def __str__(self):
        return f"{self.programme} {self.period.label}"

    def get_absolute_url(self):
        return self.paper.get_absolute_url()

    @property
    def is_open(self) -> bool:
        return self.reopened_at is not None
