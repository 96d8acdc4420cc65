"""The before-figures: runs of this bench on the code before the performance work
(before.json, one record per kind of run: mode and database), against which a run
of the same kind measures its "at least 1.5x today's rate" targets."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from scripts.benchmark.runs import Result

FILE = Path(__file__).with_name("before.json")


@dataclass(frozen=True)
class Before:
    mode: str
    database: str
    commit: str  # of the measured code
    date: str
    machine: str
    load: str  # load average before the run
    note: str
    results: list[Result]

    def describe(self) -> str:
        note = f"; {self.note}" if self.note else ""
        return (
            f"`{self.mode}` on {self.database} at commit {self.commit}, {self.date}, "
            f"{self.machine}, load average {self.load}{note}"
        )


def find(mode: str, database: str) -> Before | None:
    """The before-figures of this kind of run, if recorded."""
    for record in _records():
        if (record["mode"], record["database"]) == (mode, database):
            results = [Result(**r) for r in record["results"]]
            return Before(**{**record, "results": results})
    return None


def record(before: Before) -> None:
    """Store `before` as the figures of its kind, replacing an earlier record."""
    kept = [r for r in _records() if (r["mode"], r["database"]) != (before.mode, before.database)]
    records = [*kept, asdict(before)]
    records.sort(key=lambda r: (r["database"], r["mode"]))
    FILE.write_text(json.dumps({"runs": records}, indent=1) + "\n")


def _records() -> list[dict[str, Any]]:
    if not FILE.exists():
        return []
    runs: list[dict[str, Any]] = json.loads(FILE.read_text())["runs"]
    return runs
