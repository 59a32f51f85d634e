from django.conf import settings
from django.urls import reverse

from careprog.roles import READ_PERMISSION, UPDATE_PERMISSION


def service(request):
    """Service name, phase and the navigation a user's role opens to them."""
    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated and user.has_perm(READ_PERMISSION):
        items.append((reverse("actions:programme_list"), "Programmes", "programmes"))
        if user.has_perm(UPDATE_PERMISSION):
            items.append((reverse("actions:my_actions"), "My actions", "mine"))
        items.append((reverse("actions:action_list"), "All actions", "actions"))
        if user.has_perm("kpis.view_kpi"):
            items.append((reverse("kpis:dashboard"), "KPIs", "kpis"))
        if user.has_perm("kpis.add_importbatch"):
            items.append((reverse("kpis:import"), "Import", "import"))
    return {
        "service_name": settings.SERVICE_NAME,
        "service_phase": settings.SERVICE_PHASE,
        "nav_items": items,
    }
