"""/api/kpis/: the catalogue, one row per measure, with its group's name on every row.

Two queries a page (the count and the rows, the owner and group joined)."""

from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated

from careprog.api.views import MayRead, ReadList
from kpis.api.values import MayReadFigures
from kpis.models import KPI


class KPIRow(serializers.ModelSerializer):
    group = serializers.CharField(source="group.name", help_text="The catalogue's heading")
    unit_label = serializers.CharField(source="get_unit_display", help_text="The unit in words")
    polarity_label = serializers.CharField(
        source="get_polarity_display", help_text="Which way is better, in words"
    )
    frequency_label = serializers.CharField(
        source="get_frequency_display", help_text="How often it is reported, in words"
    )
    measurement_label = serializers.CharField(
        source="get_measurement_display", help_text="What a period's figure counts, in words"
    )
    owned_by = serializers.SerializerMethodField(
        help_text="Who enters its figures in careprog (a person's full name), or null"
    )
    url = serializers.SerializerMethodField(help_text="Its page in careprog")

    class Meta:
        model = KPI
        extra_kwargs = {
            "definition": {"help_text": "What the measure counts, as the catalogue defines it"},
            "decimal_places": {"help_text": "Decimal places its figures are shown with"},
        }
        fields = [
            "code",
            "name",
            "group",
            "definition",
            "method",
            "unit",
            "unit_label",
            "decimal_places",
            "polarity",
            "polarity_label",
            "frequency",
            "frequency_label",
            "measurement",
            "measurement_label",
            "owner",
            "owned_by",
            "source",
            "benchmark_code",
            "url",
        ]

    def get_owned_by(self, kpi) -> str | None:
        return (kpi.owned_by.get_full_name() or kpi.owned_by.username) if kpi.owned_by else None

    def get_url(self, kpi) -> str:
        return self.context["request"].build_absolute_uri(kpi.get_absolute_url())


class KPIParameters(serializers.Serializer):
    group = serializers.CharField(
        required=False, max_length=200, help_text="Only this group's measures (its name)"
    )
    frequency = serializers.ChoiceField(choices=KPI.Frequency.choices, required=False)
    polarity = serializers.ChoiceField(choices=KPI.Polarity.choices, required=False)
    changed_since = serializers.DateTimeField(
        required=False,
        help_text="Only measures whose catalogue entry changed after this moment (ISO 8601)",
    )


class KPIList(ReadList):
    """The KPI catalogue, in the dashboard's order (group, then position)."""

    serializer_class = KPIRow
    parameters = KPIParameters
    permission_classes = [IsAuthenticated, MayRead, MayReadFigures]

    def rows(self, parameters):
        rows = KPI.objects.select_related("group", "owned_by").order_by(
            "group__position", "group__name", "position", "code", "pk"
        )
        if "group" in parameters:
            rows = rows.filter(group__name=parameters["group"])
        for field in ("frequency", "polarity"):
            if field in parameters:
                rows = rows.filter(**{field: parameters[field]})
        if "changed_since" in parameters:
            changed = KPI.history.filter(history_date__gt=parameters["changed_since"])
            rows = rows.filter(pk__in=changed.values("id"))
        return rows
