from django import forms

from actions.periods import InvalidPeriod, ReportingPeriod


class ReportingPeriodFormField(forms.CharField):
    """Accepts '2024-25 Q3' or '2024-25-q3' and cleans to a ReportingPeriod."""

    default_error_messages = {
        "invalid_period": "Enter a financial quarter such as 2024-25 Q3",
    }

    def prepare_value(self, value):
        if isinstance(value, ReportingPeriod):
            return value.label
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return ReportingPeriod.parse(value)
        except InvalidPeriod:
            raise forms.ValidationError(
                self.error_messages["invalid_period"], code="invalid_period"
            ) from None
