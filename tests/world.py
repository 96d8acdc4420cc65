"""GraphQL documents for invitations and a small actor helper shared by the tests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app import rows
from app.auth import Session
from tests.factories import create_domain, create_user, role_named

if TYPE_CHECKING:
    from tests.conftest import GraphQLClient

INVITATION_FIELDS = """
  id status createdAt updatedAt confirmedAt rejectedAt resentAt resendCount
  domain { id name } invitee { id name } invitedBy { id name } role { id name }
  history { kind at actor { id } invitationId }
"""
SEND = f"""mutation Send($domainId: ID!, $inviteeIds: [ID!]!, $roleId: ID!) {{
  sendInvitations(domainId: $domainId, inviteeIds: $inviteeIds, roleId: $roleId) {{
    __typename
    ... on SendInvitationsPayload {{ results {{
      __typename
      ... on Invitation {{ {INVITATION_FIELDS} }}
      ... on UserError {{ code message }}
    }} }}
    ... on UserError {{ code message }}
  }}
}}"""
RESPOND = f"""mutation Respond($id: ID!, $response: InvitationResponse!) {{
  respondToInvitation(invitationId: $id, response: $response) {{
    __typename
    ... on Invitation {{ {INVITATION_FIELDS} }}
    ... on UserError {{ code message }}
    ... on InvitationNotPending {{ status }}
  }}
}}"""
RESEND = f"""mutation Resend($id: ID!) {{
  resendInvitation(invitationId: $id) {{
    __typename
    ... on Invitation {{ {INVITATION_FIELDS} }}
    ... on UserError {{ code message }}
    ... on InvitationNotRejected {{ status }}
  }}
}}"""
DELETE = """mutation Delete($id: ID!) {
  deleteInvitation(invitationId: $id) {
    __typename
    ... on DeletedInvitation { id }
    ... on UserError { code message }
    ... on InvitationNotPending { status }
  }
}"""
PENDING = """query Pending($first: Int, $after: String) {
  pendingInvitations(first: $first, after: $after) {
    totalCount
    edges { cursor node { id domain { name } role { name } invitedBy { name } createdAt } }
    nodes { id }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""
MY_INVITATIONS = """query Mine($status: InvitationStatus, $first: Int, $after: String) {
  myInvitations(status: $status, first: $first, after: $after) {
    totalCount nodes { id status } pageInfo { hasNextPage endCursor }
  }
}"""
INVITATION = f"""query One($id: ID!) {{ invitation(id: $id) {{ {INVITATION_FIELDS} }} }}"""
INVITATIONS = """query Table($domainId: ID!, $status: InvitationStatus, $invitedBy: ID,
                       $inviteeId: ID, $first: Int, $after: String) {
  invitations(domainId: $domainId, status: $status, invitedBy: $invitedBy,
              inviteeId: $inviteeId, first: $first, after: $after) {
    totalCount
    nodes { id status invitee { id } invitedBy { id } role { name } }
    pageInfo { hasNextPage endCursor }
  }
}"""
MEMBERS = """query Members($domainId: ID!, $first: Int, $after: String) {
  members(domainId: $domainId, first: $first, after: $after) {
    totalCount
    nodes { user { id name } role { name } joinedAt invitedBy { id name } }
    pageInfo { hasNextPage endCursor }
  }
}"""
AUDIT = """query Audit($domainId: ID!, $first: Int, $after: String) {
  auditLog(domainId: $domainId, first: $first, after: $after) {
    totalCount
    nodes { kind at actor { id } invitationId invitee { id } role { name } domain { id }
            invitation { id status } }
    pageInfo { hasNextPage endCursor }
  }
}"""


class World:
    """A domain with its admin, and helpers to act on it through the schema."""

    def __init__(self, gql: GraphQLClient, admin: Session, domain: rows.Domain) -> None:
        self.gql, self.admin, self.domain = gql, admin, domain

    async def send(
        self, invitees: list[Session] | list[str], role: str = "member", as_: Session | None = None
    ) -> dict[str, Any]:
        role_id = str((await role_named(self.domain, role)).id)
        ids = [i if isinstance(i, str) else str(i.user.id) for i in invitees]
        result = await self.gql.execute(
            SEND,
            {"domainId": str(self.domain.id), "inviteeIds": ids, "roleId": role_id},
            as_=as_ or self.admin,
        )
        return result.ok()["sendInvitations"]

    async def invite(self, invitee: Session, role: str = "member") -> str:
        payload = await self.send([invitee], role)
        invitation = payload["results"][0]
        assert invitation["__typename"] == "Invitation", invitation
        return str(invitation["id"])

    async def respond(self, invitation_id: str, response: str, as_: Session) -> dict[str, Any]:
        result = await self.gql.execute(
            RESPOND, {"id": invitation_id, "response": response}, as_=as_
        )
        return result.ok()["respondToInvitation"]

    async def query(self, document: str, as_: Session | None = None, **variables: Any) -> Any:
        variables.setdefault("domainId", str(self.domain.id))
        result = await self.gql.execute(document, variables, as_=as_ or self.admin)
        return result

    async def mutate(self, document: str, as_: Session | None = None, **variables: Any) -> Any:
        data = (await self.gql.execute(document, variables, as_=as_ or self.admin)).ok()
        return next(iter(data.values()))


async def make_world(gql: GraphQLClient) -> World:
    admin = await create_user(gql.runtime.auth, name="Admin")
    return World(gql, admin, await create_domain(admin, gql.runtime))
