"""Scale-out figures on PostgreSQL + Redis, loopback only, bounded, every process stopped.

throughput  `python -m app serve --workers N` for N in --workers (default 1 2 4) on one
            fresh PostgreSQL database; wrk (Debian package) POSTs
            `pendingInvitations(first: 5)` as an invitee with 8 pending invitations for
            --duration seconds with --connections connections, through the bench's
            wrk driver (scripts/benchmark/load.py, two threads): requests/s and latency
            from wrk's report, bad answers (not 200, or a GraphQL error) from its script.
latency     two single-worker servers A and B on the same database and Redis; one
            socket on A follows invitationReceived while the admin sends --samples
            invitations through B, one at a time. Latency is from the moment the client
            has read B's HTTP response to the moment A's socket has read the `next`
            message (negative: delivered before the response arrived).

    scripts/measure_scale_out [--workers 1 2 4] [--duration 10] [--samples 200]

Needs PostgreSQL (TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432),
Redis (TEST_REDIS_URL, default redis://127.0.0.1:6379/0) and /usr/bin/wrk.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from typing import Any

import httpx

from scripts.benchmark import database, documents, load, servers
from scripts.measure_subscriptions import (
    CREATE_DOMAIN,
    RECEIVED,
    SEND,
    Subscriber,
    call,
    sign_up,
    wait_for_subscriptions,
)

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PENDING = """{ pendingInvitations(first: 5) { edges { cursor node { id status
  domain { name } role { name } invitedBy { name } } } pageInfo { hasNextPage endCursor } } }"""
ROLES = "{ domains { id roles { id name } } }"


async def member_role(http: httpx.AsyncClient, token: str, domain_id: str) -> str:
    domains = (await call(http, ROLES, {}, token))["domains"]
    roles = next(d["roles"] for d in domains if d["id"] == domain_id)
    return str(next(r["id"] for r in roles if r["name"] == "member"))


async def invite(
    http: httpx.AsyncClient, admin: str, invitee_id: str
) -> tuple[str, dict[str, Any]]:
    """A new domain, and one invitation from it to `invitee_id`."""
    domain_id = (await call(http, CREATE_DOMAIN, {}, admin))["createDomain"]["id"]
    role = await member_role(http, admin, domain_id)
    variables = {"domainId": domain_id, "inviteeIds": [invitee_id], "roleId": role}
    return domain_id, await call(http, SEND, variables, admin)


async def seed(base: str) -> str:
    """An invitee with 8 pending invitations; returns the invitee's token."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        admin, _ = await sign_up(http, "admin@example.com")
        invitee, invitee_id = await sign_up(http, "invitee@example.com")
        for _ in range(8):
            await invite(http, admin, invitee_id)
        page = (await call(http, PENDING, {}, invitee))["pendingInvitations"]
        assert len(page["edges"]) == 5 and page["pageInfo"]["hasNextPage"], page
    return invitee


def start(env: dict[str, str], workers: int = 1) -> servers.Server:
    argv = (*servers.OURS, "--workers", str(workers))
    return servers.Server("ours", argv, env, ready="/readyz", timeout=30)


def throughput(server: servers.Server, token: str, seconds: int, connections: int) -> load.Run:
    """wrk with two threads, on any CPU, repeating the one pending request."""
    lines = [documents.line(token, PENDING)]
    return load.wrk(
        server.url, lines, connections=connections, seconds=seconds, threads=2, timeout=5
    )


async def latency(env: dict[str, str], samples: int) -> list[float]:
    with start(env) as a, start(env) as b:
        async with httpx.AsyncClient(base_url=b.base, timeout=30) as http_b:
            admin, _ = await sign_up(http_b, "latency-admin@example.com")
            token, user_id = await sign_up(http_b, "latency-invitee@example.com")
            subscriber = Subscriber(token, user_id)
            await subscriber.open(a.url.replace("http://", "ws://"))
            await subscriber.subscribe("1", RECEIVED, {})
            async with httpx.AsyncClient(base_url=a.base) as http_a:
                await wait_for_subscriptions(http_a, 1)
            figures = []
            for _ in range(samples):
                domain_id = (await call(http_b, CREATE_DOMAIN, {}, admin))["createDomain"]["id"]
                role = await member_role(http_b, admin, domain_id)
                variables = {"domainId": domain_id, "inviteeIds": [user_id], "roleId": role}
                await call(http_b, SEND, variables, admin)
                responded = time.perf_counter()
                arrived, _ = await subscriber.next_message("1")
                figures.append((arrived - responded) * 1000)
            await subscriber.close()
    return figures


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def measure(args: argparse.Namespace, env: dict[str, str]) -> None:
    token = ""
    for workers in args.workers:
        with start(env, workers) as server:
            token = token or await seed(server.base)
            run = throughput(server, token, min(args.duration, 60), args.connections)
        print(
            f"workers={workers}: {run.rps:.0f} req/s, latency p50 {run.p50_ms:.1f} ms"
            f" p99 {run.p99_ms:.1f} ms, bad answers {run.bad},"
            f" socket errors {run.socket_errors}"
        )
    figures = await latency(env, min(args.samples, 2000))
    print(
        f"notification latency A<-Redis<-B over {len(figures)} invitations:"
        f" p50 {percentile(figures, 50):.1f} ms, p99 {percentile(figures, 99):.1f} ms,"
        f" max {max(figures):.1f} ms, mean {statistics.mean(figures):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (max 60)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--samples", type=int, default=200, help="notifications (max 2000)")
    args = parser.parse_args()
    url = database.fresh(f"{POSTGRES_URL}/postgres", "scale_out")
    env = {"DATABASE_URL": url, "REDIS_URL": REDIS_URL, "PASSWORD_HASH_PROFILE": "cheapest"}
    print(f"load average before: {os.getloadavg()}, cpus: {os.cpu_count()}")
    try:
        asyncio.run(measure(args, env))
    finally:
        database.drop(url)
        print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
