"""The scene most behaviour tests act in: a domain with its admin, acted on through the schema."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app import rows
from app.auth import Session
from tests.client import GraphQLClient, Result
from tests.documents import CREATE_WEBHOOK, DELETE, RESEND, RESPOND, SEND, SEND_TO
from tests.factories import create_domain, create_user, role_named


class World:
    """A domain with its admin, and helpers to act on it through the schema."""

    def __init__(self, gql: GraphQLClient, admin: Session, domain: rows.Domain) -> None:
        self.gql, self.admin, self.domain = gql, admin, domain

    async def send(
        self,
        invitees: Sequence[Session | str],
        role: str = "member",
        as_: Session | None = None,
        message: str | None = None,
    ) -> dict[str, Any]:
        role_id = str((await role_named(self.domain, role)).id)
        ids = [i if isinstance(i, str) else str(i.user.id) for i in invitees]
        variables = {"domainId": str(self.domain.id), "inviteeIds": ids, "roleId": role_id}
        result = await self.gql.execute(
            SEND, {**variables, "message": message}, as_=as_ or self.admin
        )
        payload: dict[str, Any] = result.ok()["sendInvitations"]
        return payload

    async def send_to(
        self,
        emails: Sequence[str],
        ids: Sequence[Session] = (),
        role: str = "member",
        as_: Session | None = None,
    ) -> Result:
        """sendInvitations to these users and addresses; the raw result."""
        role_id = str((await role_named(self.domain, role)).id)
        variables = {
            "domainId": str(self.domain.id),
            "inviteeIds": [str(i.user.id) for i in ids],
            "emails": list(emails),
            "roleId": role_id,
        }
        return await self.gql.execute(SEND_TO, variables, as_=as_ or self.admin)

    async def invite_address(self, email: str, role: str = "member") -> dict[str, Any]:
        """Invite one address; its invitation."""
        payload = (await self.send_to([email], role=role)).ok()["sendInvitations"]
        invitation: dict[str, Any] = payload["results"][0]
        assert invitation["__typename"] == "Invitation", invitation
        return invitation

    async def invite(self, invitee: Session, role: str = "member") -> str:
        payload = await self.send([invitee], role)
        invitation = payload["results"][0]
        assert invitation["__typename"] == "Invitation", invitation
        return str(invitation["id"])

    async def respond(self, invitation_id: str, response: str, as_: Session) -> dict[str, Any]:
        result = await self.gql.execute(
            RESPOND, {"id": invitation_id, "response": response}, as_=as_
        )
        payload: dict[str, Any] = result.ok()["respondToInvitation"]
        return payload

    async def query(self, document: str, as_: Session | None = None, **variables: Any) -> Result:
        """Run `document` (as the admin unless told), in this domain unless told."""
        variables.setdefault("domainId", str(self.domain.id))
        return await self.gql.execute(document, variables, as_=as_ or self.admin)

    async def mutate(
        self, document: str, as_: Session | None = None, **variables: Any
    ) -> dict[str, Any]:
        """Run a one-field mutation (as the admin unless told); that field's payload."""
        data = (await self.gql.execute(document, variables, as_=as_ or self.admin)).ok()
        payload: dict[str, Any] = next(iter(data.values()))
        return payload

    async def every_event(self, accepting: Session, deleted: Session) -> tuple[str, str]:
        """Every kind of event: `accepting` declines, is re-sent and accepts; the admin
        deletes the invitation of `deleted`. The two invitations' ids."""
        first = await self.invite(accepting)
        await self.respond(first, "DECLINE", as_=accepting)
        await self.mutate(RESEND, id=first)
        await self.respond(first, "ACCEPT", as_=accepting)
        second = await self.invite(deleted)
        await self.mutate(DELETE, id=second)
        return first, second

    async def create_webhook(
        self, url: str, events: Sequence[str] = ("INVITATION_SENT",), **variables: Any
    ) -> dict[str, Any]:
        """A webhook of this domain created by the admin: its fields and its secret."""
        payload = await self.mutate(
            CREATE_WEBHOOK, domainId=str(self.domain.id), url=url, events=list(events), **variables
        )
        assert payload["__typename"] == "WebhookCreated", payload
        return {**payload["webhook"], "secret": payload["secret"]}

    async def elsewhere(self, name: str) -> World:
        """Another domain of the same admin."""
        domain = await create_domain(self.admin, self.gql.runtime, name=name)
        return World(self.gql, self.admin, domain)


async def make_world(gql: GraphQLClient) -> World:
    admin = await create_user(gql.runtime.auth, name="Admin")
    return World(gql, admin, await create_domain(admin, gql.runtime))
