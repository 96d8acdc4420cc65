"""Invitation links: the preview anyone holding a link may see, and claiming it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from app import errors
from app.graphql.context import Info
from app.graphql.enums import InvitationStatus
from app.graphql.errors import result_union
from app.graphql.types import Invitation
from app.services import invitations
from app.services.invitations.claims import Preview

TOKEN = "The secret from an invitation link `{PUBLIC_URL}/#/invite/{secret}`."


@strawberry.type(
    description=(
        "What an invitation link shows before signing in: no ids, nothing the e-mail did "
        "not already say."
    )
)
class InvitationPreview:
    domain_name: str = strawberry.field(description="The domain the link invites to.")
    role_name: str = strawberry.field(description="The role the invitee will have there.")
    inviter_name: str = strawberry.field(description="Who sent the invitation.")
    invitee_email: str = strawberry.field(description="The address the invitation was sent to.")
    message: str | None = strawberry.field(description="The inviter's message, if any.")
    expires_at: datetime = strawberry.field(description="When the link stops working.")
    status: InvitationStatus = strawberry.field(
        description="PENDING: it can be claimed; EXPIRED: ask for a new one."
    )

    @classmethod
    def from_row(cls, row: Preview) -> InvitationPreview:
        return cls(
            domain_name=row.domain_name,
            role_name=row.role_name,
            inviter_name=row.inviter_name,
            invitee_email=row.invitee_email,
            message=row.message,
            expires_at=row.expires_at,
            status=InvitationStatus(row.status),
        )


@strawberry.type
class Query:
    @strawberry.field(
        description=(
            "What an invitation link invites to, without signing in; null when its secret "
            "is unknown, used or voided. Rate limited per client address."
        )
    )
    async def invitation_by_token(
        self,
        info: Info,
        token: Annotated[str, strawberry.argument(description=TOKEN)],
    ) -> InvitationPreview | None:
        found = await invitations.preview(
            token=token, client_address=info.context.client_address, runtime=info.context.runtime
        )
        return InvitationPreview.from_row(found) if found else None


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description=(
            "Become the invitee of an invitation sent by e-mail (signed in); the link's "
            "secret is used up. Then answer it with respondToInvitation. Rate limited per "
            "client address."
        ),
        graphql_type=result_union(
            "ClaimInvitationResult",
            Invitation,
            errors.NotFoundError,
            errors.InvitationNotPendingError,
            errors.AlreadyMemberError,
            errors.AlreadyInvitedError,
        ),
    )
    async def claim_invitation(
        self,
        info: Info,
        token: Annotated[str, strawberry.argument(description=TOKEN)],
    ) -> Invitation:
        claimed = await invitations.claim(
            info.context.session,
            token=token,
            client_address=info.context.client_address,
            runtime=info.context.runtime,
        )
        return Invitation.from_row(claimed)
