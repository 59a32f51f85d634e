from django import forms

from actions.models import POSSIBLE_SCORES, RiskStatus
from actions.models.risks import IMPACT_WORDS, LIKELIHOOD_WORDS

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
_LIKELIHOODS = [("", "Choose a likelihood")] + [
    (n, f"{n} – {word}") for n, word in LIKELIHOOD_WORDS.items()
]
_IMPACTS = [("", "Choose an impact")] + [(n, f"{n} – {word}") for n, word in IMPACT_WORDS.items()]


def _score(label: str, choices, hint: str, required: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=int,
        help_text=hint,
        error_messages={"required": required, "invalid_choice": required},
    )


def _date(label: str, required: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_FORMATS,
        help_text="For example, 31/03/2025",
        error_messages={
            "required": required,
            "invalid": f"{label.split(' (')[0]} must be a real date, for example 31/03/2025",
        },
    )


def _person(user) -> str:
    return user.get_full_name() or user.username


class RiskForm(forms.Form):
    """A risk on the register, as an administrator writes it; ``version`` as ActionForm's."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    reference = forms.CharField(
        label="Reference",
        max_length=20,
        help_text="As the register numbers it, for example R1",
        error_messages={"required": "Enter the risk's reference, for example R1"},
    )
    title = forms.CharField(
        label="Risk",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter the risk: what might happen"},
    )
    cause = forms.CharField(
        label="Cause (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    consequence = forms.CharField(
        label="Consequence (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = forms.ModelChoiceField(
        label="Owner",
        queryset=None,
        empty_label="Choose the owner",
        help_text="Reviews the risk and keeps its scores current",
        error_messages={
            "required": "Choose the risk's owner",
            "invalid_choice": "Choose an owner from the list",
        },
    )
    inherent_likelihood = _score(
        "Inherent likelihood", _LIKELIHOODS, "Before any controls", "Choose the inherent likelihood"
    )
    inherent_impact = _score(
        "Inherent impact", _IMPACTS, "Before any controls", "Choose the inherent impact"
    )
    residual_likelihood = _score(
        "Residual likelihood",
        _LIKELIHOODS,
        "Now, with the controls",
        "Choose the residual likelihood",
    )
    residual_impact = _score(
        "Residual impact", _IMPACTS, "Now, with the controls", "Choose the residual impact"
    )
    target_score = _score(
        "Target score",
        [("", "Choose a target score")] + [(n, str(n)) for n in POSSIBLE_SCORES],
        "Where the council wants the risk: likelihood × impact",
        "Choose the target score",
    )
    controls = forms.CharField(
        label="Controls (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    mitigating_actions = forms.ModelMultipleChoiceField(
        label="Mitigating actions (optional)",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The programme's actions that reduce the risk: their status shows beside it",
        error_messages={"invalid_choice": "Choose mitigating actions from the programme's actions"},
    )
    review_date = _date("Next review due", "Enter the date the next review is due")
    status = forms.ChoiceField(
        label="Status",
        choices=RiskStatus.choices,
        error_messages={"invalid_choice": "Choose open, escalated or closed"},
    )

    def __init__(self, *args, people, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people
        self.fields["owner"].label_from_instance = _person
        self.fields["mitigating_actions"].queryset = actions
        self.fields["mitigating_actions"].label_from_instance = lambda action: (
            action.title or "(an action with no text)"
        )

    def clean_reference(self):
        return self.cleaned_data["reference"].strip()


class ReviewForm(forms.Form):
    """A review: the residual scores now, the status, a note and the next review's date."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    residual_likelihood = _score(
        "Residual likelihood now",
        _LIKELIHOODS,
        "With the controls in place",
        "Choose the likelihood now",
    )
    residual_impact = _score(
        "Residual impact now", _IMPACTS, "With the controls in place", "Choose the impact now"
    )
    status = forms.ChoiceField(
        label="Status",
        choices=RiskStatus.choices,
        error_messages={"invalid_choice": "Choose open, escalated or closed"},
    )
    note = forms.CharField(
        label="What has changed since the last review",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what has changed since the last review"},
    )
    next_review_date = _date("Next review due", "Enter the date the next review is due")


class RegisterFilterForm(forms.Form):
    owner = forms.TypedChoiceField(label="Owner", required=False, coerce=int, empty_value=None)
    band = forms.TypedChoiceField(label="Band", required=False, coerce=int, empty_value=None)
    overdue = forms.BooleanField(label="Only risks whose review is overdue", required=False)

    def __init__(self, *args, owners, bands, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "Any owner")] + [(p.pk, _person(p)) for p in owners]
        self.fields["band"].choices = [("", "Any band")] + [(b.pk, b.name) for b in bands]


class RegisterUploadForm(forms.Form):
    file = forms.FileField(
        label="The register as an Excel workbook (.xlsx)",
        help_text="One row per risk under a heading row: Ref, Risk, Cause, Consequence, Owner, "
        "Inherent L, Inherent I, Residual L, Residual I, Target, Controls, Review date, Status",
        error_messages={"required": "Choose the register's .xlsx file"},
    )
