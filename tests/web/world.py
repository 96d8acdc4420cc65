"""People, domains and invitations made through the public GraphQL API of a running server."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from typing import Any

from tests.processes import graphql_data

PASSWORD = "password123"

SIGN_UP = """mutation($email: String!, $name: String!, $password: String!) {
  signUp(email: $email, name: $name, password: $password) {
    ... on AuthPayload { token user { id } }
  }
}"""
CREATE_DOMAIN = """mutation($name: String!) {
  createDomain(name: $name) { ... on Domain { id roles { id name } } }
}"""
SEND = """mutation($domainId: ID!, $inviteeIds: [ID!], $emails: [String!], $roleId: ID!) {
  sendInvitations(domainId: $domainId, inviteeIds: $inviteeIds, emails: $emails, roleId: $roleId) {
    ... on SendInvitationsPayload { results { __typename ... on Invitation { id } } }
  }
}"""
RESPOND = """mutation($id: ID!, $response: InvitationResponse!) {
  respondToInvitation(invitationId: $id, response: $response) { __typename }
}"""
RESEND = """mutation($id: ID!) { resendInvitation(invitationId: $id) { __typename } }"""
DELETE = """mutation($id: ID!) { deleteInvitation(invitationId: $id) { __typename } }"""
CREATE_WEBHOOK = """mutation($domainId: ID!, $url: String!, $events: [WebhookEventType!]!) {
  createWebhook(domainId: $domainId, url: $url, events: $events) {
    __typename ... on WebhookCreated { secret webhook { id } }
  }
}"""


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    email: str
    token: str


@dataclass(frozen=True)
class Domain:
    id: str
    name: str
    owner: Person
    roles: dict[str, str]  # name -> id


class World:
    """Makes what a test needs on the server at `base`; emails are unique per World, so the
    browser tests can share one server."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.tag = uuid.uuid4().hex[:8]
        self.numbers = itertools.count(1)

    def call(self, query: str, variables: dict[str, Any], who: Person | None = None) -> Any:
        return graphql_data(self.base, query, variables, who.token if who else None)

    def person(self, name: str) -> Person:
        email = f"{name.split()[0].lower()[:16]}{next(self.numbers)}.{self.tag}@example.com"
        variables = {"email": email, "name": name, "password": PASSWORD}
        payload = self.call(SIGN_UP, variables)["signUp"]
        assert "token" in payload, payload
        return Person(payload["user"]["id"], name, email, payload["token"])

    def domain(self, owner: Person, name: str) -> Domain:
        created = self.call(CREATE_DOMAIN, {"name": name}, owner)["createDomain"]
        roles = {role["name"]: role["id"] for role in created["roles"]}
        return Domain(created["id"], name, owner, roles)

    def invite(self, domain: Domain, *invitees: Person, role: str = "member") -> list[str]:
        """Invitation ids, one per invitee, sent by the domain's owner."""
        return self._send(domain, role, inviteeIds=[p.id for p in invitees])

    def invite_by_email(self, domain: Domain, *addresses: str, role: str = "member") -> list[str]:
        """Invitation ids, one per address, sent by the domain's owner."""
        return self._send(domain, role, emails=list(addresses))

    def address(self, name: str) -> str:
        """An address unique to this World that no account has."""
        return f"{name.lower()}{next(self.numbers)}.{self.tag}@example.com"

    def _send(self, domain: Domain, role: str, **invitees: list[str]) -> list[str]:
        variables = {"domainId": domain.id, "roleId": domain.roles[role], **invitees}
        results = self.call(SEND, variables, domain.owner)["sendInvitations"]["results"]
        assert all(r["__typename"] == "Invitation" for r in results), results
        return [r["id"] for r in results]

    def answer(self, invitee: Person, invitation_id: str, response: str) -> None:
        answered = self.call(RESPOND, {"id": invitation_id, "response": response}, invitee)
        assert answered["respondToInvitation"]["__typename"] == "Invitation", answered

    def join(self, domain: Domain, *people: Person, role: str = "member") -> None:
        """Each of `people` invited by the domain's owner with `role`, and accepting."""
        for person, invitation_id in zip(
            people, self.invite(domain, *people, role=role), strict=True
        ):
            self.answer(person, invitation_id, "ACCEPT")

    def resend(self, domain: Domain, invitation_id: str) -> None:
        resent = self.call(RESEND, {"id": invitation_id}, domain.owner)
        assert resent["resendInvitation"]["__typename"] == "Invitation", resent

    def delete(self, domain: Domain, invitation_id: str) -> None:
        deleted = self.call(DELETE, {"id": invitation_id}, domain.owner)
        assert deleted["deleteInvitation"]["__typename"] == "DeletedInvitation", deleted

    def webhook(self, domain: Domain, url: str, *events: str) -> str:
        """A webhook of `domain` (made by its owner) receiving `events`; its secret."""
        variables = {"domainId": domain.id, "url": url, "events": list(events)}
        created = self.call(CREATE_WEBHOOK, variables, domain.owner)["createWebhook"]
        assert created["__typename"] == "WebhookCreated", created
        secret: str = created["secret"]
        return secret
