"""Authorization only: the actions a role grants and the one checker every service calls.

Each checker takes the caller and ids, and returns the authorized object or raises;
none returns an optional the caller could forget to test:

    signed_in(caller)                          -> Session    UNAUTHENTICATED
    authorize(caller, action, domain_id)       -> Grant      + NOT_FOUND, FORBIDDEN
    membership(caller, domain_id)              -> Grant      + NOT_FOUND (any member)
    invitation_for_invitee(caller, id)         -> InvitationRef   the invitee alone
    invitation_for_reader(caller, id)          -> InvitationRef   the invitee, or INVITATION_READ
    invitation_for_manager(caller, action, id) -> (InvitationRef, Grant)
    webhook_for_manager(caller, id)            -> Grant      the webhook's domain, WEBHOOK_MANAGE

A domain the caller does not belong to is NOT_FOUND, indistinguishable from one that
does not exist; so is an invitation they may not see. A member whose role lacks the
action gets FORBIDDEN.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import NamedTuple
from uuid import UUID

from app import errors, rows, sql
from app.auth import Session
from app.rows import ROLE_COLUMNS, columns


class Action(StrEnum):
    DOMAIN_READ = "DOMAIN_READ"
    DOMAIN_UPDATE = "DOMAIN_UPDATE"
    MEMBER_READ = "MEMBER_READ"
    MEMBER_MANAGE = "MEMBER_MANAGE"
    INVITATION_SEND = "INVITATION_SEND"
    INVITATION_READ = "INVITATION_READ"
    INVITATION_MANAGE = "INVITATION_MANAGE"
    ROLE_MANAGE = "ROLE_MANAGE"
    WEBHOOK_MANAGE = "WEBHOOK_MANAGE"


ADMIN_ROLE = "admin"
MEMBER_ROLE = "member"
BUILT_IN_ROLES: dict[str, frozenset[Action]] = {
    ADMIN_ROLE: frozenset(Action),
    MEMBER_ROLE: frozenset({Action.DOMAIN_READ, Action.MEMBER_READ}),
}


class Grant(NamedTuple):
    """A caller's membership of a domain, with the role that says what it allows."""

    user_id: UUID
    domain_id: UUID
    role: rows.Role

    def allows(self, action: Action) -> bool:
        return action in self.role.actions


class InvitationRef(NamedTuple):
    """What authorizing an invitation needs to know about it (and what its history rows
    copy). `invitee_id` is null for an e-mail invitation nobody has claimed."""

    id: UUID
    domain_id: UUID
    invitee_id: UUID | None
    role_id: UUID
    invitee_email: str


_GRANT_SELECT = (
    f"SELECT m.domain_id, m.user_id, {columns(ROLE_COLUMNS, 'r')} "
    "FROM membership m JOIN role r ON r.id = m.role_id"
)
GRANT = sql.Sql(f"{_GRANT_SELECT} WHERE m.domain_id = ? AND m.user_id = ?")
GRANTS = sql.Sql(f"{_GRANT_SELECT} WHERE m.domain_id = ANY(?) AND m.user_id = ANY(?)")
WEBHOOK_DOMAIN = sql.Sql("SELECT domain_id FROM webhook WHERE id = ?")
INVITATION_REF = sql.Sql(
    "SELECT id, domain_id, invitee_id, role_id, invitee_email FROM invitation WHERE id = ?"
)


def within_ceiling(granted: Iterable[str], granter: Iterable[str]) -> bool:
    """Whether a role with `granted` actions may be handed out by a holder of `granter`."""
    return set(granted) <= set(granter)


def signed_in(caller: Session | None) -> Session:
    """The signed-in caller, or UNAUTHENTICATED."""
    if caller is None:
        raise errors.UnauthenticatedError()
    return caller


def _grant(row: sql.Row) -> Grant:
    return Grant(sql.uuid(row[1]), sql.uuid(row[0]), rows.role_at(row, 2))


async def grant_of(user_id: UUID, domain_id: UUID) -> Grant | None:
    """The user's membership of the domain, if any."""
    row = await sql.fetch_one(GRANT, domain_id, user_id)
    return _grant(row) if row else None


async def grants_of(
    user_ids: Iterable[UUID], domain_ids: Iterable[UUID]
) -> dict[tuple[UUID, UUID], Grant]:
    """Every membership of these users in these domains, by (domain id, user id)."""
    found = await sql.fetch(GRANTS, list(domain_ids), list(user_ids))
    return {(g.domain_id, g.user_id): g for g in map(_grant, found)}


async def authorize(caller: Session | None, action: Action, domain_id: UUID) -> Grant:
    """The caller's grant in `domain_id`, provided it allows `action`."""
    user = signed_in(caller).user
    return check(action, domain_id, await grant_of(user.id, domain_id))


async def membership(caller: Session | None, domain_id: UUID) -> Grant:
    """The caller's grant in `domain_id`, whatever its role allows."""
    user = signed_in(caller).user
    return _member(domain_id, await grant_of(user.id, domain_id))


def _member(domain_id: UUID, grant: Grant | None) -> Grant:
    if grant is None:
        raise errors.NotFoundError(f"Domain {domain_id} does not exist or you are not a member")
    return grant


def check(action: Action, domain_id: UUID, grant: Grant | None) -> Grant:
    """`authorize` on a grant already read (None: not a member): NOT_FOUND or FORBIDDEN."""
    grant = _member(domain_id, grant)
    if not grant.allows(action):
        raise errors.ForbiddenError(
            f"Your role '{grant.role.name}' in this domain does not allow {action}; "
            "ask a domain admin"
        )
    return grant


def _no_such_invitation() -> errors.NotFoundError:
    return errors.NotFoundError("No such invitation")


async def _ref(invitation_id: UUID) -> InvitationRef:
    row = await sql.fetch_one(INVITATION_REF, invitation_id)
    if row is None:
        raise _no_such_invitation()
    return InvitationRef(
        sql.uuid(row[0]), sql.uuid(row[1]), sql.optional_uuid(row[2]), sql.uuid(row[3]), row[4]
    )


async def invitation_for_invitee(caller: Session | None, invitation_id: UUID) -> InvitationRef:
    """An invitation only its invitee may answer; to anyone else it does not exist."""
    user = signed_in(caller).user
    ref = await _ref(invitation_id)
    if ref.invitee_id != user.id:
        raise _no_such_invitation()
    return ref


async def invitation_for_reader(caller: Session | None, invitation_id: UUID) -> InvitationRef:
    """An invitation its invitee, or a holder of INVITATION_READ in its domain, may read;
    a member without that action gets FORBIDDEN."""
    user = signed_in(caller).user
    ref = await _ref(invitation_id)
    if ref.invitee_id != user.id:
        grant = await grant_of(user.id, ref.domain_id)
        if grant is None:
            raise _no_such_invitation()
        check(Action.INVITATION_READ, ref.domain_id, grant)
    return ref


async def invitation_for_manager(
    caller: Session | None, action: Action, invitation_id: UUID
) -> tuple[InvitationRef, Grant]:
    """An invitation the caller may act on with `action` in its domain. Its invitee,
    who can see it, gets FORBIDDEN; anyone else who cannot see it, NOT_FOUND."""
    user = signed_in(caller).user
    ref = await _ref(invitation_id)
    grant = await grant_of(user.id, ref.domain_id)
    if grant is None:
        if ref.invitee_id == user.id:
            raise errors.ForbiddenError(f"Only domain members allowed {action} may do this")
        raise _no_such_invitation()
    return ref, check(action, ref.domain_id, grant)


async def webhook_for_manager(caller: Session | None, webhook_id: UUID) -> Grant:
    """The caller's WEBHOOK_MANAGE grant in a webhook's domain. A webhook of a domain the
    caller is not a member of does not exist for them (NOT_FOUND)."""
    user = signed_in(caller).user
    domain_id = await sql.fetch_value(WEBHOOK_DOMAIN, webhook_id)
    grant = None if domain_id is None else await grant_of(user.id, sql.uuid(domain_id))
    if grant is None:
        raise errors.NotFoundError("No such webhook")
    return check(Action.WEBHOOK_MANAGE, grant.domain_id, grant)
