"""A seeded database and the load's requests on it: real tokens, each scenario's lines.

Reads cycle through their lines. One-shot requests (mutations) are each used once:
every `sendInvitations` batch invites users nobody invited to that domain yet, and
every `respondToInvitation` answers a distinct PENDING invitation.
"""

from __future__ import annotations

import asyncio
import random
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from tortoise import Tortoise
from tortoise.connection import get_connection

from app.auth import Authenticator
from app.clock import SystemClock
from app.db import tortoise_config
from app.permissions import MEMBER_ROLE
from scripts.benchmark import documents
from scripts.benchmark.seed import DomainRows, Seeder, Size, domain_rows

Token = Callable[[int], Awaitable[str]]


@dataclass(frozen=True)
class Timing:
    seconds: int
    warmup: int


QUICK_TIMING, FULL_TIMING = Timing(5, 1), Timing(12, 2)
# The most requests per second any scenario is assumed to reach: one-shot requests
# are prepared for this many; wrk flags a scenario that runs out.
ONE_SHOT_RPS = {"send10": 400, "send1": 1000, "send100": 80, "respond": 900}
# sendInvitations scenarios: invitees per request, and the connection counts they run at.
SENDS = {"send1": (1, (1,)), "send100": (100, (1,)), "send10": (10, (1, 50))}
RESPOND_CONNECTIONS = (1, 50)


@dataclass
class Fixture:
    """What the servers and the load need from a seeded database."""

    secret_key: str
    database_url: str
    counts: dict[str, int] = field(default_factory=dict)
    requests: dict[str, list[str]] = field(default_factory=dict)  # scenario -> lines


def one_shot_need(scenario: str, timing: Timing, connections: tuple[int, ...]) -> int:
    return ONE_SHOT_RPS[scenario] * (timing.seconds + timing.warmup) * len(connections)


def build(database_url: str, size: Size, timing: Timing, *, mutations: bool) -> Fixture:
    """Seed `size` rows into the (migrated, empty) database and prepare the requests."""
    return asyncio.run(_build(database_url, size, timing, mutations=mutations))


async def _build(database_url: str, size: Size, timing: Timing, *, mutations: bool) -> Fixture:
    fixture = Fixture(secret_key=secrets.token_urlsafe(48), database_url=database_url)
    auth = Authenticator(
        secret_key=fixture.secret_key,
        token_ttl=timedelta(days=1),
        cheap_hashing=False,
        clock=SystemClock(),
    )
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        seeder = Seeder(size, random.Random(7))
        await seeder.users(await auth.hash_password(secrets.token_hex(8)))
        await seeder.seed_domains()
        await seeder.invitations()
        await seeder.mark_published()
        tokens: dict[int, str] = {}

        async def token(u: int) -> str:
            if u not in tokens:
                tokens[u] = await auth.issue_token(seeder.user_ids[u])
            return tokens[u]

        fixture.requests = await _reads(seeder, token)
        if mutations:
            fixture.requests |= await _sends(seeder, timing, token)
            fixture.requests["respond"] = await _responds(seeder, timing, token)
        await get_connection("default").execute_script("ANALYZE")
        fixture.counts = {**seeder.counts, "auth_tokens": len(tokens)}
    finally:
        await Tortoise.close_connections()
    return fixture


async def _reads(seeder: Seeder, token: Token) -> dict[str, list[str]]:
    """The pending lists as the read-load users; the domain tables as their admins."""
    line = documents.line
    readers = range(seeder.size.pending_users)
    admins = seeder.domains[: seeder.size.admin_domains]
    return {
        "pending": [line(await token(u), documents.PENDING) for u in readers],
        "pending_no_count": [line(await token(u), documents.PENDING_NO_COUNT) for u in readers],
        "invitations": [
            line(await token(a), documents.INVITATIONS, documents.invitations_variables(str(d.id)))
            for (d, _, _), a in admins
        ],
        "members": [
            line(await token(a), documents.MEMBERS, documents.members_variables(str(d.id)))
            for (d, _, _), a in admins
        ],
    }


async def _sends(seeder: Seeder, timing: Timing, token: Token) -> dict[str, list[str]]:
    """New domains of the bench admin, each inviting every other user once."""
    admin, rng = seeder.bench_admin, seeder.rng
    invitees = list(range(admin + 1, seeder.size.users))
    admin_token = await token(admin)
    made: list[DomainRows] = []
    requests: dict[str, list[str]] = {}
    for scenario, (batch, connections) in SENDS.items():
        pairs = one_shot_need(scenario, timing, connections) * batch
        lines = requests[scenario] = []
        for _ in range(-(-pairs // len(invitees))):
            rows = domain_rows(f"Bench domain {len(made)}", seeder.user_ids[admin], seeder.now)
            made.append(rows)
            order = rng.sample(invitees, len(invitees))
            for start in range(0, len(order) - batch + 1, batch):
                ids = [str(seeder.user_ids[u]) for u in order[start : start + batch]]
                variables = {
                    "d": str(rows.domain.id),
                    "u": ids,
                    "r": str(rows.roles[MEMBER_ROLE].id),
                }
                lines.append(documents.line(admin_token, documents.SEND, variables))
    await seeder.write_domains(made)
    return requests


async def _responds(seeder: Seeder, timing: Timing, token: Token) -> list[str]:
    """Accept or decline PENDING invitations of users outside the read load, in random order."""
    need = one_shot_need("respond", timing, RESPOND_CONNECTIONS)
    lines: list[str] = []
    for u, pending in sorted(seeder.pending_of.items()):
        if len(lines) >= need:
            break
        user_token = await token(u)
        for invitation in pending:
            answer = "ACCEPT" if seeder.rng.random() < 0.5 else "DECLINE"
            variables = {"i": str(invitation), "r": answer}
            lines.append(documents.line(user_token, documents.RESPOND, variables))
    seeder.rng.shuffle(lines)
    return lines
