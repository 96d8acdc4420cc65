"""The server under faults, tried as an operator would; loopback only, bounded, every
process it starts stopped:

crash   on SQLite and on PostgreSQL: a few clients send 100-invitee sendInvitations
        batches and respondToInvitation streams, each with an Idempotency-Key; the
        server process is SIGKILLed mid-stream and restarted --rounds times; every
        request whose answer was lost is retried with its key; then the invariants are
        checked straight in the database (violations must be 0).
soak    --seconds of --clients users (send, respond, resend, delete, reads) against two
        processes on PostgreSQL sharing Redis, with invitationEvents and
        invitationReceived subscribers: requests, 5xx and INTERNAL (must be 0),
        p50/p99, events delivered vs committed.
redis   two processes on PostgreSQL and a redis-server of the run's own; mutations sent
        continuously while Redis is stopped 10 s, then frozen (SIGSTOP) 10 s: mutation
        latency and errors (must be 0), events committed vs delivered (must be equal),
        seconds until delivery resumed, log lines about it.

    scripts/measure_faults [crash|soak|redis|all] [--rounds 3] [--seconds 60] [--json]

Needs PostgreSQL (TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432), Redis
(TEST_REDIS_URL, default redis://127.0.0.1:6379/0) and /usr/bin/redis-server. Exits 1
when a must-be-0 figure is not.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from typing import Any

from scripts.faults.crash import crash
from scripts.faults.outage import redis_outages
from scripts.faults.soak import soak


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    figures: dict[str, Any] = {"load average before": os.getloadavg(), "cpus": os.cpu_count()}
    if args.scenario in ("crash", "all"):
        figures["crash"] = [
            await crash(e, args.rounds, args.clients) for e in ("sqlite", "postgres")
        ]
    if args.scenario in ("soak", "all"):
        figures["soak"] = await soak(args.seconds, args.soak_clients)
    if args.scenario in ("redis", "all"):
        figures["redis"] = await redis_outages(args.outage)
    figures["load average after"] = os.getloadavg()
    return figures


def failures(figures: dict[str, Any]) -> list[str]:
    """The must-be-0 figures that are not."""
    found = [
        f"crash {run['database']}: {name} = {count}"
        for run in figures.get("crash", [])
        for name, count in run["violations"].items()
        if count
    ]
    soaked = figures.get("soak", {})
    found += [f"soak: {name}" for name in ("5xx", "INTERNAL errors") if soaked.get(name)]
    for name, outage in figures.get("redis", {}).items():
        if outage["mutation errors"]:
            found.append(f"redis {name}: {outage['mutation errors']} mutation errors")
        if outage["events delivered (distinct)"] != outage["events committed"]:
            found.append(f"redis {name}: events committed != delivered")
    return found


def nested(item: Any) -> bool:
    """A section of its own: a non-empty dict, or a list of dicts."""
    if isinstance(item, list):
        return bool(item) and isinstance(item[0], dict)
    return isinstance(item, dict) and bool(item)


def show(value: Any, indent: str = "") -> None:
    """Nested figures as indented `name: value` lines."""
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for name, item in items:
        if nested(item):
            print(f"{indent}{name}:")
            show(item, indent + "  ")
        else:
            print(f"{indent}{name}: {item}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "scenario", choices=["crash", "soak", "redis", "all"], nargs="?", default="all"
    )
    parser.add_argument("--rounds", type=int, default=3, help="crash: kills per database")
    parser.add_argument("--clients", type=int, default=4, help="crash: concurrent clients")
    parser.add_argument("--seconds", type=float, default=60, help="soak: duration")
    parser.add_argument("--soak-clients", type=int, default=30)
    parser.add_argument("--outage", type=float, default=10, help="redis: seconds of each outage")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    figures = asyncio.run(measure(args))
    figures["failures"] = failures(figures)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        show(figures)
    return 1 if figures["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
