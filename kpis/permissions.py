"""Who may read the KPI catalogue and import returns, decided on the server for every request.

Imports no model: careprog/roles.py (and so a migration) grants these by name.
"""

# Changing the catalogue in Django admin (measures, groups, targets, figures): programme
# administrators, who hold every kpis permission. Officers' and heads of service's kpis
# permissions (entering and approving figures) serve the app's own rules, never admin's writes.
MANAGE_PERMISSION = "kpis.manage_catalogue"
# Reading the dashboard, a KPI's page and its benchmarks.
VIEW_PERMISSION = "kpis.view_kpi"
# Uploading, confirming and undoing KPI returns (an import batch is what an import creates).
IMPORT_PERMISSION = "kpis.add_importbatch"
# Entering a measure's figure and commentary: also its owner or a delegate (can_enter).
ENTER_PERMISSION = "kpis.add_kpientry"
# Approving an entered figure, or returning it to its owner with a comment.
APPROVE_PERMISSION = "kpis.approve_kpientry"


def can_view(user) -> bool:
    return user.is_authenticated and user.has_perm(VIEW_PERMISSION)


def can_import(user) -> bool:
    return user.is_authenticated and user.has_perm(IMPORT_PERMISSION)


def can_enter(user, kpi) -> bool:
    """A measure's owner or one of its delegates, with the officers' permission to enter."""
    if not (user.is_authenticated and user.has_perm(ENTER_PERMISSION)):
        return False
    return kpi.owned_by_id == user.pk or kpi.delegates.filter(pk=user.pk).exists()


def can_approve(user, entry) -> bool:
    """An approver, never for a figure they supplied: one they entered, or one from a return
    they uploaded or confirmed (``entry.batch``, which the caller selects)."""
    return (
        user.is_authenticated
        and user.has_perm(APPROVE_PERMISSION)
        and entry.entered_by_id != user.pk
        and not (entry.batch_id and entry.batch.supplied_by(user))
    )


def can_decide_import(user, batch) -> bool:
    """An approver who neither uploaded nor confirmed the return approves or returns its
    figures all at once."""
    return (
        user.is_authenticated and user.has_perm(APPROVE_PERMISSION) and not batch.supplied_by(user)
    )
