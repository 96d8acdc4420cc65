"""Objects by id, whatever their type (Relay's `node` and `nodes`).

Ids are UUIDs, unique across tables, so an id does not say its type: one statement
asks which table holds each id, then each kind is read in one batch and shown only
where its own fields would show it, through the same checker (`permissions.check`):

    User             any signed-in caller (the people finder shows every user)
    Domain           DOMAIN_READ in it
    Role             DOMAIN_READ in its domain, or the caller's own role there
    Invitation       its invitee, or INVITATION_READ in its domain
    InvitationEvent  the invitee it names, or INVITATION_READ in its domain
    MemberEvent      MEMBER_READ in its domain
    Webhook          WEBHOOK_MANAGE in its domain
    WebhookDelivery  WEBHOOK_MANAGE in its webhook's domain

Anything else, or an id no table holds, is None. A new kind of object with an id is one
more `Kind` in KINDS (and its GraphQL type in `app.graphql.nodes`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

from app import errors, rows, sql
from app.auth import Session
from app.ids import parse_id
from app.permissions import Action, Grant, check, grants_of, signed_in
from app.rows import DOMAIN_COLUMNS, ROLE_COLUMNS, USER_COLUMNS, columns
from app.services import members
from app.services.invitations import reads
from app.services.webhooks import reads as webhook_reads

MAX_IDS = 100

USERS = sql.Sql(f'SELECT {columns(USER_COLUMNS, "u")} FROM "user" u WHERE u.id = ANY(?)')
DOMAINS = sql.Sql(f"SELECT {columns(DOMAIN_COLUMNS, 'd')} FROM domain d WHERE d.id = ANY(?)")
ROLES = sql.Sql(f"SELECT {columns(ROLE_COLUMNS, 'r')} FROM role r WHERE r.id = ANY(?)")


class Kind(NamedTuple):
    """One table of objects with ids: how to read a batch of its rows, the domain whose
    membership decides who sees a row (None: no domain), and who may see it."""

    read: Callable[[Sequence[UUID], datetime], Awaitable[list[Any]]]  # the rows as of now
    domain: Callable[[Any], UUID | None]
    visible: Callable[[Any, UUID, Grant | None], bool]


def allows(grant: Grant | None, action: Action, domain_id: UUID) -> bool:
    """The checker's answer, as a yes or no: NOT_FOUND and FORBIDDEN are both no."""
    try:
        check(action, domain_id, grant)
    except (errors.NotFoundError, errors.ForbiddenError):
        return False
    return True


async def _users(ids: Sequence[UUID], now: datetime) -> list[rows.User]:
    return [rows.user_at(row, 0) for row in await sql.fetch(USERS, ids)]


async def _domains(ids: Sequence[UUID], now: datetime) -> list[rows.Domain]:
    return [rows.domain_at(row, 0) for row in await sql.fetch(DOMAINS, ids)]


async def _roles(ids: Sequence[UUID], now: datetime) -> list[rows.Role]:
    return [rows.role_at(row, 0) for row in await sql.fetch(ROLES, ids)]


async def _invitations(ids: Sequence[UUID], now: datetime) -> list[reads.Invitation]:
    return [found for found in await reads.current(ids, now) if found is not None]


async def _events(ids: Sequence[UUID], now: datetime) -> list[reads.Event]:
    return list((await reads.events(ids)).values())


def _own_role(role: rows.Role, user_id: UUID, grant: Grant | None) -> bool:
    own = grant is not None and grant.role.id == role.id
    return own or allows(grant, Action.DOMAIN_READ, role.domain_id)


def _invitee_or_reader(
    item: reads.Invitation | reads.Event, user_id: UUID, grant: Grant | None
) -> bool:
    invitee = item.invitee.id if item.invitee else None
    return invitee == user_id or allows(grant, Action.INVITATION_READ, item.domain.id)


async def _member_events(ids: Sequence[UUID], now: datetime) -> list[members.Event]:
    return list((await members.events(list(ids))).values())


async def _webhooks(ids: Sequence[UUID], now: datetime) -> list[webhook_reads.Webhook]:
    return await webhook_reads.many(ids)


async def _deliveries(ids: Sequence[UUID], now: datetime) -> list[webhook_reads.Delivery]:
    return await webhook_reads.deliveries(ids)


def _member_reader(item: members.Event, user_id: UUID, grant: Grant | None) -> bool:
    return allows(grant, Action.MEMBER_READ, item.domain_id)


def _webhook_manager(
    item: webhook_reads.Webhook | webhook_reads.Delivery, user_id: UUID, grant: Grant | None
) -> bool:
    return allows(grant, Action.WEBHOOK_MANAGE, item.domain_id)


# Each table that holds Node ids, by name as SQL spells it.
KINDS: dict[str, Kind] = {
    '"user"': Kind(_users, lambda user: None, lambda user, user_id, grant: True),
    "domain": Kind(
        _domains,
        lambda domain: domain.id,
        lambda domain, user_id, grant: allows(grant, Action.DOMAIN_READ, domain.id),
    ),
    "role": Kind(_roles, lambda role: role.domain_id, _own_role),
    "invitation": Kind(_invitations, lambda item: item.domain.id, _invitee_or_reader),
    "invitation_event": Kind(_events, lambda item: item.domain.id, _invitee_or_reader),
    "member_event": Kind(_member_events, lambda item: item.domain_id, _member_reader),
    "webhook": Kind(_webhooks, lambda item: item.domain_id, _webhook_manager),
    "webhook_delivery": Kind(_deliveries, lambda item: item.domain_id, _webhook_manager),
}
WHICH_TABLE = sql.Sql(
    " UNION ALL ".join(f"SELECT '{table}', id FROM {table} WHERE id = ANY(?)" for table in KINDS)
)


async def find(
    caller: Session | None, *, ids: Sequence[str], name: str, now: datetime
) -> list[Any | None]:
    """Each id's object (a read row), in order, or None where there is none the caller
    may see. `name` is the argument the ids came in, for BAD_USER_INPUT."""
    user = signed_in(caller).user
    if len(ids) > MAX_IDS:
        raise errors.BadUserInputError(f"{name} takes at most {MAX_IDS} ids, got {len(ids)}")
    wanted = [parse_id(value, name=name) for value in ids]
    by_table: dict[str, list[UUID]] = {}
    for table, row_id in await sql.fetch(WHICH_TABLE, *([wanted] * len(KINDS))):
        by_table.setdefault(table, []).append(sql.uuid(row_id))
    found: dict[UUID, tuple[Kind, Any]] = {}
    for table, table_ids in by_table.items():
        kind = KINDS[table]
        found.update((item.id, (kind, item)) for item in await kind.read(table_ids, now))
    domains = {kind.domain(item) for kind, item in found.values()}
    grants = await grants_of([user.id], [d for d in domains if d is not None])

    def shown(row_id: UUID) -> Any | None:
        if row_id not in found:
            return None
        kind, item = found[row_id]
        domain = kind.domain(item)
        grant = grants.get((domain, user.id)) if domain is not None else None
        return item if kind.visible(item, user.id, grant) else None

    return [shown(row_id) for row_id in wanted]
