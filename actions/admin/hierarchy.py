"""Django admin for the programme hierarchy, under the app's own rules.

- Writes need the manage permission (Programme administrators); staff without it, such as an
  officer given staff status, see admin read-only. Officers write updates in the app, where
  permissions.can_update checks the action.
- Every action and update form carries the version it was opened on; a save after someone
  else's is refused (409), showing what is stored now beside what was submitted, and saves
  nothing, the action's inlines included, as the app's update form does.
- An action's status, reason and next step are read-only: they are rolled up from its latest
  update (Action.roll_up), on every write of an update, admin's included.
- Objectives, requirements, mechanisms and actions are deleted only when nothing records them
  (actions.structure.why_not_deletable), one at a time on their own page; otherwise they are
  retired on the programme's structure page. ``retired_at`` is shown, read-only.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.forms.models import BaseInlineFormSet

from actions.models import (
    ROLLED_UP_FIELDS,
    Abbreviation,
    Action,
    Mechanism,
    Objective,
    Programme,
    Requirement,
    Update,
)
from actions.permissions import MANAGE_PERMISSION
from actions.structure import why_not_deletable
from careprog import admin as careprog_admin

STALE = "stale"


class VersionedForm(forms.ModelForm):
    """An admin form for an Action or an Update that refuses to save over a newer version.

    ``seen_version`` is the version the page was opened on. clean() reads the stored one
    under a row lock (the action first, as services.record_update takes them, so the two
    queue rather than deadlock), held until admin's transaction ends. On a mismatch the form
    is invalid, so admin saves nothing, and its errors list each field it would have
    overwritten with both values. The re-rendered form then carries the stored version:
    saving again is a deliberate choice to replace what is stored, as the app's "Save my
    update again" is.
    """

    seen_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stale = False
        self.fields["seen_version"].initial = self.instance.version if self._saved() else 0

    def _saved(self) -> bool:
        return self.instance.pk is not None and not self.instance._state.adding

    def clean(self):
        cleaned = super().clean()
        if self._saved():
            stored = self._locked_stored_version()
            if stored is None or stored != cleaned.get("seen_version"):
                self._refuse(stored, self.data.get(self.add_prefix("seen_version")))
        return cleaned

    def _locked_stored_version(self) -> int | None:
        instance = self.instance
        if isinstance(instance, Action):
            return _locked_version(Action, instance.pk)
        _locked_version(Action, instance.action_id)
        return _locked_version(Update, instance.pk)

    def _refuse(self, stored: int | None, seen) -> None:
        self.stale = True
        name = self.instance._meta.verbose_name
        if stored is None:
            raise ValidationError(
                f"This {name} has been deleted since you opened this page, so nothing has "
                "been saved.",
                code=STALE,
            )
        errors = [
            ValidationError(
                "Someone else saved this %(name)s after you opened this page (you opened "
                "version %(seen)s; version %(stored)s is stored now), so nothing has been saved.",
                code=STALE,
                params={"name": name, "seen": seen or "unknown", "stored": stored},
            )
        ]
        for field_name in self.changed_data:
            try:
                model_field = self.instance._meta.get_field(field_name)
            except FieldDoesNotExist:
                continue  # seen_version, and an inline row's DELETE box
            errors.append(
                ValidationError(
                    "%(field)s: stored now “%(stored)s”; you submitted “%(submitted)s”.",
                    code=STALE,
                    params={
                        "field": self.fields[field_name].label,
                        "stored": _shown(model_field, _stored_value(self.instance, model_field)),
                        "submitted": _shown(model_field, self._submitted(field_name)),
                    },
                )
            )
        errors.append(
            ValidationError(
                "Open the page again to start from what is stored now, or save again to "
                "replace it with what you submitted.",
                code=STALE,
            )
        )
        self.data = self.data.copy()
        self.data[self.add_prefix("seen_version")] = stored
        raise ValidationError(errors)

    def _submitted(self, field_name):
        if field_name in self.cleaned_data:
            return self.cleaned_data[field_name]
        return self[field_name].data


def _locked_version(model, pk) -> int | None:
    return model.objects.select_for_update().filter(pk=pk).values_list("version", flat=True).first()


def _stored_value(instance, model_field):
    value = getattr(instance, model_field.name)
    return list(value.all()) if model_field.many_to_many else value


def _shown(model_field, value) -> str:
    """A value as admin would show it: a choice's label, related rows by name."""
    if model_field.choices:
        value = dict(model_field.flatchoices).get(value, value)
    if model_field.many_to_many:
        value = ", ".join(sorted(str(item) for item in value or []))
    return "(empty)" if value in (None, "") else str(value)


class VersionedFormSet(BaseInlineFormSet):
    """Inline rows are VersionedForms. A stale row marked for deletion refuses the whole
    save too: Django drops the errors of rows it is about to delete."""

    def clean(self):
        super().clean()
        self.stale = any(
            getattr(form, "stale", False) for form in self.forms if self._should_delete_form(form)
        )
        if self.stale:
            raise ValidationError(
                "A row you marked for deletion was saved by someone else after you opened "
                "this page, so nothing has been saved: see that row below.",
                code=STALE,
            )


ManagedAdmin, ManagedHistoryAdmin, ManagedInline = careprog_admin.managed_bases(MANAGE_PERMISSION)


class VersionChecked:
    """Mixin for the Action and Update admins. Reverting from history is off: it would
    write back the old row's version number and, for an action, a status its updates do
    not say."""

    form = VersionedForm

    def revert_disabled(self, request, obj=None):
        return True


class NoRevert:
    """Mixin for the programme, objective, requirement and mechanism admins: their history
    is read here, never reverted, since a revert would write back an old version number
    (the app's structure pages refuse saves by it, actions/structure.py)."""

    def revert_disabled(self, request, obj=None):
        return True


class DeletedOnlyWhenUnrecorded:
    """Mixin for the objective, requirement, mechanism and action admins: the app's rule for
    deleting (actions.structure.why_not_deletable): a part with updates, carried on, or that
    may appear in a published paper is retired, never deleted. No bulk delete, which would
    not ask each part."""

    def has_delete_permission(self, request, obj=None):
        if obj is not None and why_not_deletable(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class ObjectiveInline(ManagedInline, admin.StackedInline):
    model = Objective
    extra = 0
    fields = ["position", "title", "statement"]
    show_change_link = True
    can_delete = False  # each part's own page applies DeletedOnlyWhenUnrecorded


class RequirementInline(ManagedInline, admin.TabularInline):
    model = Requirement
    extra = 0
    fields = ["position", "text"]
    show_change_link = True
    can_delete = False  # each part's own page applies DeletedOnlyWhenUnrecorded


class MechanismInline(ManagedInline, admin.TabularInline):
    model = Mechanism
    extra = 0
    fields = ["position", "text"]
    show_change_link = True
    can_delete = False  # each part's own page applies DeletedOnlyWhenUnrecorded


# An action's status, reason and next step are rolled up from its latest update
# (Action.roll_up), never typed: administrators change them by editing the update.
ROLLED_UP = list(ROLLED_UP_FIELDS)


class ActionInline(ManagedInline, admin.TabularInline):
    model = Action
    form = VersionedForm
    formset = VersionedFormSet
    extra = 0
    fields = ["position", "title", "lead", "due_date", "status", "seen_version"]
    readonly_fields = ["status"]
    show_change_link = True
    can_delete = False  # each part's own page applies DeletedOnlyWhenUnrecorded


class UpdateInline(ManagedInline, admin.StackedInline):
    """Saving or deleting an update here rolls the action up after the action's own form is
    saved; the rolled-up fields are read-only, so that form never writes them back."""

    model = Update
    form = VersionedForm
    formset = VersionedFormSet
    extra = 0
    fields = [
        "period",
        "status",
        "text",
        "reason",
        "next_step",
        "author",
        "source",
        "seen_version",
    ]
    ordering = ["-period"]


@admin.register(Abbreviation)
class AbbreviationAdmin(ManagedAdmin):
    list_display = ["abbreviation", "expansion", "source"]
    search_fields = ["abbreviation", "expansion"]


@admin.register(Programme)
class ProgrammeAdmin(NoRevert, ManagedHistoryAdmin):
    list_display = ["name", "slug", "first_period", "last_period"]
    prepopulated_fields = {"slug": ["name"]}
    # Who is emailed its published papers; each reader also chooses on the papers page.
    filter_horizontal = ["subscribers"]
    inlines = [ObjectiveInline]


@admin.register(Objective)
class ObjectiveAdmin(DeletedOnlyWhenUnrecorded, NoRevert, ManagedHistoryAdmin):
    list_display = ["title", "programme", "position", "retired_at"]
    readonly_fields = ["retired_at"]
    list_filter = ["programme"]
    list_select_related = ["programme"]
    filter_horizontal = ["kpis"]
    inlines = [RequirementInline]


@admin.register(Requirement)
class RequirementAdmin(DeletedOnlyWhenUnrecorded, NoRevert, ManagedHistoryAdmin):
    list_display = ["text", "objective", "position", "retired_at"]
    readonly_fields = ["retired_at"]
    list_filter = ["objective__programme"]
    list_select_related = ["objective"]
    search_fields = ["text"]
    inlines = [MechanismInline]


@admin.register(Mechanism)
class MechanismAdmin(DeletedOnlyWhenUnrecorded, NoRevert, ManagedHistoryAdmin):
    list_display = ["text", "requirement", "position", "retired_at"]
    readonly_fields = ["retired_at"]
    list_filter = ["requirement__objective__programme"]
    list_select_related = ["requirement"]
    search_fields = ["text"]
    inlines = [ActionInline]


@admin.register(Action)
class ActionAdmin(DeletedOnlyWhenUnrecorded, VersionChecked, ManagedHistoryAdmin):
    list_display = ["__str__", "lead", "due_date", "status", "mechanism", "retired_at"]
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
        "retired_at",
        "seen_version",
    ]
    readonly_fields = [*ROLLED_UP, "retired_at"]
    autocomplete_fields = ["mechanism"]
    filter_horizontal = ["delegates"]
    history_list_display = ["status", "lead"]
    inlines = [UpdateInline]


@admin.register(Update)
class UpdateAdmin(VersionChecked, ManagedHistoryAdmin):
    list_display = ["action", "period", "status", "author", "updated_at"]
    list_filter = ["period", "status"]
    list_select_related = ["action", "author"]
    search_fields = ["text", "action__title"]
    raw_id_fields = ["action"]
    fields = [
        "action",
        "period",
        "text",
        "status",
        "reason",
        "next_step",
        "author",
        "source",
        "created_at",
        "seen_version",
    ]
