"""Webhook fields: the webhooks query, Webhook and its deliveries, and the mutations that
manage them. Everything here needs WEBHOOK_MANAGE in the webhook's domain."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from app import errors, ids, models
from app.graphql.arguments import DomainId
from app.graphql.context import Info
from app.graphql.errors import result_union
from app.graphql.pagination import After, Before, Connection, First, Last
from app.graphql.types import Node
from app.graphql.webhook_deliveries import WebhookDelivery, WebhookEventType
from app.services.pagination import Paging
from app.services.webhooks import endpoints, reads


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
            paging=Paging(first, after, last, before),
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
