"""Benchmark: seed a database, serve it with one worker (ours, the floor, the peer), load
each with wrk at 1 and 50 connections, print one table with the targets and write it into
README.md's Performance section.

    scripts/bench [--quick] [--profile SECONDS] [--no-readme] [--record-before]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x scripts/bench --quick

With DATABASE_URL, a fresh database on that PostgreSQL server is made and dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict

from scripts.benchmark import FOLDER, ROOT, before, database, fixture, report, runs, servers
from scripts.benchmark.profile import profile
from scripts.benchmark.seed import FULL, QUICK, SMALL
from scripts.benchmark.targets import Figures


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/bench", description=__doc__.split("\n\n")[0] if __doc__ else None
    )
    parser.add_argument("--quick", action="store_true", help="50,000 invitations, 5 s runs")
    parser.add_argument(
        "--profile",
        type=int,
        metavar="SECONDS",
        default=0,
        help="also profile our server under the pending load with py-spy",
    )
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite README.md")
    parser.add_argument(
        "--record-before",
        action="store_true",
        help="store this run as the before-figures of its kind (run it on the code before "
        "the performance work)",
    )
    return parser.parse_args()


def main() -> int:
    args = arguments()
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    FOLDER.mkdir(parents=True, exist_ok=True)
    servers.LOG.unlink(missing_ok=True)
    base_url = os.environ.get("DATABASE_URL")
    made: list[str] = []
    try:
        run, figures, prof = measure(args, base_url, made)
    finally:
        for url in made:
            database.drop(url)
    publish(args, run, figures, prof)
    return 0


def measure(
    args: argparse.Namespace, base_url: str | None, made: list[str]
) -> tuple[report.Run, Figures, list[str]]:
    """Seed, check the answers, load every server; `made` collects the databases made."""
    started, info = time.monotonic(), report.machine()
    mode = "--quick" if args.quick else "full"
    size, timing = (QUICK, fixture.QUICK_TIMING) if args.quick else (FULL, fixture.FULL_TIMING)
    print(f"load average {info['load_before']}; seeding {size} ...", flush=True)
    url = _database(base_url, "quick" if args.quick else "full", made)
    t = time.monotonic()
    seeded = fixture.build(url, size, timing, mutations=True)
    info["seeding"] = f"{time.monotonic() - t:.0f} s"
    print(f"seeded in {info['seeding']}: {seeded.counts}", flush=True)
    answers = runs.same_answers(seeded)
    for read, answer in answers.items():
        print(f"{read}: {answer}", flush=True)
    results, memory = runs.ours(seeded, timing)
    results += runs.baseline("floor", seeded, timing) + runs.baseline("peer", seeded, timing)
    scaling = [] if args.quick else _scaling(base_url, timing, made)
    raw = FOLDER / "profile.txt"
    prof = profile(seeded, timing, args.profile, raw) if args.profile else []
    kind = "PostgreSQL" if base_url and database.is_postgres(base_url) else "SQLite (file, WAL)"
    run = report.Run(mode, kind, seeded.counts, answers, info, time.monotonic() - started)
    return run, Figures(results, memory, scaling, before.find(mode, kind)), prof


def publish(args: argparse.Namespace, run: report.Run, figures: Figures, prof: list[str]) -> None:
    """Print the report, keep the figures in data/bench, rewrite the README's block."""
    text = report.render(run, figures)
    print(text)
    if prof:
        print("\n".join(["", "py-spy, pendingInvitations at 50 connections:", *prof]))
    kept = {"results": figures.results, "memory": figures.memory, "scaling": figures.scaling}
    kept |= {"counts": run.counts, "profile": prof}
    (FOLDER / "results.json").write_text(json.dumps(kept, default=asdict, indent=2))
    if args.record_before:
        _record_before(run, figures.results)
    if not args.no_readme:
        report.write_readme(text)


def _database(base_url: str | None, name: str, made: list[str]) -> str:
    url = database.fresh(base_url, name)
    made.append(url)
    database.migrate(url)
    return url


def _scaling(base_url: str | None, timing: fixture.Timing, made: list[str]) -> list[runs.Result]:
    """Our reads at 1 connection on a 10,000-invitation database."""
    url = _database(base_url, "small", made)
    small = fixture.build(url, SMALL, timing, mutations=False)
    results, _ = runs.ours(small, timing, reads_only=True)
    return [r for r in results if r.scenario in ("pending", "invitations")]


def _record_before(run: report.Run, results: list[runs.Result]) -> None:
    info = run.info
    record = before.Before(
        mode=run.mode,
        database=run.database,
        commit=_commit(),
        date=info["date"],
        machine=f"{info['cpus']} CPUs ({info['cpu']})",
        load=info["load_before"],
        note="",
        results=results,
    )
    before.record(record)


def _commit() -> str:
    """The commit of the code measured, marked when app/ has uncommitted changes."""
    git = ["git", "-C", str(ROOT)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run([*git, "diff", "--quiet", "HEAD", "--", "app"]).returncode
    return head.stdout.strip() + (" with uncommitted changes to app/" if dirty else "")


if __name__ == "__main__":
    sys.exit(main())
