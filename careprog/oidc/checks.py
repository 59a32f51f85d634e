"""Settings that would break every single sign-on, found when the service starts."""

from django.conf import settings
from django.core.checks import Error, register

from careprog import roles


@register()
def role_groups_name_real_roles(app_configs, **kwargs):
    unknown = sorted(set(settings.OIDC_ROLE_GROUPS.values()) - set(roles.ROLES))
    return [
        Error(
            f"OIDC_ROLE_GROUPS maps a group to {name!r}, which is not a role",
            hint=f"Roles are: {', '.join(roles.ROLES)}",
            id="careprog.E001",
        )
        for name in unknown
    ]
