"""Who may do what with programmes and actions, decided on the server for every request.

The permission names are constants here, so views, templates' context and the roles
(careprog/roles.py) name each one the same way. Imports no model: migrations use it.
"""

# Reading anything in the service needs this; every role has it.
READ_PERMISSION = "actions.view_action"
# Changing any action or update, whoever leads it.
MANAGE_PERMISSION = "actions.manage_programmes"
# Posting updates on actions one leads or is a delegate of.
UPDATE_PERMISSION = "actions.add_update"


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
