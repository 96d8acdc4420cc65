"""A Redis that stops answering (a server of the test's own, frozen with SIGSTOP): rate
limits let requests through within the timeout and log the outage once, and /readyz
reports it within 2 s."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import errors
from app.ratelimit import REDIS_TIMEOUT, Limit, RateLimiter, RateLimits
from tests.polling import eventually, wait_until
from tests.processes import RedisServer, redis_server, running_server, server_process
from tests.test_bounded_waits import MARGIN, readyz_until, timed_post

SIGN_UP = """mutation { signUp(email: "ann@example.com", name: "Ann", password: "password1") {
  ... on AuthPayload { token } } }"""
SIGN_IN = """mutation { signIn(email: "ann@example.com", password: "password1") {
  ... on AuthPayload { token } ... on UserError { code } } }"""


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisServer]:
    with redis_server(tmp_path) as server:
        yield server


def freeze(server: RedisServer) -> None:
    assert server.process is not None
    os.kill(server.process.pid, signal.SIGSTOP)


def thaw(server: RedisServer) -> None:
    assert server.process is not None
    os.kill(server.process.pid, signal.SIGCONT)


async def timed(limiter: RateLimiter, key: str) -> float:
    started = time.monotonic()
    await limiter.consume(Limit.SIGNIN_IP, key)
    return time.monotonic() - started


async def test_rate_limits_go_through_a_frozen_redis_in_time_and_log_the_outage_once(
    redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    limiter = RateLimiter.create(RateLimits(), redis.url)
    await limiter.consume(Limit.SIGNIN_IP, "before")
    caplog.set_level(logging.INFO, logger="app.ratelimit")
    freeze(redis)
    try:
        first = await asyncio.gather(*(timed(limiter, f"first-{n}") for n in range(5)))
        later = [await timed(limiter, f"later-{n}") for n in range(20)]
        await limiter.reset(Limit.SIGNIN_IP, "later-0")
    finally:
        thaw(redis)
    await _until_counted(limiter)
    # Limits apply again: the 31st sign-in attempt from one address within a minute.
    for _ in range(30):
        await limiter.consume(Limit.SIGNIN_IP, "again")
    with pytest.raises(errors.RateLimitedError):
        await limiter.consume(Limit.SIGNIN_IP, "again")
    await limiter.close()

    assert max(first) < REDIS_TIMEOUT + MARGIN
    assert max(later) < 0.5  # the outage is known: no one waits for Redis again
    records = [(r.levelname, r.getMessage().split(" (")[0]) for r in caplog.records]
    assert [level for level, _ in records] == ["WARNING", "INFO"], records
    assert not any(r.exc_info for r in caplog.records)  # one line each, no traceback


async def _until_counted(limiter: RateLimiter) -> None:
    async def counted() -> bool:
        await limiter.consume(Limit.SIGNIN_IP, "after")
        return limiter.outage.since is None

    await eventually(counted, timeout=10, what="the rate limit store answering again")


def test_a_frozen_redis_delays_no_request_beyond_the_timeout_and_readyz_reports_it(
    redis: RedisServer, tmp_path: Path
) -> None:
    env = {
        "DATABASE_URL": f"sqlite://{tmp_path}/app.sqlite3",
        "REDIS_URL": redis.url,
        "RATE_LIMITS": "",  # the defaults: sign-ins are counted in Redis
    }
    with running_server(env) as base:
        timed_post(base, SIGN_UP, {}, {})
        freeze(redis)
        try:
            down = readyz_until(base, "down", "redis")
            signing_in = [timed_post(base, SIGN_IN, {}, {}) for _ in range(5)]
        finally:
            thaw(redis)
        up = readyz_until(base, "ok", "redis")

    assert (down, up) == (503, 200)
    assert all(r.json()["data"]["signIn"]["token"] for _, r in signing_in)
    assert max(seconds for seconds, _ in signing_in) < REDIS_TIMEOUT + MARGIN


def test_a_redis_outage_is_two_log_lines_of_each_part_in_text_logs(
    redis: RedisServer, tmp_path: Path
) -> None:
    """A restarted Redis behind a server logging text at the default level: the pub/sub
    reader and the health check each say once that it went and once that it came back,
    however many reconnections it took."""
    log = tmp_path / "server.log"
    env = {
        "DATABASE_URL": f"sqlite://{tmp_path}/app.sqlite3",
        "REDIS_URL": redis.url,
        "LOG_LEVEL": "info",
    }
    with server_process(env, output=log) as server:
        redis.kill()
        readyz_until(server.base, "down", "redis")
        time.sleep(3)  # several reconnection attempts of the pub/sub reader
        redis.start()
        readyz_until(server.base, "ok", "redis")
        wait_until(
            lambda: "redis pub/sub resumed" in log.read_text(),
            timeout=15,
            what="the pub/sub reader to say it resumed",
        )

    lines = log.read_text().splitlines()
    about = [line for line in lines if "redis pub/sub" in line or "health: redis" in line]
    assert len(about) == 4, about
    assert sum("WARNING" in line for line in about) == 2, about
    assert sum("INFO" in line for line in about) == 2, about
    assert not any("Traceback" in line for line in lines)
