import re

import django_filters
from django.contrib.auth import get_user_model

from actions.models import Action, Objective, Programme, Status

YES_NO = [("yes", "Yes"), ("no", "No")]


class ActionFilter(django_filters.FilterSet):
    """The filters on the action tables. Each choice list is one query."""

    programme = django_filters.ModelChoiceFilter(
        label="Programme",
        field_name="mechanism__requirement__objective__programme",
        queryset=Programme.objects.order_by("name"),
        empty_label="All programmes",
    )
    objective = django_filters.ModelChoiceFilter(
        label="Objective",
        field_name="mechanism__requirement__objective",
        # Live objectives only: the list holds no retired action to find by one.
        queryset=Objective.objects.live()
        .select_related("programme")
        .order_by("programme__name", "position"),
        empty_label="All objectives",
    )
    lead = django_filters.ModelChoiceFilter(
        label="Lead officer",
        queryset=get_user_model()
        .objects.filter(led_actions__isnull=False)
        .distinct()
        .order_by("first_name", "last_name", "username"),
        empty_label="Anyone",
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=Status.choices, empty_label="Any status"
    )
    overdue = django_filters.ChoiceFilter(
        label="Overdue", choices=YES_NO, empty_label="Either", method="filter_overdue"
    )
    missing_update = django_filters.ChoiceFilter(
        label="Missing an update for the current quarter",
        choices=YES_NO,
        empty_label="Either",
        method="filter_missing_update",
    )

    class Meta:
        model = Action
        fields = ["programme", "objective", "lead", "status"]

    @property
    def form(self):
        form = super().form
        form.fields["lead"].label_from_instance = person_name
        _objectives_of_the_chosen_programme(form.fields["objective"], self.data)
        return form

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value == "yes" else queryset.not_overdue()

    def filter_missing_update(self, queryset, name, value):
        return queryset.missing_update() if value == "yes" else queryset.not_missing_update()


def person_name(user) -> str:
    return user.get_full_name() or user.get_username()


# A number the database can hold ("²" is a digit to str.isdigit, 10**20 too big for SQLite).
_PRIMARY_KEY = re.compile(r"[0-9]{1,18}")


def _objectives_of_the_chosen_programme(field, data) -> None:
    """Offer the objectives of the programme chosen, and none before one is: the list of
    every programme's objectives grows with the programmes (five each at 100 programmes is
    500 options on every action list). An objective asked for without its programme (an old
    link) is still found: it alone is offered."""
    programme, objective = data.get("programme", ""), data.get("objective", "")
    if _PRIMARY_KEY.fullmatch(programme):
        field.queryset = field.queryset.filter(programme_id=programme)
    elif _PRIMARY_KEY.fullmatch(objective):
        field.queryset = field.queryset.filter(pk=objective)
    else:
        field.queryset = field.queryset.none()
        field.help_text = "Choose a programme first, then one of its objectives"
