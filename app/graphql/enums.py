"""GraphQL enums, declared once from the product's own enums."""

from __future__ import annotations

from enum import Enum

import strawberry

from app.models import InvitationEventKind, InvitationStatus
from app.permissions import Action

# strawberry.enum registers the product's enums in place, so they are used as is.
strawberry.enum(InvitationStatus, description="Where an invitation stands.")
strawberry.enum(InvitationEventKind, description="What happened to an invitation.")
strawberry.enum(Action, description="What a role allows in its domain.")


@strawberry.enum(description="Where an invitation's e-mail stands.")
class EmailDeliveryStatus(Enum):
    QUEUED = strawberry.enum_value(
        "QUEUED", description="Waiting to be sent, or to be retried after a failure."
    )
    SENT = strawberry.enum_value("SENT", description="The mail server accepted it.")
    FAILED = strawberry.enum_value(
        "FAILED",
        description="Given up: every retry failed, or the invitation changed before it went.",
    )


@strawberry.enum(description="An invitee's answer.")
class InvitationResponse(Enum):
    ACCEPT = "ACCEPT"
    DECLINE = "DECLINE"


__all__ = [
    "Action",
    "EmailDeliveryStatus",
    "InvitationEventKind",
    "InvitationResponse",
    "InvitationStatus",
]
