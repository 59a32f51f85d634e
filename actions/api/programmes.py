"""/api/programmes/: every programme, with the committee it reports to and its quarters.

Two queries a page (the count and the rows, the committee and carried-from joined)."""

from rest_framework import serializers

from actions.models import Programme
from careprog.api.views import ReadList


class ProgrammeRow(serializers.ModelSerializer):
    first_period = serializers.CharField(
        source="first_period.slug", help_text="Its first quarter, e.g. 2024-25-q1"
    )
    last_period = serializers.CharField(
        source="last_period.slug", help_text="Its last quarter, e.g. 2024-25-q4"
    )
    committee = serializers.CharField(
        source="committee.name", allow_null=True, default=None, help_text="Where its papers go"
    )
    carried_from = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text="Last year's programme, by its slug",
    )
    url = serializers.SerializerMethodField(help_text="Its page in careprog")

    class Meta:
        model = Programme
        extra_kwargs = {
            "slug": {"help_text": "Its short name in careprog's addresses and this API's filters"},
            "name": {"help_text": "As its committee papers name it"},
            "description": {"help_text": "What it is for, in the council's words"},
        }
        fields = [
            "slug",
            "name",
            "description",
            "first_period",
            "last_period",
            "committee",
            "carried_from",
            "url",
        ]

    def get_url(self, programme) -> str:
        return self.context["request"].build_absolute_uri(programme.get_absolute_url())


class ProgrammeParameters(serializers.Serializer):
    changed_since = serializers.DateTimeField(
        required=False, help_text="Only programmes changed after this moment (ISO 8601)"
    )


class ProgrammeList(ReadList):
    """Every programme, by name."""

    serializer_class = ProgrammeRow
    parameters = ProgrammeParameters

    def rows(self, parameters):
        rows = Programme.objects.select_related("committee", "carried_from").order_by("name", "pk")
        if "changed_since" in parameters:
            changed = Programme.history.filter(history_date__gt=parameters["changed_since"])
            rows = rows.filter(pk__in=changed.values("id"))
        return rows
