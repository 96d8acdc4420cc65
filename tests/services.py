"""PostgreSQL and Redis for the tests that need them: find them, or skip (fail under CI).

`python -m tests.services postgres|redis` exits 0 when that server answers
(scripts/test uses it to decide whether to run the PostgreSQL pass).
"""

from __future__ import annotations

import os
import socket
import sys
import uuid
from urllib.parse import urlsplit

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


def require(name: str, url: str, variable: str) -> None:
    """Skip the calling test when the server is not running; fail instead under CI."""
    if answers(url):
        return
    reason = f"{name} does not answer at {url} (start it, or point {variable} at one)"
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1: {reason}")
    pytest.skip(reason)


def postgres_database_url(name: str | None = None) -> str:
    """A URL on the test PostgreSQL server for database `name` (random when omitted)."""
    return f"{TEST_POSTGRES_URL.rstrip('/')}/{name or 'test_' + uuid.uuid4().hex}"


if __name__ == "__main__":
    urls = {"postgres": TEST_POSTGRES_URL, "redis": TEST_REDIS_URL}
    sys.exit(0 if answers(urls[sys.argv[1]]) else 1)
