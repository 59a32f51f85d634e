"""Who may do what, decided on the server for every request."""

from careprog.roles import MANAGE_PERMISSION, READ_PERMISSION, UPDATE_PERMISSION


def can_read(user) -> bool:
    return user.is_authenticated and user.has_perm(READ_PERMISSION)


def can_manage(user) -> bool:
    """Programme administrators (and superusers) may change any action."""
    return user.is_authenticated and user.has_perm(MANAGE_PERMISSION)


def can_update(user, action) -> bool:
    """Officers update the actions they lead or are delegated; administrators any action.

    Expects ``action.delegates`` to be prefetched when called in a loop.
    """
    if can_manage(user):
        return True
    if not (user.is_authenticated and user.has_perm(UPDATE_PERMISSION)):
        return False
    return action.lead_id == user.pk or any(d.pk == user.pk for d in action.delegates.all())
