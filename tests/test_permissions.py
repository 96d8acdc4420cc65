from __future__ import annotations

import uuid

import pytest
from tortoise.context import TortoiseContext

from app import errors
from app.permissions import BUILT_IN_ROLES, Action, authorize, within_ceiling
from app.runtime import Runtime
from tests.factories import add_member, create_domain, create_role, create_user


@pytest.mark.parametrize("action", list(Action))
def test_admin_role_grants_every_action(action: Action) -> None:
    assert action in BUILT_IN_ROLES["admin"]


@pytest.mark.parametrize(
    ("action", "allowed"),
    [
        (Action.DOMAIN_READ, True),
        (Action.MEMBER_READ, True),
        (Action.DOMAIN_UPDATE, False),
        (Action.MEMBER_MANAGE, False),
        (Action.INVITATION_SEND, False),
        (Action.INVITATION_READ, False),
        (Action.INVITATION_MANAGE, False),
        (Action.ROLE_MANAGE, False),
    ],
)
def test_member_role_grants_reads_only(action: Action, allowed: bool) -> None:
    assert (action in BUILT_IN_ROLES["member"]) is allowed


@pytest.mark.parametrize(
    ("granted", "granter", "ok"),
    [
        ({"MEMBER_READ"}, {"MEMBER_READ", "DOMAIN_READ"}, True),
        (set(), {"DOMAIN_READ"}, True),
        ({"ROLE_MANAGE"}, {"DOMAIN_READ"}, False),
        (set(Action), set(Action), True),
    ],
)
def test_role_ceiling_is_a_subset_check(granted: set[str], granter: set[str], ok: bool) -> None:
    assert within_ceiling(granted, granter) is ok


async def test_authorize_anonymous_is_unauthenticated(db: TortoiseContext) -> None:
    with pytest.raises(errors.UnauthenticatedError):
        await authorize(None, Action.DOMAIN_READ, uuid.uuid4())


async def test_authorize_stranger_and_unknown_domain_are_both_not_found(
    db: TortoiseContext, runtime: Runtime
) -> None:
    owner, stranger = await create_user(runtime.auth), await create_user(runtime.auth)
    domain = await create_domain(owner, runtime)

    with pytest.raises(errors.NotFoundError) as hidden:
        await authorize(stranger, Action.DOMAIN_READ, domain.id)
    with pytest.raises(errors.NotFoundError) as unknown:
        await authorize(stranger, Action.DOMAIN_READ, uuid.uuid4())
    assert "does not exist or you are not a member" in hidden.value.message
    assert "does not exist or you are not a member" in unknown.value.message


async def test_authorize_member_without_the_action_is_forbidden(
    db: TortoiseContext, runtime: Runtime
) -> None:
    owner, member = await create_user(runtime.auth), await create_user(runtime.auth)
    domain = await create_domain(owner, runtime)
    await add_member(domain, member)

    with pytest.raises(errors.ForbiddenError):
        await authorize(member, Action.INVITATION_SEND, domain.id)


async def test_authorize_custom_role_grants_its_actions(
    db: TortoiseContext, runtime: Runtime
) -> None:
    owner, member = await create_user(runtime.auth), await create_user(runtime.auth)
    domain = await create_domain(owner, runtime)
    role = await create_role(domain, "inviter", {Action.INVITATION_SEND})
    await add_member(domain, member, role)

    membership = await authorize(member, Action.INVITATION_SEND, domain.id)

    assert membership.role.name == "inviter"
