"""What makes a family of papers (issue 24): its title block, the kinds of section it holds
(plain choices, imported by the paper models and by everything that lays a paper out), and
whether its generated appendices follow, with their names (AppendixNames, which templates and
papers share)."""

from django.db import models

from actions.papers import appendices


class TitleBlock(models.TextChoices):
    """How a paper's first lines read, by family: the committee report's "Report title /
    Report of" block (seed 004), a board update's heading naming the group reporting (001),
    or a cabinet member's update: a heading, the meeting's name and a Councillor | Portfolio |
    Date table (002). Each needs its own values on the paper (Paper.title_values)."""

    COMMITTEE_REPORT = "committee_report", "Committee report"
    BOARD_UPDATE = "board_update", "Board update"
    CABINET_MEMBER_UPDATE = "cabinet_member_update", "Cabinet member update"


class SectionKind(models.TextChoices):
    """What a section holds. Numbering is apart from kind (``numbered``): 001's "2.0 Overview
    of progress" is numbered and is a table. A risks section is the programme's register as
    it stood on the paper's figures date, read from the register, never typed (so a paper on
    a portfolio, which has no register, cannot have one); the writers ignore a kind they do
    not know rather than fail."""

    TEXT = "text", "Text"
    LABELLED_ROWS = "labelled_rows", "Labelled rows"
    SWOT = "swot", "SWOT grid"
    RISKS = "risks", "Risks from the register"
    # A heading over the sections that follow, with no words of its own (002's "Children's
    # Social Care" over its service areas): shown though it has no text.
    HEADING = "heading", "Heading over the sections that follow"


SWOT_QUADRANTS = ("Strengths", "Weaknesses", "Opportunities", "Threats")


def portfolio_problem(template) -> str | None:
    """Why a paper on a portfolio cannot be drafted from ``template`` (a PaperTemplate), if it
    cannot: a risks section shows a programme's register, and a portfolio has none. One
    query."""
    risks = template.sections.filter(kind=SectionKind.RISKS).first()
    if risks is None:
        return None
    return (
        f"“{template}” has a section of the risks from the register (“{risks}”), and a paper "
        "on a portfolio has no register to show: choose a template without one, or write "
        "the paper on its programme."
    )


class AppendixNames(models.Model):
    """Whether the generated appendices follow the paper's sections (a committee report's do; a
    board update or a cabinet member's update often has none), and the names the paper's own
    text gives them ("(Appendix 2)"), shown alike on the page, in Word, PDF and Excel
    (papers/appendices.py)."""

    generated_appendices = models.BooleanField(
        "Generated appendices",
        default=True,
        help_text=(
            "After the sections: the key performance data, the report on progress and the"
            " changes since the last paper, generated from the programme"
        ),
    )

    kpis_appendix = models.CharField(
        "Key performance data appendix",
        max_length=200,
        default=appendices.KEY_PERFORMANCE_DATA,
        help_text=f"As the paper's text names it, e.g. {appendices.KEY_PERFORMANCE_DATA}",
    )
    progress_appendix = models.CharField(
        "Report on progress appendix",
        max_length=200,
        default=appendices.PROGRESS,
        help_text=f"As the paper's text names it, e.g. {appendices.PROGRESS}",
    )
    changes_appendix = models.CharField(
        "Changes since the last paper appendix",
        max_length=200,
        default=appendices.CHANGES,
        help_text=f"As the paper's text names it, e.g. {appendices.CHANGES}",
    )

    class Meta:
        abstract = True
