"""The one form of the token pages: a new token's name and how long it lasts."""

from django import forms

from careprog.api.tokens import DEFAULT_DAYS, MAX_DAYS


class NewTokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What it is for, so you can tell your tokens apart, e.g. “Power BI refresh”",
        error_messages={
            "required": "Enter a name for the token",
            "max_length": "Enter a name of 100 characters or fewer",
        },
    )
    days = forms.IntegerField(
        label="Days until it stops working",
        min_value=1,
        max_value=MAX_DAYS,
        initial=DEFAULT_DAYS,
        help_text=f"From 1 to {MAX_DAYS}: make a new token before it expires",
        error_messages={
            "required": f"Enter how many days the token lasts, from 1 to {MAX_DAYS}",
            "invalid": f"Enter the days as a whole number, from 1 to {MAX_DAYS}",
            "min_value": f"A token lasts at least 1 day: enter 1 to {MAX_DAYS}",
            "max_value": f"A token lasts at most {MAX_DAYS} days: enter 1 to {MAX_DAYS}",
        },
    )
