"""Domains and their roles: create, list, read, update, and the roles a caller may see."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app import errors, models, rows, sql
from app.auth import Session
from app.ids import parse_id
from app.permissions import (
    ADMIN_ROLE,
    BUILT_IN_ROLES,
    Action,
    Grant,
    authorize,
    grants_of,
    signed_in,
    within_ceiling,
)
from app.rows import DOMAIN_COLUMNS, ROLE_COLUMNS, columns
from app.runtime import Runtime
from app.services import memberships
from app.services.validation import clean_name

ALL_ACTIONS = frozenset(Action)
# A domain's own lifetime for the invitations it sends: one hour to 90 days.
TTL_MIN, TTL_MAX = 3600, 90 * 24 * 3600

MY_DOMAINS = sql.Sql(
    f"SELECT {columns(DOMAIN_COLUMNS, 'd')} FROM membership m JOIN domain d ON d.id = m.domain_id "
    "WHERE m.user_id = ? ORDER BY m.joined_at DESC, d.id DESC"
)
DOMAIN = sql.Sql(f"SELECT {columns(DOMAIN_COLUMNS, 'd')} FROM domain d WHERE d.id = ?")
ROLE = sql.Sql(
    f"SELECT {columns(ROLE_COLUMNS, 'r')} FROM role r WHERE r.id = ? AND r.domain_id = ?"
)
ROLES = sql.Sql(
    f"SELECT {columns(ROLE_COLUMNS, 'r')} FROM role r WHERE r.domain_id = ANY(?) "
    "ORDER BY r.built_in DESC, r.created_at, r.name, r.id"
)


async def create_domain(caller: Session | None, *, name: str, runtime: Runtime) -> rows.Domain:
    """Create a domain with its built-in roles; the creator becomes its admin."""
    user = signed_in(caller).user
    name = clean_name(name)
    now = runtime.clock.now()
    async with in_transaction():
        domain = await models.Domain.create(name=name, created_at=now)
        roles = {
            role_name: await models.Role.create(
                domain=domain,
                name=role_name,
                actions=sorted(actions),
                built_in=True,
                holds_all_actions=actions == ALL_ACTIONS,
                created_at=now,
            )
            for role_name, actions in BUILT_IN_ROLES.items()
        }
        await memberships.join(domain.id, user.id, roles[ADMIN_ROLE].id, now)
    runtime.relay.kick()
    return rows.Domain(domain.id, domain.name, domain.created_at, None)


async def list_domains(caller: Session | None) -> list[rows.Domain]:
    """The caller's domains, most recently joined first."""
    user = signed_in(caller).user
    return [rows.domain_at(row, 0) for row in await sql.fetch(MY_DOMAINS, user.id)]


async def get_domain(caller: Session | None, *, domain_id: str) -> rows.Domain | None:
    """One domain the caller may read, or None when it is not visible to them."""
    try:
        grant = await authorize(caller, Action.DOMAIN_READ, parse_id(domain_id))
    except errors.NotFoundError:
        return None
    row = await sql.fetch_one(DOMAIN, grant.domain_id)
    return rows.domain_at(row, 0) if row else None


class DomainChanges(TypedDict, total=False):
    """What updateDomain changes; a key left out stays as it is."""

    name: str
    invitation_ttl_seconds: int | None  # None: back to the server's default


async def update_domain(
    caller: Session | None, *, domain_id: str, changes: DomainChanges
) -> rows.Domain:
    """Rename a domain or set the lifetime of the invitations it sends from now on."""
    domain = parse_id(domain_id, name="domainId")
    await authorize(caller, Action.DOMAIN_UPDATE, domain)
    values = _checked(changes)
    if values:
        await models.Domain.filter(id=domain).update(**values)
    row = await sql.fetch_one(DOMAIN, domain)
    if row is None:  # domains are never deleted; this would be a broken database
        raise RuntimeError(f"domain {domain} vanished")
    return rows.domain_at(row, 0)


def _checked(changes: DomainChanges) -> dict[str, object]:
    values: dict[str, object] = {}
    if "name" in changes:
        values["name"] = clean_name(changes["name"])
    if "invitation_ttl_seconds" in changes:
        ttl = changes["invitation_ttl_seconds"]
        if ttl is not None and not TTL_MIN <= ttl <= TTL_MAX:
            raise errors.InvalidInputError(
                f"invitationTtlSeconds must be {TTL_MIN} (an hour) to {TTL_MAX} (90 days), "
                "or null for the server's default",
                field="invitationTtlSeconds",
            )
        values["invitation_ttl_seconds"] = ttl
    return values


async def create_role(
    caller: Session | None, *, domain_id: str, name: str, actions: Sequence[str], runtime: Runtime
) -> rows.Role:
    """Add a custom role granting `actions` to a domain."""
    domain = parse_id(domain_id, name="domainId")
    await authorize(caller, Action.ROLE_MANAGE, domain)
    name = clean_name(name)
    try:
        role = await models.Role.create(
            domain_id=domain,
            name=name,
            actions=sorted(set(actions)),
            holds_all_actions=set(actions) == ALL_ACTIONS,
            created_at=runtime.clock.now(),
        )
    except IntegrityError:
        raise errors.RoleNameTakenError(
            f"This domain already has a role named {name!r}: choose another name"
        ) from None
    return rows.Role(role.id, domain, role.name, tuple(role.actions), role.built_in)


async def grantable_role(grant: Grant, role_id: UUID) -> rows.Role:
    """A role of the grant's domain that the grant's holder may hand out."""
    role = await role_of(grant.domain_id, role_id)
    if role is None:
        raise errors.RoleNotFoundError("That role does not exist in this domain")
    if not within_ceiling(role.actions, grant.role.actions):
        raise errors.RoleNotAllowedError(
            f"You cannot grant the role '{role.name}': it allows actions your role "
            f"'{grant.role.name}' does not"
        )
    return role


async def role_of(domain_id: UUID, role_id: UUID) -> rows.Role | None:
    """One of a domain's roles (for a caller already authorized in that domain)."""
    row = await sql.fetch_one(ROLE, role_id, domain_id)
    return rows.role_at(row, 0) if row else None


async def visible_roles(grants: Sequence[Grant | None]) -> list[list[rows.Role]]:
    """Each domain's roles, given the caller's grant there (None: not a member); empty
    where the grant lacks DOMAIN_READ."""
    readable = [g.domain_id for g in grants if g is not None and g.allows(Action.DOMAIN_READ)]
    by_domain: dict[UUID, list[rows.Role]] = {d: [] for d in readable}
    if readable:
        for row in await sql.fetch(ROLES, readable):
            role = rows.role_at(row, 0)
            by_domain[role.domain_id].append(role)
    return [by_domain.get(g.domain_id, []) if g else [] for g in grants]


async def my_grants(caller: Session | None, domain_ids: Sequence[UUID]) -> list[Grant | None]:
    """The caller's grant in each domain (None where not a member), in order."""
    if caller is None:
        return [None] * len(domain_ids)
    found = await grants_of([caller.user.id], domain_ids)
    return [found.get((domain_id, caller.user.id)) for domain_id in domain_ids]
