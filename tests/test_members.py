"""Member management (SPEC rule 11): change a member's role, remove a member, leave a
domain; the role ceiling both ways; a domain always keeps a member whose role holds every
action (LAST_ADMIN), also under races; the member history."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from app import models
from app.auth import Authenticator, Session
from app.permissions import Action
from tests.documents import (
    CHANGE_MEMBER_ROLE,
    CREATE_ROLE,
    DOMAIN,
    DOMAINS,
    INVITATIONS,
    LEAVE_DOMAIN,
    MEMBER_HISTORY,
    MEMBERS,
    PENDING,
    REMOVE_MEMBER,
)
from tests.factories import add_member, create_role, create_user, role_named
from tests.world import World

ALL_ACTIONS = set(Action)
MANAGER_ACTIONS = {Action.DOMAIN_READ, Action.MEMBER_READ, Action.MEMBER_MANAGE}


async def joined(world: World, auth: Authenticator, role: str = "member") -> Session:
    """A new user who joined the domain by accepting an invitation with `role`."""
    user = await create_user(auth)
    await world.respond(await world.invite(user, role), "ACCEPT", as_=user)
    return user


async def manager(world: World, auth: Authenticator) -> Session:
    """A member who manages members but holds few other actions."""
    user = await create_user(auth)
    await add_member(
        world.domain, user, await create_role(world.domain, "manager", MANAGER_ACTIONS)
    )
    return user


async def change_role(
    world: World, member: Session, role: str, as_: Session | None = None
) -> dict[str, Any]:
    role_id = str((await role_named(world.domain, role)).id)
    return await world.mutate(
        CHANGE_MEMBER_ROLE,
        as_=as_,
        domainId=str(world.domain.id),
        userId=str(member.user.id),
        roleId=role_id,
    )


async def remove(world: World, member: Session, as_: Session | None = None) -> dict[str, Any]:
    return await world.mutate(
        REMOVE_MEMBER, as_=as_, domainId=str(world.domain.id), userId=str(member.user.id)
    )


async def leave(world: World, as_: Session) -> dict[str, Any]:
    return await world.mutate(LEAVE_DOMAIN, as_=as_, domainId=str(world.domain.id))


def outcome(payload: dict[str, Any]) -> str:
    return str(payload.get("code", payload["__typename"]))


async def role_of(world: World, member: Session) -> str | None:
    found = await models.Membership.get_or_none(
        domain_id=world.domain.id, user_id=member.user.id
    ).prefetch_related("role")
    return found.role.name if found else None


async def history(world: World, as_: Session | None = None, **variables: Any) -> list[Any]:
    page = (await world.query(MEMBER_HISTORY, as_=as_, **variables)).ok()["memberHistory"]
    return [(e["kind"], e["user"]["id"], e["role"] and e["role"]["name"]) for e in page["nodes"]]


# --- changeMemberRole -------------------------------------------------------------------


async def test_an_admin_changes_a_members_role(world: World, auth: Authenticator) -> None:
    ann = await joined(world, auth)
    await create_role(world.domain, "recruiter", {Action.DOMAIN_READ, Action.INVITATION_SEND})

    changed = await change_role(world, ann, "recruiter")

    assert changed["__typename"] == "Member"
    assert (changed["user"]["id"], changed["role"]["name"]) == (str(ann.user.id), "recruiter")
    assert changed["invitedBy"]["name"] == "Admin"  # still the member who came by invitation
    members = (await world.query(MEMBERS)).ok()["members"]["nodes"]
    assert {m["user"]["id"]: m["role"]["name"] for m in members}[str(ann.user.id)] == "recruiter"
    [event] = (await world.query(MEMBER_HISTORY, first=1)).ok()["memberHistory"]["nodes"]
    assert event["kind"] == "ROLE_CHANGED"
    assert (event["role"]["name"], event["previousRole"]["name"]) == ("recruiter", "member")
    assert event["actor"]["id"] == str(world.admin.user.id)


async def test_a_new_role_takes_effect_at_once(world: World, auth: Authenticator) -> None:
    ann = await joined(world, auth, role="admin")
    assert (await world.query(INVITATIONS, as_=ann)).ok()["invitations"]["totalCount"] == 1

    await change_role(world, ann, "member")

    assert (await world.query(INVITATIONS, as_=ann)).codes == ["FORBIDDEN"]


async def test_giving_a_member_the_role_they_have_changes_nothing(
    world: World, auth: Authenticator
) -> None:
    ann = await joined(world, auth)

    changed = await change_role(world, ann, "member")

    assert changed["role"]["name"] == "member"
    assert [kind for kind, _, _ in await history(world)].count("ROLE_CHANGED") == 0


async def test_changing_the_role_of_a_non_member_is_not_found(
    world: World, auth: Authenticator
) -> None:
    stranger = await create_user(auth)

    assert outcome(await change_role(world, stranger, "member")) == "NOT_FOUND"


async def test_a_role_of_another_domain_is_role_not_found(
    world: World, auth: Authenticator
) -> None:
    ann = await joined(world, auth)
    elsewhere = await world.elsewhere("Beta")
    foreign = await role_named(elsewhere.domain, "admin")

    result = await world.mutate(
        CHANGE_MEMBER_ROLE,
        domainId=str(world.domain.id),
        userId=str(ann.user.id),
        roleId=str(foreign.id),
    )

    assert outcome(result) == "ROLE_NOT_FOUND"
    assert await role_of(world, ann) == "member"


async def test_a_manager_cannot_grant_a_role_beyond_their_own(
    world: World, auth: Authenticator
) -> None:
    boss, ann = await manager(world, auth), await joined(world, auth)

    result = await change_role(world, ann, "admin", as_=boss)

    assert outcome(result) == "ROLE_NOT_ALLOWED"
    assert await role_of(world, ann) == "member"


@pytest.mark.parametrize("change", ["demote", "remove"])
async def test_a_manager_cannot_touch_a_member_whose_role_exceeds_their_own(
    world: World, auth: Authenticator, change: str
) -> None:
    boss, other_admin = await manager(world, auth), await joined(world, auth, role="admin")

    if change == "demote":
        result = await change_role(world, other_admin, "member", as_=boss)
    else:
        result = await remove(world, other_admin, as_=boss)

    assert outcome(result) == "ROLE_NOT_ALLOWED"
    assert await role_of(world, other_admin) == "admin"


async def test_a_manager_manages_members_within_their_ceiling(
    world: World, auth: Authenticator
) -> None:
    boss, ann = await manager(world, auth), await joined(world, auth)
    await create_role(world.domain, "reader", {Action.DOMAIN_READ})

    changed = await change_role(world, ann, "reader", as_=boss)
    removed = await remove(world, ann, as_=boss)

    assert changed["role"]["name"] == "reader"
    assert removed == {
        "__typename": "RemovedMember",
        "domainId": str(world.domain.id),
        "userId": str(ann.user.id),
    }


async def test_the_last_admin_cannot_demote_themselves(world: World) -> None:
    result = await change_role(world, world.admin, "member")

    assert outcome(result) == "LAST_ADMIN"
    assert await role_of(world, world.admin) == "admin"


async def test_an_admin_may_demote_themselves_when_another_remains(
    world: World, auth: Authenticator
) -> None:
    await joined(world, auth, role="admin")

    changed = await change_role(world, world.admin, "member")

    assert changed["role"]["name"] == "member"


async def test_a_custom_role_holding_every_action_keeps_the_domain_administered(
    world: World, auth: Authenticator
) -> None:
    everything = sorted(a.value for a in Action)
    created = (await world.query(CREATE_ROLE, name="owner", actions=everything)).ok()
    assert created["createRole"]["__typename"] == "Role"
    await add_member(world.domain, await create_user(auth), await role_named(world.domain, "owner"))

    changed = await change_role(world, world.admin, "member")

    assert changed["role"]["name"] == "member"


# --- removeMember -----------------------------------------------------------------------


async def test_a_removed_member_loses_access_at_once(world: World, auth: Authenticator) -> None:
    ann = await joined(world, auth)
    assert (await world.query(DOMAIN, as_=ann, id=str(world.domain.id))).ok()["domain"]

    removed = await remove(world, ann)

    assert removed["__typename"] == "RemovedMember"
    assert (await world.query(DOMAIN, as_=ann, id=str(world.domain.id))).ok() == {"domain": None}
    assert (await world.query(DOMAINS, as_=ann)).ok() == {"domains": []}
    assert (await world.query(MEMBERS, as_=ann)).codes == ["NOT_FOUND"]
    members = (await world.query(MEMBERS)).ok()["members"]["nodes"]
    assert str(ann.user.id) not in {m["user"]["id"] for m in members}


async def test_a_removed_member_keeps_their_accepted_invitation_and_can_be_invited_again(
    world: World, auth: Authenticator
) -> None:
    ann = await joined(world, auth)
    await remove(world, ann)

    again = await world.invite(ann)
    await world.respond(again, "ACCEPT", as_=ann)

    table = (await world.query(INVITATIONS, inviteeId=str(ann.user.id))).ok()["invitations"]
    assert [n["status"] for n in table["nodes"]] == ["ACCEPTED", "ACCEPTED"]
    assert await role_of(world, ann) == "member"
    kinds = [kind for kind, user, _ in await history(world) if user == str(ann.user.id)]
    assert kinds == ["JOINED", "REMOVED", "JOINED"]


async def test_invitations_a_removed_member_sent_stay_pending(
    world: World, auth: Authenticator
) -> None:
    recruiter = await joined(world, auth, role="admin")
    bob = await create_user(auth)
    await world.send([bob], as_=recruiter)

    await remove(world, recruiter)

    pending = (await world.query(PENDING, as_=bob)).ok()["pendingInvitations"]
    assert pending["totalCount"] == 1
    assert pending["edges"][0]["node"]["invitedBy"]["name"] == recruiter.user.name


async def test_removing_a_non_member_is_not_found(world: World, auth: Authenticator) -> None:
    assert outcome(await remove(world, await create_user(auth))) == "NOT_FOUND"


async def test_the_last_admin_cannot_remove_themselves(world: World) -> None:
    assert outcome(await remove(world, world.admin)) == "LAST_ADMIN"
    assert await role_of(world, world.admin) == "admin"


async def test_removing_yourself_is_leaving(world: World, auth: Authenticator) -> None:
    other = await joined(world, auth, role="admin")

    removed = await remove(world, world.admin)

    assert removed["userId"] == str(world.admin.user.id)
    [latest] = (await world.query(MEMBER_HISTORY, as_=other, first=1)).ok()["memberHistory"][
        "nodes"
    ]
    assert (latest["kind"], latest["actor"]["id"]) == ("LEFT", str(world.admin.user.id))


# --- leaveDomain ------------------------------------------------------------------------


async def test_a_member_leaves_a_domain(world: World, auth: Authenticator) -> None:
    ann = await joined(world, auth)

    left = await leave(world, as_=ann)

    assert left == {
        "__typename": "RemovedMember",
        "domainId": str(world.domain.id),
        "userId": str(ann.user.id),
    }
    assert (await world.query(DOMAINS, as_=ann)).ok() == {"domains": []}
    [latest] = (await world.query(MEMBER_HISTORY, first=1)).ok()["memberHistory"]["nodes"]
    assert (latest["kind"], latest["actor"]["id"], latest["role"]["name"]) == (
        "LEFT",
        str(ann.user.id),
        "member",
    )


async def test_the_last_admin_cannot_leave_until_another_admin_exists(
    world: World, auth: Authenticator
) -> None:
    ann = await joined(world, auth)

    refused = await leave(world, as_=world.admin)
    await change_role(world, ann, "admin")
    left = await leave(world, as_=world.admin)

    assert outcome(refused) == "LAST_ADMIN"
    assert outcome(left) == "RemovedMember"


async def test_leaving_a_domain_you_are_not_in_is_not_found(
    world: World, auth: Authenticator
) -> None:
    result = await world.query(LEAVE_DOMAIN, as_=await create_user(auth))

    assert result.codes == ["NOT_FOUND"]


# --- memberHistory ----------------------------------------------------------------------


async def test_member_history_lists_every_change_newest_first(
    world: World, auth: Authenticator
) -> None:
    ann, bob = await joined(world, auth), await joined(world, auth)
    await change_role(world, ann, "admin")
    await remove(world, bob)
    await leave(world, as_=ann)

    page = (await world.query(MEMBER_HISTORY)).ok()["memberHistory"]

    admin, a, b = str(world.admin.user.id), str(ann.user.id), str(bob.user.id)
    assert page["totalCount"] == 6
    assert [(e["kind"], e["user"]["id"], e["actor"]["id"]) for e in page["nodes"]] == [
        ("LEFT", a, a),
        ("REMOVED", b, admin),
        ("ROLE_CHANGED", a, admin),
        ("JOINED", b, b),
        ("JOINED", a, a),
        ("JOINED", admin, admin),  # creating the domain
    ]
    assert page["nodes"][-1]["role"]["name"] == "admin"
    assert page["nodes"][2]["previousRole"]["name"] == "member"


async def test_member_history_pages_with_a_cursor(world: World, auth: Authenticator) -> None:
    for _ in range(3):
        await joined(world, auth)

    first = (await world.query(MEMBER_HISTORY, first=2)).ok()["memberHistory"]
    cursor = first["pageInfo"]["endCursor"]
    rest = (await world.query(MEMBER_HISTORY, first=2, after=cursor)).ok()["memberHistory"]

    ids = [e["id"] for e in first["nodes"] + rest["nodes"]]
    assert first["pageInfo"]["hasNextPage"] and not rest["pageInfo"]["hasNextPage"]
    assert len(ids) == len(set(ids)) == 4


@pytest.mark.parametrize(
    ("relation", "code"),
    [("member", None), ("no MEMBER_READ", "FORBIDDEN"), ("stranger", "NOT_FOUND")],
)
async def test_member_history_needs_member_read(
    world: World, auth: Authenticator, relation: str, code: str | None
) -> None:
    user = await create_user(auth)
    if relation == "member":
        await add_member(world.domain, user)
    elif relation == "no MEMBER_READ":
        await add_member(
            world.domain, user, await create_role(world.domain, "x", {Action.DOMAIN_READ})
        )

    result = await world.query(MEMBER_HISTORY, as_=user)

    assert (result.codes or [None]) == [code]


# --- LAST_ADMIN under races (in this process; on PostgreSQL on separate connections) ----


@pytest.mark.parametrize("round_", range(4))
async def test_two_admins_removing_each_other_at_once_leave_one(
    world: World, auth: Authenticator, round_: int
) -> None:
    ann = await joined(world, auth, role="admin")
    pair = [remove(world, ann), remove(world, world.admin, as_=ann)]

    outcomes = await asyncio.gather(*(pair if round_ % 2 else reversed(pair)))

    assert sorted(map(outcome, outcomes)).count("RemovedMember") == 1
    admins = await models.Membership.filter(domain_id=world.domain.id).count()
    assert admins == 1


async def test_all_admins_leaving_at_once_leave_one(world: World, auth: Authenticator) -> None:
    admins = [world.admin, *[await joined(world, auth, role="admin") for _ in range(4)]]

    outcomes = await asyncio.gather(*(leave(world, as_=a) for a in admins))

    assert sorted(map(outcome, outcomes)) == ["LAST_ADMIN"] + ["RemovedMember"] * 4
    assert await models.Membership.filter(domain_id=world.domain.id).count() == 1
