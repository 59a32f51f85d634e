"""Django admin for the risk register: the bands of the council's risk policy, which
administrators keep here; risks and their reviews read-only, since they are written in the
app (actions/risks/services.py), where a stale save is refused and a review records the score
it started from."""

from django import forms
from django.contrib import admin

from actions.admin.hierarchy import ManagedAdmin, ManagedHistoryAdmin, NoRevert
from actions.models import Risk, RiskBand, RiskReview


class RiskBandForm(forms.ModelForm):
    """Bands may not overlap: a score must fall in one band only."""

    class Meta:
        model = RiskBand
        fields = ["name", "lowest", "highest", "colour", "position"]

    def clean(self):
        data = super().clean()
        lowest, highest = data.get("lowest"), data.get("highest")
        if lowest is None or highest is None:
            return data
        if not 1 <= lowest <= highest <= 25:
            raise forms.ValidationError(
                "Scores run from 1 to 25, the lowest no higher than the highest", code="range"
            )
        overlapping = RiskBand.objects.filter(lowest__lte=highest, highest__gte=lowest).exclude(
            pk=self.instance.pk
        )
        band = overlapping.first()
        if band is not None:
            raise forms.ValidationError(
                f"Scores {lowest} to {highest} overlap the band {band}", code="overlap"
            )
        return data


@admin.register(RiskBand)
class RiskBandAdmin(ManagedAdmin):
    form = RiskBandForm
    list_display = ["name", "lowest", "highest", "colour", "position"]


class ReadOnly:
    actions = None

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Risk)
class RiskAdmin(ReadOnly, NoRevert, ManagedHistoryAdmin):
    list_display = ["reference", "title", "programme", "owner", "status", "review_date"]
    list_filter = ["programme", "status"]
    list_select_related = ["programme", "owner"]
    search_fields = ["reference", "title"]


@admin.register(RiskReview)
class RiskReviewAdmin(ReadOnly, NoRevert, ManagedHistoryAdmin):
    list_display = ["risk", "reviewed_at", "by", "status", "next_review_date"]
    list_select_related = ["risk", "by"]
    list_filter = ["status"]
