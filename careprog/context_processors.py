from django.conf import settings
from django.urls import reverse

from actions.glossary import PageGlossary
from actions.permissions import UPDATE_PERMISSION, can_manage_people, can_read
from kpis.permissions import ENTER_PERMISSION, can_import, can_view

# The navigation item each page sits under, by its URL's name. Any other page (home, the
# glossary, signing in, an address that matches no URL) marks no item as the current one.
NAV_SECTIONS = {
    **dict.fromkeys(
        [
            "actions:programme_list",
            "actions:report",
            "actions:attention",
            "actions:paper_list",
            "actions:paper_new",
            "actions:quarter_reopen",
            "actions:paper",
            "actions:paper_changes",
            "actions:paper_edit",
            "actions:paper_subscription",
            "actions:paper_submit",
            "actions:paper_return",
            "actions:paper_approve",
            "actions:paper_publish",
            "actions:forward_plan",
            "actions:committee_new",
            "actions:committee_edit",
            "actions:meeting_new",
            "actions:meeting_edit",
            "actions:meeting_delete",
            "actions:all_papers",
            "actions:portfolio_paper_new",
            "actions:paper_templates",
            "actions:paper_template_new",
            "actions:paper_template",
        ],
        "programmes",
    ),
    "actions:action_list": "actions",
    "actions:action_detail": "actions",
    "actions:my_actions": "mine",
    **dict.fromkeys(
        ["kpis:dashboard", "kpis:kpi_detail", "kpis:kpi_benchmark", "kpis:kpi_enter", "kpis:entry"],
        "kpis",
    ),
    **dict.fromkeys(["kpis:mine", "kpis:entries", "kpis:import_entries"], "measures"),
    **dict.fromkeys(
        [
            "kpis:import",
            "kpis:import_template",
            "kpis:import_history",
            "kpis:import_preview",
            "kpis:import_batch",
        ],
        "import",
    ),
    **dict.fromkeys(
        [
            "actions:people",
            "actions:person_new",
            "actions:people_import",
            "actions:person_role",
            "actions:person_deactivate",
        ],
        "people",
    ),
}


def nav_section(request) -> str | None:
    """The navigation item the requested page sits under, from the URL it matched: no query."""
    match = getattr(request, "resolver_match", None)
    return NAV_SECTIONS.get(match.view_name) if match else None


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
        if can_manage_people(user):
            items.append((reverse("actions:people"), "People", "people"))
    return {
        "service_name": settings.SERVICE_NAME,
        "service_phase": settings.SERVICE_PHASE,
        "nav_items": items,
        "nav_section": nav_section(request),
        # Fresh for each page: which abbreviations it has spelt out (read only if used).
        "glossary": PageGlossary(),
        # Single sign-on (careprog.oidc): the guides and the role page say what it changes.
        "single_sign_on": bool(settings.OIDC_ISSUER),
        "roles_from_groups": bool(settings.OIDC_ISSUER and settings.OIDC_ROLE_GROUPS),
        "provider_name": settings.OIDC_PROVIDER_NAME,
    }
