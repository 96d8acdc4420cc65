"""Every query and mutation, as every kind of caller: each cell's exact outcome.

Outcomes: "ok"; "null" (a nullable field hiding what the caller may not see); a
top-level extensions.code; or "typed:CODE" for a typed error in the mutation's result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from app.auth import Authenticator, Session
from app.permissions import Action
from tests import documents
from tests.client import GraphQLClient, Result
from tests.factories import add_member, create_role, create_user, role_named
from tests.world import World

ACTORS = ("anonymous", "stranger", "member", "recruiter", "admin", "invitee")
U, F, N = "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND"

#                 anonymous  stranger      member        recruiter     admin  invitee
MATRIX: dict[str, tuple[str, ...]] = {
    "me": ("null", "ok", "ok", "ok", "ok", "ok"),
    "domains": (U, "ok", "ok", "ok", "ok", "ok"),
    "domain": (U, "null", "ok", "ok", "ok", "null"),
    "users": (U, "ok", "ok", "ok", "ok", "ok"),
    "pendingInvitations": (U, "ok", "ok", "ok", "ok", "ok"),
    "myInvitations": (U, "ok", "ok", "ok", "ok", "ok"),
    "invitation": (U, "null", F, F, "ok", "ok"),
    "invitations": (U, N, F, F, "ok", N),
    "members": (U, N, "ok", "ok", "ok", N),
    "auditLog": (U, N, F, F, "ok", N),
    "createDomain": (U, "ok", "ok", "ok", "ok", "ok"),
    "createRole": (U, N, F, F, "ok", N),
    "sendAsMember": (U, N, F, "ok", "ok", N),
    "sendAsAdmin": (U, N, F, "typed:ROLE_NOT_ALLOWED", "ok", N),
    "accept": (U, "typed:NOT_FOUND", "typed:NOT_FOUND", "typed:NOT_FOUND", "typed:NOT_FOUND", "ok"),
    "decline": (
        U,
        "typed:NOT_FOUND",
        "typed:NOT_FOUND",
        "typed:NOT_FOUND",
        "typed:NOT_FOUND",
        "ok",
    ),
    "resend": (U, "typed:NOT_FOUND", F, F, "ok", F),
    "delete": (U, "typed:NOT_FOUND", F, F, "ok", F),
    "updateDomain": (U, N, F, F, "ok", N),
    "memberHistory": (U, N, "ok", "ok", "ok", N),
    "changeMemberRole": (U, "typed:NOT_FOUND", F, F, "ok", "typed:NOT_FOUND"),
    "removeMember": (U, "typed:NOT_FOUND", F, F, "ok", "typed:NOT_FOUND"),
    "leaveDomain": (U, N, "ok", "ok", "typed:LAST_ADMIN", N),
    "signOut": (U, "ok", "ok", "ok", "ok", "ok"),
}


@dataclass
class Cast:
    """Who plays each kind of caller, and the ids they act on."""

    actors: dict[str, Session | None]
    domain: str
    invitation: str
    target: str
    member: str
    member_role: str
    admin_role: str
    recruiter_role: str


def respond(response: str) -> Callable[[Cast], dict[str, Any]]:
    return lambda cast: {"id": cast.invitation, "response": response}


def send(role: Callable[[Cast], str]) -> Callable[[Cast], dict[str, Any]]:
    return lambda cast: {"domainId": cast.domain, "inviteeIds": [cast.target], "roleId": role(cast)}


# Each operation's document and its variables, given the cast.
OPERATIONS: dict[str, tuple[str, Callable[[Cast], dict[str, Any]]]] = {
    "me": (documents.ME, lambda cast: {}),
    "domains": (documents.DOMAINS, lambda cast: {}),
    "domain": (documents.DOMAIN, lambda cast: {"id": cast.domain}),
    "users": (documents.USERS, lambda cast: {"search": "user"}),
    "pendingInvitations": (documents.PENDING, lambda cast: {}),
    "myInvitations": (documents.MY_INVITATIONS, lambda cast: {}),
    "invitation": (documents.INVITATION, lambda cast: {"id": cast.invitation}),
    "invitations": (documents.INVITATIONS, lambda cast: {"domainId": cast.domain}),
    "members": (documents.MEMBERS, lambda cast: {"domainId": cast.domain}),
    "auditLog": (documents.AUDIT, lambda cast: {"domainId": cast.domain}),
    "createDomain": (documents.CREATE_DOMAIN, lambda cast: {"name": "New"}),
    "createRole": (
        documents.CREATE_ROLE,
        lambda cast: {"domainId": cast.domain, "name": "x", "actions": []},
    ),
    "sendAsMember": (documents.SEND, send(lambda cast: cast.member_role)),
    "sendAsAdmin": (documents.SEND, send(lambda cast: cast.admin_role)),
    "accept": (documents.RESPOND, respond("ACCEPT")),
    "decline": (documents.RESPOND, respond("DECLINE")),
    "resend": (documents.RESEND, lambda cast: {"id": cast.invitation}),
    "delete": (documents.DELETE, lambda cast: {"id": cast.invitation}),
    "updateDomain": (documents.UPDATE_DOMAIN, lambda cast: {"domainId": cast.domain, "ttl": 3600}),
    "memberHistory": (documents.MEMBER_HISTORY, lambda cast: {"domainId": cast.domain}),
    "changeMemberRole": (
        documents.CHANGE_MEMBER_ROLE,
        lambda cast: {
            "domainId": cast.domain,
            "userId": cast.member,
            "roleId": cast.recruiter_role,
        },
    ),
    "removeMember": (
        documents.REMOVE_MEMBER,
        lambda cast: {"domainId": cast.domain, "userId": cast.member},
    ),
    "leaveDomain": (documents.LEAVE_DOMAIN, lambda cast: {"domainId": cast.domain}),
    "signOut": (documents.SIGN_OUT, lambda cast: {}),
}


async def build_cast(world: World, auth: Authenticator, *, declined: bool) -> Cast:
    """Acme with a member, a recruiter (DOMAIN_READ, MEMBER_READ, INVITATION_SEND), an
    outside invitee holding one invitation (PENDING, or REJECTED when `declined`), a
    stranger, and a target user to invite."""
    member, recruiter, invitee, stranger, target = [await create_user(auth) for _ in range(5)]
    await add_member(world.domain, member)
    role = await create_role(
        world.domain, "recruiter", {Action.DOMAIN_READ, Action.MEMBER_READ, Action.INVITATION_SEND}
    )
    await add_member(world.domain, recruiter, role)
    invitation = await world.invite(invitee)
    if declined:
        await world.respond(invitation, "DECLINE", as_=invitee)
    return Cast(
        actors={
            "anonymous": None,
            "stranger": stranger,
            "member": member,
            "recruiter": recruiter,
            "admin": world.admin,
            "invitee": invitee,
        },
        domain=str(world.domain.id),
        invitation=invitation,
        target=str(target.user.id),
        member=str(member.user.id),
        member_role=str((await role_named(world.domain, "member")).id),
        admin_role=str((await role_named(world.domain, "admin")).id),
        recruiter_role=str(role.id),
    )


def outcome(result: Result) -> str:
    if result.errors:
        return str(result.errors[0]["code"])
    [value] = result.ok().values()
    if value is None:
        return "null"
    if isinstance(value, dict) and "code" in value:
        return f"typed:{value['code']}"
    return "ok"


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("operation", list(MATRIX))
async def test_matrix(
    world: World, auth: Authenticator, gql: GraphQLClient, operation: str, actor: str
) -> None:
    cast = await build_cast(world, auth, declined=operation == "resend")
    document, variables = OPERATIONS[operation]

    result = await gql.execute(document, variables(cast), as_=cast.actors[actor])

    assert outcome(result) == MATRIX[operation][ACTORS.index(actor)]
