"""Deliveries written in the transaction of the change they report.

Every place that records invitation or member events calls `enqueue(events)` inside
its transaction, after the event rows are written (saved or not: a model instance has
its id from the start). Then a crash after the commit cannot lose a delivery, and a
rolled-back change sends nothing. It costs one SELECT when the domain has no webhook
that wants the events; otherwise one more for the names in the payloads, and one INSERT.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from uuid import UUID

from app import models, sql
from app.services.webhooks import payloads
from app.services.webhooks.payloads import EventRow

SUBSCRIBED = sql.Sql(
    "SELECT id, domain_id, event_mask FROM webhook WHERE domain_id = ANY(?) AND enabled"
)


async def enqueue(events: Sequence[EventRow]) -> int:
    """Write a pending delivery of each event to each enabled webhook of its domain
    subscribed to its type; how many. Call inside the events' transaction."""
    if not events:
        return 0
    hooks: dict[UUID, list[tuple[UUID, int]]] = defaultdict(list)
    for row in await sql.fetch(SUBSCRIBED, list({e.domain_id for e in events})):
        hooks[sql.uuid(row[1])].append((sql.uuid(row[0]), int(row[2])))
    wanted = [
        (event, webhook_id)
        for event in events
        for webhook_id, mask in hooks.get(event.domain_id, ())
        if mask & payloads.event_type(event).bit
    ]
    if not wanted:
        return 0
    names = await payloads.names_of(event for event, _ in wanted)
    bodies = {event.id: payloads.build(event, names) for event, _ in wanted}
    await models.WebhookDelivery.bulk_create(
        [
            models.WebhookDelivery(
                webhook_id=webhook_id,
                event_id=event.id,
                event_type=payloads.event_type(event),
                payload=bodies[event.id],
                next_attempt_at=event.at,
                created_at=event.at,
            )
            for event, webhook_id in wanted
        ]
    )
    return len(wanted)
