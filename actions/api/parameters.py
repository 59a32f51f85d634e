"""Query parameters the actions app's lists share, each documented as exactly what it accepts
(docs/decisions/0027): a value the schema allows never gets a 400, and one it does not allow
always does.

A value that has the right shape but names nothing (a programme that does not exist, a period
such as ``2024-99-q3`` that is no real quarter) is accepted, and the list is then empty.
"""

import re

from rest_framework import serializers

from careprog.periods import InvalidPeriod, ReportingPeriod


class NoSuchPeriod:
    """A period of the documented shape that is no real quarter: it matches no row."""

    def __repr__(self):
        return "NoSuchPeriod()"


NO_SUCH_PERIOD = NoSuchPeriod()


class Pattern(serializers.CharField):
    """Text matching ``pattern`` as a whole, untrimmed: a trailing newline or space is not
    quietly dropped (DRF's CharField would), so what the schema refuses is refused here too.
    The schema shows the pattern (drf-spectacular reads the RegexValidator)."""

    def __init__(self, pattern: str, **kwargs):
        from django.core.validators import RegexValidator

        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self._whole = re.compile(pattern.removeprefix("^").removesuffix("$"))
        self.validators.append(RegexValidator(pattern, code="invalid"))

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not self._whole.fullmatch(value):
            raise serializers.ValidationError("Not as documented.", code="invalid")
        return value


class PeriodParameter(Pattern):
    """A quarter such as ``2024-25-q3``: a ReportingPeriod, or NO_SUCH_PERIOD for one of that
    shape that is no quarter (``2024-99-q3``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 10)
        super().__init__(r"^[0-9]{4}-[0-9]{2}-q[1-4]$", **kwargs)

    def run_validation(self, data=serializers.empty):
        value = super().run_validation(data)  # checked as text, then read
        try:
            return ReportingPeriod.parse(value)
        except InvalidPeriod:
            return NO_SUCH_PERIOD


def programme_slug(**kwargs) -> Pattern:
    return Pattern(
        r"^[-a-zA-Z0-9_]+$",
        max_length=100,
        help_text="Only this programme's (its slug, as /api/programmes/ gives it)",
        **kwargs,
    )


def changed_since(what: str) -> serializers.DateTimeField:
    return serializers.DateTimeField(
        required=False, help_text=f"Only {what} changed after this moment (ISO 8601)"
    )


def person_name(person) -> str | None:
    """A person as the app names them: full name, else username; None for nobody."""
    if person is None:
        return None
    return person.get_full_name() or person.get_username()
