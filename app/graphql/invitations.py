"""Invitation fields: the lists, one invitation, the audit log, and the four mutations."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from app import errors
from app.graphql.context import Info
from app.graphql.enums import InvitationResponse, InvitationStatus
from app.graphql.errors import result_union, to_user_error
from app.graphql.pagination import Connection
from app.graphql.types import DeletedInvitation, Invitation, InvitationEvent
from app.services import invitations
from app.services.invitations import queries

SendInvitationResult = result_union(
    "SendInvitationResult",
    Invitation,
    errors.UserNotFoundError,
    errors.AlreadyMemberError,
    errors.AlreadyInvitedError,
    errors.InvitationRejectedError,
    errors.InvitationExpiredError,
)


@strawberry.type
class SendInvitationsPayload:
    results: list[Any] = strawberry.field(
        description="One result per invitee, in the order of inviteeIds.",
        graphql_type=list[SendInvitationResult],  # type: ignore[valid-type]
    )


InvitationConnection = Connection[Invitation]


def _result(item: invitations.SendResult) -> Any:
    if isinstance(item, errors.UserFacingError):
        return to_user_error(item)
    return Invitation.from_row(item)


@strawberry.type
class Query:
    @strawberry.field(description="The caller's PENDING invitations, newest first.")
    async def pending_invitations(
        self, info: Info, first: int | None = queries.PENDING_PAGE, after: str | None = None
    ) -> InvitationConnection:
        page = await invitations.pending(
            info.context.session, first=first, after=after, runtime=info.context.runtime
        )
        return Connection.from_page(page, Invitation.from_row)

    @strawberry.field(description="The caller's invitations in any status, newest first.")
    async def my_invitations(
        self,
        info: Info,
        status: InvitationStatus | None = None,
        first: int | None = queries.MINE_PAGE,
        after: str | None = None,
    ) -> InvitationConnection:
        page = await invitations.mine(
            info.context.session,
            status=status,
            first=first,
            after=after,
            runtime=info.context.runtime,
        )
        return Connection.from_page(page, Invitation.from_row)

    @strawberry.field(description="One invitation; null when not visible to the caller.")
    async def invitation(self, info: Info, id: strawberry.ID) -> Invitation | None:
        found = await invitations.get(
            info.context.session, invitation_id=id, runtime=info.context.runtime
        )
        return Invitation.from_row(found) if found else None

    @strawberry.field(description="A domain's invitations (the Invitations table).")
    async def invitations(
        self,
        info: Info,
        domain_id: strawberry.ID,
        status: InvitationStatus | None = None,
        invited_by: strawberry.ID | None = None,
        invitee_id: strawberry.ID | None = None,
        first: int | None = queries.DOMAIN_PAGE,
        after: str | None = None,
    ) -> InvitationConnection:
        page = await invitations.of_domain(
            info.context.session,
            domain_id=domain_id,
            status=status,
            invited_by=invited_by,
            invitee_id=invitee_id,
            first=first,
            after=after,
            runtime=info.context.runtime,
        )
        return Connection.from_page(page, Invitation.from_row)

    @strawberry.field(description="Every invitation event of a domain, deletions included.")
    async def audit_log(
        self,
        info: Info,
        domain_id: strawberry.ID,
        first: int | None = queries.AUDIT_PAGE,
        after: str | None = None,
    ) -> Connection[InvitationEvent]:
        page = await invitations.audit_log(
            info.context.session, domain_id=domain_id, first=first, after=after
        )
        return Connection.from_page(page, InvitationEvent.from_row)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Invite 1 to 100 users to a domain with one role.",
        graphql_type=result_union(
            "SendInvitationsResult",
            SendInvitationsPayload,
            errors.RoleNotFoundError,
            errors.RoleNotAllowedError,
            errors.InvalidInputError,
        ),
    )
    async def send_invitations(
        self,
        info: Info,
        domain_id: strawberry.ID,
        invitee_ids: list[strawberry.ID],
        role_id: strawberry.ID,
        message: Annotated[
            str | None,
            strawberry.argument(
                description="A note to the invitees, plain text: trimmed, at most 500 "
                "characters, tabs and line breaks allowed but no other control characters "
                "(INVALID_INPUT for the whole call otherwise). Resending keeps it."
            ),
        ] = None,
    ) -> SendInvitationsPayload:
        results = await invitations.send(
            info.context.session,
            domain_id=domain_id,
            invitee_ids=invitee_ids,
            role_id=role_id,
            message=message,
            runtime=info.context.runtime,
        )
        return SendInvitationsPayload(results=[_result(r) for r in results])

    @strawberry.mutation(
        description="Accept or decline one of your invitations.",
        graphql_type=result_union(
            "RespondToInvitationResult",
            Invitation,
            errors.NotFoundError,
            errors.InvitationNotPendingError,
            errors.AlreadyMemberError,
        ),
    )
    async def respond_to_invitation(
        self, info: Info, invitation_id: strawberry.ID, response: InvitationResponse
    ) -> Invitation:
        invitation = await invitations.respond(
            info.context.session,
            invitation_id=invitation_id,
            accept=response is InvitationResponse.ACCEPT,
            runtime=info.context.runtime,
        )
        return Invitation.from_row(invitation)

    @strawberry.mutation(
        description=(
            "Send a REJECTED or EXPIRED invitation again (same id, a new deadline); needs "
            "INVITATION_MANAGE and a role the caller may grant."
        ),
        graphql_type=result_union(
            "ResendInvitationResult",
            Invitation,
            errors.NotFoundError,
            errors.InvitationNotRejectedError,
            errors.RoleNotAllowedError,
            errors.AlreadyInvitedError,
        ),
    )
    async def resend_invitation(self, info: Info, invitation_id: strawberry.ID) -> Invitation:
        invitation = await invitations.resend(
            info.context.session, invitation_id=invitation_id, runtime=info.context.runtime
        )
        return Invitation.from_row(invitation)

    @strawberry.mutation(
        description="Delete a PENDING invitation; the audit log keeps it.",
        graphql_type=result_union(
            "DeleteInvitationResult",
            DeletedInvitation,
            errors.NotFoundError,
            errors.InvitationNotPendingError,
        ),
    )
    async def delete_invitation(
        self, info: Info, invitation_id: strawberry.ID
    ) -> DeletedInvitation:
        deleted = await invitations.delete(
            info.context.session, invitation_id=invitation_id, runtime=info.context.runtime
        )
        return DeletedInvitation(id=strawberry.ID(str(deleted)))
