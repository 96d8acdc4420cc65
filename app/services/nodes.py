"""Objects by id, whatever their type (Relay's `node` and `nodes`).

Ids are UUIDs, unique across tables, so an id does not say its type: one statement
asks which table holds each id, then each kind is read in one batch and shown only
where its own fields would show it, through the same checker (`permissions.check`):

    User             any signed-in caller (the people finder shows every user)
    Domain           DOMAIN_READ in it
    Role             DOMAIN_READ in its domain, or the caller's own role there
    Invitation       its invitee, or INVITATION_READ in its domain
    InvitationEvent  the invitee it names, or INVITATION_READ in its domain

Anything else, or an id no table holds, is None.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from uuid import UUID

from app import errors, rows, sql
from app.auth import Session
from app.ids import parse_id
from app.permissions import Action, Grant, check, grants_of, signed_in
from app.rows import DOMAIN_COLUMNS, ROLE_COLUMNS, USER_COLUMNS, columns
from app.services.invitations import reads

MAX_IDS = 100
Found = rows.User | rows.Domain | rows.Role | reads.Invitation | reads.Event

USERS = sql.Sql(f'SELECT {columns(USER_COLUMNS, "u")} FROM "user" u WHERE u.id = ANY(?)')
DOMAINS = sql.Sql(f"SELECT {columns(DOMAIN_COLUMNS, 'd')} FROM domain d WHERE d.id = ANY(?)")
ROLES = sql.Sql(f"SELECT {columns(ROLE_COLUMNS, 'r')} FROM role r WHERE r.id = ANY(?)")


async def _users(ids: Sequence[UUID]) -> list[Found]:
    return [rows.user_at(row, 0) for row in await sql.fetch(USERS, ids)]


async def _domains(ids: Sequence[UUID]) -> list[Found]:
    return [rows.domain_at(row, 0) for row in await sql.fetch(DOMAINS, ids)]


async def _roles(ids: Sequence[UUID]) -> list[Found]:
    return [rows.role_at(row, 0) for row in await sql.fetch(ROLES, ids)]


async def _invitations(ids: Sequence[UUID]) -> list[Found]:
    return [found for found in await reads.current(ids) if found is not None]


async def _events(ids: Sequence[UUID]) -> list[Found]:
    return list((await reads.events(ids)).values())


# Each table that holds Node ids, and the batch read of its rows.
KINDS: dict[str, Callable[[Sequence[UUID]], Awaitable[list[Found]]]] = {
    '"user"': _users,
    "domain": _domains,
    "role": _roles,
    "invitation": _invitations,
    "invitation_event": _events,
}
WHICH_TABLE = sql.Sql(
    " UNION ALL ".join(f"SELECT '{table}', id FROM {table} WHERE id = ANY(?)" for table in KINDS)
)


async def find(caller: Session | None, *, ids: Sequence[str], name: str) -> list[Found | None]:
    """Each id's object, in order, or None where there is none the caller may see.
    `name` is the argument the ids came in, for BAD_USER_INPUT."""
    user = signed_in(caller).user
    if len(ids) > MAX_IDS:
        raise errors.BadUserInputError(f"{name} takes at most {MAX_IDS} ids, got {len(ids)}")
    wanted = [parse_id(value, name=name) for value in ids]
    by_table: dict[str, list[UUID]] = {}
    for table, row_id in await sql.fetch(WHICH_TABLE, *([wanted] * len(KINDS))):
        by_table.setdefault(table, []).append(sql.uuid(row_id))
    found: dict[UUID, Found] = {}
    for table, table_ids in by_table.items():
        found.update((item.id, item) for item in await KINDS[table](table_ids))
    domains = {_domain_of(item) for item in found.values()}
    grants = await grants_of([user.id], [d for d in domains if d is not None])

    def shown(item: Found | None) -> Found | None:
        if item is None:
            return None
        domain = _domain_of(item)
        grant = grants.get((domain, user.id)) if domain is not None else None
        return item if _visible(item, user.id, grant) else None

    return [shown(found.get(row_id)) for row_id in wanted]


def _domain_of(item: Found) -> UUID | None:
    """The domain whose membership decides who sees `item` (None: a user)."""
    if isinstance(item, rows.Domain):
        return item.id
    if isinstance(item, rows.Role):
        return item.domain_id
    if isinstance(item, rows.User):
        return None
    return item.domain.id


def _visible(item: Found, user_id: UUID, grant: Grant | None) -> bool:
    if isinstance(item, rows.User):
        return True
    if isinstance(item, rows.Domain):
        return _allows(grant, Action.DOMAIN_READ, item.id)
    if isinstance(item, rows.Role):
        own = grant is not None and grant.role.id == item.id
        return own or _allows(grant, Action.DOMAIN_READ, item.domain_id)
    invitee = item.invitee.id if item.invitee else None
    return invitee == user_id or _allows(grant, Action.INVITATION_READ, item.domain.id)


def _allows(grant: Grant | None, action: Action, domain_id: UUID) -> bool:
    """The checker's answer, as a yes or no: NOT_FOUND and FORBIDDEN are both no."""
    try:
        check(action, domain_id, grant)
    except (errors.NotFoundError, errors.ForbiddenError):
        return False
    return True
