from __future__ import annotations

import importlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
from tortoise.connection import get_connection
from tortoise.context import TortoiseContext, tortoise_test_context

from app.auth import Authenticator, Session
from app.db import MODELS
from app.events import EventBus, InMemoryBroker
from app.graphql.context import Context
from app.graphql.schema import schema
from app.main import create_app
from app.ratelimit import RateLimiter, RateLimits
from app.settings import Settings
from tests.world import World, make_world

# Every test gets a fresh database: in-memory SQLite unless TEST_DATABASE_URL
# names another server (for example postgres://postgres@127.0.0.1/test_{}).
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite://:memory:")
_one_pending = importlib.import_module("app.migrations.0002_one_pending_invitation")
PARTIAL_INDEX_SQL = _one_pending.Migration.operations[0].sql


@pytest.fixture
async def db() -> AsyncIterator[TortoiseContext]:
    async with tortoise_test_context(MODELS, db_url=TEST_DATABASE_URL) as ctx:
        # generate_schemas drops conditional indexes; add it as migration 0002 does.
        await get_connection("default").execute_script(PARTIAL_INDEX_SQL)
        yield ctx


@pytest.fixture
def auth() -> Authenticator:
    return Authenticator(secret_key="test-secret", token_ttl=timedelta(hours=1), cheap_hashing=True)


class GraphQLClient:
    """Runs documents through the real schema as a given session."""

    def __init__(self, auth: Authenticator, bus: EventBus, limiter: RateLimiter) -> None:
        self.auth = auth
        self.bus = bus
        self.limiter = limiter

    def context(self, session: Session | None) -> Context:
        return Context(
            request=None,
            response=None,
            auth=self.auth,
            bus=self.bus,
            limiter=self.limiter,
            request_id="test",
            session=session,
        )

    async def execute(
        self, document: str, variables: dict[str, Any] | None = None, *, as_: Session | None = None
    ) -> Result:
        result = await schema.execute(
            document, variable_values=variables, context_value=self.context(as_)
        )
        errors = [
            {
                "message": e.message,
                "code": (e.extensions or {}).get("code"),
                "extensions": e.extensions,
            }
            for e in result.errors or []
        ]
        return Result(data=result.data, errors=errors)


class Result:
    def __init__(self, data: dict[str, Any] | None, errors: list[dict[str, Any]]) -> None:
        self.data = data
        self.errors = errors

    @property
    def codes(self) -> list[str | None]:
        return [e["code"] for e in self.errors]

    def ok(self) -> dict[str, Any]:
        """The data, asserting there were no top-level errors."""
        assert not self.errors, self.errors
        assert self.data is not None
        return self.data


@pytest.fixture
def bus() -> EventBus:
    return EventBus(InMemoryBroker())


PRODUCTION = Settings(
    app_env="production",
    secret_key="production-test-secret-of-at-least-32-characters",
    # Only to keep the suite fast: Settings.validate() refuses this in production.
    password_hash_profile="cheapest",
    rate_limits=RateLimits.off(),
)


@asynccontextmanager
async def asgi_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for create_app(settings), in this loop, on the test database."""
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@pytest.fixture
async def production(db: TortoiseContext) -> AsyncIterator[httpx.AsyncClient]:
    """The app as APP_ENV=production configures it."""
    async with asgi_client(PRODUCTION) as client:
        yield client


@pytest.fixture
def limiter() -> RateLimiter:
    """No rate limits: a test module that tests them overrides this fixture."""
    return RateLimiter.disabled()


@pytest.fixture
def gql(
    db: TortoiseContext, auth: Authenticator, bus: EventBus, limiter: RateLimiter
) -> GraphQLClient:
    return GraphQLClient(auth, bus, limiter)


@pytest.fixture
async def world(gql: GraphQLClient, auth: Authenticator) -> World:
    """A domain "Acme" with its admin."""
    return await make_world(gql, auth)
