"""redis: two server processes on PostgreSQL and a Redis of this run's own; a subscriber
on one, mutations sent continuously through both; Redis stopped 10 s then started again,
then frozen (SIGSTOP) 10 s then thawed. Per outage: what the mutations felt, whether every
committed event reached the subscriber once Redis was back, and what the servers logged."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from scripts.benchmark import servers
from scripts.faults import stack
from scripts.faults.client import Deliveries, own_domain, post, subscribed
from scripts.faults.documents import DELETE, EVENTS, SEND
from scripts.measure_subscriptions import sign_up
from tests.processes import RedisServer

BEFORE, AFTER, DRAIN = 3.0, 5.0, 30.0  # seconds around each outage; the most to wait after
MENTIONS = re.compile(r"redis|broker|publish|relay", re.I)


@dataclass
class Mutations:
    """(start, seconds, ok) of every mutation sent."""

    sent: list[tuple[float, float, bool]] = field(default_factory=list)

    def between(self, start: float, end: float) -> list[tuple[float, float, bool]]:
        return [m for m in self.sent if start <= m[0] <= end]


async def mutate(
    urls: list[str],
    admin: str,
    domain: tuple[str, str],
    invitees: list[str],
    log: Mutations,
    stop: asyncio.Event,
) -> None:
    """Invite one user then delete the invitation, again and again, through both servers."""
    async with httpx.AsyncClient(timeout=60) as http:
        number = 0
        while not stop.is_set():
            number += 1
            url = urls[number % 2]
            variables = {
                "domainId": domain[0],
                "inviteeIds": [invitees[number % len(invitees)]],
                "roleId": domain[1],
            }
            started = time.monotonic()
            answer = await post(http, url, SEND, variables, admin)
            [result] = ((answer.data or {}).get("sendInvitations") or {}).get("results", [{}])
            log.sent.append((started, answer.seconds, result.get("__typename") == "Invitation"))
            if "id" in result:
                started = time.monotonic()
                answer = await post(http, url, DELETE, {"id": result["id"]}, admin)
                ok = (answer.data or {}).get("deleteInvitation", {}).get(
                    "__typename"
                ) == "DeletedInvitation"
                log.sent.append((started, answer.seconds, ok))


def lines(logs: list[Path]) -> list[str]:
    return [line for log in logs for line in log.read_text().splitlines()]


async def outage(
    fault: Callable[[], Awaitable[None]],
    urls: list[str],
    world: tuple[str, tuple[str, str], list[str]],
    url: str,
    seen: Deliveries,
    logs: list[Path],
) -> dict[str, Any]:
    """Mutations before, during and after `fault`; then wait for the deliveries."""
    log, stop = Mutations(), asyncio.Event()
    task = asyncio.create_task(mutate(urls, *world, log, stop))
    await asyncio.sleep(BEFORE)
    logged, start = len(lines(logs)), time.monotonic()
    await fault()
    end = time.monotonic()
    await asyncio.sleep(AFTER)
    stop.set()
    await task
    committed = await drain(url, seen)
    during = log.between(start, end)
    new_lines = lines(logs)[logged:]
    return {
        "mutations during the outage": len(during),
        "mutation latency max during the outage s": round(
            max((m[1] for m in during), default=0), 2
        ),
        "mutation errors": sum(not ok for _, _, ok in log.sent),
        "events committed": committed,
        "events delivered (distinct)": seen.unique,
        "events delivered (with repeats)": len(seen.ids),
        "delivered during the outage": sum(start <= at <= end for at in seen.arrivals),
        "seconds until delivery resumed": round(
            min((at for at in seen.arrivals if at > end), default=end) - end, 2
        ),
        "log lines mentioning it": sum(bool(MENTIONS.search(line)) for line in new_lines),
        "log lines": len(new_lines),
    }


async def drain(url: str, seen: Deliveries) -> int:
    """The events committed, once the subscriber has them all (or DRAIN s passed)."""
    deadline = time.monotonic() + DRAIN
    while True:
        committed = await stack.scalar(url, "SELECT count(*) FROM invitation_event")
        if seen.unique >= committed or time.monotonic() > deadline:
            return committed
        await asyncio.sleep(0.5)


def stopped(redis: RedisServer, seconds: float) -> Callable[[], Awaitable[None]]:
    async def fault() -> None:
        redis.kill()
        await asyncio.sleep(seconds)
        await asyncio.to_thread(redis.start)

    return fault


def frozen(redis: RedisServer, seconds: float) -> Callable[[], Awaitable[None]]:
    async def fault() -> None:
        redis.freeze()
        await asyncio.sleep(seconds)
        redis.thaw()

    return fault


async def run(
    url: str,
    a: servers.Server,
    b: servers.Server,
    redis: RedisServer,
    logs: list[Path],
    seconds: float,
) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=b.base, timeout=60) as http:
        admin, _ = await sign_up(http, "admin@outage.example")
        domain = await own_domain(http, admin, "Outage")
        invitees = [(await sign_up(http, f"invitee{i}@outage.example"))[1] for i in range(20)]
    subscriber, seen, task = await subscribed(a.url, admin, "", [(EVENTS, {"domainId": domain[0]})])
    await asyncio.sleep(1)  # subscribe has no acknowledgement
    world = (admin, domain, invitees)
    urls = [a.url, b.url]
    result = {
        "stopped": await outage(stopped(redis, seconds), urls, world, url, seen, logs),
        "frozen": await outage(frozen(redis, seconds), urls, world, url, seen, logs),
    }
    task.cancel()
    await subscriber.close()
    return result


async def redis_outages(seconds: float) -> dict[str, Any]:
    logs = [stack.log_file(f"redis-{name}") for name in "ab"]
    async with stack.fresh_database("postgres", "faults_redis") as url:
        folder = stack.log_file("redis-server").parent
        redis = RedisServer(Path(folder))
        redis.start()
        try:
            env = {"DATABASE_URL": url, "REDIS_URL": redis.url, "LOG_LEVEL": "info"}
            with stack.start("a", env, logs[0]) as a, stack.start("b", env, logs[1]) as b:
                return await run(url, a, b, redis, logs, seconds)
        finally:
            redis.kill()
