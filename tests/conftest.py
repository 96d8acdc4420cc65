from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.connection import get_connection
from tortoise.context import TortoiseContext, tortoise_test_context
from tortoise.contrib.test import truncate_all_models

from app.auth import Authenticator, Session
from app.brokers.memory import InMemoryBroker
from app.clock import ManualClock
from app.db import MODELS, PARTIAL_INDEXES, RELAY_CURSOR_ROW, tortoise_config
from app.events import EventBus
from app.graphql.context import Context
from app.graphql.schema import schema
from app.main import create_app
from app.ratelimit import RateLimiter, RateLimits
from app.runtime import Runtime
from app.settings import Settings
from tests import services
from tests.world import World, make_world

# Every test gets a clean database: a fresh in-memory SQLite one, unless
# TEST_DATABASE_URL names a PostgreSQL server (postgres://postgres@127.0.0.1/test_{}):
# then one database is made for the session and emptied before each test, since
# creating and dropping a database per test cost 0.1-0.5 s each on this machine.
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite://:memory:")
ON_SQLITE = TEST_DATABASE_URL.startswith("sqlite")


async def _make_schema(db_url: str) -> AsyncIterator[TortoiseContext]:
    async with tortoise_test_context(MODELS, db_url=db_url) as ctx:
        # The context generated the tables; add what the migrations add besides.
        connection = get_connection("default")
        for statement in (*PARTIAL_INDEXES, RELAY_CURSOR_ROW):
            await connection.execute_script(statement)
        yield ctx


@pytest.fixture(scope="session")
def session_database_url() -> Iterator[str]:
    """PostgreSQL runs only: the session's database, with the schema, dropped at the end."""
    url = TEST_DATABASE_URL.replace("{}", "test_" + uuid.uuid4().hex)
    if url == TEST_DATABASE_URL:
        raise pytest.UsageError("TEST_DATABASE_URL for PostgreSQL needs {} in the database name")

    async def create() -> None:
        async for _ in _make_schema(url):
            pass

    _in_own_loop(create())
    try:
        yield url
    finally:
        server, name = url.rsplit("/", 1)
        _postgres_admin(f"{server}/postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def db(request: pytest.FixtureRequest) -> AsyncIterator[TortoiseContext]:
    if ON_SQLITE:
        async for ctx in _make_schema(TEST_DATABASE_URL):
            yield ctx
        return
    url: str = request.getfixturevalue("session_database_url")
    # Tortoise caches INSERT/DELETE SQL per connection name, not per dialect: a test
    # that used SQLite in this process must not leave `?` placeholders behind.
    EXECUTOR_CACHE.clear()
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        await truncate_all_models()
        await get_connection("default").execute_script(RELAY_CURSOR_ROW)
        yield ctx


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked postgres/redis skip when that server is not running (fail in CI)."""
    if item.get_closest_marker("postgres"):
        services.require("PostgreSQL", services.TEST_POSTGRES_URL, "TEST_POSTGRES_URL")
    if item.get_closest_marker("redis"):
        services.require("Redis", services.TEST_REDIS_URL, "TEST_REDIS_URL")


def _in_own_loop(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine to completion from sync code, even inside a running loop."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, coroutine).result()


def _postgres_admin(admin_url: str, sql: str) -> None:
    """Run one statement on a maintenance database (CREATE/DROP DATABASE)."""
    import asyncpg

    async def run() -> None:
        connection = await asyncpg.connect(admin_url)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    _in_own_loop(run())


def create_postgres_database() -> tuple[str, str]:
    url = services.postgres_database_url()
    name = url.rsplit("/", 1)[1]
    _postgres_admin(services.postgres_database_url("postgres"), f'CREATE DATABASE "{name}"')
    return name, url


def drop_postgres_database(name: str) -> None:
    admin = services.postgres_database_url("postgres")
    _postgres_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL database, dropped afterwards."""
    services.require("PostgreSQL", services.TEST_POSTGRES_URL, "TEST_POSTGRES_URL")
    name, url = create_postgres_database()
    try:
        yield url
    finally:
        drop_postgres_database(name)


@pytest.fixture
def server_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database for a real server process, on the backend of this test run."""
    if ON_SQLITE:
        return f"sqlite://{tmp_path}/app.sqlite3"
    url: str = request.getfixturevalue("postgres_database")
    return url


@pytest.fixture
def redis_url() -> str:
    services.require("Redis", services.TEST_REDIS_URL, "TEST_REDIS_URL")
    return services.TEST_REDIS_URL


@pytest.fixture
def clock() -> ManualClock:
    """The time every service of the test sees; tests move it instead of sleeping."""
    return ManualClock()


@pytest.fixture
def auth(clock: ManualClock) -> Authenticator:
    return Authenticator(
        secret_key="test-secret", token_ttl=timedelta(hours=1), cheap_hashing=True, clock=clock
    )


@pytest.fixture
def runtime(
    clock: ManualClock, auth: Authenticator, bus: EventBus, limiter: RateLimiter
) -> Runtime:
    return Runtime(settings=Settings(), clock=clock, auth=auth, bus=bus, limiter=limiter)


class GraphQLClient:
    """Runs documents through the real schema as a given session."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def context(self, session: Session | None) -> Context:
        return Context(
            request=None, response=None, runtime=self.runtime, request_id="test", session=session
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
def gql(db: TortoiseContext, runtime: Runtime) -> GraphQLClient:
    return GraphQLClient(runtime)


@pytest.fixture
async def world(gql: GraphQLClient) -> World:
    """A domain "Acme" with its admin."""
    return await make_world(gql)
