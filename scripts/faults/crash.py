"""crash: a server process SIGKILLed while a few clients send 100-invitee batches and
respond to them, each mutation with an Idempotency-Key; restarted; every request whose
answer was lost retried with its key; then the invariants checked in the database."""

from __future__ import annotations

import asyncio
import random
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from scripts.benchmark import servers
from scripts.faults import stack
from scripts.faults.client import JSON, Answer, post
from scripts.faults.documents import CREATE_DOMAIN, RESPOND, SEND
from scripts.measure_subscriptions import bounded, sign_up

BATCH = 100  # invitees per sendInvitations, the most SPEC allows
RESPONSES = 10  # of each batch, answered by their invitees
LEASE_WAIT = 120  # seconds a retry waits for a dead request's claim to be taken over
INVARIANTS = {
    "invitation without its SENT event": """SELECT count(*) FROM invitation i WHERE NOT EXISTS
      (SELECT 1 FROM invitation_event e WHERE e.invitation_id = i.id AND e.kind = 'SENT')""",
    "(domain, invitee) with two PENDING": """SELECT count(*) FROM (SELECT domain_id, invitee_id
      FROM invitation WHERE status = 'PENDING' GROUP BY domain_id, invitee_id
      HAVING count(*) > 1) twice""",
    "ACCEPTED without its membership": """SELECT count(*) FROM invitation i
      WHERE status = 'ACCEPTED' AND NOT EXISTS (SELECT 1 FROM membership m
      WHERE m.domain_id = i.domain_id AND m.user_id = i.invitee_id)""",
}


@dataclass(frozen=True)
class Mutation:
    token: str
    query: str
    variables: JSON
    key: str = field(default_factory=lambda: secrets.token_hex(16))


@dataclass
class Ledger:
    """What the clients sent and what they were told."""

    requests: int = 0
    lost_total: int = 0
    lost: list[Mutation] = field(default_factory=list)
    retries: int = 0
    conflicts: int = 0  # 409 while the dead request's claim was still leased
    committed_unseen: int = 0  # a lost request whose retry was a replay: it had committed
    unresolved: int = 0
    unanswered_retries: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    acknowledged: Counter[str] = field(default_factory=Counter)  # event kind -> count

    def settle(self, answer: Answer) -> JSON | None:
        """Count an answer; its data, or None when it failed."""
        data = answer.data
        if data is None:
            self.errors[answer.problem] += 1
            return None
        [payload] = data.values()
        results = payload.get("results") or [payload]
        for result in results:
            if result["__typename"] == "Invitation":
                self.acknowledged[result.get("status", "SENT")] += 1
        return dict(payload)

    async def run(self, http: httpx.AsyncClient, url: str, mutation: Mutation) -> JSON | None:
        """Send once; None when the answer was lost (kept for a retry) or failed."""
        self.requests += 1
        answer = await post(
            http, url, mutation.query, mutation.variables, mutation.token, mutation.key
        )
        if answer.status is None:
            self.lost_total += 1
            self.lost.append(mutation)
            return None
        return self.settle(answer)


@dataclass(frozen=True)
class World:
    admin: str
    invitees: list[tuple[str, str]]  # (token, id)


async def populate(http: httpx.AsyncClient) -> World:
    admin, _ = await sign_up(http, "admin@faults.example")
    jobs = [lambda i=i: sign_up(http, f"invitee{i}@faults.example") for i in range(BATCH)]
    return World(admin, await bounded(jobs, limit=8))


async def client(http: httpx.AsyncClient, url: str, world: World, ledger: Ledger) -> None:
    """Domain, batch, responses, again, until an answer is lost."""
    while True:
        name = {"name": f"Crash {secrets.token_hex(3)}"}
        domain = await ledger.run(http, url, Mutation(world.admin, CREATE_DOMAIN, name))
        if domain is None:
            return
        member = next(r["id"] for r in domain["roles"] if r["name"] == "member")
        ids = [user_id for _, user_id in world.invitees]
        variables = {"domainId": domain["id"], "inviteeIds": ids, "roleId": member}
        batch = await ledger.run(http, url, Mutation(world.admin, SEND, variables))
        if batch is None:
            return
        for index in random.sample(range(BATCH), RESPONSES):
            response = random.choice(["ACCEPT", "DECLINE"])
            variables = {"id": batch["results"][index]["id"], "response": response}
            token = world.invitees[index][0]
            if await ledger.run(http, url, Mutation(token, RESPOND, variables)) is None:
                return


async def retry_lost(http: httpx.AsyncClient, url: str, ledger: Ledger) -> float:
    """Retry every lost request with its key until it is answered (409: its dead first
    attempt's claim is leased for 60 s); the seconds it took."""
    started, pending = time.monotonic(), ledger.lost
    ledger.lost = []
    while pending and time.monotonic() - started < LEASE_WAIT:
        answers = await asyncio.gather(
            *(post(http, url, m.query, m.variables, m.token, m.key) for m in pending)
        )
        ledger.retries += len(pending)
        waiting = [m for m, a in zip(pending, answers, strict=True) if a.status in (None, 409)]
        ledger.conflicts += sum(a.status == 409 for a in answers)
        ledger.unanswered_retries.update(a.problem for a in answers if a.status is None)
        for answer in answers:
            if answer.status not in (None, 409):
                ledger.committed_unseen += answer.replayed
                ledger.settle(answer)
        pending = waiting
        if pending:
            await asyncio.sleep(2)
    ledger.unresolved += len(pending)
    return time.monotonic() - started


async def crash_round(
    http: httpx.AsyncClient, server: servers.Server, world: World, ledger: Ledger, clients: int
) -> None:
    """The clients against `server`, SIGKILLed after 1 to 4 s."""
    tasks = [asyncio.create_task(client(http, server.url, world, ledger)) for _ in range(clients)]
    await asyncio.sleep(random.uniform(1, 4))
    stack.kill(server)
    await asyncio.gather(*tasks)


async def check(url: str, ledger: Ledger) -> dict[str, int]:
    """Each invariant's count of offending rows (all must be 0)."""
    violations = {name: await stack.scalar(url, query) for name, query in INVARIANTS.items()}
    events = await stack.events_by_kind(url)
    for kind in ("SENT", "ACCEPTED", "REJECTED"):
        name = f"{kind} events - acknowledged"
        violations[name] = events.get(kind, 0) - ledger.acknowledged[kind]
    return violations


async def crash(engine: str, rounds: int, clients: int) -> dict[str, Any]:
    ledger, waits = Ledger(), []
    log = stack.log_file(f"crash-{engine}")
    async with stack.fresh_database(engine, "faults_crash") as url:
        env = {"DATABASE_URL": url}
        async with httpx.AsyncClient(timeout=60) as http:
            server = stack.start("crash", env, log)
            async with httpx.AsyncClient(base_url=server.base, timeout=60) as setup:
                world = await populate(setup)
            for _ in range(rounds):
                await crash_round(http, server, world, ledger, clients)
                server = stack.start("crash", env, log)
                waits.append(round(await retry_lost(http, server.url, ledger), 1))
                if server.process.poll() is not None:
                    ledger.errors["restarted server exited"] += 1
            server.stop()
        violations = await check(url, ledger)
    return {
        "database": engine,
        "rounds": rounds,
        "clients": clients,
        "requests": ledger.requests,
        "kills": rounds,
        "answers lost (retried with their key)": ledger.lost_total,
        "retry attempts": ledger.retries,
        "retry 409 answers (claim still leased)": ledger.conflicts,
        "seconds until every retry was answered": waits,
        "committed while the client saw a connection error": ledger.committed_unseen,
        "unresolved after retries": ledger.unresolved,
        "retries without an answer": dict(ledger.unanswered_retries),
        "error answers": dict(ledger.errors),
        "acknowledged": dict(ledger.acknowledged),
        "violations": violations,
    }
