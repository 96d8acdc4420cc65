"""Authorization only: the actions a role grants and the one checker every service calls.

`authorize(user, action, domain_id)` answers "may this user do this in this
domain": UNAUTHENTICATED for anonymous callers, NOT_FOUND for a domain the caller
does not belong to (indistinguishable from one that does not exist), FORBIDDEN for
a member whose role lacks the action.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from uuid import UUID

from app import errors, models


class Action(StrEnum):
    DOMAIN_READ = "DOMAIN_READ"
    DOMAIN_UPDATE = "DOMAIN_UPDATE"
    MEMBER_READ = "MEMBER_READ"
    MEMBER_MANAGE = "MEMBER_MANAGE"
    INVITATION_SEND = "INVITATION_SEND"
    INVITATION_READ = "INVITATION_READ"
    INVITATION_MANAGE = "INVITATION_MANAGE"
    ROLE_MANAGE = "ROLE_MANAGE"


ADMIN_ROLE = "admin"
MEMBER_ROLE = "member"
BUILT_IN_ROLES: dict[str, frozenset[Action]] = {
    ADMIN_ROLE: frozenset(Action),
    MEMBER_ROLE: frozenset({Action.DOMAIN_READ, Action.MEMBER_READ}),
}


def grants(actions: Iterable[str], action: Action) -> bool:
    """Whether a role holding `actions` may perform `action`."""
    return action in actions


def within_ceiling(granted: Iterable[str], granter: Iterable[str]) -> bool:
    """Whether a role with `granted` actions may be handed out by a holder of `granter`."""
    return set(granted) <= set(granter)


def require_user(user: models.User | None) -> models.User:
    """The signed-in caller, or UNAUTHENTICATED."""
    if user is None:
        raise errors.UnauthenticatedError()
    return user


def domain_not_found(domain_id: UUID) -> errors.NotFoundError:
    return errors.NotFoundError(f"Domain {domain_id} does not exist or you are not a member")


async def authorize(user: models.User | None, action: Action, domain_id: UUID) -> models.Membership:
    """The caller's membership of `domain_id`, provided its role grants `action`."""
    caller = require_user(user)
    membership = (
        await models.Membership.filter(domain_id=domain_id, user_id=caller.id)
        .select_related("role")
        .first()
    )
    return check_membership(membership, action, domain_id)


def check_membership(
    membership: models.Membership | None, action: Action, domain_id: UUID
) -> models.Membership:
    """`authorize` on a membership (with its role) already read: NOT_FOUND or FORBIDDEN."""
    if membership is None:
        raise domain_not_found(domain_id)
    if not grants(membership.role.actions, action):
        raise errors.ForbiddenError(
            f"Your role '{membership.role.name}' in this domain does not allow "
            f"{action}; ask a domain admin"
        )
    return membership


async def authorize_invitation(
    user: models.User | None, action: Action, invitation: models.Invitation | None
) -> models.Membership | None:
    """Authorize `action` on one invitation; its invitee may always see it.

    Returns the caller's membership (None for the invitee reading their own).
    An invitation the caller cannot see at all is NOT_FOUND, like a missing one.
    """
    caller = require_user(user)
    if invitation is None:
        raise errors.NotFoundError("No such invitation")
    is_invitee = invitation.invitee_id == caller.id
    if is_invitee and action is Action.INVITATION_READ:
        return None
    try:
        return await authorize(caller, action, invitation.domain_id)
    except errors.NotFoundError:
        if is_invitee:
            raise errors.ForbiddenError(
                f"Only domain members allowed {action} may do this"
            ) from None
        raise errors.NotFoundError("No such invitation") from None


def ensure_invitee(user: models.User | None, invitation: models.Invitation | None) -> None:
    """Only the invitee may answer an invitation; to anyone else it does not exist."""
    caller = require_user(user)
    if invitation is None or invitation.invitee_id != caller.id:
        raise errors.NotFoundError("No such invitation")
