"""/api/risks/: the risk register, flat, one row per risk, with its scores, the policy's bands
for them, its latest review and its mitigating actions. Every role reads the register
(actions.permissions.READ_RISKS_PERMISSION).

The bands are the council's policy (RiskBand, kept in admin): each score's band is the first,
lowest first, that holds it, as actions.models.band_for chooses, here in SQL so that the band
filter pages like every other.

Three queries a page whatever its size: the count, the rows (programme and owner joined; the
bands and the latest review as subqueries) and the mitigating actions.
"""

from django.db.models import F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Length
from django.utils import timezone
from rest_framework import serializers
from rest_framework.permissions import BasePermission

from actions.api.parameters import Pattern, changed_since, person_name, programme_slug
from actions.models import Action, Direction, Risk, RiskBand, RiskReview, RiskStatus, direction
from actions.permissions import READ_RISKS_PERMISSION
from actions.risks.queries import _with_direction
from careprog.api.views import ReadList


class MayReadRisks(BasePermission):
    message = "Your role does not read the risk register."

    def has_permission(self, request, view):
        return bool(request.user and request.user.has_perm(READ_RISKS_PERMISSION))


def _band_of(score) -> Subquery:
    """band_for(score, bands()) in SQL: the name of the first band holding ``score``."""
    holding = RiskBand.objects.filter(lowest__lte=score, highest__gte=score)
    return Subquery(holding.order_by("position", "lowest", "pk").values("name")[:1])


def register_rows(*, programme=None, status=None, band=None, changed_since=None):
    """Every programme's register, by programme name, then reference as numbered when
    references share a prefix (R2 before R10), each risk with ``band`` (residual),
    ``inherent_band``, ``target_band``, ``last_reviewed`` and its latest review's scores
    (actions.risks.queries._with_direction). One query, and one for the mitigating actions."""
    latest = RiskReview.objects.filter(risk=OuterRef("pk")).order_by("-reviewed_at", "-pk")
    risks = _with_direction(
        Risk.objects.select_related("programme", "owner").annotate(
            residual=F("residual_likelihood") * F("residual_impact"),
            inherent=F("inherent_likelihood") * F("inherent_impact"),
        )
    ).annotate(
        band=_band_of(OuterRef("residual")),
        inherent_band=_band_of(OuterRef("inherent")),
        target_band=_band_of(OuterRef("target_score")),
        last_reviewed=Subquery(latest.values("reviewed_at")[:1]),
    )
    if programme is not None:
        risks = risks.filter(programme__slug=programme)
    if status is not None:
        risks = risks.filter(status=status)
    if band is not None:
        risks = risks.filter(band=band)
    if changed_since is not None:
        risks = risks.filter(
            Q(pk__in=Risk.history.filter(history_date__gt=changed_since).values("id"))
            | Q(pk__in=RiskReview.history.filter(history_date__gt=changed_since).values("risk_id"))
        )
    actions = Action.objects.order_by("pk").only("pk")
    return risks.prefetch_related(Prefetch("mitigating_actions", queryset=actions)).order_by(
        "programme__name", "programme__pk", Length("reference"), "reference", "pk"
    )


class RiskRow(serializers.Serializer):
    programme = serializers.CharField(source="programme.slug", help_text="Its slug")
    reference = serializers.CharField(help_text="As the register numbers it, e.g. R1")
    risk = serializers.CharField(source="title", help_text="The risk, in a line")
    cause = serializers.CharField(help_text="What could cause it")
    consequence = serializers.CharField(help_text="What would follow")
    owner = serializers.SerializerMethodField(help_text="Full name, or null with no owner")
    owner_username = serializers.CharField(
        source="owner.username", allow_null=True, default=None, help_text="Null: no owner"
    )
    inherent_likelihood = serializers.IntegerField(help_text="1 to 5, before controls")
    inherent_impact = serializers.IntegerField(help_text="1 to 5, before controls")
    inherent_score = serializers.IntegerField(
        source="inherent", help_text="Likelihood × impact before controls"
    )
    inherent_band = serializers.CharField(allow_null=True, help_text="Null: no band holds it")
    residual_likelihood = serializers.IntegerField(help_text="1 to 5, now")
    residual_impact = serializers.IntegerField(help_text="1 to 5, now")
    residual_score = serializers.IntegerField(
        source="residual", help_text="Likelihood × impact now"
    )
    band = serializers.CharField(
        allow_null=True, help_text="The residual score's band; null: no band holds it"
    )
    target_score = serializers.IntegerField(help_text="Where the council wants the score")
    target_band = serializers.CharField(
        allow_null=True, help_text="The target's band; null: no band holds it"
    )
    controls = serializers.CharField(help_text="What is in place to control it")
    status = serializers.ChoiceField(choices=RiskStatus.choices)
    status_label = serializers.CharField(
        source="get_status_display", help_text="The status in words"
    )
    review_date = serializers.DateField(help_text="When the next review is due")
    review_overdue = serializers.SerializerMethodField(
        help_text="Its review date has passed and it is not closed"
    )
    last_reviewed = serializers.DateTimeField(allow_null=True, help_text="Null: never reviewed")
    direction = serializers.SerializerMethodField(
        help_text="Since the review before the latest: improving, no-change or worsening; null "
        "until reviewed"
    )
    mitigating_actions = serializers.SerializerMethodField(
        help_text="The action_ids of the actions that mitigate it, joined by “; ”"
    )
    url = serializers.SerializerMethodField(help_text="The risk's page in careprog")

    def get_owner(self, risk) -> str | None:
        return person_name(risk.owner)

    def get_review_overdue(self, risk) -> bool:
        return risk.review_overdue(self.context.setdefault("today", timezone.localdate()))

    def get_direction(self, risk) -> Direction | None:
        if risk.last_review_score is None:
            return None
        found = direction(risk.last_previous_score, risk.last_review_score)
        return None if found is None else found.value

    def get_mitigating_actions(self, risk) -> str:
        return "; ".join(str(action.pk) for action in risk.mitigating_actions.all())

    def get_url(self, risk) -> str:
        return self.context["request"].build_absolute_uri(risk.get_absolute_url())


class RiskParameters(serializers.Serializer):
    programme = programme_slug()
    status = serializers.ChoiceField(choices=RiskStatus.choices, required=False)
    band = Pattern(
        r"^[^\x00-\x1f\x7f]+$",
        max_length=50,
        help_text="Only risks whose residual score is in this band (its name)",
    )
    changed_since = changed_since("risks whose entry or reviews")


class RiskList(ReadList):
    """Every programme's risk register, by programme name, then reference."""

    serializer_class = RiskRow
    parameters = RiskParameters
    permission_classes = [*ReadList.permission_classes, MayReadRisks]

    def rows(self, parameters):
        return register_rows(**parameters)
