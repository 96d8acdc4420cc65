"""The relay: publishes committed event rows, in order, at least once.

Services write an event row in the transaction of each change and `kick()` the relay
after the commit. A round reads the rows that have no position yet (invitation and
member events, oldest first), publishes one message each, and records the positions of
those it published, all under one lock:

    SQLite      an asyncio lock: one server process by construction
    PostgreSQL  the relay_cursor row, FOR UPDATE SKIP LOCKED, held across the publish
                and committed with the positions, so processes take turns and every
                position is committed in the order it was published

A round stops at the first message the broker refuses (Redis down or frozen): the rest
keep no position and go out, in order, once the broker answers again. Nothing waits for
the broker but the relay; a mutation only kicks it. Rows committed by a process that
died before relaying them go out with the next round of any process (each polls every
second). An outage is logged once when it starts and once when it ends.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any, NamedTuple

from tortoise.backends.base.client import TransactionalDBClient
from tortoise.connection import get_connection
from tortoise.transactions import in_transaction

from app import logs, metrics, sql
from app.background import Outage
from app.events import INVITATION, MEMBER, EventBus, EventMessage
from app.sql import Dialect, Sql

logger = logging.getLogger("app.relay")

BATCH = 200
# What a message needs of an event row, per table: id, domain, kind, subject, invitation.
COLUMNS = {
    INVITATION: ("invitation_event", "id, domain_id, kind, invitee_id, invitation_id"),
    MEMBER: ("member_event", "id, domain_id, kind, user_id, NULL"),
}


def _unpositioned_source(hint: str) -> str:
    """The oldest rows without a position, of both tables, read through their partial
    indexes (at, id), which hold only the few rows still to publish. SQLite is told so
    (`hint`): once ANALYZE has seen them empty, its planner prefers a skip-scan of
    (domain_id, position), a few milliseconds per round on a million events, where the
    partial index takes microseconds."""
    return (
        " UNION ALL ".join(
            f"SELECT '{source}' AS source, at, {cols} FROM {table}"
            f"{hint.format(table=table)} WHERE position IS NULL"
            for source, (table, cols) in COLUMNS.items()
        )
        + " ORDER BY at, id LIMIT ?"
    )


UNPOSITIONED = Sql(
    _unpositioned_source(""), sqlite=_unpositioned_source(" INDEXED BY ix_{table}_unpositioned")
)
SET_POSITION = {
    INVITATION: Sql("UPDATE invitation_event SET position = ? WHERE id = ?"),
    MEMBER: Sql("UPDATE member_event SET position = ? WHERE id = ?"),
}
CURSOR = Sql("SELECT assigned FROM relay_cursor WHERE id = 1")
CLAIM_CURSOR = Sql("SELECT assigned FROM relay_cursor WHERE id = 1 FOR UPDATE SKIP LOCKED")
SETTLED_CURSOR = Sql("SELECT assigned FROM relay_cursor WHERE id = 1 FOR SHARE")
ADVANCE = Sql("UPDATE relay_cursor SET assigned = ? WHERE id = 1")


class _Pending(NamedTuple):
    source: str
    row: sql.Row  # the COLUMNS of its table, the event's id first


class Busy(Exception):
    """Another process is relaying right now."""


class Relay:
    def __init__(
        self,
        bus: EventBus,
        *,
        poll_seconds: float = 1.0,
        linger_seconds: float = 0.005,
        backoff_max: float = 5.0,
    ):
        self.bus = bus
        self.poll_seconds = poll_seconds
        # A kick waits this long before its round, so that commits arriving meanwhile
        # share the round: under load one round publishes many events.
        self.linger_seconds = linger_seconds
        self.backoff_max = backoff_max
        self.published = 0  # messages this process published
        self._lock = asyncio.Lock()
        self._kicked = False
        self._worker: asyncio.Task[None] | None = None
        self._poller: asyncio.Task[None] | None = None
        self.outage = Outage(logger, "events")
        # Told of each kick too: what else waits for committed changes (webhooks).
        self.listeners: list[Callable[[], None]] = []

    # ------------------------------------------------------------------ running

    def kick(self) -> None:
        """Relay what was just committed (called after a commit; never waits). A kick
        inside a transaction does nothing: a mutation sent with an Idempotency-Key runs in
        the transaction that stores its answer, and a round started there would run on
        that transaction's connection, publishing rows that may still be rolled back (their
        positions then given again to other rows). Its commit is followed by a kick."""
        if isinstance(get_connection("default"), TransactionalDBClient):
            return
        self._kicked = True
        if self._worker is None or self._worker.done():
            # The worker outlives the request that kicked it: not that request's id.
            self._worker = asyncio.get_running_loop().create_task(
                self._work(), name="relay", context=logs.outside_requests()
            )
        for listener in self.listeners:
            listener()

    async def start(self) -> None:
        """Poll for rows nobody kicked for (another process died, the broker was away)."""
        self._poller = asyncio.create_task(self._poll(), name="relay-poll")

    async def stop(self) -> None:
        for task in (self._poller, self._worker):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._poller = self._worker = None

    async def drain(self) -> None:
        """Wait until everything kicked for so far is published (tests, shutdown)."""
        while self._worker is not None and not self._worker.done():
            await asyncio.wait({self._worker})

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.poll_seconds)
            self.kick()

    async def _work(self) -> None:
        backoff = 0.05
        while self._kicked:
            await asyncio.sleep(self.linger_seconds)
            self._kicked = False
            try:
                while await self.round() == BATCH:
                    pass
            except Busy:
                self._kicked = True
                await asyncio.sleep(0.02)
            except Exception as exc:  # the broker or the database: retried, logged once
                self.outage.failed(exc)
                self._kicked = True
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.backoff_max)
            else:
                backoff = 0.05

    # ------------------------------------------------------------------ one round

    async def round(self) -> int:
        """Publish up to BATCH unpublished events; how many were waiting. A broker that
        refuses one raises once the positions of those published before are committed."""
        async with self._lock:
            if sql.dialect() is Dialect.SQLITE:
                assigned = await sql.fetch_value(CURSOR)
                waiting, failure = await self._publish_batch(int(assigned))
            else:
                async with in_transaction():
                    claimed = await sql.fetch_one(CLAIM_CURSOR)
                    if claimed is None:
                        raise Busy()
                    waiting, failure = await self._publish_batch(int(claimed[0]))
        if failure is not None:
            raise failure
        self.outage.worked()
        return waiting

    async def _publish_batch(self, assigned: int) -> tuple[int, Exception | None]:
        pending = await _unpositioned()
        published: list[tuple[int, _Pending]] = []
        failure: Exception | None = None
        for position, event in enumerate(pending, start=assigned + 1):
            try:
                await self.bus.publish(_message(position, event))
            except Exception as exc:
                failure = exc
                break
            published.append((position, event))
        if published:
            await _record_positions(published, assigned + len(published))
            self.published += len(published)
            for source, count in collections.Counter(e.source for _, e in published).items():
                metrics.count_published(source, count)
        return len(pending), failure

    @contextlib.asynccontextmanager
    async def settled(self) -> AsyncIterator[None]:
        """Wait for the relay round in progress to commit, so that a read of positions
        inside this block sees every position published so far (replays read here)."""
        if sql.dialect() is Dialect.SQLITE:
            async with self._lock:
                yield
            return
        async with in_transaction():
            await sql.fetch(SETTLED_CURSOR)
            yield

    async def position(self) -> int:
        """The last position assigned: where a subscription opened now starts."""
        return int(await sql.fetch_value(CURSOR) or 0)

    async def replay(
        self, source: str, column: str, value: Any, after: int, kinds: frozenset[str] = frozenset()
    ) -> list[EventMessage]:
        """A channel's messages after `after` from the database, in order (a batch): the
        events of `source` whose `column` is `value`, of `kinds` when given."""
        statement = _replay_sql(source, column, tuple(sorted(kinds)))
        async with self.settled():
            found = await sql.fetch(statement, value, after, *sorted(kinds), BATCH)
        return [message(int(row[0]), source, row[1:]) for row in found]


@functools.cache
def _replay_sql(source: str, column: str, kinds: tuple[str, ...]) -> Sql:
    table, cols = COLUMNS[source]
    of_kinds = f" AND kind IN ({', '.join('?' * len(kinds))})" if kinds else ""
    return Sql(
        f"SELECT position, {cols} FROM {table} WHERE {column} = ? AND position > ?{of_kinds} "
        "ORDER BY position LIMIT ?"
    )


async def _unpositioned() -> list[_Pending]:
    """The oldest events without a position, of both tables, in (at, id) order."""
    return [_Pending(r[0], r[2:]) for r in await sql.fetch(UNPOSITIONED, BATCH)]


async def _record_positions(published: list[tuple[int, _Pending]], assigned: int) -> None:
    async with in_transaction():
        for source, statement in SET_POSITION.items():
            rows = [(position, e.row[0]) for position, e in published if e.source == source]
            if rows:
                await sql.execute_many(statement, rows)
        await sql.execute(ADVANCE, assigned)


def _message(position: int, event: _Pending) -> EventMessage:
    return message(position, event.source, event.row)


def message(position: int, source: str, row: sql.Row) -> EventMessage:
    """The message of an event row read with its table's COLUMNS."""
    event_id, domain_id, kind, subject_id, invitation_id = row
    return EventMessage(
        position=position,
        source=source,
        event_id=str(sql.uuid(event_id)),
        domain_id=str(sql.uuid(domain_id)),
        kind=kind,
        subject_id=_text(subject_id),
        invitation_id=_text(invitation_id),
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(sql.uuid(value))
