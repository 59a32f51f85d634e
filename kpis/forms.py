import datetime as dt

from django import forms
from django.utils import timezone

from careprog.periods import month_end, months_before
from kpis.importing.cells import CellProblem, parse_period
from kpis.importing.gate import upload_limits


def default_range() -> tuple[dt.date, dt.date]:
    """The twelve complete months before today."""
    today = timezone.localdate()
    return months_before(today, 12).replace(day=1), months_before(today, 1)


class MonthField(forms.CharField):
    """A month typed as 'Jan 2025', '2025-01' or 'January 2025'; cleans to its last day."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            day = parse_period(value)
        except CellProblem:
            raise forms.ValidationError(
                "Enter a month such as Jan 2025", code="invalid_month"
            ) from None
        return month_end(day.year, day.month)


class TemplateForm(forms.Form):
    first = MonthField(label="First month", help_text="For example, Apr 2024")
    last = MonthField(label="Last month", help_text="For example, Mar 2025")

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first"), cleaned.get("last")
        if first and last:
            if first > last:
                self.add_error(
                    "last",
                    forms.ValidationError(
                        "The last month must be the same as or after the first month", code="order"
                    ),
                )
            elif (last.year - first.year) * 12 + last.month - first.month >= 120:
                self.add_error(
                    "last", forms.ValidationError("Choose at most 120 months", code="too_many")
                )
        return cleaned


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a return",
        help_text="An Excel workbook (.xlsx) in the template's layout or with KPI code, Period "
        "and Value columns.",
        error_messages={
            "required": "Select an Excel file to upload",
            "empty": "The selected file is empty",
        },
    )

    def clean_file(self):
        """Refused before it is stored, at the gate's limit (the gate checks it again)."""
        upload = self.cleaned_data["file"]
        limit = upload_limits().max_bytes
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file must be smaller than {limit // (1024 * 1024)} MB", code="too_large"
            )
        return upload
