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


# Committee papers (actions/papers/). Every role reads published papers; drafts are read by
# those who may draft or approve.
READ_PAPER_PERMISSION = "actions.view_paper"
DRAFT_PAPER_PERMISSION = "actions.add_paper"
# Approving, returning and publishing a paper (Programme administrators, heads of service).
APPROVE_PAPER_PERMISSION = "actions.approve_paper"
# Reopening a published quarter's updates for officers, with a recorded reason.
REOPEN_QUARTER_PERMISSION = "actions.reopen_quarter"


def can_draft_paper(user) -> bool:
    return user.is_authenticated and user.has_perm(DRAFT_PAPER_PERMISSION)


def can_approve_paper(user) -> bool:
    return user.is_authenticated and user.has_perm(APPROVE_PAPER_PERMISSION)


def can_reopen_quarter(user) -> bool:
    return user.is_authenticated and user.has_perm(REOPEN_QUARTER_PERMISSION)


KEEP_TEMPLATES_PERMISSION = "actions.change_papertemplate"


def can_keep_paper_templates(user) -> bool:
    """Paper templates (the families) are kept in the app by whoever may change them in
    admin: Programme administrators, who have every actions.* permission."""
    return can_read(user) and user.has_perm(KEEP_TEMPLATES_PERMISSION)


def can_read_drafts(user) -> bool:
    """Unpublished papers (draft, submitted, approved) are read only by those who may draft
    or approve them: the app and Django admin both ask this."""
    return can_draft_paper(user) or can_approve_paper(user)


def can_read_paper(user, paper) -> bool:
    """Published papers are public record for every role; drafts only for those who may
    draft or approve them."""
    if not (user.is_authenticated and user.has_perm(READ_PAPER_PERMISSION)):
        return False
    return paper.is_published or can_read_drafts(user)


def can_edit_paper(user, paper) -> bool:
    """A draft is edited by anyone who may draft; nothing else is edited at all."""
    return paper.is_draft and can_draft_paper(user)


# The forward plan: committees and their meetings. Every reader reads it; Programme
# administrators keep it (they have every actions.* permission), through the model
# permissions, so a council can give the job to someone else in admin's groups.
ADD_COMMITTEE_PERMISSION = "actions.add_committee"
CHANGE_COMMITTEE_PERMISSION = "actions.change_committee"
ADD_MEETING_PERMISSION = "actions.add_meeting"
CHANGE_MEETING_PERMISSION = "actions.change_meeting"
DELETE_MEETING_PERMISSION = "actions.delete_meeting"


def can_add_committee(user) -> bool:
    return user.is_authenticated and user.has_perm(ADD_COMMITTEE_PERMISSION)


def can_change_committee(user) -> bool:
    return user.is_authenticated and user.has_perm(CHANGE_COMMITTEE_PERMISSION)


def can_add_meeting(user) -> bool:
    return user.is_authenticated and user.has_perm(ADD_MEETING_PERMISSION)


def can_change_meeting(user) -> bool:
    return user.is_authenticated and user.has_perm(CHANGE_MEETING_PERMISSION)


def can_delete_meeting(user) -> bool:
    return user.is_authenticated and user.has_perm(DELETE_MEETING_PERMISSION)


# People (actions/people/): who has which role, and (later) adding, inviting and deactivating
# them. Programme administrators hold every auth permission (careprog/roles.py); nobody else
# sees a colleague's email address or last sign-in.
MANAGE_PEOPLE_PERMISSION = "auth.change_user"


def can_manage_people(user) -> bool:
    return user.is_authenticated and user.has_perm(MANAGE_PEOPLE_PERMISSION)


# The risk register (actions/risks/): every role reads it; programme administrators keep it
# (can_manage); a risk's owner reviews it if their role may review risks (officers and heads
# of service), and an administrator may review any.
READ_RISKS_PERMISSION = "actions.view_risk"
REVIEW_RISK_PERMISSION = "actions.add_riskreview"


def can_read_risks(user) -> bool:
    return user.is_authenticated and user.has_perm(READ_RISKS_PERMISSION)


def can_review_risk(user, risk) -> bool:
    if can_manage(user):
        return True
    if not (user.is_authenticated and user.has_perm(REVIEW_RISK_PERMISSION)):
        return False
    return risk.owner_id == user.pk
