"""Relay's object identification: `node(id:)` and `nodes(ids:)` over every Node type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import strawberry

from app import rows
from app.graphql.context import Info
from app.graphql.members import MemberEvent
from app.graphql.types import Domain, Invitation, InvitationEvent, Node, Role, User
from app.graphql.webhook_deliveries import WebhookDelivery
from app.graphql.webhooks import Webhook
from app.services import members, nodes
from app.services.invitations import reads
from app.services.webhooks import reads as webhook_reads

# Each kind of row the service finds, and the Node type it becomes.
TYPES: dict[type, Callable[[Any], Node]] = {
    rows.User: User.from_row,
    rows.Domain: Domain.from_row,
    rows.Role: Role.from_row,
    reads.Invitation: Invitation.from_row,
    reads.Event: InvitationEvent.from_row,
    members.Event: MemberEvent.from_row,
    webhook_reads.Webhook: Webhook.from_row,
    webhook_reads.Delivery: WebhookDelivery.from_row,
}


def _node(found: Any) -> Node | None:
    return TYPES[type(found)](found) if found is not None else None


@strawberry.type
class Query:
    @strawberry.field(
        description="Any object by its id, shown as its own fields would show it to the "
        "caller; null when there is none the caller may see. Signed in."
    )
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Any Node's id.")],
    ) -> Node | None:
        [found] = await nodes.find(
            info.context.session, ids=[id], name="id", now=info.context.runtime.clock.now()
        )
        return _node(found)

    @strawberry.field(
        description="Objects by id, in the order asked, each null where `node` would be. Signed in."
    )
    async def nodes(
        self,
        info: Info,
        ids: Annotated[
            list[strawberry.ID],
            strawberry.argument(description=f"0..{nodes.MAX_IDS} ids of any Node types."),
        ],
    ) -> list[Node | None]:
        found = await nodes.find(
            info.context.session, ids=ids, name="ids", now=info.context.runtime.clock.now()
        )
        return [_node(item) for item in found]
