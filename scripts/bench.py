"""Benchmark: seed a database, serve it with one worker (ours, the floor, the peer),
load each with wrk at 1 and 50 connections, print one table and write it into the
README's Performance section. Usage: scripts/bench [--quick] [--profile] [--no-readme]
(DATABASE_URL=postgres://... for PostgreSQL: a fresh database named from it is used).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tortoise import Tortoise  # noqa: E402
from tortoise.connection import get_connection  # noqa: E402
from tortoise.models import Model  # noqa: E402
from tortoise.transactions import in_transaction  # noqa: E402

from app import models  # noqa: E402
from app.auth import Authenticator  # noqa: E402
from app.db import tortoise_config  # noqa: E402
from app.permissions import ADMIN_ROLE, BUILT_IN_ROLES, MEMBER_ROLE  # noqa: E402
from app.services.invitations import event_row  # noqa: E402
from tests.processes import free_port  # noqa: E402

Status = models.InvitationStatus
Kind = models.InvitationEventKind
PYTHON = str(ROOT / ".venv" / "bin" / "python")
LUA = ROOT / "scripts" / "bench.lua"
BASELINES = ROOT / "scripts" / "bench_baselines"
MARK_START, MARK_END = "<!-- bench:start -->", "<!-- bench:end -->"

PENDING_QUERY = (
    "query Pending { pendingInvitations(first: 5) { totalCount edges { cursor node { id "
    "domain { name } role { name } invitedBy { name } createdAt } } "
    "pageInfo { hasNextPage endCursor } } }"
)
PENDING_NO_COUNT_QUERY = PENDING_QUERY.replace("totalCount ", "")
INVITATIONS_QUERY = (
    "query Invitations($d: ID!) { invitations(domainId: $d, first: 10) { totalCount edges "
    "{ cursor node { id invitee { name } invitedBy { name } role { name } status createdAt "
    "updatedAt confirmedAt rejectedAt } } pageInfo { hasNextPage endCursor } } }"
)
MEMBERS_QUERY = (
    "query Members($d: ID!) { members(domainId: $d, first: 20) { totalCount edges { cursor "
    "node { user { id name } role { name } joinedAt invitedBy { name } } } "
    "pageInfo { hasNextPage endCursor } } }"
)
SEND_MUTATION = (
    "mutation Send($d: ID!, $u: [ID!]!, $r: ID!) { sendInvitations(domainId: $d, "
    "inviteeIds: $u, roleId: $r) { __typename ... on SendInvitationsPayload { results { "
    "__typename ... on Invitation { id status } ... on UserError { code message } } } "
    "... on UserError { code message } } }"
)
RESPOND_MUTATION = (
    "mutation Respond($i: ID!, $r: InvitationResponse!) { respondToInvitation(invitationId: $i,"
    " response: $r) { __typename ... on Invitation { id status } "
    "... on UserError { code message } } }"
)


@dataclass(frozen=True)
class Size:
    users: int
    domains: int
    invitations: int
    pending_users: int = 200  # users the read load signs in as
    pending_each: int = 8  # PENDING invitations each of them is guaranteed
    admin_domains: int = 50  # domains whose admins the domain-list load signs in as


@dataclass(frozen=True)
class Timing:
    seconds: int
    warmup: int


QUICK = Size(users=2_000, domains=100, invitations=50_000)
FULL = Size(users=10_000, domains=1_000, invitations=1_000_000)
SMALL = Size(users=10_000, domains=1_000, invitations=10_000)
# The most requests per second any scenario is assumed to reach: one-shot requests
# (mutations) are prepared for this many; wrk flags a scenario that runs out.
ONE_SHOT_RPS = {"send10": 400, "send1": 700, "send100": 40, "respond": 900}


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


@dataclass
class Fixture:
    """What the load needs from a seeded database (ids and real tokens)."""

    secret_key: str
    database_url: str
    counts: dict[str, int] = field(default_factory=dict)
    requests: dict[str, list[str]] = field(default_factory=dict)  # scenario -> lines


# ---------------------------------------------------------------- seeding


def _line(token: str | None, query: str, variables: dict[str, Any] | None = None) -> str:
    body: dict[str, Any] = {"query": query}
    if variables:
        body["variables"] = variables
    return f"{'Bearer ' + token if token else ''}\t{json.dumps(body, separators=(',', ':'))}"


async def _bulk(model: type[Model], rows: list[Any], chunk: int = 5_000) -> None:
    for start in range(0, len(rows), chunk):
        async with in_transaction():
            await model.bulk_create(rows[start : start + chunk], batch_size=500)


def _domain_rows(
    name: str, admin_id: Any, at: datetime
) -> tuple[models.Domain, dict[str, models.Role], models.Membership]:
    """The rows app.services.domains.create_domain writes for one domain."""
    domain = models.Domain(name=name, created_at=at)
    roles = {
        role_name: models.Role(
            domain_id=domain.id,
            name=role_name,
            actions=sorted(actions),
            built_in=True,
            created_at=at,
        )
        for role_name, actions in BUILT_IN_ROLES.items()
    }
    admin = models.Membership(
        domain_id=domain.id, user_id=admin_id, role_id=roles[ADMIN_ROLE].id, joined_at=at
    )
    return domain, roles, admin


class Seeder:
    def __init__(self, size: Size, timing: Timing, rng: random.Random) -> None:
        self.size, self.timing, self.rng = size, timing, rng
        self.now = models.utcnow()
        self.user_ids: list[Any] = []
        self.pending_of: dict[int, list[Any]] = collections.defaultdict(list)
        self.counts: collections.Counter[str] = collections.Counter()

    def _ago(self, days: float) -> datetime:
        return self.now - timedelta(seconds=self.rng.uniform(60, days * 86400))

    async def users(self, password_hash: str) -> None:
        rows = [
            models.User(
                email=f"user{i}@bench.example",
                name=f"User {i}",
                password_hash=password_hash,
                created_at=self.now - timedelta(days=400),
            )
            for i in range(self.size.users)
        ]
        await _bulk(models.User, rows)
        self.user_ids = [u.id for u in rows]
        self.counts["users"] = len(rows)

    def admin_of(self, d: int) -> int:
        # Users 0..pending_users-1 are the read load's; the next one is the bench admin.
        first = self.size.pending_users + 1
        return first + d % (self.size.users - first)

    async def domains(self) -> list[tuple[models.Domain, dict[str, models.Role], int]]:
        made = [
            (*_domain_rows(f"Domain {d}", self.user_ids[self.admin_of(d)], self._ago(400)), d)
            for d in range(self.size.domains)
        ]
        await self._write_domains([(dom, roles, adm) for dom, roles, adm, _ in made])
        return [(dom, roles, self.admin_of(d)) for dom, roles, _, d in made]

    async def _write_domains(
        self, made: list[tuple[models.Domain, dict[str, models.Role], models.Membership]]
    ) -> None:
        await _bulk(models.Domain, [d for d, _, _ in made])
        await _bulk(models.Role, [r for _, roles, _ in made for r in roles.values()])
        await _bulk(models.Membership, [m for _, _, m in made])
        self.counts["domains"] += len(made)
        self.counts["memberships"] += len(made)

    async def invitations(
        self,
        domains: list[tuple[models.Domain, dict[str, models.Role], int]],
        respond_pool: set[int],
    ) -> None:
        size, rng = self.size, self.rng
        forced: dict[int, list[int]] = collections.defaultdict(list)
        for u in range(size.pending_users):
            for d in rng.sample(range(size.domains), min(size.pending_each, size.domains)):
                forced[d].append(u)
        per_domain, extra = divmod(size.invitations, size.domains)
        batch: dict[str, list[Any]] = {"inv": [], "event": [], "member": []}
        for d, (domain, roles, admin) in enumerate(domains):
            wanted = per_domain + (1 if d < extra else 0)
            chosen = forced[d][:wanted]
            excluded = {admin, *chosen}
            pool = rng.sample(range(size.users), min(size.users, wanted + len(excluded) + 8))
            randoms = [u for u in pool if u not in excluded][: wanted - len(chosen)]
            for i, u in enumerate(chosen + randoms):
                if i < len(chosen):
                    status = Status.PENDING
                else:
                    status = rng.choices(
                        [Status.PENDING, Status.ACCEPTED, Status.REJECTED], [40, 35, 25]
                    )[0]
                role = roles[ADMIN_ROLE if rng.random() < 0.1 else MEMBER_ROLE]
                self._invitation(batch, domain, role, admin, u, status, respond_pool)
            if len(batch["inv"]) >= 20_000 or d == len(domains) - 1:
                await self._flush(batch)

    def _invitation(
        self,
        batch: dict[str, list[Any]],
        domain: models.Domain,
        role: models.Role,
        admin: int,
        invitee: int,
        status: Status,
        respond_pool: set[int],
    ) -> None:
        sent = self._ago(365)
        answered = min(self.now, sent + timedelta(seconds=self.rng.uniform(60, 3 * 86400)))
        inv = models.Invitation(
            domain_id=domain.id,
            invitee_id=self.user_ids[invitee],
            invited_by_id=self.user_ids[admin],
            role_id=role.id,
            status=status,
            created_at=sent,
            updated_at=sent if status is Status.PENDING else answered,
            confirmed_at=answered if status is Status.ACCEPTED else None,
            rejected_at=answered if status is Status.REJECTED else None,
        )
        batch["inv"].append(inv)
        events = [(Kind.SENT, self.user_ids[admin], sent)]
        if status is Status.ACCEPTED:
            events.append((Kind.ACCEPTED, inv.invitee_id, answered))
            batch["member"].append(
                models.Membership(
                    domain_id=domain.id,
                    user_id=inv.invitee_id,
                    role_id=role.id,
                    joined_at=answered,
                    invitation_id=inv.id,
                )
            )
        elif status is Status.REJECTED:
            events.append((Kind.REJECTED, inv.invitee_id, answered))
        elif invitee in respond_pool:
            self.pending_of[invitee].append(inv.id)
        batch["event"].extend(event_row(inv, kind, actor, at) for kind, actor, at in events)

    async def _flush(self, batch: dict[str, list[Any]]) -> None:
        await _bulk(models.Invitation, batch["inv"])
        await _bulk(models.InvitationEvent, batch["event"])
        await _bulk(models.Membership, batch["member"])
        self.counts["invitations"] += len(batch["inv"])
        self.counts["invitation_events"] += len(batch["event"])
        self.counts["memberships"] += len(batch["member"])
        for rows in batch.values():
            rows.clear()


def _one_shot_need(scenario: str, timing: Timing, connections: tuple[int, ...]) -> int:
    per_run = timing.seconds + timing.warmup
    return ONE_SHOT_RPS[scenario] * per_run * len(connections)


async def seed(database_url: str, size: Size, timing: Timing, *, load: bool) -> Fixture:
    """Write `size` rows through the models; when `load`, prepare every scenario's requests."""
    rng = random.Random(7)
    fixture = Fixture(secret_key=secrets.token_urlsafe(48), database_url=database_url)
    auth = Authenticator(
        secret_key=fixture.secret_key, token_ttl=timedelta(days=1), cheap_hashing=False
    )
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        seeder = Seeder(size, timing, rng)
        await seeder.users(await auth.hash_password(secrets.token_hex(8)))
        domains = await seeder.domains()
        respond_need = _one_shot_need("respond", timing, (1, 50)) if load else 0
        respond_pool = set(range(size.pending_users + 1, size.users))
        await seeder.invitations(domains, respond_pool)
        user_token: dict[int, str] = {}

        async def token(u: int) -> str:
            if u not in user_token:
                user = models.User.construct(_saved_in_db=True, id=seeder.user_ids[u])
                user_token[u] = await auth.issue_token(user)
            return user_token[u]

        reqs = fixture.requests
        readers = range(size.pending_users)
        reqs["pending"] = [_line(await token(u), PENDING_QUERY) for u in readers]
        reqs["pending_no_count"] = [_line(await token(u), PENDING_NO_COUNT_QUERY) for u in readers]
        admins = domains[: size.admin_domains]
        reqs["invitations"] = [
            _line(await token(a), INVITATIONS_QUERY, {"d": str(d.id)}) for d, _, a in admins
        ]
        reqs["members"] = [
            _line(await token(a), MEMBERS_QUERY, {"d": str(d.id)}) for d, _, a in admins
        ]
        if load:
            await _prepare_mutations(seeder, fixture, token, respond_need)
        await get_connection("default").execute_script("ANALYZE")
        fixture.counts = dict(seeder.counts)
        fixture.counts["auth_tokens"] = len(user_token)
    finally:
        await Tortoise.close_connections()
    return fixture


async def _prepare_mutations(
    seeder: Seeder, fixture: Fixture, token: Any, respond_need: int
) -> None:
    """Bench domains owned by one admin, to invite users nobody invited there yet,
    and (token, pending invitation) pairs of users the read load does not use."""
    size, timing, rng = seeder.size, seeder.timing, seeder.rng
    bench_admin = size.pending_users
    invitees = list(range(size.pending_users + 1, size.users))
    send_plan = {"send10": (10, (1, 50)), "send1": (1, (1,)), "send100": (100, (1,))}
    admin_token = await token(bench_admin)
    made: list[tuple[models.Domain, dict[str, models.Role], models.Membership]] = []
    for scenario, (batch, conns) in send_plan.items():
        requests_needed = _one_shot_need(scenario, timing, conns)
        pairs = requests_needed * batch
        lines = []
        for _ in range(-(-pairs // len(invitees))):
            domain, roles, admin = _domain_rows(
                f"Bench domain {len(made)}", seeder.user_ids[bench_admin], seeder.now
            )
            made.append((domain, roles, admin))
            order = rng.sample(invitees, len(invitees))
            for start in range(0, len(order) - batch + 1, batch):
                ids = [str(seeder.user_ids[u]) for u in order[start : start + batch]]
                variables = {"d": str(domain.id), "u": ids, "r": str(roles[MEMBER_ROLE].id)}
                lines.append(_line(admin_token, SEND_MUTATION, variables))
        fixture.requests[scenario] = lines
    await seeder._write_domains(made)
    lines = []
    for u, pending in sorted(seeder.pending_of.items()):
        if len(lines) >= respond_need:
            break
        user_token = await token(u)
        for inv in pending:
            answer = "ACCEPT" if rng.random() < 0.5 else "DECLINE"
            lines.append(_line(user_token, RESPOND_MUTATION, {"i": str(inv), "r": answer}))
    rng.shuffle(lines)
    fixture.requests["respond"] = lines


def fresh_database(base_url: str | None, folder: Path, name: str) -> str:
    """A new empty database: a SQLite file under `folder`, or a new PostgreSQL database."""
    if base_url is None:
        path = folder / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite://{path}"
    stem = base_url.rsplit("/", 1)[0]
    return f"{stem}/bench_{name}_{secrets.token_hex(4)}"


def migrate(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url}
    if database_url.startswith(("postgres", "asyncpg")):
        asyncio.run(_create_pg_database(database_url))
    subprocess.run([PYTHON, "-m", "app", "migrate"], cwd=ROOT, env=env, check=True)


async def _create_pg_database(database_url: str, *, drop: bool = False) -> None:
    import asyncpg  # type: ignore[import-untyped]

    stem, name = database_url.rsplit("/", 1)
    connection = await asyncpg.connect(stem.replace("asyncpg://", "postgres://") + "/postgres")
    try:
        await connection.execute(f'{"DROP" if drop else "CREATE"} DATABASE "{name}"')
    finally:
        await connection.close()


def drop_database(database_url: str) -> None:
    """Remove a PostgreSQL database the benchmark made (SQLite files stay for inspection)."""
    if database_url.startswith(("postgres", "asyncpg")):
        asyncio.run(_create_pg_database(database_url, drop=True))


# ---------------------------------------------------------------- servers and load


class Server:
    """One server process pinned to CPU 0, started with PORT/DATABASE_URL in its env."""

    log = Path("servers.log")  # set by main()

    def __init__(self, name: str, argv: list[str], fixture: Fixture) -> None:
        self.name = name
        self.port = free_port()
        env = {
            **os.environ,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "DATABASE_URL": fixture.database_url,
            "SECRET_KEY": fixture.secret_key,
            "RATE_LIMITS": "off",
            "LOG_LEVEL": "warning",
            "APP_ENV": "development",
        }
        self.process = subprocess.Popen(
            ["taskset", "-c", "0", *argv],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            # wrk drops its connections mid-request when a run ends: uvicorn logs those.
            stderr=self.log.open("ab"),
        )
        self.url = f"http://127.0.0.1:{self.port}/graphql"
        deadline = time.monotonic() + 120
        while not self._healthy():
            if self.process.poll() is not None:
                raise RuntimeError(f"{name} exited with {self.process.returncode}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{name} did not answer /healthz")
            time.sleep(0.2)

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as r:
                return bool(r.status == 200)
        except OSError:
            return False

    def post(self, line: str) -> bytes:
        auth, _, body = line.partition("\t")
        request = urllib.request.Request(self.url, data=body.encode(), method="POST")
        request.add_header("content-type", "application/json")
        if auth:
            request.add_header("authorization", auth)
        with urllib.request.urlopen(request, timeout=10) as response:
            return bytes(response.read())

    def rss_mb(self) -> tuple[float, float]:
        """Resident and peak resident memory of the server process, in MB."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        values = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.M))
        return int(values["VmRSS"]) / 1024, int(values["VmHWM"]) / 1024

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def wrk(
    url: str, lines: list[str], connections: int, seconds: int, workdir: Path
) -> dict[str, int]:
    path = workdir / "requests.txt"
    path.write_text("\n".join(lines) + "\n")
    argv = ["taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", f"-d{seconds}s"]
    argv += ["--timeout", "10s", "-s", str(LUA), url, "--", str(path), "1"]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    match = re.search(r"^BENCH (.*)$", out, re.M)
    if match is None:
        raise RuntimeError(f"wrk printed no result:\n{out}")
    return {k: int(v) for k, v in (kv.split("=") for kv in match.group(1).split())}


def measure(
    server: Server,
    scenario: str,
    lines: list[str],
    connections: int,
    timing: Timing,
    workdir: Path,
    *,
    one_shot: bool,
) -> Result:
    """A warm-up, then the measured run; one-shot requests are split between the two."""
    if one_shot:
        split = len(lines) * timing.warmup // (timing.warmup + timing.seconds)
        warm, lines = lines[:split], lines[split:]
    else:
        warm = lines
    wrk(server.url, warm, connections, timing.warmup, workdir)
    raw = wrk(server.url, lines, connections, timing.seconds, workdir)
    seconds = raw["duration_us"] / 1e6
    socket_errors = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    return Result(
        server=server.name,
        scenario=scenario,
        connections=connections,
        requests=raw["requests"],
        seconds=round(seconds, 2),
        rps=round(raw["requests"] / seconds, 1),
        p50_ms=round(raw["p50_us"] / 1000, 2),
        p99_ms=round(raw["p99_us"] / 1000, 2),
        bad=raw["bad"],
        socket_errors=socket_errors,
        wrapped=raw["wrapped"] if one_shot else 0,  # read requests are meant to cycle
    )


def _chunks(lines: list[str], parts: int) -> list[list[str]]:
    return [lines[i * len(lines) // parts : (i + 1) * len(lines) // parts] for i in range(parts)]


OURS = [PYTHON, "-m", "app", "serve"]
FLOOR = [PYTHON, str(BASELINES / "floor.py")]
PEER = [PYTHON, str(BASELINES / "peer.py")]


def run_ours(
    fixture: Fixture, timing: Timing, workdir: Path, *, reads_only: bool = False
) -> tuple[list[Result], dict[str, float]]:
    results: list[Result] = []
    server = Server("ours", OURS, fixture)
    memory: dict[str, float] = {}
    try:
        reqs = fixture.requests
        for scenario in ("pending", "invitations", "members"):
            for c in (1,) if reads_only else (1, 50):
                results.append(
                    measure(server, scenario, reqs[scenario], c, timing, workdir, one_shot=False)
                )
        if reads_only:
            return results, memory
        results.append(
            measure(
                server,
                "pending_no_count",
                reqs["pending_no_count"],
                1,
                timing,
                workdir,
                one_shot=False,
            )
        )
        for scenario, conns in (
            ("send1", (1,)),
            ("send100", (1,)),
            ("send10", (1, 50)),
            ("respond", (1, 50)),
        ):
            for c, part in zip(conns, _chunks(reqs[scenario], len(conns)), strict=True):
                results.append(measure(server, scenario, part, c, timing, workdir, one_shot=True))
        time.sleep(2)
        memory["idle_rss_mb"], memory["peak_rss_mb"] = server.rss_mb()
    finally:
        server.stop()
    return results, memory


def run_baseline(
    name: str, argv: list[str], fixture: Fixture, timing: Timing, workdir: Path
) -> list[Result]:
    server = Server(name, argv, fixture)
    try:
        return [
            measure(
                server, "pending", fixture.requests["pending"], c, timing, workdir, one_shot=False
            )
            for c in (1, 50)
        ]
    finally:
        server.stop()


def same_answers(fixture: Fixture) -> dict[str, Any]:
    """Ask each server the same pending query as three users; compare the answers."""
    answers: dict[str, list[bytes]] = {}
    for name, argv in (("ours", OURS), ("floor", FLOOR), ("peer", PEER)):
        server = Server(name, argv, fixture)
        try:
            answers[name] = [server.post(line) for line in fixture.requests["pending"][:3]]
        finally:
            server.stop()
    parsed = {k: [json.loads(b) for b in v] for k, v in answers.items()}
    for body in parsed["ours"]:
        if "errors" in body or not body["data"]["pendingInvitations"]["edges"]:
            raise RuntimeError(f"our pending answer is not a full page: {body}")
    return {
        "same_json": parsed["ours"] == parsed["floor"] == parsed["peer"],
        "floor_bytes_identical": answers["ours"] == answers["floor"],
        "example": answers["ours"][0].decode()[:400],
    }


def profile(fixture: Fixture, timing: Timing, workdir: Path, seconds: int) -> list[str]:
    """py-spy on our server under the pending load at 50 connections (not a measured run)."""
    server = Server("ours", OURS, fixture)
    raw = Server.log.parent / "profile.txt"
    try:
        wrk(server.url, fixture.requests["pending"], 50, timing.warmup, workdir)
        spy = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/py-spy"),
                "record",
                "-p",
                str(server.process.pid),
                "-d",
                str(seconds),
                "-r",
                "200",
                "-f",
                "raw",
                "-o",
                str(raw),
                "--nonblocking",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wrk(server.url, fixture.requests["pending"], 50, seconds + 1, workdir)
        spy.wait(timeout=60)
    finally:
        server.stop()
    return summarise_profile(raw)


def summarise_profile(raw: Path, top: int = 25) -> list[str]:
    own: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    samples = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [re.sub(r" \(/.*?site-packages/", " (", f) for f in stack.split(";") if f]
        frames = [re.sub(r" \(" + re.escape(str(ROOT)) + "/", " (", f) for f in frames]
        n = int(count)
        samples += n
        own[frames[-1]] += n
        for frame in set(frames):
            total[frame] += n
    lines = [f"{samples} samples; top by own time:"]
    lines += [f"  {100 * n / samples:5.1f}%  {f}" for f, n in own.most_common(top)]
    lines.append("top by total time (own + callees):")
    lines += [f"  {100 * n / samples:5.1f}%  {f}" for f, n in total.most_common(top)]
    return lines


# ---------------------------------------------------------------- report


def machine(database_url: str, started: float) -> dict[str, str]:
    cpu = re.search(r"^model name\s*:\s*(.*)$", Path("/proc/cpuinfo").read_text(), re.M)
    mem = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
    packages = [
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
    ]
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
    return {
        "cpus": str(os.cpu_count()),
        "cpu": cpu.group(1) if cpu else platform.processor(),
        "ram": f"{int(mem.group(1)) / 1024 / 1024:.1f} GiB" if mem else "?",
        "python": platform.python_version(),
        "packages": ", ".join(f"{p} {metadata.version(p)}" for p in packages),
        "wrk": wrk_version.split("\n")[0].split(" [")[0],
        "database": "PostgreSQL"
        if database_url.startswith(("postgres", "asyncpg"))
        else "SQLite (file, WAL)",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_before": f"{started:.2f}",
    }


def find(results: list[Result], server: str, scenario: str, c: int) -> Result | None:
    return next(
        (r for r in results if (r.server, r.scenario, r.connections) == (server, scenario, c)),
        None,
    )


def targets(
    results: list[Result], memory: dict[str, float], scaling: list[Result] | None
) -> list[tuple[str, str, bool]]:
    out: list[tuple[str, str, bool]] = []
    ours, floor, peer = (find(results, s, "pending", 50) for s in ("ours", "floor", "peer"))
    if ours and floor and peer:
        out.append(
            (
                "pendingInvitations ≥ 0.5x the floor (c=50)",
                f"{ours.rps / floor.rps:.2f}x",
                ours.rps / floor.rps >= 0.5,
            )
        )
        out.append(
            (
                "pendingInvitations ≥ 1.5x the peer (c=50)",
                f"{ours.rps / peer.rps:.2f}x",
                ours.rps / peer.rps >= 1.5,
            )
        )
        out.append(("pendingInvitations p99 < 50 ms (c=50)", f"{ours.p99_ms} ms", ours.p99_ms < 50))
    one, hundred = find(results, "ours", "send1", 1), find(results, "ours", "send100", 1)
    if one and hundred:
        ratio = hundred.p50_ms / one.p50_ms
        out.append(
            (
                "sendInvitations of 100 < 10x of 1 (p50, c=1)",
                f"{ratio:.1f}x ({hundred.p50_ms} vs {one.p50_ms} ms)",
                ratio < 10,
            )
        )
    if "idle_rss_mb" in memory:
        out.append(
            (
                "server RSS at idle after the run < 150 MB",
                f"{memory['idle_rss_mb']:.0f} MB (peak {memory['peak_rss_mb']:.0f} MB)",
                memory["idle_rss_mb"] < 150,
            )
        )
    for scenario in ("pending", "invitations"):
        big = find(results, "ours", scenario, 1)
        small = next((r for r in scaling or [] if r.scenario == scenario), None)
        if big and small:
            ratio = big.p50_ms / small.p50_ms
            out.append(
                (
                    f"{scenario} p50 (c=1) with 1,000,000 within 1.3x of 10,000",
                    f"{ratio:.2f}x ({big.p50_ms} vs {small.p50_ms} ms)",
                    ratio <= 1.3,
                )
            )
    return out


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


def report(
    mode: str,
    results: list[Result],
    memory: dict[str, float],
    scaling: list[Result] | None,
    fixture: Fixture,
    info: dict[str, str],
    check: dict[str, Any],
    elapsed: float,
) -> str:
    lines = [
        f"Mode: `{mode}`, one uvicorn worker pinned to CPU 0, wrk (1 thread) on CPU 1, "
        f"loopback. Each row is one wrk run after a warm-up.",
        "",
    ]
    lines += table(results)
    ratios = []
    for c in (1, 50):
        o, f, p = (find(results, s, "pending", c) for s in ("ours", "floor", "peer"))
        if o and f and p:
            ratios.append(
                f"c={c}: ours/floor **{o.rps / f.rps:.2f}**, ours/peer **{o.rps / p.rps:.2f}**"
            )
    lines += ["", "pendingInvitations requests/s ratios — " + "; ".join(ratios) + "."]
    if scaling:
        lines += ["", "Same server on a 10,000-invitation database (same users and domains):", ""]
        lines += table(scaling)
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    lines += [
        f"| {t} | {m} | {'yes' if ok else '**no**'} |"
        for t, m, ok in targets(results, memory, scaling)
    ]
    counts = ", ".join(f"{k} {v:,}" for k, v in fixture.counts.items())
    lines += [
        "",
        f"Same answer from all three servers: {'yes' if check['same_json'] else '**NO**'} "
        f"(floor byte-identical: {'yes' if check['floor_bytes_identical'] else 'no'}).",
        f"Data: {counts} (seeded in {info['seeding']}).",
        f"Machine: {info['cpus']} CPUs ({info['cpu']}), {info['ram']} RAM; load average "
        f"before the run {info['load_before']}, after {os.getloadavg()[0]:.2f}.",
        f"Software: Python {info['python']}, {info['packages']}; {info['wrk']}.",
        f"Database: {info['database']}. Date: {info['date']}. Whole run: {elapsed:.0f} s.",
    ]
    return "\n".join(lines)


def write_readme(text: str) -> None:
    readme = ROOT / "README.md"
    content = readme.read_text()
    block = f"{MARK_START}\n{text}\n{MARK_END}"
    if MARK_START in content:
        content = re.sub(
            re.escape(MARK_START) + ".*?" + re.escape(MARK_END),
            lambda _: block,
            content,
            flags=re.S,
        )
    else:
        content = content.rstrip("\n") + "\n\n## Performance\n\n" + block + "\n"
    readme.write_text(content)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="50,000 invitations, 5 s runs")
    parser.add_argument(
        "--profile",
        type=int,
        metavar="SECONDS",
        default=0,
        help="also profile our server under the pending load with py-spy",
    )
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite README.md")
    parser.add_argument("--folder", type=Path, default=ROOT / "data" / "bench")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    started, load_before = time.monotonic(), os.getloadavg()[0]
    size, timing = (QUICK, Timing(5, 1)) if args.quick else (FULL, Timing(12, 2))
    args.folder.mkdir(parents=True, exist_ok=True)
    Server.log = args.folder / "servers.log"
    Server.log.unlink(missing_ok=True)
    base_url = os.environ.get("DATABASE_URL")
    info = machine(base_url or "sqlite", load_before)
    print(f"load average {load_before:.2f}; seeding {size} ...", flush=True)
    url = fresh_database(base_url, args.folder, "quick" if args.quick else "full")
    migrate(url)
    t = time.monotonic()
    fixture = seed_sync(url, size, timing, load=True)
    info["seeding"] = f"{time.monotonic() - t:.0f} s"
    print(f"seeded in {info['seeding']}: {fixture.counts}", flush=True)
    made = [url]
    try:
        return _run(args, fixture, timing, info, base_url, made, started)
    finally:
        for database in made:
            drop_database(database)


def _run(
    args: argparse.Namespace,
    fixture: Fixture,
    timing: Timing,
    info: dict[str, str],
    base_url: str | None,
    made: list[str],
    started: float,
) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        check = same_answers(fixture)
        print(f"answers: {check}", flush=True)
        results, memory = run_ours(fixture, timing, workdir)
        results += run_baseline("floor", FLOOR, fixture, timing, workdir)
        results += run_baseline("peer", PEER, fixture, timing, workdir)
        scaling = None
        if not args.quick:
            small_url = fresh_database(base_url, args.folder, "small")
            made.append(small_url)
            migrate(small_url)
            small = seed_sync(small_url, SMALL, timing, load=False)
            scaling = run_ours(small, timing, workdir, reads_only=True)[0]
            scaling = [r for r in scaling if r.scenario in ("pending", "invitations")]
        prof = profile(fixture, timing, workdir, args.profile) if args.profile else []
    text = report(
        "--quick" if args.quick else "full",
        results,
        memory,
        scaling,
        fixture,
        info,
        check,
        time.monotonic() - started,
    )
    print(text)
    if prof:
        print("\n".join(["", "py-spy, pendingInvitations at 50 connections:", *prof]))
    (args.folder / "results.json").write_text(
        json.dumps(
            {
                "results": [asdict(r) for r in results],
                "memory": memory,
                "profile": prof,
                "scaling": [asdict(r) for r in scaling or []],
                "counts": fixture.counts,
            },
            indent=2,
        )
    )
    if not args.no_readme:
        write_readme(text)
    return 0


def seed_sync(url: str, size: Size, timing: Timing, *, load: bool) -> Fixture:
    return asyncio.run(seed(url, size, timing, load=load))


if __name__ == "__main__":
    sys.exit(main())
