"""create_app(settings): routes (/graphql over HTTP and WebSocket, /healthz, /readyz,
/metrics, the web app at /) and the lifespan."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route, WebSocketRoute
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from tortoise.contrib.starlette import RegisterTortoise

from app import graphiql, metrics
from app.auth import Authenticator
from app.brokers.memory import InMemoryBroker
from app.brokers.redis import RedisBroker
from app.clock import Clock, SystemClock
from app.db import tortoise_config
from app.events import Broker, EventBus
from app.graphql.policy import QueryLimits
from app.graphql.schema import AppSchema, build_schema
from app.graphql.view import GraphQLView
from app.health import Health, checking
from app.mail.transports import LogTransport, SmtpTransport, Transport
from app.ratelimit import RateLimiter
from app.relay import Relay
from app.runtime import Runtime
from app.services.invitations.expiry import Sweeper
from app.services.mailer import Mailer
from app.services.webhooks.dispatcher import Dispatcher
from app.settings import Settings
from app.web import web_app

logger = logging.getLogger("app")
SESSION_CACHE_SECONDS = 5.0


def schema_for(settings: Settings) -> AppSchema:
    """The schema with the configured limits (one per process: build_schema caches)."""
    limits = QueryLimits(
        depth=settings.max_depth,
        aliases=settings.max_aliases,
        tokens=settings.max_tokens,
        fields=settings.max_fields,
    )
    return build_schema(limits, production=settings.production)


def transport_for(settings: Settings) -> Transport:
    """SMTP when configured; else the log (production queues no e-mail without SMTP)."""
    if settings.smtp_url:
        return SmtpTransport(
            settings.smtp_url, sender=settings.mail_from, timeout=settings.email_timeout_seconds
        )
    return LogTransport()


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Starlette:
    """The ASGI application for `settings` (read from the environment when omitted);
    tests pass a clock they can move."""
    settings = settings or Settings.from_env()
    clock = clock or SystemClock()
    auth = Authenticator(
        secret_key=settings.secret_key,
        token_ttl=timedelta(seconds=settings.token_ttl_seconds),
        cheap_hashing=settings.password_hash_profile == "cheapest",
        clock=clock,
        # Remembering sessions is exact only in the one process SQLite allows: there
        # signOut forgets at once. Processes sharing PostgreSQL check every request.
        session_cache_seconds=SESSION_CACHE_SECONDS if settings.sqlite else 0,
    )
    redis = RedisBroker(settings.redis_url) if settings.redis_url else None
    broker: Broker = redis or InMemoryBroker()
    bus = EventBus(broker)
    relay = Relay(bus)
    health = Health(bus, redis)
    limiter = RateLimiter.create(settings.rate_limits, settings.redis_url)
    mailer = Mailer(settings, clock, transport_for(settings))
    runtime = Runtime(
        settings=settings,
        clock=clock,
        auth=auth,
        bus=bus,
        relay=relay,
        limiter=limiter,
        mailer=mailer,
    )
    dispatcher = Dispatcher(settings, clock)
    relay.listeners.append(dispatcher.kick)
    sweeper = Sweeper(runtime)
    graphql = GraphQLView(
        schema_for(settings),
        runtime=runtime,
        graphql_ide=None if settings.production else "graphiql",
        allow_queries_via_get=not settings.production,
        subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
        allowed_origins=settings.allowed_origins,
        connection_init_wait_timeout=timedelta(seconds=settings.ws_init_timeout_seconds),
        max_subscriptions_per_connection=settings.ws_max_operations,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with RegisterTortoise(
            app, config=tortoise_config(settings.database_url, settings.db_timeout_seconds)
        ):
            await bus.broker.start()
            await relay.start()
            await dispatcher.start()
            relay.kick()  # what earlier processes committed and did not publish
            await mailer.start()  # and it sends what they queued
            await sweeper.start()
            try:
                async with checking(health):
                    yield
            finally:
                await sweeper.stop()
                await mailer.stop()
                await dispatcher.stop()
                await relay.stop()
                await bus.broker.stop()
                await limiter.close()
                metrics.forget_process()

    app = Starlette(
        routes=[
            Route(
                "/graphql", graphql, methods=["GET", "POST"], max_body_size=settings.max_body_bytes
            ),
            WebSocketRoute("/graphql", graphql),
            *health.routes(),
            Route("/metrics", metrics_endpoint(settings)),
            *([] if settings.production else [Mount(graphiql.PREFIX, app=graphiql.assets())]),
            Mount("/", app=web_app(), name="web"),
        ],
        lifespan=lifespan,
    )
    app.state.bus = bus  # tests and operators read subscriber figures from it
    app.state.runtime = runtime
    app.state.dispatcher = dispatcher
    return app


def serving_app() -> Starlette:
    """The app `serve` runs in each worker: `create_app` from the environment, then what
    start-up made (modules, the schema, compiled SQL) moved out of the collector's way.
    A busy worker's full collections then scan only what requests made; with every
    start-up object in them, they paused a request now and then (p99 at 50 connections
    halved, `scripts/bench`)."""
    app = create_app()
    gc.collect()  # start-up's garbage is freed, not kept for good
    gc.freeze()
    return app


def metrics_endpoint(settings: Settings) -> Callable[[Request], Awaitable[Response]]:
    """GET /metrics: the Prometheus text of every process. With METRICS_TOKEN set it needs
    `Authorization: Bearer <token>`; without, it is open in development and absent (404)
    in production."""

    async def scrape(request: Request) -> Response:
        allowed = metrics.scrape_allowed(
            settings.metrics_token,
            request.headers.get("authorization"),
            production=settings.production,
        )
        if allowed is None:
            return Response("Not Found", status_code=404, media_type="text/plain")
        if not allowed:
            return Response(
                "Send Authorization: Bearer <METRICS_TOKEN>",
                status_code=401,
                headers={"www-authenticate": "Bearer"},
                media_type="text/plain",
            )
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type)

    return scrape
