"""Invitation links: the preview anyone holding a link may see, and claiming it."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app import errors
from app.graphql.context import Info
from app.graphql.errors import result_union
from app.graphql.types import Invitation, InvitationPreview
from app.services import invitations

TOKEN = "The secret from an invitation link `{PUBLIC_URL}/#/invite/{secret}`."


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
