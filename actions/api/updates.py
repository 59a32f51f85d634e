"""/api/updates/: every update ever written, one row each, with its action's words and the
hierarchy's above it, retired actions' included (their updates are the record).

Two queries a page whatever its size: the count and the rows (action, hierarchy and author
joined)."""

from django.db.models import Q
from rest_framework import serializers

from actions.api.parameters import (
    NO_SUCH_PERIOD,
    PeriodParameter,
    changed_since,
    person_name,
    programme_slug,
)
from actions.models import (
    UNTITLED_ACTION,
    Action,
    Mechanism,
    Objective,
    Programme,
    Requirement,
    Status,
    Update,
)
from careprog.api.views import ReadList

_PROGRAMME = "action__mechanism__requirement__objective__programme"
_OBJECTIVE = "action__mechanism__requirement__objective"
_PROGRAMME_DOTS = "action.mechanism.requirement.objective.programme"
_OBJECTIVE_DOTS = "action.mechanism.requirement.objective"


def _changed_after(moment) -> Q:
    """The update itself, its action or a part of the hierarchy above changed after
    ``moment``, as the history tables (and the update's updated_at) record it."""

    def changed(model):
        return model.history.filter(history_date__gt=moment).values("id")

    return (
        Q(updated_at__gt=moment)
        | Q(pk__in=changed(Update))
        | Q(action__in=changed(Action))
        | Q(action__mechanism__in=changed(Mechanism))
        | Q(action__mechanism__requirement__in=changed(Requirement))
        | Q(**{f"{_OBJECTIVE}__in": changed(Objective)})
        | Q(**{f"{_PROGRAMME}__in": changed(Programme)})
    )


class UpdateRow(serializers.Serializer):
    update_id = serializers.IntegerField(source="pk", help_text="The update's number in careprog")
    programme = serializers.CharField(source=f"{_PROGRAMME_DOTS}.slug", help_text="Its slug")
    programme_name = serializers.CharField(
        source=f"{_PROGRAMME_DOTS}.name", help_text="As its committee papers name it"
    )
    objective_title = serializers.CharField(
        source=f"{_OBJECTIVE_DOTS}.title", help_text="The objective's heading in the report"
    )
    objective_statement = serializers.CharField(
        source=f"{_OBJECTIVE_DOTS}.statement", help_text="What the report's first column says"
    )
    requirement = serializers.CharField(
        source="action.mechanism.requirement.text", help_text="What we need"
    )
    mechanism = serializers.CharField(
        source="action.mechanism.text", help_text="How we will make that happen"
    )
    action_id = serializers.IntegerField(help_text="Its action's number (/api/actions/)")
    action = serializers.SerializerMethodField(
        help_text=f"What we need to do; “{UNTITLED_ACTION}” where the table has no text"
    )
    action_retired = serializers.SerializerMethodField(
        help_text="True when the action has been retired (gone from the live report)"
    )
    period = serializers.CharField(source="period.slug", help_text="The quarter, e.g. 2024-25-q3")
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField(
        source="get_status_display", help_text="The status in words"
    )
    text = serializers.CharField(help_text="The update, as its officer wrote it")
    reason = serializers.CharField(help_text="Why at risk or off track; empty otherwise")
    next_step = serializers.CharField(help_text="What happens next; empty otherwise")
    author = serializers.SerializerMethodField(
        help_text="Who wrote it (full name), or null for an imported update"
    )
    source = serializers.CharField(help_text="Where an imported update was first published")
    created_at = serializers.DateTimeField(help_text="When it was first written")
    updated_at = serializers.DateTimeField(help_text="When it was last saved")
    url = serializers.SerializerMethodField(help_text="The action's page in careprog")

    def get_action(self, update) -> str:
        return update.action.title or UNTITLED_ACTION

    def get_action_retired(self, update) -> bool:
        return update.action.retired_at is not None

    def get_author(self, update) -> str | None:
        return person_name(update.author)

    def get_url(self, update) -> str:
        return self.context["request"].build_absolute_uri(update.action.get_absolute_url())


class UpdateParameters(serializers.Serializer):
    programme = programme_slug()
    period = PeriodParameter(help_text="Only updates for this quarter, e.g. 2024-25-q3")
    action = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2147483647,
        help_text="Only this action's updates (its action_id)",
    )
    changed_since = changed_since("updates whose text, action or hierarchy")


class UpdateList(ReadList):
    """Every update, by programme name, then in the report's order of their actions, then
    quarter."""

    serializer_class = UpdateRow
    parameters = UpdateParameters

    def rows(self, parameters):
        rows = Update.objects.select_related(_PROGRAMME, "author").order_by(
            f"{_PROGRAMME}__name",
            f"{_PROGRAMME}__pk",
            f"{_OBJECTIVE}__position",
            f"{_OBJECTIVE}__pk",
            "action__mechanism__requirement__position",
            "action__mechanism__requirement__pk",
            "action__mechanism__position",
            "action__mechanism__pk",
            "action__position",
            "action__pk",
            "period",
            "pk",
        )
        period = parameters.get("period")
        if period is NO_SUCH_PERIOD:
            return rows.none()
        if period is not None:
            rows = rows.filter(period=period)
        if "programme" in parameters:
            rows = rows.filter(**{f"{_PROGRAMME}__slug": parameters["programme"]})
        if "action" in parameters:
            rows = rows.filter(action_id=parameters["action"])
        if "changed_since" in parameters:
            rows = rows.filter(_changed_after(parameters["changed_since"]))
        return rows
