"""/api/actions/: the committee report's rows, flat, one per live action, with the hierarchy's
words on every row, as Power BI and Excel want them.

Each row says what the report's row for the same programme and quarter shows
(actions.queries.report_tables and _action_row): the update written for that quarter, if any,
and the status as last reported on or before it, "carried forward" when that was an earlier
quarter's. Without ``period``, each programme's row is for its latest reported quarter
(actions.queries.latest_reported_period), as the report opens on.

Three queries a page whatever its size: the count, the rows (hierarchy and lead joined; the
quarter's update and the status as subqueries), and the delegates; without ``period``, one
more first for each programme's latest reported quarter.
"""

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from rest_framework import serializers

from actions.api.parameters import (
    NO_SUCH_PERIOD,
    Pattern,
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
from careprog.fields import ReportingPeriodField
from careprog.periods import ReportingPeriod

_PROGRAMME = "mechanism__requirement__objective__programme"
_OBJECTIVE = "mechanism__requirement__objective"
_PROGRAMME_DOTS = "mechanism.requirement.objective.programme"
_OBJECTIVE_DOTS = "mechanism.requirement.objective"


def _latest_reported_periods(programme: str | None):
    """actions.queries.latest_reported_period of each programme (or of the one ``programme``
    names), read in one query and given to each action as a constant by its programme: the
    rows' subqueries then compare with a value rather than each repeat that search. None when
    no programme matches."""
    latest = (
        Update.objects.filter(
            **{
                f"action__{_PROGRAMME}": OuterRef("pk"),
                "period__gte": OuterRef("first_period"),
                "period__lte": OuterRef("last_period"),
            }
        )
        .order_by("-period")
        .values("period")[:1]
    )
    programmes = Programme.objects.annotate(latest=Subquery(latest)).order_by("pk")
    if programme is not None:
        programmes = programmes.filter(slug=programme)
    field = ReportingPeriodField()
    whens = [
        When(
            **{f"{_PROGRAMME}__pk": each.pk},
            then=Value(each.latest or each.current_period(), output_field=field),
        )
        for each in programmes
    ]
    return Case(*whens, output_field=field) if whens else None


def _objective_number():
    """The objective's place among its programme's live objectives, from 1, as the report
    orders them (position, then pk)."""
    before = Objective.objects.live().filter(
        Q(position__lt=OuterRef(f"{_OBJECTIVE}__position"))
        | Q(position=OuterRef(f"{_OBJECTIVE}__position"), pk__lte=OuterRef(_OBJECTIVE)),
        programme=OuterRef(_PROGRAMME),
    )
    counted = before.order_by().values("programme").annotate(n=Count("pk")).values("n")
    return Subquery(counted[:1])


def report_rows(
    *,
    programme: str | None = None,
    period: ReportingPeriod | None = None,
    status: str | None = None,
    lead: str | None = None,
    changed_since=None,
) -> QuerySet[Action]:
    """The live actions as the report's rows, in programme order (programme name, then the
    report's order), each annotated with ``report_period``, ``objective_number``,
    ``status_now`` and ``status_period`` (as last reported on or before the quarter) and the
    quarter's ``update_text``, ``update_reason`` and ``update_next_step`` (None without an
    update for it). A ``period`` outside a programme's quarters leaves that programme out.
    One query for the rows, one more for the delegates, and without ``period`` one before
    them for each programme's latest reported quarter."""
    rows = Action.objects.live().select_related(_PROGRAMME, "lead")
    if programme is not None:
        rows = rows.filter(**{f"{_PROGRAMME}__slug": programme})
    if period is None:
        latest = _latest_reported_periods(programme)
        if latest is None:
            return rows.none()
        rows = rows.annotate(report_period=latest)
    else:
        rows = rows.filter(
            **{
                f"{_PROGRAMME}__first_period__lte": period,
                f"{_PROGRAMME}__last_period__gte": period,
            }
        ).annotate(report_period=Value(period, output_field=ReportingPeriodField()))
    to_period = Update.objects.filter(
        action=OuterRef("pk"), period__lte=OuterRef("report_period")
    ).order_by("-period")
    in_period = Update.objects.filter(action=OuterRef("pk"), period=OuterRef("report_period"))
    rows = rows.annotate(
        objective_number=_objective_number(),
        status_period=Subquery(to_period.values("period")[:1]),
        status_now=Coalesce(
            Subquery(to_period.values("status")[:1]),
            Value(Status.NOT_ASSESSED),
            output_field=CharField(),
        ),
        has_update=Exists(in_period),
        update_text=Subquery(in_period.values("text")[:1]),
        update_reason=Subquery(in_period.values("reason")[:1]),
        update_next_step=Subquery(in_period.values("next_step")[:1]),
    )
    if status is not None:
        rows = rows.filter(status_now=status)
    if lead is not None:
        rows = rows.filter(lead__username=lead)
    if changed_since is not None:
        rows = rows.filter(changed_after(changed_since))
    people = get_user_model().objects.order_by("first_name", "last_name", "username", "pk")
    return rows.prefetch_related(Prefetch("delegates", queryset=people)).in_programme_order()


def changed_after(moment) -> Q:
    """Actions whose own record, updates (written, changed or deleted) or any part of the
    hierarchy above them changed after ``moment``, as their history tables record it (a
    change of delegates in the app saves the action too, its reason naming them:
    actions.structure.save_action)."""

    def changed(model, field="id"):
        return model.history.filter(history_date__gt=moment).values(field)

    return (
        Q(pk__in=changed(Action))
        | Q(pk__in=changed(Update, "action_id"))
        | Q(pk__in=Update.objects.filter(updated_at__gt=moment).values("action_id"))
        | Q(mechanism__in=changed(Mechanism))
        | Q(mechanism__requirement__in=changed(Requirement))
        | Q(**{f"{_OBJECTIVE}__in": changed(Objective)})
        | Q(**{f"{_PROGRAMME}__in": changed(Programme)})
    )


class ActionRow(serializers.Serializer):
    programme = serializers.CharField(source=f"{_PROGRAMME_DOTS}.slug", help_text="Its slug")
    programme_name = serializers.CharField(
        source=f"{_PROGRAMME_DOTS}.name", help_text="As its committee papers name it"
    )
    objective_number = serializers.IntegerField(
        help_text="The objective's place in the report, from 1"
    )
    objective_title = serializers.CharField(
        source=f"{_OBJECTIVE_DOTS}.title", help_text="The objective's heading in the report"
    )
    objective_statement = serializers.CharField(
        source=f"{_OBJECTIVE_DOTS}.statement", help_text="What the report's first column says"
    )
    requirement = serializers.CharField(
        source="mechanism.requirement.text", help_text="What we need (the report's second column)"
    )
    mechanism = serializers.CharField(
        source="mechanism.text", help_text="How we will make that happen (the third column)"
    )
    action_id = serializers.IntegerField(
        source="pk", help_text="The action's number in careprog (/api/updates/?action=)"
    )
    action = serializers.SerializerMethodField(
        help_text=f"What we need to do; “{UNTITLED_ACTION}” where the table has no text"
    )
    lead = serializers.SerializerMethodField(help_text="Full name, or null with no lead")
    lead_username = serializers.CharField(
        source="lead.username", allow_null=True, default=None, help_text="The lead filter's value"
    )
    delegates = serializers.SerializerMethodField(help_text="Names joined by “; ”")
    due_date = serializers.DateField(allow_null=True, help_text="When it is due, or null")
    period = serializers.CharField(
        source="report_period.slug", help_text="The quarter, e.g. 2024-25-q3"
    )
    status = serializers.ChoiceField(
        choices=Status.choices,
        source="status_now",
        help_text="As last reported on or before the quarter; not_assessed if never",
    )
    status_label = serializers.SerializerMethodField(help_text="The status in words")
    status_period = serializers.CharField(
        source="status_period.slug",
        allow_null=True,
        default=None,
        help_text="The quarter the status was reported for, or null if never",
    )
    status_carried_forward = serializers.SerializerMethodField(
        help_text="True when the status is an earlier quarter's: no update for this one"
    )
    update = serializers.CharField(
        source="update_text", allow_null=True, help_text="That quarter's update, or null"
    )
    reason = serializers.CharField(
        source="update_reason",
        allow_null=True,
        help_text="Why at risk or off track (null: no update)",
    )
    next_step = serializers.CharField(
        source="update_next_step", allow_null=True, help_text="What happens next (null: no update)"
    )
    url = serializers.SerializerMethodField(help_text="The action's page in careprog")

    def get_action(self, action) -> str:
        return action.title or UNTITLED_ACTION

    def get_lead(self, action) -> str | None:
        return person_name(action.lead)

    def get_delegates(self, action) -> str:
        return "; ".join(person_name(person) for person in action.delegates.all())

    def get_status_label(self, action) -> str:
        return Status(action.status_now).label

    def get_status_carried_forward(self, action) -> bool:
        return not action.has_update and action.status_period is not None

    def get_url(self, action) -> str:
        return self.context["request"].build_absolute_uri(action.get_absolute_url())


class ActionParameters(serializers.Serializer):
    programme = programme_slug()
    period = PeriodParameter(
        help_text="The quarter, e.g. 2024-25-q3 (default: each programme's latest reported); "
        "a quarter outside a programme's leaves it out"
    )
    status = serializers.ChoiceField(
        choices=Status.choices, required=False, help_text="Only actions in this status then"
    )
    lead = Pattern(
        r"^[A-Za-z0-9_.@+-]+$",
        max_length=150,
        help_text="Only actions this person leads (username)",
    )
    changed_since = changed_since("actions whose record, updates or hierarchy")


class ActionList(ReadList):
    """Every live action as the committee report's row, by programme name, then in the
    report's order."""

    serializer_class = ActionRow
    parameters = ActionParameters

    def rows(self, parameters):
        if parameters.get("period") is NO_SUCH_PERIOD:
            return Action.objects.none()
        return report_rows(**parameters)
