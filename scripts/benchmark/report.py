"""The run's report: the results table, before and after, the targets, the data and
the machine; written between the bench markers of README.md's Performance section."""

from __future__ import annotations

import os
import platform
import re
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from scripts.benchmark import ROOT
from scripts.benchmark.before import Before
from scripts.benchmark.runs import Result
from scripts.benchmark.targets import Figures, find, targets

README = ROOT / "README.md"
MARK_START, MARK_END = "<!-- bench:start -->", "<!-- bench:end -->"
PACKAGES = (
    "strawberry-graphql",
    "graphql-core",
    "starlette",
    "uvicorn",
    "tortoise-orm",
    "aiosqlite",
    "asyncpg",
    "uvloop",
    "httptools",
    "orjson",
    "ciso8601",
    "ariadne",
)


@dataclass(frozen=True)
class Run:
    """What a report says about the run besides its figures."""

    mode: str
    database: str
    counts: dict[str, int]
    answers: dict[str, Any]
    info: dict[str, str]
    elapsed: float


def machine() -> dict[str, str]:
    cpu = re.search(r"^model name\s*:\s*(.*)$", Path("/proc/cpuinfo").read_text(), re.M)
    mem = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
    return {
        "cpus": str(os.cpu_count()),
        "cpu": cpu.group(1) if cpu else platform.processor(),
        "ram": f"{int(mem.group(1)) / 1024 / 1024:.1f} GiB" if mem else "?",
        "python": platform.python_version(),
        "packages": ", ".join(f"{p} {metadata.version(p)}" for p in PACKAGES),
        "wrk": wrk.split("\n")[0].split(" [")[0],
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_before": f"{os.getloadavg()[0]:.2f}",
    }


def table(results: list[Result]) -> list[str]:
    rows = [
        "| server | scenario | conns | req/s | p50 ms | p99 ms | errors |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for r in results:
        flag = "0" if not r.errors else f"**{r.errors} FAILED** (not throughput)"
        if r.wrapped:
            flag += f" (requests ran out: {r.wrapped} wraps)"
        rps = f"{r.rps:,.0f}" if not r.errors else f"~~{r.rps:,.0f}~~"
        rows.append(
            f"| {r.server} | {r.scenario} | {r.connections} | {rps} | {r.p50_ms} | "
            f"{r.p99_ms} | {flag} |"
        )
    return rows


def before_after(results: list[Result], before: Before) -> list[str]:
    lines = [
        f"Before and after (ours; before: {before.describe()}):",
        "",
        "| scenario | conns | req/s before | req/s now | ratio | p99 ms before | p99 ms now |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for now in (r for r in results if r.server == "ours"):
        then = find(before.results, "ours", now.scenario, now.connections)
        if then:
            lines.append(
                f"| {now.scenario} | {now.connections} | {then.rps:,.0f} | {now.rps:,.0f} | "
                f"{now.rps / then.rps:.2f}x | {then.p99_ms} | {now.p99_ms} |"
            )
    return lines


def ratios(results: list[Result]) -> str:
    parts = []
    for scenario in ("pending", "invitations", "members"):
        for c in (1, 50):
            ours, floor = find(results, "ours", scenario, c), find(results, "floor", scenario, c)
            peer = find(results, "peer", scenario, c)
            if ours and floor:
                part = f"{scenario} c={c}: ours/floor **{ours.rps / floor.rps:.2f}**"
                parts.append(part + (f", ours/peer **{ours.rps / peer.rps:.2f}**" if peer else ""))
    return "Requests/s ratios — " + "; ".join(parts) + "."


def render(run: Run, figures: Figures) -> str:
    lines = [
        f"Mode: `{run.mode}`, one uvicorn worker pinned to CPU 0, wrk (1 thread) on CPU 1, "
        "loopback. Each row is one wrk run after a warm-up.",
        "",
        *table(figures.results),
        "",
        ratios(figures.results),
    ]
    if figures.scaling:
        lines += ["", "Same server on a 10,000-invitation database (same users and domains):", ""]
        lines += table(figures.scaling)
    if figures.before:
        lines += ["", *before_after(figures.results, figures.before)]
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    met = {True: "yes", False: "**no**", None: "—"}
    lines += [f"| {t.name} | {t.measured} | {met[t.met]} |" for t in targets(figures)]
    return "\n".join([*lines, "", *_footer(run)])


def _footer(run: Run) -> list[str]:
    info = run.info
    same = all(a["same_json"] for a in run.answers.values())
    identical = all(a["floor_bytes_identical"] for a in run.answers.values())
    counts = ", ".join(f"{k} {v:,}" for k, v in run.counts.items())
    return [
        f"Same answer from every server for {', '.join(run.answers)}: "
        f"{'yes' if same else '**NO**'} (floor byte-identical: {'yes' if identical else 'no'}).",
        f"Data: {counts} (seeded in {info['seeding']}).",
        f"Machine: {info['cpus']} CPUs ({info['cpu']}), {info['ram']} RAM; load average "
        f"before the run {info['load_before']}, after {os.getloadavg()[0]:.2f}.",
        f"Software: Python {info['python']}, {info['packages']}; {info['wrk']}.",
        f"Database: {run.database}. Date: {info['date']}. Whole run: {run.elapsed:.0f} s.",
    ]


def write_readme(text: str) -> None:
    """Replace what is between the markers; the prose around them stays."""
    content = README.read_text()
    start, end = content.index(MARK_START), content.index(MARK_END)
    README.write_text(content[: start + len(MARK_START)] + f"\n{text}\n" + content[end:])
