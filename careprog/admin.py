"""What every page of Django admin shares: query strings that cannot reach a 500, writes that
need a permission the subclass names, no revert from history without it, and a save refused as
stale (a form that marks itself ``stale``) answered 409 Conflict. ManagedAdmin,
ManagedHistoryAdmin and ManagedInline put these together; each app's admin names its own
``write_permission`` on them.

Also the council's one row for its public pages (PublicInformationAdmin).

Imports no app of ours. Django admin loads this module (careprog is an installed app) after
django.contrib.auth's and axes' admins, so it re-registers theirs with the same guards.
"""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from simple_history.admin import SimpleHistoryAdmin

from careprog.models import THE_ROW, OIDCIdentity, PublicInformation
from careprog.permissions import CHANGE_PUBLIC_INFORMATION
from careprog.queries import public_details


class GuardedChangeList(ChangeList):
    """Django's change list, refusing two query strings it lets through to a 500: a NUL
    character (PostgreSQL text cannot hold one, so the query fails when it runs) and a
    date-hierarchy year, month or day too large for a date (OverflowError, where Django
    catches only ValueError). Refused lookups get admin's own answer to a bad filter: a
    redirect to the unfiltered list with ``?e=1``."""

    def get_filters(self, request):
        if any("\x00" in key or "\x00" in value for key, value in _query_items(request)):
            raise IncorrectLookupParameters("A query string value holds a NUL character")
        try:
            return super().get_filters(request)
        except OverflowError as error:
            raise IncorrectLookupParameters(error) from error


def _query_items(request):
    for key, values in request.GET.lists():
        for value in values:
            yield key, value


class GuardedQueries:
    """Mixin for a ModelAdmin: its change list is GuardedChangeList."""

    def get_changelist(self, request, **kwargs):
        return GuardedChangeList


class WritesNeedPermission:
    """Mixin for a ModelAdmin or an inline: adding, changing and deleting also need
    ``write_permission``, whatever model permissions the user holds. Roles grant some of
    those for the app's own rules (an officer's ``change_update`` is checked there against
    the actions they lead), which admin would otherwise honour for every row."""

    write_permission: str

    def _may_write(self, request) -> bool:
        return request.user.has_perm(self.write_permission)

    def has_add_permission(self, request, *args):
        return self._may_write(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._may_write(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_write(request) and super().has_delete_permission(request, obj)


class GuardedRevert:
    """Mixin for a SimpleHistoryAdmin. django-simple-history's history form saves a POST
    from anyone who may view the history, even where it hides the Revert button
    (``revert_disabled``): refuse that POST here."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST" and self.revert_disabled(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class AnswersConflicts:
    """A change refused because a form or inline row was stale answers 409 Conflict, like
    the app's update form."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        response = super().changeform_view(request, object_id, form_url, extra_context)
        if request.method == "POST" and _refused_as_stale(response):
            response.status_code = 409
        return response


def _refused_as_stale(response) -> bool:
    context = getattr(response, "context_data", None) or {}
    forms_shown = [context["adminform"].form] if "adminform" in context else []
    for inline in context.get("inline_admin_formsets", []):
        forms_shown += [inline.formset, *inline.formset.forms]
    return any(getattr(form, "stale", False) for form in forms_shown)


class ManagedAdmin(AnswersConflicts, GuardedQueries, WritesNeedPermission, admin.ModelAdmin):
    """An app's ModelAdmin under every guard here; the app names its ``write_permission``."""


class ManagedHistoryAdmin(
    AnswersConflicts, GuardedRevert, GuardedQueries, WritesNeedPermission, SimpleHistoryAdmin
):
    """ManagedAdmin with django-simple-history's history pages."""


class ManagedInline(WritesNeedPermission):
    """An inline whose writes need the app's ``write_permission`` too."""


def managed_bases(write_permission: str) -> tuple[type, type, type]:
    """ManagedAdmin, ManagedHistoryAdmin and ManagedInline for an app whose admin writes need
    ``write_permission``: each app names its own, without repeating the three classes."""
    return tuple(
        type(base.__name__, (base,), {"write_permission": write_permission, "__module__": __name__})
        for base in (ManagedAdmin, ManagedHistoryAdmin, ManagedInline)
    )


# Django's and django-axes' own admins, with the same guard on their query strings.
for model, model_admin in [
    (User, UserAdmin),
    (Group, GroupAdmin),
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
]:
    if not admin.site.is_registered(model):
        continue  # AXES_ENABLE_ADMIN off
    admin.site.unregister(model)
    admin.site.register(model, type(model_admin.__name__, (GuardedQueries, model_admin), {}))


# The council's accessibility statement and privacy notice: one row, changed by whoever may
# change it (Programme administrators, superusers), never deleted (a blank field falls back
# to the settings and careprog's own words, so clearing a field is how to undo an entry).
class PublicInformationForm(forms.ModelForm):
    """Refuses to save over entries someone else saved after this page was opened (admin has
    no such check of its own), including a second "add" while another administrator's first
    was being written: the one row would be replaced. The refused form carries what is stored
    now, so saving it again is a deliberate choice to replace it."""

    seen = forms.CharField(widget=forms.HiddenInput, required=False)
    open_data_licence_url = forms.URLField(
        label="Open data licence's address",
        assume_scheme="https",
        initial=PublicInformation._meta.get_field("open_data_licence_url").default,
    )

    class Meta:
        model = PublicInformation
        fields = [
            "council_name",
            "contact_email",
            "contact_phone",
            "known_issues",
            "statement_reviewed",
            "dpo_email",
            "privacy_notice",
            "open_data_threshold",
            "open_data_licence",
            "open_data_licence_url",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stale = False
        self.fields["seen"].initial = _saved_at(self.instance.updated_at)

    def clean(self):
        cleaned = super().clean()
        stored = (
            PublicInformation.objects.select_for_update()
            .filter(pk=THE_ROW)
            .values_list("updated_at", flat=True)
            .first()
        )
        if _saved_at(stored) != (cleaned.get("seen") or ""):
            self.stale = True
            self.data = self.data.copy()
            self.data[self.add_prefix("seen")] = _saved_at(stored)
            raise ValidationError(
                "Someone else saved the accessibility statement and privacy notice after you "
                "opened this page, so nothing has been saved. Open the page again to start from "
                "what is stored now, or save again to replace it with what you submitted.",
                code="stale",
            )
        return cleaned


def _saved_at(moment) -> str:
    return moment.isoformat() if moment else ""


@admin.register(PublicInformation)
class PublicInformationAdmin(ManagedAdmin):
    write_permission = CHANGE_PUBLIC_INFORMATION
    form = PublicInformationForm
    actions = None  # "delete selected" included
    readonly_fields = ["updated_at"]
    fieldsets = [
        ("The council", {"fields": ["council_name", "contact_email", "contact_phone"]}),
        ("Accessibility statement", {"fields": ["known_issues", "statement_reviewed"]}),
        ("Privacy notice", {"fields": ["dpo_email", "privacy_notice", "updated_at"]}),
        (
            "Open data (docs/open-data.md)",
            {"fields": ["open_data_threshold", "open_data_licence", "open_data_licence_url"]},
        ),
        (None, {"fields": ["seen"]}),
    ]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not PublicInformation.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changeform_initial_data(self, request):
        """A first entry starts from the texts the pages show now, for the council to edit."""
        shown = public_details()
        return {
            "known_issues": shown.known_issues,
            "privacy_notice": shown.privacy_notice,
        }

    def changelist_view(self, request, extra_context=None):
        """There is one row: the list is the row's page, or the page that adds it."""
        if PublicInformation.objects.filter(pk=THE_ROW).exists():
            return redirect("admin:careprog_publicinformation_change", THE_ROW)
        if self.has_add_permission(request):
            return redirect("admin:careprog_publicinformation_add")
        return super().changelist_view(request, extra_context)


@admin.register(OIDCIdentity)
class OIDCIdentityAdmin(ManagedAdmin):
    """Who has signed in with the council's provider; an administrator links an account
    the provider could not vouch for by adding its subject here (docs/single-sign-on.md),
    and moves a sign-in to another account by deleting it."""

    write_permission = "auth.change_user"
    list_display = ["user", "subject", "issuer", "linked_at", "last_sign_in"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email", "subject"]
    autocomplete_fields = ["user"]
    readonly_fields = ["linked_at", "last_sign_in"]
