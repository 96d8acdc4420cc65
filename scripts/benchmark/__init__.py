"""scripts/bench: ours against the floor and the peer, on seeded data, with wrk.

documents   the GraphQL documents the load sends; the request line format
database    a fresh SQLite file or PostgreSQL database; migrate; drop
seed        rows through app.models: users, domains, invitations, history
fixture     a seeded database plus tokens and each scenario's request lines
servers     one server process (ours, the floor, the peer): port, CPU, readiness, RSS
load        the one wrk driver (load.lua)
runs        each server's scenarios; the same-answer check
profile     py-spy under the pending load
before      the before-figures (before.json) of each kind of run
targets     the performance targets, met or not
report      the tables and the README's Performance block
__main__    the command line
baselines/  the floor and the peer
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "data" / "bench"  # databases, logs, last results (git ignores data/)
