"""Django admin for the KPI catalogue: writes need the catalogue's manage permission
(kpis.permissions.MANAGE_PERMISSION), so staff without it see the catalogue read-only.
Which objectives a measure evidences is set on the objective (actions' admin): the catalogue
knows no programme."""

from django.contrib import admin

from careprog import admin as careprog_admin
from kpis.models import KPI, ComparatorValue, KPIEntry, KPIGroup, KPITarget, KPIValue
from kpis.permissions import MANAGE_PERMISSION

ManagedAdmin, ManagedHistoryAdmin, ManagedInline = careprog_admin.managed_bases(MANAGE_PERMISSION)


class KPIInline(ManagedInline, admin.TabularInline):
    model = KPI
    extra = 0
    fields = ["position", "code", "name", "unit", "polarity", "frequency"]
    show_change_link = True


@admin.register(KPIGroup)
class KPIGroupAdmin(ManagedAdmin):
    list_display = ["name", "position"]
    inlines = [KPIInline]


class KPITargetInline(ManagedInline, admin.TabularInline):
    model = KPITarget
    extra = 0


@admin.register(KPI)
class KPIAdmin(ManagedHistoryAdmin):
    list_display = ["code", "name", "group", "owned_by", "due_working_day", "frequency"]
    list_filter = ["group", "unit", "polarity", "frequency"]
    list_select_related = ["group", "owned_by"]
    search_fields = ["code", "name"]
    filter_horizontal = ["delegates"]
    inlines = [KPITargetInline]


FIGURES_READ_ONLY = (
    "Figures are read-only here, for everyone: a figure committee members read was approved by "
    "someone other than whoever supplied it, and a change here would have no second approver. "
    "To correct a figure, its owner enters the corrected figure on the measure's page (Enter a "
    "figure), and a head of service or another administrator approves it; an import's figures "
    "are taken back by undoing the import (Import history)."
)


@admin.register(KPIValue)
class KPIValueAdmin(ManagedHistoryAdmin):
    """Read-only for everyone, superusers included: only approval (kpis/approval.py) writes a
    figure, so that no one changes one without a second person (FIGURES_READ_ONLY)."""

    list_display = ["kpi", "period_end", "value", "origin", "source"]
    list_filter = ["origin", "kpi__group"]
    list_select_related = ["kpi"]
    search_fields = ["kpi__code", "kpi__name", "source"]
    date_hierarchy = "period_end"
    raw_id_fields = ["kpi"]
    actions = None  # "delete selected" included

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def revert_disabled(self, request, obj=None):
        return True

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "figures_read_only": FIGURES_READ_ONLY}
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "figures_read_only": FIGURES_READ_ONLY}
        return super().changeform_view(request, object_id, form_url, extra_context)


@admin.register(KPITarget)
class KPITargetAdmin(ManagedHistoryAdmin):
    list_display = [
        "kpi",
        "financial_year",
        "value",
        "amber_tolerance",
        "tolerance_kind",
        "standing",
        "agreed_by",
        "agreed_on",
    ]
    list_filter = ["origin"]
    list_select_related = ["kpi"]
    fieldsets = [
        (None, {"fields": ["kpi", "financial_year", "value", "amber_tolerance", "tolerance_kind"]}),
        (
            "Standing",
            {
                "fields": ["origin", "agreed_by", "agreed_on", "agreed_where", "note"],
                "description": "An agreed target rates real figures; an illustrative one never "
                "does. Record who agreed it, when and where.",
            },
        ),
    ]
    raw_id_fields = ["kpi"]


@admin.register(ComparatorValue)
class ComparatorValueAdmin(ManagedAdmin):
    list_display = ["kpi", "comparator", "period_end", "value", "origin"]
    list_filter = ["comparator", "origin"]
    list_select_related = ["kpi"]
    raw_id_fields = ["kpi"]


@admin.register(KPIEntry)
class KPIEntryAdmin(ManagedHistoryAdmin):
    """Read-only: an entry is approved or returned only through kpis/approval.py, which
    writes the approved figure and its history together."""

    list_display = ["kpi", "period_end", "value", "state", "entered_by", "entered_at"]
    list_filter = ["state"]
    list_select_related = ["kpi", "entered_by"]
    search_fields = ["kpi__code", "kpi__name"]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
