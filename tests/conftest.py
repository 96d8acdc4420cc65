from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, sync_playwright
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.connection import get_connection
from tortoise.context import TortoiseContext, tortoise_test_context
from tortoise.contrib.test import truncate_all_models

from app.auth import Authenticator
from app.brokers.memory import InMemoryBroker
from app.clock import ManualClock
from app.db import MODELS, PARTIAL_INDEXES, RELAY_CURSOR_ROW, tortoise_config
from app.events import EventBus
from app.main import transport_for
from app.ratelimit import RateLimiter
from app.relay import Relay
from app.runtime import Runtime
from app.services import domains
from app.services.mailer import Mailer
from app.settings import Settings
from tests import external
from tests.client import PRODUCTION, GraphQLClient, asgi_client
from tests.processes import RedisServer, redis_server
from tests.world import World, make_world

# Every test gets a clean database: a fresh in-memory SQLite one, unless
# TEST_DATABASE_URL names a PostgreSQL server (postgres://postgres@127.0.0.1/test_{}):
# then one database is made for the session and emptied before each test, since
# creating and dropping a database per test cost 0.1-0.5 s each on this machine.
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite://:memory:")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
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

    external.in_own_loop(create())
    try:
        yield url
    finally:
        external.drop_postgres_database(url)


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
        external.require_postgres()
    if item.get_closest_marker("redis"):
        external.require_redis()


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL database, dropped afterwards."""
    external.require_postgres()
    url = external.create_postgres_database()
    try:
        yield url
    finally:
        external.drop_postgres_database(url)


@pytest.fixture
def server_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database for a real server process, on the backend of this test run."""
    if ON_SQLITE:
        return f"sqlite://{tmp_path}/app.sqlite3"
    url: str = request.getfixturevalue("postgres_database")
    return url


@pytest.fixture
def redis_url() -> str:
    external.require_redis()
    return external.TEST_REDIS_URL


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
def bus() -> EventBus:
    return EventBus(InMemoryBroker())


@pytest.fixture
def limiter() -> RateLimiter:
    """No rate limits: a test module that tests them overrides this fixture."""
    return RateLimiter.disabled()


@pytest.fixture
def settings() -> Settings:
    """The configuration services see: a test module may override it (SMTP, say)."""
    return Settings()


@pytest.fixture
def mailer(settings: Settings, clock: ManualClock) -> Mailer:
    """Never started: tests that deliver call `await mailer.tick()` when they choose."""
    return Mailer(settings, clock, transport_for(settings))


@pytest.fixture
async def runtime(
    settings: Settings,
    clock: ManualClock,
    auth: Authenticator,
    bus: EventBus,
    limiter: RateLimiter,
    mailer: Mailer,
) -> AsyncIterator[Runtime]:
    relay = Relay(bus)
    yield Runtime(
        settings=settings,
        clock=clock,
        auth=auth,
        bus=bus,
        relay=relay,
        limiter=limiter,
        mailer=mailer,
    )
    await relay.stop()  # before the test's database goes away


@pytest.fixture
def gql(db: TortoiseContext, runtime: Runtime) -> GraphQLClient:
    return GraphQLClient(runtime)


@pytest.fixture
async def world(gql: GraphQLClient) -> World:
    """A domain "Acme" with its admin."""
    return await make_world(gql)


@pytest.fixture
def failing_domain_list(monkeypatch: pytest.MonkeyPatch) -> None:
    """Listing domains fails unexpectedly, with a detail no client may see."""

    async def explode(user: object) -> list[object]:
        raise RuntimeError("secret database detail")

    monkeypatch.setattr(domains, "list_domains", explode)


@pytest.fixture
async def production(db: TortoiseContext) -> AsyncIterator[httpx.AsyncClient]:
    """The app as APP_ENV=production configures it."""
    async with asgi_client(PRODUCTION) as client:
        yield client


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium (never a downloaded build), headless, through Playwright; one per
    module, each test opening its own contexts."""
    if not CHROMIUM.exists():
        external.unavailable(
            f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis server of the test's own, to stop, freeze and restart."""
    with redis_server(tmp_path) as server:
        yield server
