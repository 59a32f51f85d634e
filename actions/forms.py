from django import forms

from actions.models import Status
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
