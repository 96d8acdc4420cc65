"""py-spy on our server under the pending load at 50 connections (not a measured run),
summarised as the frames with the most own and total samples."""

from __future__ import annotations

import collections
import re
import subprocess
import sys
from pathlib import Path

from scripts.benchmark import ROOT, servers
from scripts.benchmark.fixture import Fixture, Timing
from scripts.benchmark.runs import drive, start

PY_SPY = Path(sys.executable).with_name("py-spy")


def profile(fixture: Fixture, timing: Timing, seconds: int, raw: Path) -> list[str]:
    lines = fixture.requests["pending"]
    with start("ours", servers.OURS, fixture) as server:
        drive(server, lines, 50, timing.warmup)
        argv = [str(PY_SPY), "record", "-p", str(server.process.pid), "-d", str(seconds)]
        argv += ["-r", "200", "-f", "raw", "-o", str(raw), "--nonblocking"]
        spy = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        drive(server, lines, 50, seconds + 1)
        spy.wait(timeout=60)
    return summarise(raw)


def summarise(raw: Path, top: int = 25) -> list[str]:
    own: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [_short(f) for f in stack.split(";") if f]
        own[frames[-1]] += int(count)
        for frame in set(frames):
            total[frame] += int(count)
    samples = sum(own.values())
    lines = [f"{samples} samples; top by own time:"]
    lines += [f"  {100 * n / samples:5.1f}%  {f}" for f, n in own.most_common(top)]
    lines.append("top by total time (own + callees):")
    lines += [f"  {100 * n / samples:5.1f}%  {f}" for f, n in total.most_common(top)]
    return lines


def _short(frame: str) -> str:
    """A frame with its file relative to site-packages or the project."""
    frame = re.sub(r" \(/.*?site-packages/", " (", frame)
    return re.sub(r" \(" + re.escape(str(ROOT)) + "/", " (", frame)
