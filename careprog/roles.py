"""The service's roles, as Django groups with permissions.

actions/migrations/0003_roles.py creates them; a post_migrate hook keeps them in step
when later migrations add permissions (and after a test database is flushed). The permission
names come from each app's permissions.py.
"""

from actions.permissions import (
    APPROVE_PAPER_PERMISSION,
    DRAFT_PAPER_PERMISSION,
    READ_PAPER_PERMISSION,
    READ_PERMISSION,
    READ_RISKS_PERMISSION,
    REVIEW_RISK_PERMISSION,
    UPDATE_PERMISSION,
)
from careprog.permissions import (
    ADD_PUBLIC_INFORMATION,
    CHANGE_PUBLIC_INFORMATION,
    VIEW_PUBLIC_INFORMATION,
)
from kpis.permissions import APPROVE_PERMISSION as APPROVE_FIGURES
from kpis.permissions import ENTER_PERMISSION as ENTER_FIGURES
from kpis.permissions import VIEW_PERMISSION as VIEW_KPIS

COMMITTEE_MEMBERS = "Committee members"
OFFICERS = "Officers"
PROGRAMME_ADMINISTRATORS = "Programme administrators"
HEADS_OF_SERVICE = "Heads of service"

_READ = [
    "actions.view_programme",
    "actions.view_objective",
    "actions.view_requirement",
    "actions.view_mechanism",
    READ_PERMISSION,
    "actions.view_update",
    "kpis.view_kpigroup",
    VIEW_KPIS,
    "kpis.view_kpivalue",
    "kpis.view_kpitarget",
    "kpis.view_comparatorvalue",
    READ_PAPER_PERMISSION,
    READ_RISKS_PERMISSION,
    "actions.view_riskreview",
    "actions.view_riskband",
]
# Drafting a committee paper: starting one and editing its sections while it is a draft.
_DRAFT = [DRAFT_PAPER_PERMISSION, "actions.change_paper", "actions.change_papersection"]
# Failed sign-ins and lock-outs (django-axes), which administrators read and clear in admin.
_LOCK_OUTS = [
    "axes.view_accessattempt",
    "axes.delete_accessattempt",
    "axes.view_accessfailurelog",
    "axes.view_accesslog",
]
# The council's accessibility statement and privacy notice, which administrators keep in admin
# (one row, never deleted).
_PUBLIC_PAGES = [VIEW_PUBLIC_INFORMATION, ADD_PUBLIC_INFORMATION, CHANGE_PUBLIC_INFORMATION]
# "app.*" is every permission of an app: administrators have everything in the service,
# including users and roles, approving papers and reopening a published quarter. Officers'
# add/change_update serve the app's own rule (actions.permissions.can_update: the actions
# they lead or are delegated); Django admin asks for the manage permission as well, so it is
# read-only for them. Committee members read published papers only (can_read_paper); heads
# of service clear papers before committee: they draft, approve and publish, never their own.
# Every role reads the risk register; officers and heads of service review the risks they
# own (actions.permissions.can_review_risk); administrators keep the register.
ROLES = {
    COMMITTEE_MEMBERS: _READ,
    OFFICERS: [
        *_READ,
        UPDATE_PERMISSION,
        "actions.change_update",
        *_DRAFT,
        ENTER_FIGURES,
        REVIEW_RISK_PERMISSION,
    ],
    HEADS_OF_SERVICE: [
        *_READ,
        *_DRAFT,
        APPROVE_PAPER_PERMISSION,
        ENTER_FIGURES,
        APPROVE_FIGURES,
        REVIEW_RISK_PERMISSION,
    ],
    PROGRAMME_ADMINISTRATORS: [
        "actions.*",
        "kpis.*",
        "auth.*",
        "careprog.*",  # single sign-on identities, the public pages' entries
        "simple_history.*",
        *_LOCK_OUTS,
        *_PUBLIC_PAGES,
    ],
}


def sync_roles(group_model, permission_model) -> None:
    """Create the groups and grant their permissions; takes models so migrations can call it."""
    for name, codes in ROLES.items():
        group, _ = group_model.objects.get_or_create(name=name)
        for code in codes:
            app_label, codename = code.split(".")
            permissions = permission_model.objects.filter(content_type__app_label=app_label)
            if codename != "*":
                permissions = permissions.filter(codename=codename)
            group.permissions.add(*permissions)
