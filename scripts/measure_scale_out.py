"""Scale-out figures on PostgreSQL + Redis, loopback only, bounded, every process stopped.

throughput  `python -m app serve --workers N` for N in --workers (default 1 2 4) on one
            fresh PostgreSQL database; wrk (Debian package) POSTs
            `pendingInvitations(first: 5)` as an invitee with 8 pending invitations for
            --duration seconds with --connections connections. Requests/s, latency and
            the non-2xx count come from wrk's own report.
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
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts.measure_subscriptions import (
    CREATE_DOMAIN,
    RECEIVED,
    SEND,
    Subscriber,
    call,
    sign_up,
    wait_for_subscriptions,
)
from tests.external import TEST_REDIS_URL, postgres_database_url
from tests.processes import running_server

PENDING = """{ pendingInvitations(first: 5) { edges { cursor node { id status
  domain { name } role { name } invitedBy { name } } } pageInfo { hasNextPage endCursor } } }"""
ROLES = "{ domains { id roles { id name } } }"


async def admin_sql(sql: str) -> None:
    connection = await asyncpg.connect(postgres_database_url("postgres"))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


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


def wrk(base: str, token: str, duration: int, connections: int, lua: Path) -> dict[str, Any]:
    lua.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
        f"wrk.body = {json.dumps(json.dumps({'query': PENDING}))}\n"
    )
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "5s",
        "--latency",
        "-s",
        str(lua),
        f"{base}/graphql",
    ]
    out = subprocess.run(command, capture_output=True, text=True, timeout=duration + 30).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "command": " ".join(command),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50": re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1),  # type: ignore[union-attr]
        "p99": re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1),  # type: ignore[union-attr]
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(1) if errors else "none",
    }


async def latency(env: dict[str, str], samples: int) -> list[float]:
    with running_server(env) as a, running_server(env) as b:
        async with httpx.AsyncClient(base_url=b, timeout=30) as http_b:
            admin, _ = await sign_up(http_b, "latency-admin@example.com")
            token, user_id = await sign_up(http_b, "latency-invitee@example.com")
            subscriber = Subscriber(token, user_id)
            await subscriber.open(a.replace("http://", "ws://") + "/graphql")
            await subscriber.subscribe("1", RECEIVED, {})
            async with httpx.AsyncClient(base_url=a) as http_a:
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


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (max 60)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--samples", type=int, default=200, help="notifications (max 2000)")
    args = parser.parse_args()
    duration, samples = min(args.duration, 60), min(args.samples, 2000)

    name = f"measure_{os.getpid()}"
    await admin_sql(f'CREATE DATABASE "{name}"')
    env = {"DATABASE_URL": postgres_database_url(name), "REDIS_URL": TEST_REDIS_URL}
    print(f"load average before: {os.getloadavg()}, cpus: {os.cpu_count()}")
    try:
        token = ""
        with tempfile.TemporaryDirectory() as tmp:
            for workers in args.workers:
                with running_server(env, args=["--workers", str(workers)]) as base:
                    token = token or await seed(base)
                    result = wrk(base, token, duration, args.connections, Path(tmp) / "p.lua")
                print(
                    f"workers={workers}: {result['rps']:.0f} req/s, latency p50 {result['p50']}"
                    f" p99 {result['p99']}, non-2xx {result['non_2xx']},"
                    f" socket errors {result['socket_errors']}"
                )
            print(f"  ({result['command']})")
        figures = await latency(env, samples)
        print(
            f"notification latency A<-Redis<-B over {len(figures)} invitations:"
            f" p50 {percentile(figures, 50):.1f} ms, p99 {percentile(figures, 99):.1f} ms,"
            f" max {max(figures):.1f} ms, mean {statistics.mean(figures):.1f} ms"
        )
    finally:
        await admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    asyncio.run(main())
