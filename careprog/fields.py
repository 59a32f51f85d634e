"""The model and form fields for a ReportingPeriod, one home for both so that neither app's
models need reach into its forms."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from careprog.periods import InvalidPeriod, ReportingPeriod


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


class ReportingPeriodField(models.Field):
    """Stores a ReportingPeriod as its slug ('2024-25-q3'), which sorts in time order.

    A plain Field stored as varchar rather than a CharField subclass, so that the
    length validator never sees a ReportingPeriod.
    """

    description = "A quarter of the UK financial year"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 10)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == 10:
            del kwargs["max_length"]
        return name, path, args, kwargs

    def get_internal_type(self):
        return "CharField"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return ReportingPeriod.parse(value)

    def to_python(self, value):
        if value is None or isinstance(value, ReportingPeriod):
            return value
        try:
            return ReportingPeriod.parse(value)
        except InvalidPeriod as error:
            raise ValidationError(str(error), code="invalid_period") from None

    def get_prep_value(self, value):
        value = self.to_python(value)
        return None if value is None else value.slug

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return "" if value is None else value.slug

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": ReportingPeriodFormField, **kwargs})


class NextPeriod(models.Func):
    """ReportingPeriod.next() of a stored period inside a query: '2024-25-q3' →
    '2024-25-q4', '2024-25-q4' → '2025-26-q1'. It reads the slug ReportingPeriod.slug
    writes (a four-digit year, the next year's last two digits, the quarter); written as
    one flat SQL expression (SQLite and PostgreSQL alike) rather than nested Concat()s,
    whose depth SQLite's parser runs out of inside the missing-update rule.
    tests/test_update_period.py holds it to ReportingPeriod.next()."""

    arity = 1
    template = (
        "CASE WHEN SUBSTR(%(expressions)s, 10, 1) = '4' "
        "THEN CAST(CAST(SUBSTR(%(expressions)s, 1, 4) AS INTEGER) + 1 AS TEXT) || '-' || "
        "SUBSTR(CAST(CAST(SUBSTR(%(expressions)s, 1, 4) AS INTEGER) + 2 AS TEXT), 3, 2) "
        "|| '-q1' "
        "ELSE SUBSTR(%(expressions)s, 1, 9) || "
        "CAST(CAST(SUBSTR(%(expressions)s, 10, 1) AS INTEGER) + 1 AS TEXT) END"
    )
    output_field = ReportingPeriodField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = super().as_sql(compiler, connection, **extra_context)
        # The expression appears five times in the template, so its parameters do too.
        return sql, tuple(params) * 5
