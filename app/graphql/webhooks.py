"""Webhook fields: the webhooks query, Webhook and its deliveries, and the mutations that
manage them. Everything here needs WEBHOOK_MANAGE in the webhook's domain."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated
from uuid import UUID

import strawberry

from app import errors, ids, models
from app.graphql.arguments import DomainId
from app.graphql.context import Info
from app.graphql.errors import result_union
from app.graphql.pagination import After, Before, Connection, First, Last
from app.graphql.types import Node
from app.services.webhooks import endpoints, reads


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


@strawberry.type(
    description="An endpoint that receives a domain's events, signed per Standard Webhooks."
)
class Webhook(Node):
    url: str = strawberry.field(description="Where deliveries are POSTed.")
    events: list[WebhookEventType] = strawberry.field(description="The event types it receives.")
    enabled: bool = strawberry.field(
        description="Whether it receives deliveries. Events that happen while it is disabled are "
        "not sent to it at all; deliveries already pending wait until it is enabled again."
    )
    disabled_reason: str | None = strawberry.field(
        description="Why it was disabled automatically (a long run of failed deliveries); "
        "null when enabled or disabled by hand."
    )
    description: str | None = strawberry.field(description="A note for the people managing it.")
    created_at: datetime = strawberry.field(description="When it was created.")

    @strawberry.field(description="Its deliveries, newest first.")
    async def deliveries(
        self,
        info: Info,
        first: First = endpoints.DELIVERIES_PAGE,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[WebhookDelivery]:
        page = await endpoints.deliveries(
            info.context.session,
            webhook_id=self.id,
            first=first,
            after=after,
            last=last,
            before=before,
        )
        return Connection.from_page(page, WebhookDelivery.from_row)

    @classmethod
    def from_row(cls, row: reads.Webhook) -> Webhook:
        return cls(
            id=strawberry.ID(ids.text(row.id)),
            url=row.url,
            events=[WebhookEventType(kind.value) for kind in row.events],
            enabled=row.enabled,
            disabled_reason=row.disabled_reason,
            description=row.description,
            created_at=row.created_at,
        )


@strawberry.type(description="A new webhook and its signing secret, shown only here.")
class WebhookCreated:
    webhook: Webhook = strawberry.field(description="The webhook created.")
    secret: str = strawberry.field(
        description="The signing secret (whsec_…, Standard Webhooks): keep it, it is not "
        "shown again."
    )


@strawberry.type(description="A webhook's new signing secret, shown only here.")
class WebhookSecretRotated:
    webhook: Webhook = strawberry.field(description="The webhook.")
    secret: str = strawberry.field(
        description="The new signing secret (whsec_…); the old one stops signing at once."
    )


@strawberry.type(description="A webhook that was deleted.")
class DeletedWebhook:
    id: strawberry.ID = strawberry.field(description="The id it had.")


def _kinds(events: list[WebhookEventType] | None) -> list[models.WebhookEventType] | None:
    return None if events is None else [models.WebhookEventType(str(e.value)) for e in events]


WebhookId = Annotated[strawberry.ID, strawberry.argument(description="The webhook.")]


@strawberry.type
class Query:
    @strawberry.field(description="A domain's webhooks, newest first (WEBHOOK_MANAGE).")
    async def webhooks(self, info: Info, domain_id: DomainId) -> list[Webhook]:
        found = await endpoints.list_webhooks(info.context.session, domain_id=domain_id)
        return [Webhook.from_row(w) for w in found]


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Add a webhook to a domain (WEBHOOK_MANAGE; at most 20 per domain). In "
        "production the URL must be https and reach a public address.",
        graphql_type=result_union(
            "CreateWebhookResult",
            WebhookCreated,
            errors.InvalidInputError,
        ),
    )
    async def create_webhook(
        self,
        info: Info,
        domain_id: DomainId,
        url: Annotated[str, strawberry.argument(description="Where to POST, 1..2048 characters.")],
        events: Annotated[
            list[WebhookEventType],
            strawberry.argument(description="The event types to receive: at least one."),
        ],
        description: Annotated[
            str | None, strawberry.argument(description="A note, at most 500 characters.")
        ] = None,
    ) -> WebhookCreated:
        created = await endpoints.create(
            info.context.session,
            domain_id=domain_id,
            url=url,
            events=_kinds(events) or [],
            description=description,
            runtime=info.context.runtime,
        )
        return WebhookCreated(webhook=Webhook.from_row(created.webhook), secret=created.secret)

    @strawberry.mutation(
        description="Change a webhook (WEBHOOK_MANAGE); arguments left out stay as they are. "
        "Enabling it again clears an automatic disabling.",
        graphql_type=result_union(
            "UpdateWebhookResult",
            Webhook,
            errors.NotFoundError,
            errors.InvalidInputError,
        ),
    )
    async def update_webhook(
        self,
        info: Info,
        webhook_id: WebhookId,
        url: Annotated[str | None, strawberry.argument(description="A new URL.")] = None,
        events: Annotated[
            list[WebhookEventType] | None,
            strawberry.argument(description="The new event types: at least one."),
        ] = None,
        enabled: Annotated[
            bool | None, strawberry.argument(description="Turn deliveries on or off.")
        ] = None,
        description: Annotated[
            str | None, strawberry.argument(description='A new note; "" removes it.')
        ] = None,
    ) -> Webhook:
        webhook = await endpoints.update(
            info.context.session,
            webhook_id=webhook_id,
            url=url,
            events=_kinds(events),
            enabled=enabled,
            description=description,
            runtime=info.context.runtime,
        )
        return Webhook.from_row(webhook)

    @strawberry.mutation(
        description="Delete a webhook and its deliveries (WEBHOOK_MANAGE).",
        graphql_type=result_union(
            "DeleteWebhookResult",
            DeletedWebhook,
            errors.NotFoundError,
        ),
    )
    async def delete_webhook(self, info: Info, webhook_id: WebhookId) -> DeletedWebhook:
        deleted = await endpoints.delete(info.context.session, webhook_id=webhook_id)
        return DeletedWebhook(id=strawberry.ID(ids.text(deleted)))

    @strawberry.mutation(
        description="Give a webhook a new signing secret, shown only in the answer "
        "(WEBHOOK_MANAGE).",
        graphql_type=result_union(
            "RotateWebhookSecretResult",
            WebhookSecretRotated,
            errors.NotFoundError,
        ),
    )
    async def rotate_webhook_secret(
        self, info: Info, webhook_id: WebhookId
    ) -> WebhookSecretRotated:
        rotated = await endpoints.rotate_secret(
            info.context.session, webhook_id=webhook_id, runtime=info.context.runtime
        )
        return WebhookSecretRotated(
            webhook=Webhook.from_row(rotated.webhook), secret=rotated.secret
        )
