"""What a webhook sends: its event types, its deliveries and their attempts."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from uuid import UUID

import strawberry

from app import ids
from app.graphql.context import Info
from app.graphql.types import Node
from app.services.webhooks import reads


def _event(name: str, what: str) -> object:
    payload_type = name.lower().replace("_", ".", 1)
    return strawberry.enum_value(name, description=f'{what} (payload type "{payload_type}").')


@strawberry.enum(
    description="An event a webhook can subscribe to. The payload's `type` is the value in "
    "lower case with its first underscore as a dot: INVITATION_ACCEPTED is "
    '"invitation.accepted".'
)
class WebhookEventType(Enum):
    INVITATION_SENT = _event("INVITATION_SENT", "An invitation was sent")
    INVITATION_RESENT = _event("INVITATION_RESENT", "A rejected or expired invitation was resent")
    INVITATION_ACCEPTED = _event("INVITATION_ACCEPTED", "An invitee accepted")
    INVITATION_REJECTED = _event("INVITATION_REJECTED", "An invitee declined")
    INVITATION_DELETED = _event("INVITATION_DELETED", "A pending invitation was deleted")
    INVITATION_EXPIRED = _event("INVITATION_EXPIRED", "A pending invitation expired")
    INVITATION_CLAIMED = _event("INVITATION_CLAIMED", "An e-mail invitation was claimed")
    MEMBER_JOINED = _event("MEMBER_JOINED", "Someone became a member")
    MEMBER_ROLE_CHANGED = _event("MEMBER_ROLE_CHANGED", "A member's role was changed")
    MEMBER_REMOVED = _event("MEMBER_REMOVED", "A member was removed")
    MEMBER_LEFT = _event("MEMBER_LEFT", "A member left the domain")


@strawberry.enum(description="Where a webhook delivery stands.")
class WebhookDeliveryStatus(Enum):
    PENDING = strawberry.enum_value(
        "PENDING", description="Not delivered yet: waiting for its first attempt or a retry."
    )
    SUCCEEDED = strawberry.enum_value(
        "SUCCEEDED", description="The receiver answered an attempt with a 2xx status."
    )
    FAILED = strawberry.enum_value(
        "FAILED", description="Every attempt of the retry schedule failed; no more are made."
    )


@strawberry.type(description="One try of a delivery: what the receiver answered, if anything.")
class WebhookAttempt:
    at: datetime = strawberry.field(description="When the attempt started.")
    status_code: int | None = strawberry.field(
        description="The receiver's HTTP status; null when there was no answer."
    )
    error: str | None = strawberry.field(
        description="Why the attempt failed (HTTP status, timeout, connection, refused "
        "destination); null when it succeeded."
    )
    duration_ms: int = strawberry.field(description="How long the attempt took, in ms.")
    response_body: str | None = strawberry.field(
        description="The first 1024 bytes of the receiver's answer."
    )

    @classmethod
    def from_row(cls, row: reads.Attempt) -> WebhookAttempt:
        return cls(
            at=row.at,
            status_code=row.status_code,
            error=row.error,
            duration_ms=row.duration_ms,
            response_body=row.response_body,
        )


@strawberry.type(description="One event sent (or to be sent) to one webhook.")
class WebhookDelivery(Node):
    event_id: strawberry.ID = strawberry.field(
        description="The event reported: the webhook-id header of every attempt, and the "
        "id of the InvitationEvent for invitation events."
    )
    event_type: WebhookEventType = strawberry.field(description="What happened.")
    payload: str = strawberry.field(description="The JSON body sent on every attempt.")
    status: WebhookDeliveryStatus = strawberry.field(description="Where the delivery stands.")
    attempts: int = strawberry.field(description="Attempts made so far.")
    last_status_code: int | None = strawberry.field(
        description="The HTTP status of the last attempt; null before one, or without answer."
    )
    last_attempt_at: datetime | None = strawberry.field(
        description="When the last attempt started."
    )
    next_attempt_at: datetime | None = strawberry.field(
        description="When the next attempt is due; null once SUCCEEDED or FAILED."
    )
    created_at: datetime = strawberry.field(description="When the event happened.")

    @strawberry.field(description="Every attempt, oldest first.")
    async def attempt_log(self, info: Info) -> list[WebhookAttempt]:
        found = await info.context.loaders.webhook_attempts.load(UUID(self.id))
        return [WebhookAttempt.from_row(a) for a in found]

    @classmethod
    def from_row(cls, row: reads.Delivery) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(ids.text(row.id)),
            event_id=strawberry.ID(ids.text(row.event_id)),
            event_type=WebhookEventType(row.event_type),
            payload=row.payload,
            status=WebhookDeliveryStatus(row.status),
            attempts=row.attempts,
            last_status_code=row.last_status_code,
            last_attempt_at=row.last_attempt_at,
            next_attempt_at=row.next_attempt_at,
            created_at=row.created_at,
        )
