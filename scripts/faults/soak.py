"""soak: 30 clients doing what users do (send, respond, resend, delete, read) for a
minute against two server processes on one PostgreSQL database and Redis, with
subscribers on both; every answer counted, every event accounted for."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from scripts.faults import REDIS_URL, stack
from scripts.faults.client import JSON, Answer, Deliveries, own_domain, post, subscribed
from scripts.faults.documents import (
    DELETE,
    DOMAINS,
    EVENTS,
    INVITATIONS,
    PENDING,
    RECEIVED,
    RESEND,
    RESPOND,
    SEND,
)
from scripts.measure_scale_out import percentile
from scripts.measure_subscriptions import bounded, sign_up

DOMAINS_COUNT, INVITEES, RECEIVERS = 8, 80, 5
DRAIN = 30  # seconds to wait for the last deliveries once the clients stop


@dataclass
class Traffic:
    """Every answer the clients got, and the invitations they know of."""

    seconds: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)  # top-level error codes
    pending: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)

    def count(self, answer: Answer) -> JSON:
        self.seconds.append(answer.seconds)
        self.statuses[str(answer.status)] += 1
        self.codes.update(answer.codes)
        return answer.data or {}


@dataclass(frozen=True)
class World:
    urls: list[str]
    admin: str
    domains: list[tuple[str, str]]  # (id, member role id)
    invitees: list[tuple[str, str]]  # (token, id)


async def populate(base: str, urls: list[str]) -> World:
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        admin, _ = await sign_up(http, "admin@soak.example")
        domains = [await own_domain(http, admin, f"Soak {n}") for n in range(DOMAINS_COUNT)]
        jobs = [lambda i=i: sign_up(http, f"invitee{i}@soak.example") for i in range(INVITEES)]
        return World(urls, admin, domains, await bounded(jobs, limit=8))


async def send(http: httpx.AsyncClient, world: World, traffic: Traffic) -> None:
    domain, member = random.choice(world.domains)
    invitees = [user_id for _, user_id in random.sample(world.invitees, random.randint(1, 3))]
    variables = {"domainId": domain, "inviteeIds": invitees, "roleId": member}
    data = traffic.count(await post(http, random.choice(world.urls), SEND, variables, world.admin))
    results = data.get("sendInvitations", {}).get("results", [])
    traffic.pending += [r["id"] for r in results if r["__typename"] == "Invitation"]


async def respond(http: httpx.AsyncClient, world: World, traffic: Traffic) -> None:
    token, _ = random.choice(world.invitees)
    url = random.choice(world.urls)
    edges = traffic.count(await post(http, url, PENDING, {}, token)).get("pendingInvitations")
    if not edges or not edges["edges"]:
        return
    invitation = random.choice(edges["edges"])["node"]["id"]
    response = random.choices(["ACCEPT", "DECLINE"], weights=[1, 3])[0]
    variables = {"id": invitation, "response": response}
    data = traffic.count(await post(http, url, RESPOND, variables, token))
    if data.get("respondToInvitation", {}).get("status") == "REJECTED":
        traffic.rejected.append(invitation)


async def resend(http: httpx.AsyncClient, world: World, traffic: Traffic) -> None:
    if traffic.rejected:
        variables = {"id": traffic.rejected.pop(random.randrange(len(traffic.rejected)))}
        url = random.choice(world.urls)
        data = traffic.count(await post(http, url, RESEND, variables, world.admin))
        if data.get("resendInvitation", {}).get("__typename") == "Invitation":
            traffic.pending.append(variables["id"])


async def delete(http: httpx.AsyncClient, world: World, traffic: Traffic) -> None:
    if traffic.pending:
        variables = {"id": traffic.pending.pop(random.randrange(len(traffic.pending)))}
        url = random.choice(world.urls)
        traffic.count(await post(http, url, DELETE, variables, world.admin))


async def read(http: httpx.AsyncClient, world: World, traffic: Traffic) -> None:
    url = random.choice(world.urls)
    query, variables, token = random.choice(
        [
            (DOMAINS, {}, world.admin),
            (INVITATIONS, {"domainId": random.choice(world.domains)[0]}, world.admin),
            (PENDING, {}, random.choice(world.invitees)[0]),
        ]
    )
    traffic.count(await post(http, url, query, variables, token))


ACTIONS = [send, respond, resend, delete, read]
WEIGHTS = [3, 3, 1, 1, 3]


async def user(world: World, traffic: Traffic, until: float) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        while time.monotonic() < until:
            action = random.choices(ACTIONS, weights=WEIGHTS)[0]
            await action(http, world, traffic)


@dataclass(frozen=True)
class Committed:
    events: int  # every invitation event (the admin follows every domain)
    received: int  # SENT and RESENT events of the receivers
    sent: Counter[str]  # SENT and RESENT events per invitation of the receivers
    deleted: set[str]  # of those, the ones deleted since


async def committed(url: str, receivers: list[str]) -> Committed:
    events = await stack.scalar(url, "SELECT count(*) FROM invitation_event")
    ids = ", ".join(f"'{r}'" for r in receivers)
    mine = f"SELECT invitation_id, kind FROM invitation_event WHERE invitee_id IN ({ids})"
    found = [(str(invitation), str(kind)) for invitation, kind in await stack.rows(url, mine)]
    received = [i for i, kind in found if kind in ("SENT", "RESENT")]
    deleted = {i for i, kind in found if kind == "DELETED"}
    return Committed(events, len(received), Counter(received), deleted)


async def drained(url: str, receivers: list[str], seen: list[Deliveries]) -> Committed:
    """Wait (bounded) until the subscribers have seen every committed event."""
    deadline = time.monotonic() + DRAIN
    while True:
        expected = await committed(url, receivers)
        delivered = (seen[0].unique, sum(len(d.ids) for d in seen[1:]))
        if delivered >= (expected.events, expected.received) or time.monotonic() > deadline:
            return expected
        await asyncio.sleep(1)


async def run(url: str, servers_: list[Any], seconds: float, clients: int) -> dict[str, Any]:
    urls = [s.url for s in servers_]
    world = await populate(servers_[0].base, urls)
    sockets = [
        await subscribed(
            urls[0], world.admin, "", [(EVENTS, {"domainId": d}) for d, _ in world.domains]
        )
    ]
    for token, user_id in world.invitees[:RECEIVERS]:
        sockets.append(await subscribed(urls[1], token, user_id, [(RECEIVED, {})]))
    await asyncio.sleep(1)  # subscribe has no acknowledgement
    traffic, until = Traffic(), time.monotonic() + seconds
    await asyncio.gather(*(user(world, traffic, until) for _ in range(clients)))
    seen = [deliveries for _, deliveries, _ in sockets]
    receivers = [user_id for _, user_id in world.invitees[:RECEIVERS]]
    expected = await drained(url, receivers, seen)
    for subscriber, _, task in sockets:
        task.cancel()
        await subscriber.close()
    return figures(traffic, seen, expected)


def figures(traffic: Traffic, seen: list[Deliveries], expected: Committed) -> dict[str, Any]:
    fives = sum(n for status, n in traffic.statuses.items() if status.startswith("5"))
    missing = expected.sent - Counter(i for d in seen[1:] for i in d.ids)
    return {
        "requests": len(traffic.seconds),
        "statuses": dict(traffic.statuses),
        "5xx": fives,
        "INTERNAL errors": traffic.codes["INTERNAL"],
        "top-level error codes": dict(traffic.codes),
        "latency p50 ms": round(percentile(traffic.seconds, 50) * 1000, 1),
        "latency p99 ms": round(percentile(traffic.seconds, 99) * 1000, 1),
        "invitationEvents committed": expected.events,
        "invitationEvents delivered (distinct)": seen[0].unique,
        "invitationEvents delivered (with repeats)": len(seen[0].ids),
        f"invitationReceived of {RECEIVERS} users: SENT+RESENT committed": expected.received,
        "invitationReceived delivered": sum(len(d.ids) for d in seen[1:]),
        "invitationReceived SENT/RESENT not delivered": missing.total(),
        "of which the invitation was deleted since": sum(
            n for i, n in missing.items() if i in expected.deleted
        ),
        "subscription errors": sum(sum(d.errors.values()) for d in seen),
    }


async def soak(seconds: float, clients: int) -> dict[str, Any]:
    logs = [stack.log_file(f"soak-{name}") for name in "ab"]
    async with stack.fresh_database("postgres", "faults_soak") as url:
        env = {"DATABASE_URL": url, "REDIS_URL": REDIS_URL}
        with stack.start("a", env, logs[0]) as a, stack.start("b", env, logs[1]) as b:
            result = await run(url, [a, b], seconds, clients)
    result["server log lines"] = sum(len(log.read_text().splitlines()) for log in logs)
    return {"seconds": seconds, "clients": clients, **result}
