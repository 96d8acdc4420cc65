"""Invitation fields: the lists, one invitation, the audit log, and the four mutations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import strawberry

from app import errors
from app.graphql.arguments import DomainId, InvitationId, OwnId
from app.graphql.context import Info
from app.graphql.enums import InvitationResponse, InvitationStatus
from app.graphql.errors import result_union, to_user_error
from app.graphql.pagination import After, Before, Connection, First, Last
from app.graphql.types import DeletedInvitation, Invitation, InvitationEvent
from app.services import invitations
from app.services.invitations import queries
from app.services.pagination import Paging

SendInvitationResult = result_union(
    "SendInvitationResult",
    Invitation,
    errors.UserNotFoundError,
    errors.AlreadyMemberError,
    errors.AlreadyInvitedError,
    errors.InvitationRejectedError,
    errors.InvitationExpiredError,
    errors.InvalidInputError,
)


StatusFilter = Annotated[
    InvitationStatus | None, strawberry.argument(description="Only invitations in this status.")
]


@strawberry.type(description="What sendInvitations did for each invitee.")
class SendInvitationsPayload:
    results: list[Any] = strawberry.field(
        description=(
            "One result per invitee: first one per inviteeIds entry, then one per emails "
            "entry, each in input order."
        ),
        graphql_type=list[SendInvitationResult],  # type: ignore[valid-type]
    )


InvitationConnection = Connection[Invitation]


def _result(item: invitations.SendResult) -> Any:
    if isinstance(item, errors.UserFacingError):
        return to_user_error(item)
    return Invitation.from_row(item)


@strawberry.type
class Query:
    @strawberry.field(
        description="The caller's PENDING invitations, newest first (the pop-up and "
        '"View All"). Signed in.'
    )
    async def pending_invitations(
        self,
        info: Info,
        first: First = queries.PENDING_PAGE,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> InvitationConnection:
        page = await invitations.pending(
            info.context.session,
            paging=Paging(first, after, last, before),
            runtime=info.context.runtime,
        )
        return Connection.from_page(page, Invitation.from_row)

    @strawberry.field(
        description="The caller's invitations in any status, newest first. Signed in."
    )
    async def my_invitations(
        self,
        info: Info,
        status: StatusFilter = None,
        first: First = queries.MINE_PAGE,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> InvitationConnection:
        page = await invitations.mine(
            info.context.session,
            status=status,
            paging=Paging(first, after, last, before),
            runtime=info.context.runtime,
        )
        return Connection.from_page(page, Invitation.from_row)

    @strawberry.field(
        description="One invitation; null when not visible to the caller. Its invitee, or "
        "members of its domain with INVITATION_READ."
    )
    async def invitation(self, info: Info, id: OwnId) -> Invitation | None:
        found = await invitations.get(
            info.context.session, invitation_id=id, runtime=info.context.runtime
        )
        return Invitation.from_row(found) if found else None

    @strawberry.field(
        description="A domain's invitations, newest first (the Invitations table). Needs "
        "INVITATION_READ."
    )
    async def invitations(
        self,
        info: Info,
        domain_id: DomainId,
        status: StatusFilter = None,
        invited_by: Annotated[
            strawberry.ID | None,
            strawberry.argument(description='Only those sent by this user ("sent by me").'),
        ] = None,
        invitee_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only those to this user.")
        ] = None,
        first: First = queries.DOMAIN_PAGE,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> InvitationConnection:
        page = await invitations.of_domain(
            info.context.session,
            domain_id=domain_id,
            status=status,
            invited_by=invited_by,
            invitee_id=invitee_id,
            paging=Paging(first, after, last, before),
            runtime=info.context.runtime,
        )
        return Connection.from_page(page, Invitation.from_row)

    @strawberry.field(
        description="Every invitation event of a domain, deletions included, newest first. "
        "Needs INVITATION_READ."
    )
    async def audit_log(
        self,
        info: Info,
        domain_id: DomainId,
        first: First = queries.AUDIT_PAGE,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[InvitationEvent]:
        page = await invitations.audit_log(
            info.context.session,
            domain_id=domain_id,
            paging=Paging(first, after, last, before),
        )
        return Connection.from_page(page, InvitationEvent.from_row)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description=(
            "Invite 1 to 100 people (users by id and addresses together) to a domain with "
            "one role; each invitee's result stands alone. Needs INVITATION_SEND and a role "
            "within the caller's own actions. An address of an existing account invites that "
            "user; any other address gets an e-mail with a one-time link."
        ),
        graphql_type=result_union(
            "SendInvitationsResult",
            SendInvitationsPayload,
            errors.RoleNotFoundError,
            errors.RoleNotAllowedError,
            errors.EmailDisabledError,
            errors.InvalidInputError,
        ),
    )
    async def send_invitations(
        self,
        info: Info,
        domain_id: DomainId,
        role_id: Annotated[
            strawberry.ID, strawberry.argument(description="One of the domain's roles.")
        ],
        invitee_ids: Annotated[
            Sequence[strawberry.ID] | None,
            strawberry.argument(
                description="Users to invite, by id; one result each, in this order.",
                graphql_type=list[strawberry.ID] | None,
            ),
        ] = (),
        emails: Annotated[
            Sequence[str] | None,
            strawberry.argument(
                description=(
                    "Addresses to invite (compared case-insensitively); each result is "
                    "INVALID_INPUT where one is not an e-mail address."
                ),
                graphql_type=list[str] | None,
            ),
        ] = (),
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
            invitee_ids=invitee_ids or (),
            emails=emails or (),
            role_id=role_id,
            message=message,
            runtime=info.context.runtime,
        )
        return SendInvitationsPayload(results=[_result(r) for r in results])

    @strawberry.mutation(
        description="Accept or decline a PENDING invitation. Its invitee alone.",
        graphql_type=result_union(
            "RespondToInvitationResult",
            Invitation,
            errors.NotFoundError,
            errors.InvitationNotPendingError,
            errors.AlreadyMemberError,
        ),
    )
    async def respond_to_invitation(
        self,
        info: Info,
        invitation_id: InvitationId,
        response: Annotated[InvitationResponse, strawberry.argument(description="The answer.")],
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
            "Send a REJECTED or EXPIRED invitation again (same id, PENDING again, a new "
            "deadline). Needs INVITATION_MANAGE and a role within the caller's own actions."
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
    async def resend_invitation(self, info: Info, invitation_id: InvitationId) -> Invitation:
        invitation = await invitations.resend(
            info.context.session, invitation_id=invitation_id, runtime=info.context.runtime
        )
        return Invitation.from_row(invitation)

    @strawberry.mutation(
        description="Delete a PENDING invitation; the audit log keeps it. Needs INVITATION_MANAGE.",
        graphql_type=result_union(
            "DeleteInvitationResult",
            DeletedInvitation,
            errors.NotFoundError,
            errors.InvitationNotPendingError,
        ),
    )
    async def delete_invitation(self, info: Info, invitation_id: InvitationId) -> DeletedInvitation:
        deleted = await invitations.delete(
            info.context.session, invitation_id=invitation_id, runtime=info.context.runtime
        )
        return DeletedInvitation(id=strawberry.ID(str(deleted)))
