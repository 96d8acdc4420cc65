"""Subscription fields: invitationReceived, invitationEvents and memberEvents."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from typing import Annotated, TypeVar

import strawberry

from app.graphql.arguments import DomainId
from app.graphql.context import Info
from app.graphql.members import MemberEvent
from app.graphql.types import Invitation, InvitationEvent
from app.services import notifications

Row = TypeVar("Row")
Out = TypeVar("Out")


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description=(
            "Each invitation sent or resent to the caller, or claimed by them through an "
            "e-mailed link, right after it is committed. Signed in."
        )
    )
    async def invitation_received(self, info: Info) -> AsyncGenerator[Invitation, None]:
        # Opened before returning, so a refusal is an `error` message, not a stream.
        rows = await notifications.invitations_received(
            info.context.session, runtime=info.context.runtime
        )
        return _converted(rows, Invitation.from_row, info)

    @strawberry.subscription(
        description=(
            "Every event of the domain's invitations, in order; needs INVITATION_READ. With "
            "`after` (the id of an event this stream delivered), first the events after it, "
            "then live, with no gap or repeat between them."
        )
    )
    async def invitation_events(
        self,
        info: Info,
        domain_id: DomainId,
        after: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="The id of an event this stream delivered: resume after it."
            ),
        ] = None,
    ) -> AsyncGenerator[InvitationEvent, None]:
        rows = await notifications.domain_events(
            info.context.session, domain_id=domain_id, after=after, runtime=info.context.runtime
        )
        return _converted(rows, InvitationEvent.from_row, info)

    @strawberry.subscription(
        description=(
            "Every membership change of the domain, in order (keeps the Members table live); "
            "needs MEMBER_READ. With `after` (the id of an event this stream or memberHistory "
            "gave), first the events after it, then live. Ends with NOT_FOUND or FORBIDDEN "
            "as soon as the caller loses access to the domain."
        )
    )
    async def member_events(
        self,
        info: Info,
        domain_id: Annotated[strawberry.ID, strawberry.argument(description="The domain.")],
        after: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Resume after this member event."),
        ] = None,
    ) -> AsyncGenerator[MemberEvent, None]:
        rows = await notifications.member_events(
            info.context.session, domain_id=domain_id, after=after, runtime=info.context.runtime
        )
        return _converted(rows, MemberEvent.from_row, info)


async def _converted(
    rows: AsyncGenerator[Row, None], convert: Callable[[Row], Out], info: Info
) -> AsyncGenerator[Out, None]:
    try:
        async for row in rows:
            info.context.forget_loaders()  # nested fields read fresh rows for each event
            yield convert(row)
    finally:
        await rows.aclose()  # releases the broker subscription at once
