from django import forms
from django.core.exceptions import ValidationError

from actions.models import Committee, Meeting, Paper, PaperTemplate, SectionKind, TitleBlock
from actions.models.papers import figures_date_problem

SECTION_MAX = 20000


def _date_field(label, help_text):
    return forms.DateField(
        label=label,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"Enter the {label.lower()} as a real date, for example 2025-02-01",
        },
    )


class PaperStartForm(forms.Form):
    """A new paper: which meeting and quarter, the figures' date, the title block, and what
    its sections start from. ``meetings`` are the ones it may be written for (those still to
    come); ``last_paper`` the programme's last published paper, if any, offered to start from.
    """

    TEMPLATE = "template"

    meeting = forms.ModelChoiceField(
        label="Meeting",
        queryset=Meeting.objects.none(),
        empty_label="Choose a meeting",
        error_messages={
            "required": "Choose the meeting the paper is for",
            "invalid_choice": "Choose one of the meetings listed: a paper is written for a "
            "meeting that has not happened yet",
        },
    )
    period = forms.ChoiceField(
        label="Quarter",
        help_text="The quarter whose progress the paper reports",
        error_messages={"required": "Choose the quarter"},
    )
    figures_as_at = _date_field(
        "Figures as at",
        "Figures are the latest on or before this date: from the quarter's end to the meeting",
    )
    title = forms.CharField(
        label="Report title",
        max_length=200,
        error_messages={"required": "Enter the report title"},
    )
    report_of = forms.CharField(
        label="Report of",
        max_length=200,
        help_text="For example, Director for Children, Families and Education",
        error_messages={"required": "Enter whose report it is"},
    )
    template = forms.ModelChoiceField(
        label="Template",
        queryset=PaperTemplate.objects.none(),
        empty_label=None,
        required=False,  # none chosen: the default template
        help_text="The paper's family: its title block, the meetings it goes to and its sections",
        error_messages={"invalid_choice": "Choose one of the templates listed"},
    )
    group_name = forms.CharField(
        label="Group reporting (board updates)",
        max_length=200,
        required=False,
        help_text="For example, Staying Safe Strategy Group",
    )
    councillor = forms.CharField(
        label="Councillor (cabinet member updates)", max_length=200, required=False
    )
    portfolio = forms.CharField(
        label="Portfolio (cabinet member updates)",
        max_length=200,
        required=False,
        help_text="For example, Cabinet Member Children's Services",
    )
    start_from = forms.ChoiceField(
        label="Start from",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what the draft's sections start from",
            "invalid_choice": "Choose what the draft's sections start from: a newer paper "
            "has been published since this page was opened",
        },
    )

    def __init__(
        self,
        *args,
        periods,
        meetings,
        last_paper: Paper | None = None,
        templates=None,
        portfolio_paper: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.portfolio_paper = portfolio_paper
        self.fields["template"].queryset = (
            templates if templates is not None else PaperTemplate.objects.all()
        )
        self.fields["report_of"].required = False
        if portfolio_paper:
            # Dated by its meeting: no quarter's progress, no figures.
            del self.fields["period"], self.fields["figures_as_at"]
        self.periods = {period.slug: period for period in periods}
        if "period" in self.fields:
            self.fields["period"].choices = [("", "Choose a quarter")] + [
                (period.slug, period.label) for period in periods
            ]
        self.fields["meeting"].queryset = meetings
        self.last_paper = last_paper
        if last_paper is None:
            del self.fields["start_from"]
        else:
            self.fields["start_from"].choices = [
                (
                    str(last_paper.pk),
                    f"The last published paper ({last_paper.title}, "
                    f"{last_paper.period.label}, {last_paper.meeting})",
                ),
                (self.TEMPLATE, "The council's template"),
            ]

    def clean_period(self):
        return self.periods[self.cleaned_data["period"]]

    def family(self, data) -> str:
        """The family the draft will be: the last paper's when starting from it, else the
        chosen template's."""
        start_from = data.get("start_from")
        if start_from is not None:
            return start_from.title_block
        template = data.get("template")
        return template.title_block if template else TitleBlock.COMMITTEE_REPORT

    def clean_start_from(self) -> Paper | None:
        """The paper to copy the sections of, or None for the template."""
        chosen = self.cleaned_data["start_from"]
        return None if chosen == self.TEMPLATE else self.last_paper

    def clean(self):
        data = super().clean()
        required = {
            TitleBlock.COMMITTEE_REPORT: {"report_of": "Enter whose report it is"},
            TitleBlock.BOARD_UPDATE: {"group_name": "Enter the group reporting"},
            TitleBlock.CABINET_MEMBER_UPDATE: {
                "councillor": "Enter the councillor",
                "portfolio": "Enter the portfolio",
            },
        }[TitleBlock(self.family(data))]
        for name, message in required.items():
            if name not in self.errors and not data.get(name, "").strip():
                self.add_error(name, ValidationError(message, code="required"))
        meeting, template = data.get("meeting"), data.get("template")
        if meeting is not None and template is not None and data.get("start_from") is None:
            if meeting.committee.kind != template.audience:
                self.add_error(
                    "meeting",
                    ValidationError(
                        f"Choose a meeting of a {template.get_audience_display().lower()}: "
                        f"papers from “{template}” go to one",
                        code="audience",
                    ),
                )
        period = data.get("period")
        if meeting is not None and period is not None:
            problem = figures_date_problem(
                period=period, meeting_date=meeting.date, figures_as_at=data.get("figures_as_at")
            )
            if problem is not None:
                self.add_error(problem.field, ValidationError(problem.message, code="out_of_range"))
        return data


def _family_fields(form, title_block) -> None:
    """Keep the title-block fields the family's block has: a committee report's title and
    "Report of"; a board update's heading and group (report of optional); a cabinet member's
    update's heading, councillor and portfolio."""
    keep = {
        TitleBlock.COMMITTEE_REPORT: set(),
        TitleBlock.BOARD_UPDATE: {"group_name"},
        TitleBlock.CABINET_MEMBER_UPDATE: {"councillor", "portfolio"},
    }[TitleBlock(title_block)]
    for name in {"group_name", "councillor", "portfolio"} - keep:
        del form.fields[name]
    if title_block != TitleBlock.COMMITTEE_REPORT:
        form.fields["title"].label = "Heading"
        form.fields["report_of"].required = False
        if title_block == TitleBlock.CABINET_MEMBER_UPDATE:
            del form.fields["report_of"]


class DraftForm(forms.Form):
    """The title block, the figures' date and every section's heading and text, and a new
    numbered section's heading and place. ``version`` is the paper's version when the form
    opened: a save after someone else's is refused.

    One form, so that every button on the page sends everything typed: "Add the section"
    (``adding``, from the button's name) saves the text and adds the section together, and
    needs the new section's heading and place. A heading typed for a new section is not
    dropped either: "Save the draft" adds it too."""

    ADD_BUTTON = "add_section"

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    figures_as_at = _date_field(
        "Figures as at",
        "Figures are the latest on or before this date: from the quarter's end to the meeting",
    )
    title = forms.CharField(label="Report title", max_length=200)
    report_of = forms.CharField(label="Report of", max_length=200)
    new_heading = forms.CharField(
        label="Heading of the new numbered section", max_length=200, required=False
    )
    new_after = forms.TypedChoiceField(
        label="Add it after",
        coerce=int,
        required=False,
        error_messages={"invalid_choice": "Choose a section of this paper to add it after"},
    )

    group_name = forms.CharField(
        label="Group reporting",
        max_length=200,
        help_text="For example, Staying Safe Strategy Group",
        error_messages={"required": "Enter the group reporting"},
    )
    councillor = forms.CharField(
        label="Councillor", max_length=200, error_messages={"required": "Enter the councillor"}
    )
    portfolio = forms.CharField(
        label="Portfolio",
        max_length=200,
        help_text="For example, Cabinet Member Children's Services",
        error_messages={"required": "Enter the portfolio"},
    )

    def __init__(
        self, *args, sections, title_block=TitleBlock.COMMITTEE_REPORT, figures=True, **kwargs
    ):
        super().__init__(*args, **kwargs)
        _family_fields(self, title_block)
        if not figures:  # a portfolio's paper has no figures
            del self.fields["figures_as_at"]
        self.sections = list(sections)
        self.adding = self.is_bound and (
            self.ADD_BUTTON in self.data or bool(self.data.get("new_heading", "").strip())
        )
        self.fields["new_after"].choices = [(s.pk, s.heading) for s in self.sections]
        for section in self.sections:
            self.fields[f"heading_{section.pk}"] = forms.CharField(
                label="Heading",
                max_length=200,
                initial=section.heading,
                error_messages={"required": "Enter the section's heading"},
            )
            for index, row in enumerate(section.rows):
                self.fields[f"row_{section.pk}_{index}"] = forms.CharField(
                    label=row["label"],
                    required=False,
                    initial=row.get("text", ""),
                    help_text="One item a line" if section.kind == SectionKind.SWOT else "",
                    max_length=SECTION_MAX,
                    widget=forms.Textarea(attrs={"rows": 4}),
                    error_messages={"max_length": "A row must be 20,000 characters or fewer"},
                )
            if section.kind != SectionKind.TEXT:
                continue
            self.fields[f"text_{section.pk}"] = forms.CharField(
                label=section.heading,
                required=False,
                initial=section.text,
                help_text=section.guidance,
                max_length=SECTION_MAX,
                widget=forms.Textarea(attrs={"rows": 6}),
                error_messages={"max_length": "A section must be 20,000 characters or fewer"},
            )

    def clean(self):
        data = super().clean()
        if self.adding:
            if not data.get("new_heading", "").strip():
                self.add_error(
                    "new_heading",
                    forms.ValidationError("Enter the new section's heading", code="required"),
                )
            if data.get("new_after") in (None, "") and "new_after" not in self.errors:
                self.add_error(
                    "new_after", forms.ValidationError("Choose where to add it", code="required")
                )
        return data

    def new_section(self) -> tuple[int, str] | None:
        """(the section to add it after, its heading) when "Add the section" was pressed."""
        if not self.adding:
            return None
        return self.cleaned_data["new_after"], self.cleaned_data["new_heading"].strip()

    def section_fields(self):
        """Each section with its heading field, its text field (a text section's) and its
        rows' fields (a labelled-rows or SWOT section's), in the paper's order."""
        return [
            (
                section,
                self[f"heading_{section.pk}"],
                self[f"text_{section.pk}"] if section.kind == SectionKind.TEXT else None,
                [self[f"row_{section.pk}_{i}"] for i in range(len(section.rows))],
            )
            for section in self.sections
        ]

    def section_values(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {
            section.pk: (
                data[f"heading_{section.pk}"],
                data.get(f"text_{section.pk}", section.text),
            )
            for section in self.sections
        }

    def row_values(self) -> dict[int, list[str]]:
        data = self.cleaned_data
        return {
            section.pk: [data[f"row_{section.pk}_{i}"] for i in range(len(section.rows))]
            for section in self.sections
            if section.rows
        }

    def family_values(self) -> dict[str, str]:
        """The title block's own values this family has (group; councillor and portfolio)."""
        return {
            name: self.cleaned_data[name]
            for name in ("group_name", "councillor", "portfolio")
            if name in self.fields
        }


class SubscriptionForm(forms.Form):
    """Subscribing to, or unsubscribing from, a programme's published papers."""

    subscribe = forms.TypedChoiceField(
        choices=[("yes", "Subscribe"), ("no", "Unsubscribe")],
        coerce=lambda value: value == "yes",
        error_messages={"required": "Choose to subscribe or unsubscribe"},
    )


class StepForm(forms.Form):
    """A sign-off step's comment; returning a paper needs one."""

    comment = forms.CharField(
        label="Comment",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "The comment must be 5,000 characters or fewer"},
    )

    def __init__(self, *args, comment_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        if comment_required:
            self.fields["comment"].required = True
            self.fields["comment"].error_messages["required"] = (
                "Enter what needs changing before the paper can be approved"
            )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Why reopen this quarter?",
        help_text="Recorded with your name; the published paper does not change.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the quarter is being reopened"},
    )


class CommitteeForm(forms.Form):
    """A committee's name; ``version`` is the committee's when the form opened (none for a
    new one)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="As the council's forward plan names it, for example Children, Young People "
        "and Education Committee",
        error_messages={
            "required": "Enter the committee's name",
            "max_length": "The name must be 200 characters or fewer",
        },
    )
    kind = forms.ChoiceField(
        label="Kind of meeting",
        choices=Committee.Kind.choices,
        required=False,  # a form without it keeps the kind: a committee, when new
        help_text="A paper template goes to one kind: a committee, a board or a scrutiny meeting",
        error_messages={"invalid_choice": "Choose one of the kinds listed"},
    )


class MeetingForm(forms.Form):
    """A meeting on the forward plan. ``version`` is the meeting's when the form opened (none
    for a new one); ``next`` a page of the service to return to (the new-paper form that
    asked for the meeting)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    committee = forms.ModelChoiceField(
        label="Committee",
        queryset=Committee.objects.order_by("name"),
        empty_label="Choose a committee",
        error_messages={
            "required": "Choose the committee that meets",
            "invalid_choice": "Choose one of the committees listed",
        },
    )
    date = _date_field("Date", "The day of the meeting, for example 2027-03-03")
    agenda_item = forms.CharField(
        label="Agenda item (optional)",
        required=False,
        max_length=50,
        help_text="The programme's item on the agenda, when it is known, for example 7",
        error_messages={"max_length": "The agenda item must be 50 characters or fewer"},
    )
    next = forms.CharField(widget=forms.HiddenInput, required=False)
