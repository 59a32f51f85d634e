"""Who may read the KPI catalogue and import returns, decided on the server for every request.

Imports no model: careprog/roles.py (and so a migration) grants these by name.
"""

# Reading the dashboard, a KPI's page and its benchmarks.
VIEW_PERMISSION = "kpis.view_kpi"
# Uploading, confirming and undoing KPI returns (an import batch is what an import creates).
IMPORT_PERMISSION = "kpis.add_importbatch"


def can_view(user) -> bool:
    return user.is_authenticated and user.has_perm(VIEW_PERMISSION)


def can_import(user) -> bool:
    return user.is_authenticated and user.has_perm(IMPORT_PERMISSION)
