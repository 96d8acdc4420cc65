"""Delivery latency and server memory with many concurrent subscribers on one process.

Starts `python -m app serve` (one uvicorn process, a fresh SQLite file, loopback, a
free port), signs up N users and opens one graphql-transport-ws socket per user:

  received  every socket follows invitationReceived; the admin invites all N users
            in batches (sendInvitations, up to 100 invitees per call): one delivery
            per invitee.
  fan-out   every user accepts (role with INVITATION_READ) and also follows
            invitationEvents of the domain on the same socket; each invitation the
            admin then sends is one event delivered to all N subscribers.

Latency is from the moment the client has read the mutation's HTTP response to the
moment a socket has read the `next` message (negative: delivered before the
response arrived). The client runs on the same machine and its one event loop reads
every socket, so its own work is part of the figures. RSS is the server process's
VmRSS. Everything is bounded by --timeout, and the server is stopped at the end.

    scripts/measure_subscriptions [--subscribers 1000] [--fanout-events 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

import httpx
import websockets

from scripts.benchmark import servers
from scripts.benchmark.targets import SUBSCRIPTIONS

T = TypeVar("T")

SIGN_UP = """mutation SignUp($email: String!) { signUp(email: $email, name: "Load",
  password: "password123") { ... on AuthPayload { token user { id } } } }"""
CREATE_DOMAIN = 'mutation { createDomain(name: "Load") { ... on Domain { id } } }'
CREATE_ROLE = """mutation Role($domainId: ID!) { createRole(domainId: $domainId, name: "reader",
  actions: [DOMAIN_READ, INVITATION_READ]) { ... on Role { id } } }"""
SEND = """mutation Send($domainId: ID!, $inviteeIds: [ID!]!, $roleId: ID!) {
  sendInvitations(domainId: $domainId, inviteeIds: $inviteeIds, roleId: $roleId) {
    ... on SendInvitationsPayload { results { ... on Invitation { id } } } } }"""
ACCEPT = """mutation Accept($id: ID!) {
  respondToInvitation(invitationId: $id, response: ACCEPT) { __typename } }"""
RECEIVED = "subscription { invitationReceived { id status domain { name } role { name } } }"
EVENTS = """subscription Events($domainId: ID!) { invitationEvents(domainId: $domainId) {
  kind invitationId invitee { id } role { name } } }"""


class Subscriber:
    """One socket; a reader task stamps every message as it arrives."""

    def __init__(self, token: str, user_id: str) -> None:
        self.token, self.user_id = token, user_id
        self.inbox: asyncio.Queue[tuple[float, dict[str, Any]]] = asyncio.Queue()
        self.invitation_id = ""

    async def open(self, url: str) -> None:
        self.ws = await websockets.connect(url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
        await self.ws.send(
            json.dumps(
                {"type": "connection_init", "payload": {"authorization": f"Bearer {self.token}"}}
            )
        )
        assert json.loads(await self.ws.recv())["type"] == "connection_ack"
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.ws:
            self.inbox.put_nowait((time.perf_counter(), json.loads(raw)))

    async def subscribe(self, op_id: str, query: str, variables: dict[str, Any]) -> None:
        payload = {"query": query, "variables": variables}
        await self.ws.send(json.dumps({"id": op_id, "type": "subscribe", "payload": payload}))

    async def next_message(self, op_id: str) -> tuple[float, dict[str, Any]]:
        at, message = await asyncio.wait_for(self.inbox.get(), timeout=30)
        assert message.get("id") == op_id and message["type"] == "next", message
        assert "errors" not in message["payload"], message
        return at, message["payload"]["data"]

    async def close(self) -> None:
        await self.ws.close()
        self.reader.cancel()


async def bounded(jobs: Iterable[Callable[[], Awaitable[T]]], limit: int = 20) -> list[T]:
    gate = asyncio.Semaphore(limit)

    async def run(job: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await job()

    return list(await asyncio.gather(*(run(j) for j in jobs)))


async def call(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str | None = None
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = (
        await http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    ).json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def sign_up(http: httpx.AsyncClient, email: str) -> tuple[str, str]:
    payload = (await call(http, SIGN_UP, {"email": email}))["signUp"]
    return payload["token"], payload["user"]["id"]


async def wait_for_subscriptions(http: httpx.AsyncClient, count: int) -> None:
    while (await http.get("/healthz")).json()["subscriptions"] != count:
        await asyncio.sleep(0.05)


def summary(samples: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in samples)
    cut = statistics.quantiles(ms, n=100)
    return {
        "count": len(ms),
        "p50_ms": round(cut[49], 1),
        "p99_ms": round(cut[98], 1),
        "max_ms": round(ms[-1], 1),
    }


async def measure(server: servers.Server, n: int, batch: int, fanout_events: int) -> dict[str, Any]:
    ws_url = server.url.replace("http://", "ws://")
    figures: dict[str, Any] = {"subscribers": n, "rss_mib": {"started": server.rss_mib()[0]}}
    async with httpx.AsyncClient(base_url=server.base, timeout=60) as http:
        admin, _ = await sign_up(http, "admin@load.example")
        domain = (await call(http, CREATE_DOMAIN, {}, admin))["createDomain"]["id"]
        role = (await call(http, CREATE_ROLE, {"domainId": domain}, admin))["createRole"]["id"]
        accounts = await bounded(
            [partial(sign_up, http, f"user{i}@load.example") for i in range(n + fanout_events)]
        )
        subscribers = [Subscriber(token, user_id) for token, user_id in accounts[:n]]
        newcomers = [user_id for _, user_id in accounts[n:]]
        await bounded([partial(s.open, ws_url) for s in subscribers], limit=50)
        for s in subscribers:
            await s.subscribe("received", RECEIVED, {})
        await wait_for_subscriptions(http, n)
        figures["rss_mib"]["subscribed"] = server.rss_mib()[0]

        received: list[float] = []
        for start in range(0, n, batch):
            chunk = subscribers[start : start + batch]
            variables = {
                "domainId": domain,
                "inviteeIds": [s.user_id for s in chunk],
                "roleId": role,
            }
            results = (await call(http, SEND, variables, admin))["sendInvitations"]["results"]
            responded = time.perf_counter()
            for s, result in zip(chunk, results, strict=True):
                at, data = await s.next_message("received")
                assert data["invitationReceived"]["id"] == result["id"]
                s.invitation_id = result["id"]
                received.append(at - responded)
        figures["received"] = summary(received)

        await bounded(
            [partial(call, http, ACCEPT, {"id": s.invitation_id}, s.token) for s in subscribers]
        )
        for s in subscribers:
            await s.subscribe("events", EVENTS, {"domainId": domain})
        await wait_for_subscriptions(http, 2 * n)
        fanout: list[float] = []
        last: list[float] = []
        for newcomer in newcomers:
            variables = {"domainId": domain, "inviteeIds": [newcomer], "roleId": role}
            await call(http, SEND, variables, admin)
            responded = time.perf_counter()
            arrivals = [(await s.next_message("events"))[0] - responded for s in subscribers]
            fanout.extend(arrivals)
            last.append(max(arrivals))
        figures["fanout"] = summary(fanout)
        figures["fanout"]["last_subscriber_ms"] = [round(x * 1000, 1) for x in last]
        figures["rss_mib"]["after_fanout"] = server.rss_mib()[0]
        await bounded([s.close for s in subscribers], limit=100)
        await wait_for_subscriptions(http, 0)
    figures["rss_mib"] = {k: round(v, 1) for k, v in figures["rss_mib"].items()}
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=100, help="invitees per sendInvitations")
    parser.add_argument("--fanout-events", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=600, help="seconds for the whole run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "DATABASE_URL": f"sqlite://{tmp}/app.sqlite3",
            "LOG_LEVEL": "error",
            "PASSWORD_HASH_PROFILE": "cheapest",
        }
        with servers.Server("ours", servers.OURS, env, ready="/readyz", timeout=60) as server:
            figures = asyncio.run(
                asyncio.wait_for(
                    measure(server, args.subscribers, args.batch, args.fanout_events),
                    args.timeout,
                )
            )
    figures["date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(json.dumps(figures, indent=2))
    # scripts/bench reports the last result against its memory target.
    SUBSCRIPTIONS.parent.mkdir(parents=True, exist_ok=True)
    SUBSCRIPTIONS.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
