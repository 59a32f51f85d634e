from django.conf import settings
from django.urls import reverse

from actions.glossary import PageGlossary
from actions.permissions import UPDATE_PERMISSION, can_read
from kpis.permissions import ENTER_PERMISSION, can_import, can_view


def service(request):
    """Service name, phase and the navigation a user's role opens to them."""
    user = getattr(request, "user", None)
    items = []
    if user is not None and can_read(user):
        items.append((reverse("actions:programme_list"), "Programmes", "programmes"))
        if user.has_perm(UPDATE_PERMISSION):
            items.append((reverse("actions:my_actions"), "My actions", "mine"))
        items.append((reverse("actions:action_list"), "All actions", "actions"))
        if can_view(user):
            items.append((reverse("kpis:dashboard"), "KPIs", "kpis"))
            if user.has_perm(ENTER_PERMISSION):
                items.append((reverse("kpis:mine"), "My measures", "measures"))
        if can_import(user):
            items.append((reverse("kpis:import"), "Import", "import"))
    return {
        "service_name": settings.SERVICE_NAME,
        "service_phase": settings.SERVICE_PHASE,
        "nav_items": items,
        # Fresh for each page: which abbreviations it has spelt out (read only if used).
        "glossary": PageGlossary(),
    }
