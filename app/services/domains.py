"""Domains and their roles: create, list, read, and the roles a caller may see."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app import errors, models
from app.ids import parse_id
from app.permissions import (
    ADMIN_ROLE,
    BUILT_IN_ROLES,
    Action,
    authorize,
    grants,
    require_user,
)
from app.services.validation import clean_name


async def create_domain(user: models.User | None, *, name: str) -> models.Domain:
    """Create a domain with its built-in roles; the creator becomes its admin."""
    caller = require_user(user)
    name = clean_name(name)
    async with in_transaction():
        domain = await models.Domain.create(name=name)
        roles = {
            role_name: await models.Role.create(
                domain=domain, name=role_name, actions=sorted(actions), built_in=True
            )
            for role_name, actions in BUILT_IN_ROLES.items()
        }
        await models.Membership.create(domain=domain, user=caller, role=roles[ADMIN_ROLE])
    return domain


async def list_domains(user: models.User | None) -> list[models.Domain]:
    """The caller's domains, most recently joined first."""
    caller = require_user(user)
    return list(
        await models.Domain.filter(memberships__user_id=caller.id).order_by(
            "-memberships__joined_at", "-id"
        )
    )


async def get_domain(user: models.User | None, *, domain_id: str) -> models.Domain | None:
    """One domain the caller may read, or None when it is not visible to them."""
    try:
        membership = await authorize(user, Action.DOMAIN_READ, parse_id(domain_id))
    except errors.NotFoundError:
        return None
    return await models.Domain.get(id=membership.domain_id)


async def create_role(
    user: models.User | None, *, domain_id: str, name: str, actions: Sequence[str]
) -> models.Role:
    """Add a custom role granting `actions` to a domain."""
    domain_uuid = parse_id(domain_id, name="domainId")
    await authorize(user, Action.ROLE_MANAGE, domain_uuid)
    name = clean_name(name)
    try:
        return await models.Role.create(
            domain_id=domain_uuid, name=name, actions=sorted(set(actions))
        )
    except IntegrityError:
        raise errors.RoleNameTakenError(
            f"This domain already has a role named {name!r}: choose another name"
        ) from None


async def my_roles(
    user: models.User | None, domain_ids: Sequence[UUID]
) -> list[models.Role | None]:
    """The caller's role in each domain (None where not a member), in order."""
    if user is None:
        return [None] * len(domain_ids)
    rows = await models.Membership.filter(
        user_id=user.id, domain_id__in=list(domain_ids)
    ).select_related("role")
    by_domain = {row.domain_id: row.role for row in rows}
    return [by_domain.get(domain_id) for domain_id in domain_ids]


async def visible_roles(
    user: models.User | None, domain_ids: Sequence[UUID]
) -> list[list[models.Role]]:
    """Each domain's roles, for callers whose role there grants DOMAIN_READ."""
    mine = await my_roles(user, domain_ids)
    readable = [
        d
        for d, role in zip(domain_ids, mine, strict=True)
        if role is not None and grants(role.actions, Action.DOMAIN_READ)
    ]
    by_domain: dict[UUID, list[models.Role]] = {d: [] for d in readable}
    for role in await models.Role.filter(domain_id__in=readable).order_by("created_at", "id"):
        by_domain[role.domain_id].append(role)
    return [by_domain.get(domain_id, []) for domain_id in domain_ids]
