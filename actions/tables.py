import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from actions.filters import person_name
from actions.models import UNTITLED_ACTION


class ActionTable(tables.Table):
    """Rows come from queries.actions_with_latest_update(); nothing here queries."""

    title = tables.Column(
        verbose_name="Action",
        linkify=True,
        order_by=("title",),
        empty_values=(),
        attrs={"td": {"class": "govuk-table__cell app-table__action"}},
    )
    programme = tables.Column(
        verbose_name="Programme",
        accessor="mechanism__requirement__objective__programme__name",
    )
    objective = tables.Column(
        verbose_name="Objective",
        accessor="mechanism__requirement__objective__title",
        order_by=(
            "mechanism__requirement__objective__programme__name",
            "mechanism__requirement__objective__position",
        ),
    )
    lead = tables.Column(
        verbose_name="Lead",
        order_by=("lead__first_name", "lead__last_name"),
        default="Not assigned",
    )
    due_date = tables.DateColumn(verbose_name="Due", format="j M Y", default="Not set")
    status = tables.Column(verbose_name="Status")
    latest_period = tables.Column(verbose_name="Latest update", default="None yet")
    has_current_update = tables.Column(verbose_name="Update this quarter")

    class Meta:
        empty_text = "No actions match these filters."
        attrs = {"class": "govuk-table app-actions-table app-action-list"}
        order_by = ()

    def render_title(self, value, record):
        return value or UNTITLED_ACTION

    def value_title(self, value, record):
        return value or UNTITLED_ACTION

    def render_lead(self, value):
        return person_name(value)

    def value_lead(self, value):
        return person_name(value) if value else ""

    def render_status(self, record):
        status = record.status_choice
        overdue = (
            mark_safe(' <strong class="govuk-tag govuk-tag--red">Overdue</strong>')
            if record.is_overdue()
            else ""
        )
        return format_html(
            '<strong class="govuk-tag {}">{}</strong>{}', status.tag_class, status.label, overdue
        )

    def value_status(self, record):
        return record.get_status_display()

    def render_latest_period(self, value):
        return value.label

    def value_latest_period(self, value):
        return value.label if value else ""

    def render_has_current_update(self, value, record):
        if not value and record.missing_current_update:
            return mark_safe('<strong class="govuk-tag govuk-tag--yellow">Missing</strong>')
        return self.value_has_current_update(value, record)

    def value_has_current_update(self, value, record):
        """The quarter is the one the action's programme asks about, never a locked one."""
        if value:
            return "Yes"
        if record.missing_current_update:
            return "No"
        if record.update_period is None:
            return "Not needed: reporting complete"
        return "Not needed: complete"
