"""One GraphQL request over HTTP as a client sees it: its answer, or none when the
connection failed (refused, reset, closed mid-answer); and the sockets that count
subscription deliveries."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from scripts.faults.documents import CREATE_DOMAIN
from scripts.measure_subscriptions import Subscriber, call

JSON = dict[str, Any]


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no answer (the connection failed)
    body: JSON
    replayed: bool
    seconds: float

    @property
    def data(self) -> JSON | None:
        """The data of a 200 without errors, else None."""
        ok = self.status == 200 and "errors" not in self.body
        return self.body.get("data") if ok else None

    @property
    def problem(self) -> str:
        """The status and the first error's code and message, to count failures by."""
        first = (self.body.get("errors") or [{}])[0]
        return f"{self.status} {self.codes[:1]} {str(first.get('message'))[:80]}"

    @property
    def codes(self) -> list[str]:
        """The `extensions.code` of each top-level error."""
        return [(e.get("extensions") or {}).get("code", "?") for e in self.body.get("errors", [])]


async def post(
    http: httpx.AsyncClient,
    url: str,
    query: str,
    variables: JSON,
    token: str,
    key: str | None = None,
) -> Answer:
    headers = {"Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = key
    started = time.perf_counter()
    try:
        response = await http.post(
            url, json={"query": query, "variables": variables}, headers=headers
        )
    except httpx.TransportError as exc:
        failed = {"errors": [{"message": f"{type(exc).__name__} {exc}"}]}
        return Answer(None, failed, False, time.perf_counter() - started)
    replayed = response.headers.get("idempotent-replayed") == "true"
    return Answer(response.status_code, _json(response), replayed, response.elapsed.total_seconds())


def _json(response: httpx.Response) -> JSON:
    try:
        body = response.json()
    except ValueError:
        return {"errors": [{"message": response.text[:200]}]}
    return body if isinstance(body, dict) else {}


async def own_domain(http: httpx.AsyncClient, admin: str, name: str) -> tuple[str, str]:
    """A new domain of `admin`: its id and the id of its built-in member role."""
    domain = (await call(http, CREATE_DOMAIN, {"name": name}, admin))["createDomain"]
    return domain["id"], next(r["id"] for r in domain["roles"] if r["name"] == "member")


@dataclass
class Deliveries:
    """What one socket received: the ids of its `next` payloads (repeats included),
    when each arrived, and the codes of `error` messages."""

    ids: list[str] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)

    @property
    def unique(self) -> int:
        return len(set(self.ids))


async def follow(subscriber: Subscriber, deliveries: Deliveries) -> None:
    """Count what arrives on the socket until cancelled."""
    while True:
        at, message = await subscriber.inbox.get()
        if message["type"] == "next" and "errors" not in message["payload"]:
            [value] = message["payload"]["data"].values()
            deliveries.ids.append(value["id"])
            deliveries.arrivals.append(at)
        elif message["type"] in ("next", "error"):
            deliveries.errors[str(message.get("payload"))[:120]] += 1


async def subscribed(
    url: str, token: str, user_id: str, operations: list[tuple[str, JSON]]
) -> tuple[Subscriber, Deliveries, asyncio.Task[None]]:
    """One socket on `url` (http://…/graphql) with the given subscriptions, counted."""
    subscriber = Subscriber(token, user_id)
    await subscriber.open(url.replace("http://", "ws://"))
    for number, (query, variables) in enumerate(operations):
        await subscriber.subscribe(str(number), query, variables)
    deliveries = Deliveries()
    return subscriber, deliveries, asyncio.create_task(follow(subscriber, deliveries))
