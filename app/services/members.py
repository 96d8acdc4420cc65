"""Managing a domain's members: change a member's role, remove a member, leave a domain;
and the domain's member history.

The role ceiling works both ways: a caller may neither grant a role whose actions exceed
their own, nor change or remove a member whose current role's do. Every domain keeps at
least one member whose role holds every action (LAST_ADMIN), also when such changes race
in several processes: each change first locks its domain (PostgreSQL: the domain row,
FOR NO KEY UPDATE; SQLite: the database's write lock, taken by a first statement that
writes),
then checks the caller's grant again and changes the membership with one conditional
statement that refuses to take the last such member away. Each change writes its member
event in its transaction and kicks the relay after the commit: the domain's channel
carries it, and the subscriptions of a member who lost access end at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from tortoise.transactions import in_transaction

from app import errors, rows, sql
from app.auth import Session
from app.ids import parse_id
from app.models import MemberEventKind as Kind
from app.permissions import Action, Grant, authorize, grant_of, membership, within_ceiling
from app.rows import ROLE_COLUMNS, ROLE_WIDTH, USER_COLUMNS, USER_WIDTH, columns
from app.runtime import Runtime
from app.services import memberships
from app.services.domains import grantable_role
from app.services.pagination import Keyset, Page, Paging
from app.sql import Row, Sql

HISTORY_PAGE = 20

LOCK = Sql(
    # NO KEY UPDATE: membership changes of a domain take turns, while rows that merely
    # point at the domain (an invitation sent, a member joining) need not wait.
    "SELECT id FROM domain WHERE id = ? FOR NO KEY UPDATE",
    # SQLite has no row locks: a write as the transaction's first statement takes the
    # database's write lock, so what follows reads and writes as one.
    sqlite="UPDATE domain SET name = name WHERE id = ?",
)
# True unless the membership row being changed is the domain's last one whose role holds
# every action.
_NOT_THE_LAST_ADMIN = (
    "(NOT EXISTS (SELECT 1 FROM role r WHERE r.id = membership.role_id AND r.holds_all_actions)"
    " OR EXISTS (SELECT 1 FROM membership o JOIN role r ON r.id = o.role_id"
    " WHERE o.domain_id = membership.domain_id AND o.user_id <> membership.user_id"
    " AND r.holds_all_actions))"
)
_MEMBER = "domain_id = ? AND user_id = ? AND role_id = ?"
CHANGE_ROLE = Sql(
    f"UPDATE membership SET role_id = ? WHERE {_MEMBER} AND (EXISTS (SELECT 1 FROM role r "
    f"WHERE r.id = ? AND r.holds_all_actions) OR {_NOT_THE_LAST_ADMIN})"
)
REMOVE = Sql(f"DELETE FROM membership WHERE {_MEMBER} AND {_NOT_THE_LAST_ADMIN}")


async def change_role(
    caller: Session | None, *, domain_id: str, user_id: str, role_id: str, runtime: Runtime
) -> memberships.Member:
    """Give a member another of the domain's roles."""
    domain = parse_id(domain_id, name="domainId")
    await authorize(caller, Action.MEMBER_MANAGE, domain)
    user, role = parse_id(user_id, name="userId"), parse_id(role_id, name="roleId")
    now = runtime.clock.now()
    async with in_transaction():
        grant = await _locked(caller, domain, Action.MEMBER_MANAGE)
        new_role = await grantable_role(grant, role)
        target = await _manageable(grant, user, "change the role of")
        if new_role.id != target.role.id:
            old = (domain, user, target.role.id)
            if not await sql.execute(CHANGE_ROLE, new_role.id, *old, new_role.id):
                raise _last_admin()
            await memberships.record(
                Kind.ROLE_CHANGED,
                domain,
                user,
                actor_id=grant.user_id,
                role_id=new_role.id,
                previous_role_id=target.role.id,
                at=now,
            )
        changed = await memberships.one(domain, user)
    if changed is None:
        raise RuntimeError(f"member {user} vanished inside its own transaction")
    runtime.relay.kick()
    return changed


async def remove(
    caller: Session | None, *, domain_id: str, user_id: str, runtime: Runtime
) -> tuple[UUID, UUID]:
    """Take a member out of a domain (removing oneself is leaving); (domain, user)."""
    domain = parse_id(domain_id, name="domainId")
    await authorize(caller, Action.MEMBER_MANAGE, domain)
    user = parse_id(user_id, name="userId")
    async with in_transaction():
        grant = await _locked(caller, domain, Action.MEMBER_MANAGE)
        target = await _manageable(grant, user, "remove")
        kind = Kind.LEFT if user == grant.user_id else Kind.REMOVED
        await _end(target, kind, grant.user_id, runtime.clock.now())
    runtime.relay.kick()
    return domain, user


async def leave(caller: Session | None, *, domain_id: str, runtime: Runtime) -> tuple[UUID, UUID]:
    """Leave a domain one is a member of; (domain, user)."""
    domain = parse_id(domain_id, name="domainId")
    await membership(caller, domain)
    async with in_transaction():
        grant = await _locked(caller, domain, None)
        await _end(grant, Kind.LEFT, grant.user_id, runtime.clock.now())
    runtime.relay.kick()
    return domain, grant.user_id


async def _locked(caller: Session | None, domain_id: UUID, action: Action | None) -> Grant:
    """Lock the domain's memberships for this transaction, then authorize the caller
    again: a change made meanwhile (their own removal) counts."""
    await sql.fetch(LOCK, domain_id)
    if action is None:
        return await membership(caller, domain_id)
    return await authorize(caller, action, domain_id)


async def _manageable(grant: Grant, user_id: UUID, verb: str) -> Grant:
    """The member the caller acts on, if the caller's role covers the member's role."""
    target = await grant_of(user_id, grant.domain_id)
    if target is None:
        raise errors.NotFoundError("This user is not a member of the domain")
    if not within_ceiling(target.role.actions, grant.role.actions):
        raise errors.RoleNotAllowedError(
            f"You cannot {verb} a member whose role '{target.role.name}' allows actions "
            f"your role '{grant.role.name}' does not"
        )
    return target


async def _end(member: Grant, kind: Kind, actor_id: UUID, now: datetime) -> None:
    """Delete a membership, unless it is the domain's last all-actions one."""
    if not await sql.execute(REMOVE, member.domain_id, member.user_id, member.role.id):
        raise _last_admin()
    await memberships.record(
        kind, member.domain_id, member.user_id, actor_id=actor_id, role_id=member.role.id, at=now
    )


def _last_admin() -> errors.LastAdminError:
    return errors.LastAdminError(
        "The domain must keep a member whose role holds every action: give that role to "
        "someone else first"
    )


# ---------------------------------------------------------------- the member history


class Event(NamedTuple):
    id: UUID
    kind: str
    at: datetime
    domain_id: UUID
    user: rows.User
    actor: rows.User | None
    role: rows.Role | None
    previous_role: rows.Role | None


_EVENT_SELECT = (
    f"SELECT v.id, v.kind, v.at, v.domain_id, {columns(USER_COLUMNS, 'u')}, "
    f"{columns(USER_COLUMNS, 'a')}, {columns(ROLE_COLUMNS, 'r')}, {columns(ROLE_COLUMNS, 'p')} "
    'FROM member_event v JOIN "user" u ON u.id = v.user_id '
    'LEFT JOIN "user" a ON a.id = v.actor_id LEFT JOIN role r ON r.id = v.role_id '
    "LEFT JOIN role p ON p.id = v.previous_role_id"
)
_U = 4
_A = _U + USER_WIDTH
_R = _A + USER_WIDTH
_P = _R + ROLE_WIDTH

HISTORY = Keyset(
    select=_EVENT_SELECT, count_from="member_event v", time_column="v.at", id_column="v.id"
)
EVENTS_BY_IDS = Sql(f"{_EVENT_SELECT} WHERE v.id = ANY(?)")


def event(row: Row) -> Event:
    return Event(
        sql.uuid(row[0]),
        row[1],
        sql.moment(row[2]),
        sql.uuid(row[3]),
        rows.user_at(row, _U),
        rows.optional_user_at(row, _A),
        rows.optional_role_at(row, _R),
        rows.optional_role_at(row, _P),
    )


async def history(caller: Session | None, *, domain_id: str, paging: Paging) -> Page[Event]:
    """Every membership change of a domain, newest first."""
    domain = parse_id(domain_id, name="domainId")
    await authorize(caller, Action.MEMBER_READ, domain)
    return await HISTORY.page(
        ("v.domain_id = ?",),
        [domain],
        paging,
        size=HISTORY_PAGE,
        read=event,
        key=lambda item: (item.at, item.id),
    )


async def events(event_ids: list[UUID]) -> dict[UUID, Event]:
    """These member events, by id."""
    return {item.id: item for item in map(event, await sql.fetch(EVENTS_BY_IDS, event_ids))}
