"""The one wrk driver: POST prepared request lines (see documents.line) with load.lua,
read back requests, latency percentiles, bad answers and socket errors."""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

LUA = Path(__file__).with_name("load.lua")


@dataclass(frozen=True)
class Run:
    """What one wrk run reports."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    bad: int  # a status other than 200, a GraphQL error or a UserError code
    socket_errors: int
    wrapped: int  # times a thread started its slice of the lines over

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def wrk(
    url: str,
    lines: list[str],
    *,
    connections: int,
    seconds: int,
    threads: int = 1,
    cpu: int | None = None,
    timeout: int = 10,
) -> Run:
    """One wrk run against `url`, each thread cycling through its own slice of `lines`."""
    if len(lines) < threads:
        lines = lines * threads  # every thread needs a slice of its own
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "requests.txt"
        path.write_text("\n".join(lines) + "\n")
        argv = ["taskset", "-c", str(cpu)] if cpu is not None else []
        argv += ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s"]
        argv += ["--timeout", f"{timeout}s", "-s", str(LUA), url, "--", str(path), str(threads)]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    match = re.search(r"^BENCH (.*)$", done.stdout, re.M)
    if done.returncode or match is None:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    raw = {k: int(v) for k, v in (kv.split("=") for kv in match.group(1).split())}
    return Run(
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        bad=raw["bad"],
        socket_errors=raw["connect"] + raw["read"] + raw["write"] + raw["timeout"],
        wrapped=raw["wrapped"],
    )
