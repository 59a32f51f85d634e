from django import forms

from actions.models import Committee, Status
from careprog.fields import ReportingPeriodFormField

# Officers rate an action; "not assessed" is only ever the absence of a rating.
OFFICER_STATUSES = [
    (status.value, status.label) for status in Status if status != Status.NOT_ASSESSED
]
STATUS_HINTS = {
    Status.NOT_STARTED: "Work has not begun.",
    Status.ON_TRACK: "Green: on course to finish by the due date.",
    Status.AT_RISK: "Amber: issues found that could stop it finishing on time.",
    Status.OFF_TRACK: "Red: will not finish on time without corrective action.",
    Status.COMPLETE: "Blue: done.",
}


class UpdateForm(forms.Form):
    """This quarter's update on an action, with the action's status.

    The two versions record what the officer saw when the form opened, so a save made
    by someone else in between is detected rather than overwritten.
    """

    period = ReportingPeriodFormField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label="Status",
        choices=OFFICER_STATUSES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the action's status"},
    )
    text = forms.CharField(
        label="Update",
        help_text="What has happened this quarter, in words a councillor will understand.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={
            "required": "Enter the update",
            "max_length": "The update must be 5,000 characters or fewer",
        },
    )
    reason = forms.CharField(
        label="Why is it at risk or off track?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"max_length": "The reason must be 2,000 characters or fewer"},
    )
    next_step = forms.CharField(
        label="What is being done about it, and by when?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"max_length": "The next step must be 2,000 characters or fewer"},
    )
    action_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    update_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, open_periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.open_periods = open_periods

    def clean_period(self):
        period = self.cleaned_data["period"]
        if period not in self.open_periods:
            raise forms.ValidationError(
                "Updates can only be written for the programme's quarters up to the current one",
                code="period_closed",
            )
        return period

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        if status and Status(status).needs_explanation:
            label = Status(status).label.lower()
            if not cleaned.get("reason"):
                self.add_error(
                    "reason",
                    forms.ValidationError(
                        f"Enter why the action is {label}", code="reason_required"
                    ),
                )
            if not cleaned.get("next_step"):
                self.add_error(
                    "next_step",
                    forms.ValidationError(
                        f"Enter what is being done because the action is {label}",
                        code="next_step_required",
                    ),
                )
        return cleaned


class CarryForm(forms.Form):
    """Next year's programme: its name and slug, proposed from this year's and editable."""

    name = forms.CharField(
        label="Name of the new programme",
        max_length=200,
        error_messages={
            "required": "Enter a name for the new programme",
            "max_length": "The name must be 200 characters or fewer",
        },
    )
    slug = forms.SlugField(
        label="Slug",
        max_length=100,
        help_text="Its part of the web address: lower-case letters, numbers and hyphens",
        error_messages={
            "required": "Enter a slug for the new programme",
            "invalid": "Enter a slug of lower-case letters, numbers and hyphens",
            "max_length": "The slug must be 100 characters or fewer",
        },
    )


class ProgrammeForm(forms.Form):
    """A programme's name, address, quarters and description; ``version`` is the
    programme's when the form opened (none for a new one)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="For example, Care Programme 2025-26",
        error_messages={
            "required": "Enter the programme's name",
            "max_length": "The name must be 200 characters or fewer",
        },
    )
    slug = forms.SlugField(
        label="Short name for its web address",
        max_length=100,
        help_text="Lower-case letters, numbers and hyphens, for example care-programme-2025-26",
        error_messages={
            "required": "Enter a short name for the programme's web address",
            "invalid": "The short name can only contain letters, numbers, hyphens and underscores",
            "max_length": "The short name must be 100 characters or fewer",
        },
    )
    first_period = ReportingPeriodFormField(
        label="First quarter it reports on",
        help_text="For example, 2025-26 Q1",
        error_messages={"required": "Enter the first quarter the programme reports on"},
    )
    last_period = ReportingPeriodFormField(
        label="Last quarter it reports on",
        help_text="For example, 2025-26 Q4",
        error_messages={"required": "Enter the last quarter the programme reports on"},
    )
    committee = forms.ModelChoiceField(
        label="Committee (optional)",
        queryset=Committee.objects.order_by("name"),
        required=False,
        empty_label="No committee yet",
        help_text="The committee its papers usually go to: a new paper offers its meetings first",
        error_messages={"invalid_choice": "Choose a committee from the list"},
    )
    description = forms.CharField(
        label="Description (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    open_data = forms.BooleanField(
        label="Publish its published papers and approved figures as open data, for anyone "
        "to read at /open/ without signing in",
        required=False,
    )


class ObjectiveForm(forms.Form):
    """An objective's short title and statement; ``version`` as ProgrammeForm's."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    title = forms.CharField(
        label="Short title",
        max_length=200,
        help_text="For example, Children live safely with their families",
        error_messages={
            "required": "Enter the objective's short title",
            "max_length": "The short title must be 200 characters or fewer",
        },
    )
    statement = forms.CharField(
        label="What we want to achieve",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter what the objective wants to achieve"},
    )
    kpis = forms.TypedMultipleChoiceField(
        label="Measures that evidence it (optional)",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="Chosen from the KPI catalogue: the report and the dashboard filtered by "
        "this programme show them",
        error_messages={"invalid_choice": "Choose measures from the catalogue's list"},
    )

    def __init__(self, *args, catalogue, **kwargs):
        """``catalogue``: the measures that may be chosen, as (group name, [(pk, label)])
        pairs, the catalogue's groups in order (measure_choices)."""
        super().__init__(*args, **kwargs)
        self.fields["kpis"].choices = catalogue

    def kpi_groups(self) -> list[tuple[str, list[tuple[str, int, str, bool]]]]:
        """The checkboxes under their group: (group, [(id, value, label, ticked)]), ticked
        as posted, else as initially. Ids count from 0 across groups, as Django's own
        checkboxes' do, so the error summary's link lands on the first."""
        field = self["kpis"]
        ticked = {str(value) for value in field.value() or []}
        numbered, index = [], 0
        for group, options in self.fields["kpis"].choices:
            boxes = []
            for value, label in options:
                boxes.append((f"{field.auto_id}_{index}", value, label, str(value) in ticked))
                index += 1
            numbered.append((group, boxes))
        return numbered


def measure_choices(kpis) -> list[tuple[str, list[tuple[int, str]]]]:
    """The catalogue's measures grouped under their group's name, in the catalogue's order,
    for ObjectiveForm: ``kpis`` read once with their groups (one query)."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for kpi in kpis.select_related("group").order_by("group__position", "group__name", "position"):
        groups.setdefault(kpi.group.name, []).append((kpi.pk, f"{kpi.code}: {kpi.name}"))
    return list(groups.items())


class PartTextForm(forms.Form):
    """A requirement's or a mechanism's text; the view names the part in the label."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the text"},
    )

    def __init__(self, *args, label: str, required_message: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = label
        self.fields["text"].error_messages["required"] = required_message


class ActionForm(forms.Form):
    """An action's text, lead, delegates and due date; ``version`` as ProgrammeForm's.
    ``people`` are those who may be named: active users, by name."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    title = forms.CharField(
        label="What we need to do",
        required=False,  # the committee's own table has an action with no text
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    lead = forms.ModelChoiceField(
        label="Lead",
        queryset=None,
        required=False,
        empty_label="No lead yet",
        help_text="The officer who keeps the action's status and updates current",
        error_messages={"invalid_choice": "Choose a lead from the list"},
    )
    delegates = forms.ModelMultipleChoiceField(
        label="Delegates (optional)",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Officers who may post updates on the lead's behalf",
        error_messages={"invalid_choice": "Choose delegates from the list"},
    )
    due_date = forms.DateField(
        label="Due date (optional)",
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text="For example, 31/03/2025",
        error_messages={"invalid": "Enter the due date as a real date, for example 31/03/2025"},
    )

    def __init__(self, *args, people, mechanisms=None, **kwargs):
        """``mechanisms``: when given (changing an action), where it may be moved to."""
        super().__init__(*args, **kwargs)
        if mechanisms is not None:
            self.fields["mechanism"] = forms.ModelChoiceField(
                label="Under the mechanism",
                queryset=mechanisms,
                empty_label=None,
                required=False,  # left out: it stays where it is
                help_text="Choose another to move the action there; it goes last under it",
                error_messages={"invalid_choice": "Choose a mechanism from the list"},
            )
            self.fields["mechanism"].label_from_instance = _mechanism_label
        self.fields["lead"].queryset = people
        self.fields["delegates"].queryset = people
        self.fields["lead"].label_from_instance = _person
        self.fields["delegates"].label_from_instance = _person


def _person(user) -> str:
    return user.get_full_name() or user.username


def _mechanism_label(mechanism) -> str:
    """Objective 2. Requirement … – mechanism …, short enough for a select's option."""
    objective = mechanism.requirement.objective
    return (
        f"{objective.title} › {_shortened(mechanism.requirement.text)} › "
        f"{_shortened(mechanism.text)}"
    )


def _shortened(text: str, words: int = 8) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")
