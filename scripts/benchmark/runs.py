"""What each server is asked: its scenarios at 1 and 50 connections (a warm-up, then
the measured run), our idle memory, and the same-answer check across servers.

The server runs on CPU 0 and wrk on CPU 1, one thread, so the two never share a core.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scripts.benchmark import FOLDER, load, servers
from scripts.benchmark.fixture import RESPOND_CONNECTIONS, SENDS, Fixture, Timing

METRICS = FOLDER / "metrics.txt"  # the server's /metrics after the run

SERVER_CPU, WRK_CPU = 0, 1
READS = ("pending", "invitations", "members")
# The floor answers every read; the peer serves only the pending list.
BASELINES = {"floor": (servers.FLOOR, READS), "peer": (servers.PEER, ("pending",))}


@dataclass
class Result:
    server: str
    scenario: str
    connections: int
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    bad: int
    socket_errors: int
    wrapped: int

    @property
    def errors(self) -> int:
        return self.bad + self.socket_errors


def start(name: str, argv: Sequence[str], fixture: Fixture) -> servers.Server:
    env = {
        "DATABASE_URL": fixture.database_url,
        "SECRET_KEY": fixture.secret_key,
        "APP_ENV": "development",
    }
    return servers.Server(name, argv, env, cpu=SERVER_CPU)


def measure(
    server: servers.Server,
    scenario: str,
    lines: list[str],
    connections: int,
    timing: Timing,
    *,
    one_shot: bool,
) -> Result:
    """A warm-up, then the measured run; one-shot requests are split between the two."""
    warm = lines
    if one_shot:
        split = len(lines) * timing.warmup // (timing.warmup + timing.seconds)
        warm, lines = lines[:split], lines[split:]
    drive(server, warm, connections, timing.warmup)
    run = drive(server, lines, connections, timing.seconds)
    return Result(
        server=server.name,
        scenario=scenario,
        connections=connections,
        requests=run.requests,
        seconds=round(run.seconds, 2),
        rps=round(run.rps, 1),
        p50_ms=round(run.p50_ms, 2),
        p99_ms=round(run.p99_ms, 2),
        bad=run.bad,
        socket_errors=run.socket_errors,
        wrapped=run.wrapped if one_shot else 0,  # read requests are meant to cycle
    )


def drive(server: servers.Server, lines: list[str], connections: int, seconds: int) -> load.Run:
    """wrk on its own CPU against `server`."""
    try:
        return load.wrk(server.url, lines, connections=connections, seconds=seconds, cpu=WRK_CPU)
    except RuntimeError:
        if server.process.poll() is not None:
            code = server.process.returncode
            raise RuntimeError(f"{server.name} exited with {code} during the load") from None
        raise


def ours(
    fixture: Fixture, timing: Timing, *, reads_only: bool = False
) -> tuple[list[Result], dict[str, float]]:
    """Our server through every scenario (reads at c=1 only when `reads_only`), and its
    resident memory at idle after the load."""
    reqs = fixture.requests
    with start("ours", servers.OURS, fixture) as server:
        results = [
            measure(server, scenario, reqs[scenario], c, timing, one_shot=False)
            for scenario in READS
            for c in ((1,) if reads_only else (1, 50))
        ]
        if reads_only:
            return results, {}
        results.append(
            measure(server, "pending_no_count", reqs["pending_no_count"], 1, timing, one_shot=False)
        )
        plan = [(s, conns) for s, (_, conns) in SENDS.items()] + [("respond", RESPOND_CONNECTIONS)]
        for scenario, conns in plan:
            for c, part in zip(conns, _chunks(reqs[scenario], len(conns)), strict=True):
                results.append(measure(server, scenario, part, c, timing, one_shot=True))
        time.sleep(2)
        idle, peak = server.rss_mib()
        # What the server counted of the whole run, for a look at its Prometheus series.
        METRICS.write_bytes(server.get("/metrics"))
    return results, {"idle_rss_mib": idle, "peak_rss_mib": peak}


def baseline(name: str, fixture: Fixture, timing: Timing) -> list[Result]:
    argv, scenarios = BASELINES[name]
    with start(name, argv, fixture) as server:
        return [
            measure(server, scenario, fixture.requests[scenario], c, timing, one_shot=False)
            for scenario in scenarios
            for c in (1, 50)
        ]


def _chunks(lines: list[str], parts: int) -> list[list[str]]:
    return [lines[i * len(lines) // parts : (i + 1) * len(lines) // parts] for i in range(parts)]


def same_answers(fixture: Fixture, asked: int = 3) -> dict[str, Any]:
    """Ask every server that serves a read the same `asked` requests; per read, whether
    the JSON is the same everywhere and whether the floor's bytes are ours."""
    answers: dict[str, dict[str, list[bytes]]] = {scenario: {} for scenario in READS}
    servers_of = {"ours": (servers.OURS, READS), **BASELINES}
    for name, (argv, scenarios) in servers_of.items():
        with start(name, argv, fixture) as server:
            for scenario in scenarios:
                lines = fixture.requests[scenario][:asked]
                answers[scenario][name] = [server.post(line) for line in lines]
    return {scenario: _compare(scenario, by_server) for scenario, by_server in answers.items()}


def _compare(scenario: str, by_server: dict[str, list[bytes]]) -> dict[str, Any]:
    parsed = [[json.loads(body) for body in bodies] for bodies in by_server.values()]
    for body in parsed[0]:
        if "errors" in body or not next(iter(body["data"].values()))["totalCount"]:
            raise RuntimeError(f"our {scenario} answer is not a full page: {body}")
    return {
        "same_json": all(p == parsed[0] for p in parsed),
        "floor_bytes_identical": by_server["ours"] == by_server["floor"],
        "servers": list(by_server),
        "example": by_server["ours"][0].decode()[:300],
    }
