"""redis: two server processes on PostgreSQL and a Redis of this run's own; a subscriber
on one, mutations sent continuously through both; Redis stopped 10 s then started again,
then frozen (SIGSTOP) 10 s then thawed. Per outage: what the mutations felt, whether every
committed event reached the subscriber once Redis was back, and what the servers logged."""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from scripts.benchmark import servers
from scripts.faults import stack
from scripts.faults.client import JSON, Deliveries, own_domain, post, subscribed
from scripts.faults.documents import DELETE, EVENTS, SEND
from scripts.measure_subscriptions import sign_up
from tests.processes import RedisServer

BEFORE, AFTER, DRAIN = 3.0, 5.0, 30.0  # seconds around each outage; the most to wait after
MENTIONS = re.compile(r"redis|broker|publish|relay", re.I)


SUCCESS = {"Invitation", "DeletedInvitation"}


@dataclass(frozen=True)
class World:
    """The two servers' URLs, the admin, the domain and member role, the invitees."""

    urls: list[str]
    admin: str
    domain: tuple[str, str]
    invitees: list[str]


@dataclass
class Mutations:
    """(start, seconds, ok) of every mutation sent."""

    sent: list[tuple[float, float, bool]] = field(default_factory=list)

    def between(self, start: float, end: float) -> list[tuple[float, float, bool]]:
        return [m for m in self.sent if start <= m[0] <= end]

    async def send(
        self, http: httpx.AsyncClient, url: str, query: str, variables: JSON, token: str
    ) -> JSON:
        """One mutation, timed; its (first) result."""
        started = time.perf_counter()
        answer = await post(http, url, query, variables, token)
        [payload] = (answer.data or {"": {}}).values()
        result: JSON = (payload.get("results") or [payload])[0]
        self.sent.append((started, answer.seconds, result.get("__typename") in SUCCESS))
        return result


async def mutate(world: World, log: Mutations, stop: asyncio.Event) -> None:
    """Invite one user then delete the invitation, again and again, through both servers."""
    (domain, member), admin = world.domain, world.admin
    async with httpx.AsyncClient(timeout=60) as http:
        for number in itertools.count():
            if stop.is_set():
                return
            url, invitee = world.urls[number % 2], world.invitees[number % len(world.invitees)]
            variables = {"domainId": domain, "inviteeIds": [invitee], "roleId": member}
            sent = await log.send(http, url, SEND, variables, admin)
            if "id" in sent:
                await log.send(http, url, DELETE, {"id": sent["id"]}, admin)


def lines(logs: list[Path]) -> list[str]:
    return [line for log in logs for line in log.read_text().splitlines()]


@dataclass(frozen=True)
class Stage:
    """What an outage plays on: the world, its database, the subscriber, the server logs."""

    world: World
    database: str
    seen: Deliveries
    logs: list[Path]


async def outage(fault: Callable[[], Awaitable[None]], stage: Stage) -> dict[str, Any]:
    """Mutations before, during and after `fault`; then wait for the deliveries."""
    log, stop, seen, logs = Mutations(), asyncio.Event(), stage.seen, stage.logs
    task = asyncio.create_task(mutate(stage.world, log, stop))
    await asyncio.sleep(BEFORE)
    logged, start = len(lines(logs)), time.perf_counter()
    await fault()
    end = time.perf_counter()
    await asyncio.sleep(AFTER)
    stop.set()
    await task
    committed = await drain(stage.database, seen)
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
    deadline = time.perf_counter() + DRAIN
    while True:
        committed = await stack.scalar(url, "SELECT count(*) FROM invitation_event")
        if seen.unique >= committed or time.perf_counter() > deadline:
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


async def populate(a: servers.Server, b: servers.Server) -> World:
    async with httpx.AsyncClient(base_url=b.base, timeout=60) as http:
        admin, _ = await sign_up(http, "admin@outage.example")
        domain = await own_domain(http, admin, "Outage")
        invitees = [(await sign_up(http, f"invitee{i}@outage.example"))[1] for i in range(20)]
    return World([a.url, b.url], admin, domain, invitees)


async def run(
    database: str, a: servers.Server, b: servers.Server, redis: RedisServer, seconds: float
) -> dict[str, Any]:
    world = await populate(a, b)
    events = [(EVENTS, {"domainId": world.domain[0]})]
    subscriber, seen, task = await subscribed(a.url, world.admin, "", events)
    await asyncio.sleep(1)  # subscribe has no acknowledgement
    stage = Stage(world, database, seen, [a.log, b.log])
    result = {
        "stopped": await outage(stopped(redis, seconds), stage),
        "frozen": await outage(frozen(redis, seconds), stage),
    }
    task.cancel()
    await subscriber.close()
    return result


async def redis_outages(seconds: float) -> dict[str, Any]:
    logs = [stack.log_file(f"redis-{name}") for name in "ab"]
    async with stack.fresh_database("postgres", "faults_redis") as url:
        redis = RedisServer(logs[0].parent)
        redis.start()
        try:
            env = {"DATABASE_URL": url, "REDIS_URL": redis.url, "LOG_LEVEL": "info"}
            with stack.start("a", env, logs[0]) as a, stack.start("b", env, logs[1]) as b:
                return await run(url, a, b, redis, seconds)
        finally:
            redis.kill()
