"""Health and readiness, answered at once from cached checks.

A background task (started by the app's lifespan) checks the components every second, each
within `TIMEOUT`: the database answers a read and accepts a write, Redis (when configured)
answers a PING with its pub/sub connection subscribed. GET /healthz and /readyz answer from
the last check, so they never wait on a component that hangs; without the task (an app
served without its lifespan) they check on demand. One log line per change of state.

    database  "ok" | "read-only" (answers reads, refuses writes) | "down"
    redis     "ok" | "down"
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import get_connection

from app.brokers.redis import RedisBroker
from app.events import EventBus

logger = logging.getLogger("app")
TIMEOUT = 2.0  # seconds a component may take to answer a check
INTERVAL = 1.0  # seconds between checks
STALE = 5.0  # a cached state older than this is checked again on demand


class Health:
    """The components' last known states, kept fresh by `run()`."""

    def __init__(self, bus: EventBus, redis: RedisBroker | None) -> None:
        self.bus = bus
        self.redis = redis
        self._states: dict[str, str] = {}
        self._checked_at = -STALE

    async def check(self) -> dict[str, str]:
        """Check every component now, together (within TIMEOUT), and remember the result."""
        probes = {"database": database_state()}
        if self.redis is not None:
            probes["redis"] = redis_state(self.redis)
        checks = dict(zip(probes, await asyncio.gather(*probes.values()), strict=True))
        states = {name: state for name, (state, _) in checks.items()}
        for name, (state, reason) in checks.items():
            was = self._states.get(name, "ok")
            if state != was:
                log = logger.info if state == "ok" else logger.warning
                log("health: %s is %s (was %s)%s", name, state, was, reason)
        self._states, self._checked_at = states, time.monotonic()
        return states

    async def states(self) -> dict[str, str]:
        if time.monotonic() - self._checked_at < STALE:
            return self._states
        return await self.check()

    async def run(self) -> None:
        """Check every INTERVAL seconds until cancelled."""
        while True:
            await self.check()
            await asyncio.sleep(INTERVAL)

    def routes(self) -> list[Route]:
        """GET /healthz (200 while the database answers, with each component's state and the
        process's open subscriptions) and GET /readyz (503 unless every component is ok)."""

        async def healthz(request: Request) -> JSONResponse:
            states = await self.states()
            status = "ok" if all(v == "ok" for v in states.values()) else "degraded"
            if states["database"] == "down":
                status = "error"
            body = {"status": status, **states, "subscriptions": self.bus.subscriptions}
            return JSONResponse(body, status_code=_http(status != "error"))

        async def readyz(request: Request) -> JSONResponse:
            states = await self.states()
            ready = all(v == "ok" for v in states.values())
            body = {"status": "ready" if ready else "unavailable", **states}
            return JSONResponse(body, status_code=_http(ready))

        return [Route("/healthz", healthz), Route("/readyz", readyz)]


@contextlib.asynccontextmanager
async def checking(health: Health) -> AsyncIterator[None]:
    """Keep `health` fresh in the background while the block runs. The block starts once
    Redis's pub/sub connection, opening meanwhile, is up or had TIMEOUT to come up: a
    worker would otherwise say "down" for its first moments."""
    if health.redis is not None:
        with contextlib.suppress(TimeoutError):
            await health.redis.wait_listening(TIMEOUT)
    task = asyncio.create_task(health.run(), name="health-checks")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


Check = tuple[str, str]  # a state, and why when it is not "ok"


async def database_state() -> Check:
    connection = get_connection("default")
    try:
        async with asyncio.timeout(TIMEOUT):
            await connection.execute_query("SELECT 1")
    except Exception as exc:
        return "down", f": {exc!r}"
    try:
        async with asyncio.timeout(TIMEOUT):
            await probe_write(connection)
    except Exception as exc:
        return "read-only", f": {exc!r}"
    return "ok", ""


async def probe_write(connection: BaseDBAsyncClient) -> None:
    """Raise unless the database accepts a write now. SQLite: commit a one-page write (the
    header's user_version, rewritten unchanged), which a read-only file, a full disk or a
    write lock held elsewhere refuses. PostgreSQL: ask whether transactions are read-only
    (a standby, default_transaction_read_only), without writing anything."""
    if connection.capabilities.dialect == "sqlite":
        _, rows = await connection.execute_query("PRAGMA user_version")
        await connection.execute_script(f"PRAGMA user_version = {int(rows[0][0])}")
        return
    _, rows = await connection.execute_query("SELECT current_setting('transaction_read_only')")
    if rows[0][0] != "off":
        raise PermissionError("transactions are read-only")


async def redis_state(redis: RedisBroker) -> Check:
    # Up means both: commands answer and the pub/sub connection is subscribed.
    if not redis.listening:
        return "down", ": the pub/sub connection is not subscribed"
    return ("ok", "") if await redis.ping() else ("down", ": no answer to PING")


def _http(ok: bool) -> int:
    return 200 if ok else 503
