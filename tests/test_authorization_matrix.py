"""Every query and mutation, as every kind of caller: each cell's exact outcome.

Outcomes: "ok"; "null" (a nullable field hiding what the caller may not see); a
top-level extensions.code; or "typed:CODE" for a typed error in the mutation's result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from app.auth import Session
from app.permissions import Action
from tests.conftest import GraphQLClient
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
    "signOut": (U, "ok", "ok", "ok", "ok", "ok"),
}

DOCUMENTS = {
    "me": ("{ me { id } }", {}),
    "domains": ("{ domains { id } }", {}),
    "domain": ("query($d: ID!) { domain(id: $d) { id } }", {"d": "domain"}),
    "users": ('{ users(search: "user") { id } }', {}),
    "pendingInvitations": ("{ pendingInvitations { totalCount } }", {}),
    "myInvitations": ("{ myInvitations { totalCount } }", {}),
    "invitation": ("query($i: ID!) { invitation(id: $i) { id } }", {"i": "invitation"}),
    "invitations": ("query($d: ID!) { invitations(domainId: $d) { totalCount } }", {"d": "domain"}),
    "members": ("query($d: ID!) { members(domainId: $d) { totalCount } }", {"d": "domain"}),
    "auditLog": ("query($d: ID!) { auditLog(domainId: $d) { totalCount } }", {"d": "domain"}),
    "createDomain": ('mutation { createDomain(name: "New") { __typename } }', {}),
    "createRole": (
        'mutation($d: ID!) { createRole(domainId: $d, name: "x", actions: []) '
        "{ __typename ... on UserError { code } } }",
        {"d": "domain"},
    ),
    "sendAsMember": (
        "mutation($d: ID!, $u: [ID!]!, $r: ID!) { sendInvitations("
        "domainId: $d, inviteeIds: $u, roleId: $r) { __typename "
        "... on UserError { code } } }",
        {"d": "domain", "u": ["target"], "r": "member_role"},
    ),
    "sendAsAdmin": (
        "mutation($d: ID!, $u: [ID!]!, $r: ID!) { sendInvitations("
        "domainId: $d, inviteeIds: $u, roleId: $r) { __typename "
        "... on UserError { code } } }",
        {"d": "domain", "u": ["target"], "r": "admin_role"},
    ),
    "accept": (
        "mutation($i: ID!) { respondToInvitation(invitationId: $i, response: ACCEPT) "
        "{ __typename ... on UserError { code } } }",
        {"i": "invitation"},
    ),
    "decline": (
        "mutation($i: ID!) { respondToInvitation(invitationId: $i, response: DECLINE)"
        " { __typename ... on UserError { code } } }",
        {"i": "invitation"},
    ),
    "resend": (
        "mutation($i: ID!) { resendInvitation(invitationId: $i) "
        "{ __typename ... on UserError { code } } }",
        {"i": "invitation"},
    ),
    "delete": (
        "mutation($i: ID!) { deleteInvitation(invitationId: $i) "
        "{ __typename ... on UserError { code } } }",
        {"i": "invitation"},
    ),
    "signOut": ("mutation { signOut }", {}),
}


@dataclass
class Scene:
    actors: dict[str, Session | None]
    ids: dict[str, str]


async def build_scene(world: World, auth: Any, *, declined: bool) -> Scene:
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
    return Scene(
        actors={
            "anonymous": None,
            "stranger": stranger,
            "member": member,
            "recruiter": recruiter,
            "admin": world.admin,
            "invitee": invitee,
        },
        ids={
            "domain": str(world.domain.id),
            "invitation": invitation,
            "target": str(target.user.id),
            "member_role": str((await role_named(world.domain, "member")).id),
            "admin_role": str((await role_named(world.domain, "admin")).id),
        },
    )


def outcome(result: Any) -> str:
    if result.errors:
        return str(result.errors[0]["code"])
    [value] = result.data.values()
    if value is None:
        return "null"
    if isinstance(value, dict) and "code" in value:
        return f"typed:{value['code']}"
    return "ok"


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("operation", list(MATRIX))
async def test_matrix(world: World, auth, gql: GraphQLClient, operation: str, actor: str) -> None:
    scene = await build_scene(world, auth, declined=operation == "resend")
    document, variables = DOCUMENTS[operation]
    resolved = {
        k: [scene.ids[x] for x in v] if isinstance(v, list) else scene.ids[v]
        for k, v in variables.items()
    }

    result = await gql.execute(document, resolved, as_=scene.actors[actor])

    assert outcome(result) == MATRIX[operation][ACTORS.index(actor)]
