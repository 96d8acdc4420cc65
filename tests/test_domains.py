from __future__ import annotations

from typing import Any

import pytest

from app import models
from app.auth import Authenticator, Session
from app.permissions import Action
from tests.client import GraphQLClient
from tests.documents import CREATE_DOMAIN, CREATE_ROLE, DOMAIN, DOMAINS, UPDATE_DOMAIN
from tests.factories import add_member, create_domain, create_role, create_user
from tests.world import World

ALL_ACTIONS = sorted(a.value for a in Action)


async def test_create_domain_makes_the_creator_its_admin(
    gql: GraphQLClient, auth: Authenticator
) -> None:
    owner = await create_user(auth)

    result = await gql.execute(CREATE_DOMAIN, {"name": "  Acme  "}, as_=owner)

    domain = result.ok()["createDomain"]
    assert domain["name"] == "Acme"
    assert domain["myRole"] == {"name": "admin", "builtIn": True, "actions": ALL_ACTIONS}
    assert [(r["name"], r["builtIn"]) for r in domain["roles"]] == [
        ("admin", True),
        ("member", True),
    ]


async def test_builtin_member_role_reads_domain_and_members_only(world: World) -> None:
    result = await world.query(DOMAIN, id=str(world.domain.id))

    roles = {r["name"]: r["actions"] for r in result.ok()["domain"]["roles"]}
    assert roles["member"] == ["DOMAIN_READ", "MEMBER_READ"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
async def test_create_domain_with_a_bad_name_is_invalid_input(
    gql: GraphQLClient, auth: Authenticator, name: str
) -> None:
    owner = await create_user(auth)

    result = await gql.execute(CREATE_DOMAIN, {"name": name}, as_=owner)

    assert result.ok()["createDomain"]["code"] == "INVALID_INPUT"
    assert await models.Domain.all().count() == 0


async def test_create_domain_needs_sign_in(gql: GraphQLClient) -> None:
    result = await gql.execute(CREATE_DOMAIN, {"name": "Acme"})

    assert result.codes == ["UNAUTHENTICATED"]
    assert await models.Domain.all().count() == 0


async def test_domains_lists_only_the_callers_domains(
    gql: GraphQLClient, auth: Authenticator
) -> None:
    ann, bob = await create_user(auth), await create_user(auth)
    mine = await create_domain(ann, gql.runtime, name="Mine")
    await create_domain(bob, gql.runtime, name="Bob's")
    shared = await create_domain(bob, gql.runtime, name="Shared")
    await add_member(shared, ann)

    result = await gql.execute(DOMAINS, as_=ann)

    assert [(d["name"], d["myRole"]["name"]) for d in result.ok()["domains"]] == [
        ("Shared", "member"),
        ("Mine", "admin"),
    ]
    assert str(mine.id) in {d["id"] for d in result.ok()["domains"]}


async def test_domain_of_a_stranger_and_an_unknown_domain_look_the_same(
    world: World, auth: Authenticator
) -> None:
    stranger = await create_user(auth)

    hidden = await world.query(DOMAIN, as_=stranger, id=str(world.domain.id))
    unknown = await world.query(DOMAIN, as_=stranger, id="00000000-0000-7000-8000-000000000000")

    assert hidden.ok() == unknown.ok() == {"domain": None}


async def test_domain_with_a_malformed_id_is_bad_user_input(world: World) -> None:
    result = await world.query(DOMAIN, id="not-an-id")

    assert result.codes == ["BAD_USER_INPUT"]
    assert "not a valid ID" in result.errors[0]["message"]


async def add_inviter(world: World, auth: Authenticator) -> Session:
    """A member whose role sends invitations but does not read the domain."""
    inviter = await create_user(auth)
    role = await create_role(world.domain, "inviter", {Action.INVITATION_SEND})
    await add_member(world.domain, inviter, role)
    return inviter


async def test_domain_without_domain_read_is_forbidden(world: World, auth: Authenticator) -> None:
    helper = await add_inviter(world, auth)

    result = await world.query(DOMAIN, as_=helper, id=str(world.domain.id))

    assert result.codes == ["FORBIDDEN"]


async def test_domain_roles_are_hidden_from_callers_without_domain_read(
    world: World, auth: Authenticator
) -> None:
    helper = await add_inviter(world, auth)

    result = await world.query(DOMAINS, as_=helper)

    domains = result.ok()["domains"]
    assert [(d["name"], d["myRole"]["name"], d["roles"]) for d in domains] == [
        ("Acme", "inviter", [])
    ]


async def test_create_role_with_an_action_subset(world: World) -> None:
    result = await world.query(
        CREATE_ROLE, name="recruiter", actions=["INVITATION_SEND", "DOMAIN_READ", "INVITATION_SEND"]
    )

    role = result.ok()["createRole"]
    assert role["actions"] == ["DOMAIN_READ", "INVITATION_SEND"]
    assert role["builtIn"] is False


@pytest.mark.parametrize("name", ["admin", "member"])
async def test_create_role_with_a_taken_name_is_role_name_taken(world: World, name: str) -> None:
    result = await world.query(CREATE_ROLE, name=name, actions=[])

    assert result.ok()["createRole"]["code"] == "ROLE_NAME_TAKEN"
    assert await models.Role.filter(domain_id=world.domain.id).count() == 2


async def test_create_role_with_an_empty_name_is_invalid_input(world: World) -> None:
    result = await world.query(CREATE_ROLE, name=" ", actions=[])

    assert result.ok()["createRole"]["code"] == "INVALID_INPUT"


async def test_create_role_needs_role_manage(world: World, auth: Authenticator) -> None:
    member = await create_user(auth)
    await add_member(world.domain, member)

    result = await world.query(CREATE_ROLE, as_=member, name="x", actions=[])

    assert result.codes == ["FORBIDDEN"]
    assert await models.Role.filter(domain_id=world.domain.id).count() == 2


async def test_create_role_in_an_invisible_domain_is_not_found(
    world: World, auth: Authenticator
) -> None:
    stranger = await create_user(auth)

    result = await world.query(CREATE_ROLE, as_=stranger, name="x", actions=[])

    assert result.codes == ["NOT_FOUND"]


async def test_create_role_with_an_unknown_action_is_a_validation_error(world: World) -> None:
    result = await world.query(CREATE_ROLE, name="x", actions=["FLY"])

    assert result.data is None
    assert "FLY" in result.errors[0]["message"]


# --- updateDomain -----------------------------------------------------------------------


async def update(world: World, as_: Session | None = None, **variables: Any) -> dict[str, Any]:
    return await world.mutate(UPDATE_DOMAIN, as_=as_, domainId=str(world.domain.id), **variables)


async def test_update_domain_renames_it_and_sets_its_invitation_ttl(world: World) -> None:
    updated = await update(world, name="  Acme Labs ", ttl=3600)

    assert (updated["name"], updated["invitationTtlSeconds"]) == ("Acme Labs", 3600)
    again = (await world.query(DOMAIN, id=str(world.domain.id))).ok()["domain"]
    assert (again["name"], again["invitationTtlSeconds"]) == ("Acme Labs", 3600)


async def test_update_domain_leaves_what_is_left_out_unchanged(world: World) -> None:
    await update(world, ttl=7200)

    renamed = await update(world, name="Renamed")
    unnamed = await update(world, name=None)  # null: the name cannot be cleared
    retimed = await update(world, ttl=3600)

    assert (renamed["name"], renamed["invitationTtlSeconds"]) == ("Renamed", 7200)
    assert (unnamed["name"], unnamed["invitationTtlSeconds"]) == ("Renamed", 7200)
    assert (retimed["name"], retimed["invitationTtlSeconds"]) == ("Renamed", 3600)


async def test_update_domain_with_a_null_ttl_restores_the_server_default(world: World) -> None:
    await update(world, ttl=3600)

    updated = await update(world, ttl=None)

    assert updated["invitationTtlSeconds"] is None


@pytest.mark.parametrize("ttl", [3600, 7776000])
async def test_update_domain_accepts_an_hour_to_ninety_days(world: World, ttl: int) -> None:
    assert (await update(world, ttl=ttl))["invitationTtlSeconds"] == ttl


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"ttl": 3599}, "invitationTtlSeconds"),
        ({"ttl": 7776001}, "invitationTtlSeconds"),
        ({"ttl": 0}, "invitationTtlSeconds"),
        ({"ttl": -3600}, "invitationTtlSeconds"),
        ({"name": " "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "Fine", "ttl": 60}, "invitationTtlSeconds"),
    ],
)
async def test_update_domain_refuses_bad_values_and_changes_nothing(
    world: World, variables: dict[str, Any], field: str
) -> None:
    result = await update(world, **variables)

    assert (result["code"], result["field"]) == ("INVALID_INPUT", field)
    domain = await models.Domain.get(id=world.domain.id)
    assert (domain.name, domain.invitation_ttl_seconds) == ("Acme", None)


@pytest.mark.parametrize(("relation", "code"), [("member", "FORBIDDEN"), ("stranger", "NOT_FOUND")])
async def test_update_domain_needs_domain_update(
    world: World, auth: Authenticator, relation: str, code: str
) -> None:
    user = await create_user(auth)
    if relation == "member":
        await add_member(world.domain, user)

    result = await world.query(UPDATE_DOMAIN, as_=user, name="Taken over", ttl=3600)

    assert result.codes == [code]
    assert (await models.Domain.get(id=world.domain.id)).name == "Acme"
