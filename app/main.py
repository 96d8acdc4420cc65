"""create_app(settings): routes (/graphql over HTTP and WebSocket, /healthz, the web app at /)
and the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route, WebSocketRoute
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from tortoise.connection import get_connection
from tortoise.contrib.starlette import RegisterTortoise

from app.auth import Authenticator
from app.db import tortoise_config
from app.events import EventBus, InMemoryBroker
from app.graphql.schema import schema
from app.graphql.view import GraphQLView
from app.settings import Settings
from app.web import web_app

logger = logging.getLogger("app")


def create_app(settings: Settings | None = None) -> Starlette:
    """The ASGI application for `settings` (read from the environment when omitted)."""
    settings = settings or Settings.from_env()
    auth = Authenticator(
        secret_key=settings.secret_key,
        token_ttl=timedelta(seconds=settings.token_ttl_seconds),
        cheap_hashing=settings.password_hash_profile == "cheapest",
    )
    bus = EventBus(InMemoryBroker())
    graphql = GraphQLView(
        schema,
        auth=auth,
        bus=bus,
        graphql_ide=None if settings.production else "graphiql",
        subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
        allowed_origins=settings.allowed_origins,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with RegisterTortoise(app, config=tortoise_config(settings.database_url)):
            await bus.broker.start()
            try:
                yield
            finally:
                await bus.broker.stop()

    async def healthz(request: Request) -> JSONResponse:
        try:
            await get_connection("default").execute_query("SELECT 1")
        except Exception:
            logger.exception("health check: the database does not answer")
            return JSONResponse({"status": "error", "database": "down"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"], max_body_size=64 * 1024),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Mount("/", app=web_app(), name="web"),
        ],
        lifespan=lifespan,
    )
