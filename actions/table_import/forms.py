from django import forms

from actions.forms import ProgrammeForm
from careprog.fields import ReportingPeriodFormField


class TableUploadForm(ProgrammeForm):
    """The programme a progress table becomes: the file, then what the table cannot say
    (its name, address and quarters, and which quarter its update column reports on)."""

    file = forms.FileField(
        label="Upload the progress table",
        help_text="A Word document (.docx) with the committee's progress tables, or an Excel "
        "workbook (.xlsx) with one sheet of objectives, requirements, mechanisms and actions",
        error_messages={
            "required": "Choose a Word or Excel file to upload",
            "empty": "The file is empty",
        },
    )
    updates_period = ReportingPeriodFormField(
        label="Quarter the update column reports on (optional)",
        help_text="For example, 2024-25 Q3. Leave it empty to import no updates",
        required=False,
    )

    field_order = ["file", "name", "slug", "first_period", "last_period", "updates_period"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["version"], self.fields["description"]
