"""Committees, meetings and papers for tests, through the same services people use."""

import datetime as dt

from django.utils import timezone

from actions.models import Committee, Meeting, Paper
from actions.papers import services
from careprog.periods import ReportingPeriod

CYPE = "Children, Young People and Education Committee"
Q3 = ReportingPeriod(2024, 3)


def make_meeting(date=dt.date(2025, 3, 5), committee=CYPE, agenda_item="") -> Meeting:
    committee, _ = Committee.objects.get_or_create(name=committee)
    meeting, _ = Meeting.objects.get_or_create(
        committee=committee, date=date, defaults={"agenda_item": agenda_item}
    )
    return meeting


def draft_paper(
    programme,
    author,
    *,
    period: ReportingPeriod = Q3,
    meeting: Meeting | None = None,
    figures_as_at: dt.date | None = None,
    title="Care Programme",
    report_of="Director for Children, Families and Education",
    sections: dict[str, str] | None = None,
) -> Paper:
    """A draft from the default template; ``sections`` gives text by heading."""
    meeting = meeting or make_meeting()
    paper = services.start_paper(
        programme=programme,
        meeting=meeting,
        period=period,
        figures_as_at=figures_as_at or period.end,
        title=title,
        report_of=report_of,
        author=author,
    )
    for heading, text in (sections or {}).items():
        section = paper.sections.get(heading=heading)
        section.text = text
        section.save()
    return paper


def publish(paper: Paper, approver, *, submitter=None) -> Paper:
    """Submitted by its author (or ``submitter``), approved and published by ``approver``."""
    services.submit(paper_id=paper.pk, user=submitter or paper.author)
    services.approve(paper_id=paper.pk, user=approver)
    return services.publish(paper_id=paper.pk, user=approver)


def set_today(monkeypatch, day: dt.date) -> None:
    """Make ``day`` the app's today: every read of today goes through timezone.localdate
    (careprog.periods among them), so the forward plan, the new-paper form and the current
    quarter all agree."""
    real = timezone.localdate

    def localdate(*args, **kwargs):
        return real(*args, **kwargs) if args or kwargs else day

    monkeypatch.setattr(timezone, "localdate", localdate)
