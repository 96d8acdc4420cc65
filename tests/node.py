"""Node.js programs (tests/js/*.mjs) the tests run against live servers, with the npm
packages pinned in package.json (installed by scripts/node_modules, `npm ci`): skipped
with the reason where node is missing, a failure under CI (REQUIRE_SERVICES=1)."""

from __future__ import annotations

import functools
import json
import subprocess
from typing import Any

from tests import external
from tests.processes import ROOT

PROGRAMS = ROOT / "tests" / "js"
MISSING = 3  # scripts/node_modules: node or npm is not installed


@functools.cache
def _installed() -> str | None:
    """Install the pinned packages once per test run; why they cannot be, or None."""
    done = subprocess.run(
        [str(ROOT / "scripts" / "node_modules")], capture_output=True, text=True, check=False
    )
    if done.returncode == MISSING:
        return done.stderr.strip()
    assert done.returncode == 0, f"npm ci failed:\n{done.stdout}\n{done.stderr}"
    return None


def require_node() -> None:
    """Skip the calling test (fail it under CI) when node cannot run the programs."""
    reason = _installed()
    if reason is not None:
        external.unavailable(reason)


def run(program: str, *args: str, timeout: float = 120) -> Any:
    """Run tests/js/<program> with `args`; the JSON it prints last."""
    require_node()
    done = subprocess.run(
        ["node", str(PROGRAMS / program), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"{program} failed:\n{done.stdout}\n{done.stderr}"
    return json.loads(done.stdout.strip().splitlines()[-1])
