"""Health and readiness: whether the database and (when configured) Redis answer."""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from tortoise.connection import get_connection

from app.brokers.redis import RedisBroker
from app.events import EventBus

logger = logging.getLogger("app")
TIMEOUT = 2.0  # seconds a component may take to answer


def health_routes(bus: EventBus, redis: RedisBroker | None) -> list[Route]:
    """GET /healthz (200 while the database answers, with each component's state and the
    process's open subscriptions) and GET /readyz (503 while any component is down)."""

    async def components() -> dict[str, str]:
        states = {"database": "ok" if await database_answers() else "down"}
        if redis is not None:
            # Up means both: commands answer and the pub/sub connection is subscribed.
            states["redis"] = "ok" if redis.listening and await redis.ping() else "down"
        return states

    async def healthz(request: Request) -> JSONResponse:
        states = await components()
        status = "ok" if all(v == "ok" for v in states.values()) else "degraded"
        if states["database"] != "ok":
            status = "error"
        return JSONResponse(
            {"status": status, **states, "subscriptions": bus.subscriptions},
            status_code=_http(status != "error"),
        )

    async def readyz(request: Request) -> JSONResponse:
        states = await components()
        ready = all(v == "ok" for v in states.values())
        return JSONResponse(
            {"status": "ready" if ready else "unavailable", **states}, status_code=_http(ready)
        )

    return [Route("/healthz", healthz), Route("/readyz", readyz)]


async def database_answers() -> bool:
    try:
        await asyncio.wait_for(get_connection("default").execute_query("SELECT 1"), TIMEOUT)
    except Exception as exc:
        logger.warning("health check: the database does not answer: %r", exc)
        return False
    return True


def _http(ok: bool) -> int:
    return 200 if ok else 503
