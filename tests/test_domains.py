from __future__ import annotations

import pytest

from app import models
from app.auth import Authenticator
from app.permissions import Action
from tests.client import GraphQLClient
from tests.documents import CREATE_DOMAIN, CREATE_ROLE, DOMAIN, DOMAINS
from tests.factories import add_member, create_domain, create_role, create_user

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


async def test_builtin_member_role_reads_domain_and_members_only(
    gql: GraphQLClient, auth: Authenticator
) -> None:
    owner = await create_user(auth)
    domain = await create_domain(owner, gql.runtime)

    result = await gql.execute(DOMAIN, {"id": str(domain.id)}, as_=owner)

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
    gql: GraphQLClient, auth: Authenticator
) -> None:
    owner, stranger = await create_user(auth), await create_user(auth)
    domain = await create_domain(owner, gql.runtime)

    hidden = await gql.execute(DOMAIN, {"id": str(domain.id)}, as_=stranger)
    unknown = await gql.execute(
        DOMAIN, {"id": "00000000-0000-7000-8000-000000000000"}, as_=stranger
    )

    assert hidden.ok() == unknown.ok() == {"domain": None}


async def test_domain_with_a_malformed_id_is_bad_user_input(
    gql: GraphQLClient, auth: Authenticator
) -> None:
    owner = await create_user(auth)

    result = await gql.execute(DOMAIN, {"id": "not-an-id"}, as_=owner)

    assert result.codes == ["BAD_USER_INPUT"]
    assert "not a valid ID" in result.errors[0]["message"]


async def test_domain_without_domain_read_is_forbidden(
    gql: GraphQLClient, auth: Authenticator
) -> None:
    owner, helper = await create_user(auth), await create_user(auth)
    domain = await create_domain(owner, gql.runtime)
    await add_member(domain, helper, await create_role(domain, "inviter", {Action.INVITATION_SEND}))

    result = await gql.execute(DOMAIN, {"id": str(domain.id)}, as_=helper)

    assert result.codes == ["FORBIDDEN"]


async def test_domain_roles_are_hidden_from_callers_without_domain_read(
    gql: GraphQLClient, auth: Authenticator
) -> None:
    owner, helper = await create_user(auth), await create_user(auth)
    domain = await create_domain(owner, gql.runtime)
    await add_member(domain, helper, await create_role(domain, "inviter", {Action.INVITATION_SEND}))

    result = await gql.execute(DOMAINS, as_=helper)

    domains = result.ok()["domains"]
    assert [(d["name"], d["myRole"]["name"], d["roles"]) for d in domains] == [
        ("Acme", "inviter", [])
    ]


async def test_create_role_with_an_action_subset(gql: GraphQLClient, auth: Authenticator) -> None:
    owner = await create_user(auth)
    domain = await create_domain(owner, gql.runtime)

    result = await gql.execute(
        CREATE_ROLE,
        {
            "domainId": str(domain.id),
            "name": "recruiter",
            "actions": ["INVITATION_SEND", "DOMAIN_READ", "INVITATION_SEND"],
        },
        as_=owner,
    )

    role = result.ok()["createRole"]
    assert role["actions"] == ["DOMAIN_READ", "INVITATION_SEND"]
    assert role["builtIn"] is False


@pytest.mark.parametrize("name", ["admin", "member"])
async def test_create_role_with_a_taken_name_is_role_name_taken(
    gql: GraphQLClient, auth: Authenticator, name: str
) -> None:
    owner = await create_user(auth)
    domain = await create_domain(owner, gql.runtime)

    result = await gql.execute(
        CREATE_ROLE, {"domainId": str(domain.id), "name": name, "actions": []}, as_=owner
    )

    assert result.ok()["createRole"]["code"] == "ROLE_NAME_TAKEN"
    assert await models.Role.filter(domain_id=domain.id).count() == 2


async def test_create_role_with_an_empty_name_is_invalid_input(
    gql: GraphQLClient, auth: Authenticator
) -> None:
    owner = await create_user(auth)
    domain = await create_domain(owner, gql.runtime)

    result = await gql.execute(
        CREATE_ROLE, {"domainId": str(domain.id), "name": " ", "actions": []}, as_=owner
    )

    assert result.ok()["createRole"]["code"] == "INVALID_INPUT"


async def test_create_role_needs_role_manage(gql: GraphQLClient, auth: Authenticator) -> None:
    owner, member = await create_user(auth), await create_user(auth)
    domain = await create_domain(owner, gql.runtime)
    await add_member(domain, member)

    result = await gql.execute(
        CREATE_ROLE, {"domainId": str(domain.id), "name": "x", "actions": []}, as_=member
    )

    assert result.codes == ["FORBIDDEN"]
    assert await models.Role.filter(domain_id=domain.id).count() == 2


async def test_create_role_in_an_invisible_domain_is_not_found(
    gql: GraphQLClient, auth: Authenticator
) -> None:
    owner, stranger = await create_user(auth), await create_user(auth)
    domain = await create_domain(owner, gql.runtime)

    result = await gql.execute(
        CREATE_ROLE, {"domainId": str(domain.id), "name": "x", "actions": []}, as_=stranger
    )

    assert result.codes == ["NOT_FOUND"]


async def test_create_role_with_an_unknown_action_is_a_validation_error(
    gql: GraphQLClient, auth: Authenticator
) -> None:
    owner = await create_user(auth)
    domain = await create_domain(owner, gql.runtime)

    result = await gql.execute(
        CREATE_ROLE, {"domainId": str(domain.id), "name": "x", "actions": ["FLY"]}, as_=owner
    )

    assert result.data is None
    assert "FLY" in result.errors[0]["message"]
