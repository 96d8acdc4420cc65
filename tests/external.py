"""The PostgreSQL and Redis servers the suite needs: find them or skip (fail under CI),
and make and drop PostgreSQL databases on them.

`python -m tests.external postgres|redis` exits 0 when that server answers
(scripts/test uses it to decide whether to run the PostgreSQL pass).
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import pytest

# Server URLs without a database name / with a Redis database number.
TEST_POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def answers(url: str, timeout: float = 1.0) -> bool:
    """Whether something accepts TCP connections at the URL's host and port."""
    parts = urlsplit(url)
    default_port = 6379 if parts.scheme.startswith("redis") else 5432
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), timeout
        ):
            return True
    except OSError:
        return False


def unavailable(reason: str) -> None:
    """Skip the calling test for want of something outside the suite; fail instead under CI."""
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1: {reason}")
    pytest.skip(reason)


def require(name: str, url: str, variable: str) -> None:
    """Skip the calling test when the server is not running; fail instead under CI."""
    if not answers(url):
        unavailable(f"{name} does not answer at {url} (start it, or point {variable} at one)")


def require_postgres() -> None:
    require("PostgreSQL", TEST_POSTGRES_URL, "TEST_POSTGRES_URL")


def require_redis() -> None:
    require("Redis", TEST_REDIS_URL, "TEST_REDIS_URL")


def postgres_database_url(name: str | None = None) -> str:
    """A URL on the test PostgreSQL server for database `name` (random when omitted)."""
    return f"{TEST_POSTGRES_URL.rstrip('/')}/{name or 'test_' + uuid.uuid4().hex}"


def in_own_loop(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine to completion from sync code, even inside a running loop."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, coroutine).result()


def postgres_admin(admin_url: str, sql: str) -> None:
    """Run one statement on a maintenance database (CREATE/DROP DATABASE)."""

    async def run() -> None:
        connection = await asyncpg.connect(admin_url)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    in_own_loop(run())


def create_postgres_database() -> str:
    """The URL of a fresh, empty database on the test server."""
    url = postgres_database_url()
    server, name = url.rsplit("/", 1)
    postgres_admin(f"{server}/postgres", f'CREATE DATABASE "{name}"')
    return url


def drop_postgres_database(url: str) -> None:
    """Drop the database at `url`, terminating whatever is still connected to it."""
    server, name = url.rsplit("/", 1)
    postgres_admin(f"{server}/postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    urls = {"postgres": TEST_POSTGRES_URL, "redis": TEST_REDIS_URL}
    sys.exit(0 if answers(urls[sys.argv[1]]) else 1)
