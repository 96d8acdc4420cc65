"""Invitation fields: the lists, one invitation, the audit log, and the four mutations."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app import errors
from app.graphql.context import Info
from app.graphql.enums import InvitationResponse, InvitationStatus
from app.graphql.errors import (
    AlreadyInvited,
    AlreadyMember,
    InvitationNotPending,
    InvitationNotRejected,
    InvitationRejected,
    NotFound,
    RoleNotAllowed,
    RoleNotFound,
    UserNotFound,
    to_user_error,
)
from app.graphql.pagination import Connection
from app.graphql.types import DeletedInvitation, Invitation, InvitationEvent
from app.services import invitations

SendInvitationResult = Annotated[
    Invitation | UserNotFound | AlreadyMember | AlreadyInvited | InvitationRejected,
    strawberry.union("SendInvitationResult"),
]


@strawberry.type
class SendInvitationsPayload:
    results: list[SendInvitationResult] = strawberry.field(
        description="One result per invitee, in the order of inviteeIds."
    )


SendInvitationsResult = Annotated[
    SendInvitationsPayload | RoleNotFound | RoleNotAllowed,
    strawberry.union("SendInvitationsResult"),
]
RespondToInvitationResult = Annotated[
    Invitation | NotFound | InvitationNotPending | AlreadyMember,
    strawberry.union("RespondToInvitationResult"),
]
ResendInvitationResult = Annotated[
    Invitation | NotFound | InvitationNotRejected | RoleNotAllowed | AlreadyInvited,
    strawberry.union("ResendInvitationResult"),
]
DeleteInvitationResult = Annotated[
    DeletedInvitation | NotFound | InvitationNotPending,
    strawberry.union("DeleteInvitationResult"),
]
InvitationConnection = Connection[Invitation]


def _result(item: invitations.SendResult) -> SendInvitationResult:
    if isinstance(item, errors.UserFacingError):
        return to_user_error(item)  # type: ignore[return-value]
    return Invitation.from_model(item)


@strawberry.type
class Query:
    @strawberry.field(description="The caller's PENDING invitations, newest first.")
    async def pending_invitations(
        self, info: Info, first: int | None = 5, after: str | None = None
    ) -> InvitationConnection:
        page = await invitations.pending(info.context.user, first=first, after=after)
        return Connection.from_page(page, Invitation.from_model)

    @strawberry.field(description="The caller's invitations in any status, newest first.")
    async def my_invitations(
        self,
        info: Info,
        status: InvitationStatus | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> InvitationConnection:
        page = await invitations.mine(info.context.user, status=status, first=first, after=after)
        return Connection.from_page(page, Invitation.from_model)

    @strawberry.field(description="One invitation; null when not visible to the caller.")
    async def invitation(self, info: Info, id: strawberry.ID) -> Invitation | None:
        found = await invitations.get(info.context.user, invitation_id=id)
        return Invitation.from_model(found) if found else None

    @strawberry.field(description="A domain's invitations (the Invitations table).")
    async def invitations(
        self,
        info: Info,
        domain_id: strawberry.ID,
        status: InvitationStatus | None = None,
        invited_by: strawberry.ID | None = None,
        invitee_id: strawberry.ID | None = None,
        first: int | None = 10,
        after: str | None = None,
    ) -> InvitationConnection:
        page = await invitations.of_domain(
            info.context.user,
            domain_id=domain_id,
            status=status,
            invited_by=invited_by,
            invitee_id=invitee_id,
            first=first,
            after=after,
        )
        return Connection.from_page(page, Invitation.from_model)

    @strawberry.field(description="Every invitation event of a domain, deletions included.")
    async def audit_log(
        self,
        info: Info,
        domain_id: strawberry.ID,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[InvitationEvent]:
        page = await invitations.audit_log(
            info.context.user, domain_id=domain_id, first=first, after=after
        )
        return Connection.from_page(page, InvitationEvent.from_model)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Invite 1 to 100 users to a domain with one role.")
    async def send_invitations(
        self,
        info: Info,
        domain_id: strawberry.ID,
        invitee_ids: list[strawberry.ID],
        role_id: strawberry.ID,
    ) -> SendInvitationsResult:
        results = await invitations.send(
            info.context.user,
            domain_id=domain_id,
            invitee_ids=invitee_ids,
            role_id=role_id,
            bus=info.context.bus,
            limiter=info.context.limiter,
        )
        return SendInvitationsPayload(results=[_result(r) for r in results])

    @strawberry.mutation(description="Accept or decline one of your invitations.")
    async def respond_to_invitation(
        self, info: Info, invitation_id: strawberry.ID, response: InvitationResponse
    ) -> RespondToInvitationResult:
        invitation = await invitations.respond(
            info.context.user,
            invitation_id=invitation_id,
            accept=response is InvitationResponse.ACCEPT,
            bus=info.context.bus,
        )
        return Invitation.from_model(invitation)

    @strawberry.mutation(description="Send a REJECTED invitation again (same id).")
    async def resend_invitation(
        self, info: Info, invitation_id: strawberry.ID
    ) -> ResendInvitationResult:
        invitation = await invitations.resend(
            info.context.user,
            invitation_id=invitation_id,
            bus=info.context.bus,
            limiter=info.context.limiter,
        )
        return Invitation.from_model(invitation)

    @strawberry.mutation(description="Delete a PENDING invitation; the audit log keeps it.")
    async def delete_invitation(
        self, info: Info, invitation_id: strawberry.ID
    ) -> DeleteInvitationResult:
        deleted = await invitations.delete(
            info.context.user, invitation_id=invitation_id, bus=info.context.bus
        )
        return DeletedInvitation(id=strawberry.ID(str(deleted)))
