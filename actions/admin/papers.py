"""Django admin for committees, meetings and the paper template, which administrators keep;
papers themselves are drafted, signed off and published in the app, so admin shows them
read-only and never deletes a published one (it is the committee record), nor its locks."""

from django import forms
from django.contrib import admin

from actions.models import (
    Committee,
    Meeting,
    Paper,
    PaperEvent,
    PaperSection,
    PaperTemplate,
    QuarterLock,
    TemplateSection,
)
from actions.papers.forward_plan import move_problem
from actions.permissions import MANAGE_PERMISSION, can_read_drafts
from careprog.admin import GuardedQueries, WritesNeedPermission


class ManagedPaperAdmin(GuardedQueries, WritesNeedPermission, admin.ModelAdmin):
    write_permission = MANAGE_PERMISSION


class TemplateSectionInline(WritesNeedPermission, admin.TabularInline):
    write_permission = MANAGE_PERMISSION
    model = TemplateSection
    extra = 0
    fields = ["position", *TemplateSection.AUTHORED_FIELDS]


@admin.register(Committee)
class CommitteeAdmin(ManagedPaperAdmin):
    search_fields = ["name"]


class MeetingAdminForm(forms.ModelForm):
    """Admin keeps the forward plan's rules: a meeting with a published paper keeps its
    committee and date, and none moves before a draft's figures date."""

    class Meta:
        model = Meeting
        fields = ["committee", "date", "agenda_item"]

    def clean(self):
        data = super().clean()
        committee, date = data.get("committee"), data.get("date")
        if self.instance.pk is not None and committee is not None and date is not None:
            problem = move_problem(self.instance, committee=committee, date=date)
            if problem is not None:
                raise forms.ValidationError(problem.message)
        return data


@admin.register(Meeting)
class MeetingAdmin(ManagedPaperAdmin):
    form = MeetingAdminForm
    list_display = ["committee", "date", "agenda_item"]
    list_filter = ["committee"]
    date_hierarchy = "date"


@admin.register(PaperTemplate)
class PaperTemplateAdmin(ManagedPaperAdmin):
    inlines = [TemplateSectionInline]
    list_display = ["name", "title_block", "audience", "is_default"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PaperSectionInline(ReadOnlyInline):
    model = PaperSection
    fields = ["position", "heading", "numbered", "text"]
    readonly_fields = fields


class PaperEventInline(ReadOnlyInline):
    model = PaperEvent
    fields = ["step", "by", "by_name", "at", "comment"]
    readonly_fields = fields


@admin.register(Paper)
class PaperAdmin(ManagedPaperAdmin):
    """Read-only: papers change only through their sign-off in the app. A paper not yet
    published (and so its sections and timeline, shown inline) is listed and opened only for
    those the app lets read it (actions.permissions.can_read_drafts): a committee member
    given staff status finds no draft here, as the app answers 404."""

    list_display = ["title", "programme", "period", "meeting", "state"]
    list_filter = ["state", "programme"]
    inlines = [PaperSectionInline, PaperEventInline]
    exclude = ["snapshot"]
    actions = None  # "delete selected" would not ask has_delete_permission about each paper

    def get_queryset(self, request):
        papers = super().get_queryset(request)
        if can_read_drafts(request.user):
            return papers
        return papers.filter(state=Paper.State.PUBLISHED)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.is_published or obj.locks.exists()):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(QuarterLock)
class QuarterLockAdmin(ManagedPaperAdmin):
    """Read-only: publishing sets a lock and the app's reopen page records its reason."""

    list_display = ["programme", "period", "paper", "locked_at", "reopened_at", "reopened_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
