"""Webhooks, their deliveries and attempts as read: the compiled SQL and the rows it fills.

Nothing here authorizes: the services in `endpoints` authorize first, and the GraphQL
loader of attempts serves deliveries whose webhook was already authorized.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from app import sql
from app.models import WebhookEventType
from app.services.pagination import Keyset
from app.sql import Row, Sql


class Webhook(NamedTuple):
    id: UUID
    domain_id: UUID
    url: str
    description: str | None
    events: tuple[WebhookEventType, ...]
    enabled: bool
    disabled_reason: str | None
    created_at: datetime
    updated_at: datetime


class Delivery(NamedTuple):
    id: UUID
    domain_id: UUID  # its webhook's
    event_id: UUID
    event_type: str
    payload: str
    status: str
    attempts: int
    last_status_code: int | None
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    created_at: datetime


class Attempt(NamedTuple):
    id: UUID
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int
    response_body: str | None


_WEBHOOK = (
    "SELECT id, domain_id, url, description, event_mask, enabled, disabled_reason, "
    "created_at, updated_at FROM webhook"
)
ONE = Sql(f"{_WEBHOOK} WHERE id = ?")
MANY = Sql(f"{_WEBHOOK} WHERE id = ANY(?)")
OF_DOMAIN = Sql(f"{_WEBHOOK} WHERE domain_id = ? ORDER BY created_at DESC, id DESC")
COUNT_OF_DOMAIN = Sql("SELECT COUNT(*) FROM webhook WHERE domain_id = ?")
_DELIVERY = (
    "SELECT d.id, w.domain_id, d.event_id, d.event_type, d.payload, d.status, d.attempts, "
    "d.last_status_code, d.last_attempt_at, d.next_attempt_at, d.created_at "
    "FROM webhook_delivery d JOIN webhook w ON w.id = d.webhook_id"
)
DELIVERIES = Keyset(
    select=_DELIVERY,
    count_from="webhook_delivery d",
    time_column="d.created_at",
    id_column="d.id",
)
DELIVERIES_BY_ID = Sql(f"{_DELIVERY} WHERE d.id = ANY(?)")
ATTEMPTS = Sql(
    "SELECT delivery_id, id, at, status_code, error, duration_ms, response_body "
    "FROM webhook_attempt WHERE delivery_id = ANY(?) ORDER BY at, id"
)


def events_of(mask: int) -> tuple[WebhookEventType, ...]:
    return tuple(kind for kind in WebhookEventType if mask & kind.bit)


def mask_of(events: Sequence[WebhookEventType]) -> int:
    mask = 0
    for kind in events:
        mask |= kind.bit
    return mask


def webhook(row: Row) -> Webhook:
    return Webhook(
        sql.uuid(row[0]),
        sql.uuid(row[1]),
        row[2],
        row[3],
        events_of(int(row[4])),
        bool(row[5]),
        row[6],
        sql.moment(row[7]),
        sql.moment(row[8]),
    )


def delivery(row: Row) -> Delivery:
    return Delivery(
        sql.uuid(row[0]),
        sql.uuid(row[1]),
        sql.uuid(row[2]),
        row[3],
        row[4],
        row[5],
        int(row[6]),
        row[7],
        sql.optional_moment(row[8]),
        sql.optional_moment(row[9]),
        sql.moment(row[10]),
    )


async def one(webhook_id: UUID) -> Webhook | None:
    row = await sql.fetch_one(ONE, webhook_id)
    return webhook(row) if row else None


async def many(webhook_ids: Sequence[UUID]) -> list[Webhook]:
    return [webhook(row) for row in await sql.fetch(MANY, list(webhook_ids))]


async def deliveries(delivery_ids: Sequence[UUID]) -> list[Delivery]:
    return [delivery(row) for row in await sql.fetch(DELIVERIES_BY_ID, list(delivery_ids))]


async def of_domain(domain_id: UUID) -> list[Webhook]:
    return [webhook(row) for row in await sql.fetch(OF_DOMAIN, domain_id)]


async def attempts(delivery_ids: Sequence[UUID]) -> list[list[Attempt]]:
    """Each delivery's attempts, oldest first (the per-request loader's batch)."""
    found: dict[UUID, list[Attempt]] = defaultdict(list)
    for row in await sql.fetch(ATTEMPTS, list(delivery_ids)):
        found[sql.uuid(row[0])].append(
            Attempt(sql.uuid(row[1]), sql.moment(row[2]), row[3], row[4], int(row[5]), row[6])
        )
    return [found.get(delivery_id, []) for delivery_id in delivery_ids]
