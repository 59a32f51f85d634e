"""What every page of Django admin shares: query strings that cannot reach a 500, writes that
need a permission the subclass names, no revert from history without it, and a save refused as
stale (a form that marks itself ``stale``) answered 409 Conflict. ManagedAdmin,
ManagedHistoryAdmin and ManagedInline put these together; each app's admin names its own
``write_permission`` on them.

Imports no app of ours. Django admin loads this module (careprog is an installed app) after
django.contrib.auth's and axes' admins, so it re-registers theirs with the same guards.
"""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from careprog.models import OIDCIdentity


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
