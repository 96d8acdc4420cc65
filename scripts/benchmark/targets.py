"""The performance targets, each measured in one run and reported as met or not.

Throughput ratios compare servers within the same run (same machine, same moment);
the mutation targets compare with the before-figures of the same kind of run. The
memory with 1,000 subscriptions is measured by scripts/measure_subscriptions, whose
last result this reads.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.benchmark import FOLDER
from scripts.benchmark.before import Before
from scripts.benchmark.runs import Result

SUBSCRIPTIONS = FOLDER / "subscriptions.json"


@dataclass(frozen=True)
class Target:
    name: str
    measured: str
    met: bool | None  # None: not measured by this run


@dataclass(frozen=True)
class Figures:
    """Everything a run measured that a target reads."""

    results: list[Result]
    memory: dict[str, float]
    scaling: list[Result]  # the same server on 10,000 invitations (full runs only)
    before: Before | None

    def find(self, server: str, scenario: str, connections: int) -> Result | None:
        return find(self.results, server, scenario, connections)


def find(results: list[Result], server: str, scenario: str, connections: int) -> Result | None:
    wanted = (server, scenario, connections)
    return next((r for r in results if (r.server, r.scenario, r.connections) == wanted), None)


def targets(figures: Figures) -> list[Target]:
    return [
        *_pending(figures),
        *(_versus_floor(figures, s, f) for s, f in (("invitations", 10), ("members", 20))),
        *(
            _versus_before(figures, s, n)
            for s, n in (("respond", "respondToInvitation"), ("send10", "sendInvitations of 10"))
        ),
        _scaling(figures),
        _idle_memory(figures.memory),
        _subscriptions(SUBSCRIPTIONS),
    ]


def _pending(figures: Figures) -> Iterator[Target]:
    ours, floor, peer = (figures.find(s, "pending", 50) for s in ("ours", "floor", "peer"))
    name = "pendingInvitations(first: 5), 50 connections:"
    if ours is None or floor is None or peer is None:
        yield Target(f"{name} ours vs the floor and the peer", "not measured", None)
        return
    ratio = ours.rps / floor.rps
    yield Target(f"{name} ≥ 0.4x the floor (aim 0.5x)", f"{ratio:.2f}x", ratio >= 0.4)
    ratio = ours.rps / peer.rps
    yield Target(f"{name} ≥ 4x the peer", f"{ratio:.2f}x", ratio >= 4)
    yield Target(f"{name} p99 ≤ 100 ms", f"{ours.p99_ms} ms", ours.p99_ms <= 100)


def _versus_floor(figures: Figures, scenario: str, first: int) -> Target:
    name = f"{scenario}(first: {first}), 50 connections: ≥ 0.3x its floor"
    ours, floor = figures.find("ours", scenario, 50), figures.find("floor", scenario, 50)
    if ours is None or floor is None:
        return Target(name, "not measured", None)
    ratio = ours.rps / floor.rps
    return Target(name, f"{ratio:.2f}x ({ours.rps:,.0f} vs {floor.rps:,.0f} req/s)", ratio >= 0.3)


def _versus_before(figures: Figures, scenario: str, label: str) -> Target:
    name = f"{label}: ≥ 1.5x the before-figures' req/s"
    if figures.before is None:
        return Target(name, "no before-figures for this kind of run", None)
    ratios = []
    for connections in (1, 50):
        now = figures.find("ours", scenario, connections)
        then = find(figures.before.results, "ours", scenario, connections)
        if now and then:
            ratios.append((connections, now.rps / then.rps, now.rps, then.rps))
    if not ratios:
        return Target(name, "not measured", None)
    measured = "; ".join(f"c={c}: {r:.2f}x ({n:,.0f} vs {t:,.0f})" for c, r, n, t in ratios)
    return Target(name, measured, all(r >= 1.5 for _, r, _, _ in ratios))


def _scaling(figures: Figures) -> Target:
    name = "p50 at 1 connection with 1,000,000 invitations within 1.3x of 10,000"
    ratios = []
    for small in figures.scaling:
        big = figures.find("ours", small.scenario, 1)
        if big:
            ratios.append((small.scenario, big.p50_ms / small.p50_ms, big.p50_ms, small.p50_ms))
    if not ratios:
        return Target(name, "measured by full runs only", None)
    measured = "; ".join(f"{s} {r:.2f}x ({b} vs {m} ms)" for s, r, b, m in ratios)
    return Target(name, measured, all(r <= 1.3 for _, r, _, _ in ratios))


def _idle_memory(memory: dict[str, float]) -> Target:
    name = "server RSS at idle after the run < 150 MB"
    if "idle_rss_mib" not in memory:
        return Target(name, "not measured", None)
    idle, peak = memory["idle_rss_mib"], memory["peak_rss_mib"]
    return Target(name, f"{idle:.0f} MiB (peak {peak:.0f} MiB)", idle < 150)


def _subscriptions(path: Path) -> Target:
    name = "RSS with 1,000 subscriptions < 250 MB (scripts/measure_subscriptions)"
    figures: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    if figures.get("subscribers") != 1000:
        return Target(name, "not measured: run scripts/measure_subscriptions", None)
    rss = figures["rss_mib"]["subscribed"]
    return Target(name, f"{rss:.0f} MiB (its last run, {figures['date']})", rss < 250)
