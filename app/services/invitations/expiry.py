"""Expiry: storing EXPIRED on the PENDING invitations whose deadline has passed, with the
EXPIRED event of each.

Readers never wait for this: every read already shows a lapsed invitation as EXPIRED
(`reads.STATUS`). Storing it is what appends the EXPIRED event to the history (actor
none, `at` the deadline) and publishes it on `invitationEvents`. Every server process
runs the sweep every few seconds; one conditional UPDATE stores each expiry and returns
the rows it changed, and only those get an event, so an expiry is recorded once however
many processes sweep at the same time (on PostgreSQL the second UPDATE waits for the
first and then finds the row no longer PENDING).
"""

from __future__ import annotations

import logging
from datetime import datetime
from uuid import UUID

from tortoise.transactions import in_transaction

from app import models, sql
from app.background import Outage, Worker
from app.models import InvitationEventKind as Kind
from app.permissions import InvitationRef
from app.runtime import Runtime
from app.services.invitations import changes
from app.services.webhooks import deliveries

logger = logging.getLogger("app.expiry")

SWEEP_SECONDS = 5.0
BATCH = 500

# The statement starts with WITH, so both drivers hand back the rows RETURNING gives.
_EXPIRE = (
    "WITH due AS (SELECT id FROM invitation WHERE status = 'PENDING' AND expires_at <= ?{one} "
    "ORDER BY expires_at LIMIT ?) "
    "UPDATE invitation SET status = 'EXPIRED', updated_at = expires_at "
    # Checked again on the row itself: one that another process expired meanwhile is
    # not PENDING any more, and is left out.
    "WHERE id IN (SELECT id FROM due) AND status = 'PENDING' AND expires_at <= ? "
    "RETURNING id, domain_id, invitee_id, role_id, invitee_email, expires_at"
)
EXPIRE_DUE = sql.Sql(_EXPIRE.format(one=""))
EXPIRE_ONE = sql.Sql(_EXPIRE.format(one=" AND id = ?"))


async def expire_due(now: datetime) -> int:
    """Store up to BATCH lapsed invitations as EXPIRED, each with its EXPIRED event, in
    the caller's transaction; how many."""
    return await _record(await sql.fetch(EXPIRE_DUE, now, BATCH, now))


async def expire_lapsed(invitation_id: UUID, now: datetime) -> bool:
    """Store one invitation as EXPIRED (with its event) if it lapsed and nothing has
    stored that yet, in the caller's transaction: a resend records the expiry it ends."""
    return await _record(await sql.fetch(EXPIRE_ONE, now, invitation_id, 1, now)) > 0


async def _record(expired: list[sql.Row]) -> int:
    events = [
        changes.event_row(
            InvitationRef(
                sql.uuid(row[0]),
                sql.uuid(row[1]),
                sql.optional_uuid(row[2]),
                sql.uuid(row[3]),
                row[4],
            ),
            Kind.EXPIRED,
            None,
            sql.moment(row[5]),
        )
        for row in expired
    ]
    if events:
        await models.InvitationEvent.bulk_create(events)
        await deliveries.enqueue(events)
    return len(events)


async def sweep(runtime: Runtime) -> int:
    """Store every lapsed invitation as EXPIRED with its event, a batch per transaction,
    then have the relay publish the events; how many expired."""
    total = 0
    while True:
        async with in_transaction():
            expired = await expire_due(runtime.clock.now())
        total += expired
        if expired < BATCH:
            break
    if total:
        runtime.relay.kick()
    return total


class Sweeper(Worker):
    """Runs the sweep every `every` seconds in this process, from start() to stop()."""

    def __init__(self, runtime: Runtime, *, every: float = SWEEP_SECONDS) -> None:
        super().__init__("expiry-sweep", every, Outage(logger, "expiries"))
        self.runtime = runtime

    async def work(self) -> None:
        await sweep(self.runtime)
