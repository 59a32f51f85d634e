from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from actions.models import (
    ROLLED_UP_FIELDS,
    Action,
    Mechanism,
    Objective,
    Programme,
    Requirement,
    Update,
)


class ObjectiveInline(admin.StackedInline):
    model = Objective
    extra = 0
    fields = ["position", "title", "statement"]
    show_change_link = True


class RequirementInline(admin.TabularInline):
    model = Requirement
    extra = 0
    fields = ["position", "text"]
    show_change_link = True


class MechanismInline(admin.TabularInline):
    model = Mechanism
    extra = 0
    fields = ["position", "text"]
    show_change_link = True


# An action's status, reason and next step are rolled up from its latest update
# (Action.roll_up), never typed: administrators change them by editing the update.
ROLLED_UP = list(ROLLED_UP_FIELDS)


class ActionInline(admin.TabularInline):
    model = Action
    extra = 0
    fields = ["position", "title", "lead", "due_date", "status"]
    readonly_fields = ["status"]
    show_change_link = True


class UpdateInline(admin.StackedInline):
    """Saving or deleting an update here rolls the action up after the action's own form is
    saved; the rolled-up fields are read-only, so that form never writes them back."""

    model = Update
    extra = 0
    fields = ["period", "status", "text", "reason", "next_step", "author", "source"]
    ordering = ["-period"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "first_period", "last_period"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ObjectiveInline]


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ["title", "programme", "position"]
    list_filter = ["programme"]
    list_select_related = ["programme"]
    inlines = [RequirementInline]


@admin.register(Requirement)
class RequirementAdmin(admin.ModelAdmin):
    list_display = ["text", "objective", "position"]
    list_filter = ["objective__programme"]
    list_select_related = ["objective"]
    search_fields = ["text"]
    inlines = [MechanismInline]


@admin.register(Mechanism)
class MechanismAdmin(admin.ModelAdmin):
    list_display = ["text", "requirement", "position"]
    list_filter = ["requirement__objective__programme"]
    list_select_related = ["requirement"]
    search_fields = ["text"]
    inlines = [ActionInline]


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "lead", "due_date", "status", "mechanism"]
    list_filter = ["status", "mechanism__requirement__objective__programme", "lead"]
    list_select_related = ["mechanism", "lead"]
    search_fields = ["title"]
    fields = [
        "mechanism",
        "position",
        "title",
        "lead",
        "delegates",
        "due_date",
        *ROLLED_UP,
    ]
    readonly_fields = ROLLED_UP
    autocomplete_fields = ["mechanism"]
    filter_horizontal = ["delegates"]
    history_list_display = ["status", "lead"]
    inlines = [UpdateInline]


@admin.register(Update)
class UpdateAdmin(SimpleHistoryAdmin):
    list_display = ["action", "period", "status", "author", "updated_at"]
    list_filter = ["period", "status"]
    list_select_related = ["action", "author"]
    search_fields = ["text", "action__title"]
    raw_id_fields = ["action"]
