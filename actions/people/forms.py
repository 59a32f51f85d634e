from django import forms

from careprog.roles import ROLES


def _role_field():
    return forms.ChoiceField(
        label="Role",
        choices=[("", "Choose a role")] + [(name, name) for name in ROLES],
        error_messages={
            "required": "Choose the person's role",
            "invalid_choice": "Choose one of the roles listed",
        },
    )


class PersonForm(forms.Form):
    """A new person: what the people page lists them by, and the role that decides what they
    may do. The username is derived from the email address unless given."""

    name = forms.CharField(
        label="Full name", max_length=150, error_messages={"required": "Enter the person's name"}
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="Their invitation to set a password is sent here",
        error_messages={
            "required": "Enter the person's email address",
            "invalid": "Enter an email address in the right form, like name@council.gov.uk",
        },
    )
    role = _role_field()
    username = forms.CharField(
        label="Username (optional)",
        max_length=150,
        required=False,
        help_text="Leave empty to use the start of their email address",
    )


class RoleForm(forms.Form):
    """The one role a person has in the service."""

    role = _role_field()


class SuccessorForm(forms.Form):
    """Who takes over a leaver's actions, delegations and measures."""

    successor = forms.ModelChoiceField(
        label="Who takes over",
        queryset=None,
        required=False,
        empty_label="Choose a person",
        help_text="They become the lead of the leaver's actions, a delegate where the leaver "
        "was one and the owner of their measures",
        error_messages={"invalid_choice": "Choose one of the people listed"},
    )

    def __init__(self, *args, successors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = successors
        # By name, with the address that tells two people of the same name apart.
        self.fields["successor"].label_from_instance = lambda person: (
            f"{person.get_full_name() or person.username} ({person.email or 'no email'})"
        )


class PeopleListForm(forms.Form):
    """A list of people to add at once: a CSV file or an Excel workbook."""

    file = forms.FileField(
        label="Upload a list of people",
        help_text="A CSV file or an Excel workbook (.xlsx) with the columns Name, Email and "
        "Role, one person a row",
        error_messages={
            "required": "Choose a CSV or Excel file to upload",
            "empty": "The file is empty",
        },
    )
