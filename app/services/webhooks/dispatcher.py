"""The dispatcher: sends due deliveries, records every attempt, retries, gives up.

Every server process runs one. A round claims up to BATCH due deliveries of enabled
webhooks by setting a lease (`locked_until`) in one statement, sends them at once, and
records each attempt:

    claim      PostgreSQL  FOR UPDATE SKIP LOCKED: processes claiming together each get
                           other rows; SQLite serves one process, whose rounds take turns
    lease      2 x WEBHOOK_TIMEOUT_SECONDS + 5 s: longer than an attempt can take, so a
               row is claimed again only when its process died mid-attempt
    record     compare-and-set on the attempt count: a process whose lease was taken
               over records nothing, and one attempt is never recorded twice
    retry      a non-2xx answer, a timeout, an unreachable or refused destination: again
               after WEBHOOK_RETRY_SECONDS[n], then FAILED
    disable    a webhook whose last DISABLE_AFTER deliveries all FAILED (every retry
               spent, no success between) is disabled with a reason; its pending
               deliveries wait until it is enabled again

Rounds run when a change commits (`kick`, wired to the relay's) and every second, for
retries coming due and for rows of processes that died.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import NamedTuple
from uuid import UUID

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from app import metrics, models, sql
from app.background import Outage, Worker
from app.clock import Clock
from app.models import DeliveryStatus
from app.services.webhooks import secrets, sending
from app.settings import Settings
from app.sql import Sql

logger = logging.getLogger("app.webhooks")

BATCH = 20
DISABLE_AFTER = 10
LEASE_MARGIN_SECONDS = 5

_CLAIM = (
    "WITH due AS (SELECT d.id FROM webhook_delivery d JOIN webhook w ON w.id = d.webhook_id "
    "WHERE d.status = 'PENDING' AND d.next_attempt_at <= ? "
    "AND (d.locked_until IS NULL OR d.locked_until <= ?) AND w.enabled "
    "ORDER BY d.next_attempt_at LIMIT ? {lock}) "
    "UPDATE webhook_delivery SET locked_until = ? "
    "WHERE id IN (SELECT id FROM due) AND (locked_until IS NULL OR locked_until <= ?) "
    "RETURNING id, webhook_id, event_id, payload, attempts"
)
CLAIM = Sql(_CLAIM.format(lock=""), postgres=_CLAIM.format(lock="FOR UPDATE OF d SKIP LOCKED"))
TARGETS = Sql("SELECT id, url, secret FROM webhook WHERE id = ANY(?)")


class Claimed(NamedTuple):
    id: UUID
    webhook_id: UUID
    event_id: UUID
    payload: str
    attempts: int  # made before this one


class Target(NamedTuple):
    url: str
    seed: str


class Dispatcher(Worker):
    def __init__(self, settings: Settings, clock: Clock, *, poll_seconds: float = 1.0) -> None:
        self.settings = settings
        self.clock = clock
        self.lease = timedelta(seconds=2 * settings.webhook_timeout_seconds + LEASE_MARGIN_SECONDS)
        self.http = sending.client(settings.webhook_timeout_seconds)
        super().__init__("webhooks", poll_seconds, Outage(logger, "webhook deliveries"))

    async def work(self) -> None:
        while await self.round() == BATCH:
            pass

    async def stop(self) -> None:
        await super().stop()
        await self.http.aclose()

    # ------------------------------------------------------------------ one round

    async def round(self) -> int:
        """Claim the due deliveries (up to BATCH), attempt each once, record it; how many."""
        now = self.clock.now()
        claimed = await _claim(now, now + self.lease)
        if claimed:
            targets = await _targets({c.webhook_id for c in claimed})
            await asyncio.gather(*(self._deliver(c, targets.get(c.webhook_id)) for c in claimed))
        return len(claimed)

    async def _deliver(self, claimed: Claimed, target: Target | None) -> None:
        if target is None:
            return  # the webhook was deleted since: so were its deliveries
        secret = secrets.signing_secret(self.settings.secret_key, target.seed)
        at = self.clock.now()
        outcome = await sending.attempt(
            self.http,
            target.url,
            sending.Message(str(claimed.event_id), claimed.payload, secret),
            at=at,
            timeout=self.settings.webhook_timeout_seconds,
            production=self.settings.production,
        )
        metrics.count_webhook_attempt(outcome.result)
        await self._record(claimed, outcome, at)

    def _next(
        self, outcome: sending.Outcome, attempts: int
    ) -> tuple[DeliveryStatus, datetime | None]:
        """Where a delivery stands after its attempt number `attempts`."""
        if outcome.succeeded:
            return DeliveryStatus.SUCCEEDED, None
        waits = self.settings.webhook_retry_seconds
        if attempts > len(waits):
            return DeliveryStatus.FAILED, None
        return DeliveryStatus.PENDING, self.clock.now() + timedelta(seconds=waits[attempts - 1])

    async def _record(self, claimed: Claimed, outcome: sending.Outcome, at: datetime) -> None:
        attempts = claimed.attempts + 1
        status, next_attempt_at = self._next(outcome, attempts)
        async with in_transaction():
            recorded = await models.WebhookDelivery.filter(
                id=claimed.id, attempts=claimed.attempts
            ).update(
                status=status,
                attempts=attempts,
                last_status_code=outcome.status_code,
                last_attempt_at=at,
                next_attempt_at=next_attempt_at,
                locked_until=None,
            )
            if not recorded:
                logger.warning(
                    "delivery %s: attempt %d recorded by another process", claimed.id, attempts
                )
                return
            await models.WebhookAttempt.create(
                delivery_id=claimed.id,
                at=at,
                status_code=outcome.status_code,
                error=outcome.error,
                duration_ms=outcome.duration_ms,
                response_body=outcome.response_body,
            )
            await _note_health(claimed.webhook_id, status, outcome)
        if status is not DeliveryStatus.PENDING:
            metrics.count_webhook_delivery(status.value.lower())


async def _claim(now: datetime, lease_until: datetime) -> list[Claimed]:
    rows = await sql.fetch(CLAIM, now, now, BATCH, lease_until, now)
    return [Claimed(sql.uuid(r[0]), sql.uuid(r[1]), sql.uuid(r[2]), r[3], int(r[4])) for r in rows]


async def _targets(webhook_ids: set[UUID]) -> dict[UUID, Target]:
    rows = await sql.fetch(TARGETS, list(webhook_ids))
    return {sql.uuid(r[0]): Target(r[1], r[2]) for r in rows}


async def _note_health(webhook_id: UUID, status: DeliveryStatus, outcome: sending.Outcome) -> None:
    """A success ends a run of failed deliveries; a long enough run disables the webhook."""
    webhooks = models.Webhook.filter(id=webhook_id)
    if status is DeliveryStatus.SUCCEEDED:
        await webhooks.filter(consecutive_failures__gt=0).update(consecutive_failures=0)
    elif status is DeliveryStatus.FAILED:
        await webhooks.update(consecutive_failures=F("consecutive_failures") + 1)
        reason = (
            f"Disabled after {DISABLE_AFTER} deliveries in a row failed every attempt "
            f"(the last: {outcome.error})"
        )[:200]
        disabled = await webhooks.filter(
            enabled=True, consecutive_failures__gte=DISABLE_AFTER
        ).update(enabled=False, disabled_reason=reason)
        if disabled:
            logger.warning("webhook %s disabled: %s", webhook_id, reason)
